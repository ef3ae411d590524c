#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh {

std::size_t editDistance(std::string_view a, std::string_view b);
// The candidate closest to `word` when it is close enough to be a likely typo.
std::optional<std::string> closestMatch(std::string_view word, const std::vector<std::string>& candidates);
// "; did you mean 'x'?" when one candidate is close, else "; expected one of: a, b, c" (at most
// a dozen named), or "" when there are no candidates. Ends every "unknown ..." message.
std::string suggest(std::string_view word, const std::vector<std::string>& candidates);
// "a, b, c"
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");
std::string toLower(std::string_view text);

} // namespace gh
