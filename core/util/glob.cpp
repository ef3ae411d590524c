#include "util/glob.h"

#include <vector>

namespace gh {

bool hasWildcard(std::string_view pattern) { return pattern.find_first_of("*?") != std::string_view::npos; }

bool globMatch(std::string_view pattern, std::string_view text) {
    // Linear-time greedy match with one backtrack point: the last '*'.
    std::size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            starP = p++;
            starT = t;
        } else if (starP != std::string_view::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

bool globIntersects(std::string_view a, std::string_view b) {
    // Reachability in the product of the two patterns' automata; state (i, j) = positions.
    const std::size_t n = a.size(), m = b.size();
    std::vector<char> seen((n + 1) * (m + 1), 0);
    std::vector<std::pair<std::size_t, std::size_t>> stack{{0, 0}};
    auto push = [&](std::size_t i, std::size_t j) {
        char& s = seen[i * (m + 1) + j];
        if (!s) {
            s = 1;
            stack.emplace_back(i, j);
        }
    };
    seen[0] = 1;
    while (!stack.empty()) {
        auto [i, j] = stack.back();
        stack.pop_back();
        if (i == n && j == m)
            return true;
        if (i < n && a[i] == '*')
            push(i + 1, j); // the star matches nothing more
        if (j < m && b[j] == '*')
            push(i, j + 1);
        if (i == n || j == m)
            continue;
        // Consume one character that both sides accept.
        const bool aWild = a[i] == '*' || a[i] == '?';
        const bool bWild = b[j] == '*' || b[j] == '?';
        if (!aWild && !bWild && a[i] != b[j])
            continue;
        push(a[i] == '*' ? i : i + 1, b[j] == '*' ? j : j + 1);
    }
    return false;
}

bool globCovers(std::string_view a, std::string_view b) {
    // Match `a` against `b` read symbolically: a '*' in `a` absorbs any of b's symbols, wildcards
    // included; a '?' in `a` absorbs one literal or one '?' of b; a literal only itself.
    const std::size_t n = a.size(), m = b.size();
    std::vector<char> reach((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> char& { return reach[i * (m + 1) + j]; };
    at(0, 0) = 1;
    for (std::size_t i = 0; i <= n; ++i) {
        for (std::size_t j = 0; j <= m; ++j) {
            if (!at(i, j))
                continue;
            if (i == n)
                continue;
            if (a[i] == '*') {
                at(i + 1, j) = 1;
                if (j < m)
                    at(i, j + 1) = 1;
            } else if (j < m) {
                const bool ok = a[i] == '?' ? b[j] != '*' : a[i] == b[j] && b[j] != '*' && b[j] != '?';
                if (ok)
                    at(i + 1, j + 1) = 1;
            }
        }
    }
    return at(n, m);
}

} // namespace gh
