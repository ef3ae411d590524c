#include "util/text.h"

#include <algorithm>

namespace gh {

std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::optional<std::string> closestMatch(std::string_view word, const std::vector<std::string>& candidates) {
    // Up to a third of the word's letters may be wrong (at least one): "modles" -> "models".
    const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
    std::optional<std::string> best;
    std::size_t bestDistance = limit + 1;
    for (const auto& c : candidates) {
        const std::size_t d = editDistance(toLower(word), toLower(c));
        if (d < bestDistance && c != word) { // d == 0: differs only in case
            best = c;
            bestDistance = d;
        }
    }
    return best;
}

std::string suggest(std::string_view word, const std::vector<std::string>& candidates) {
    if (candidates.empty())
        return {};
    if (auto best = closestMatch(word, candidates))
        return "; did you mean '" + *best + "'?";
    constexpr std::size_t kMaxNamed = 12;
    if (candidates.size() <= kMaxNamed)
        return "; expected one of: " + join(candidates);
    std::vector<std::string> first(candidates.begin(), candidates.begin() + kMaxNamed);
    return "; expected one of: " + join(first) + ", ...";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

std::string toLower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

} // namespace gh
