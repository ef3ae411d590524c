#pragma once
// Shell-style wildcards as used in policies: '*' matches any run of characters (including '/'),
// '?' exactly one. Everything else is literal.
#include <string_view>

namespace gh {

bool hasWildcard(std::string_view pattern);
bool globMatch(std::string_view pattern, std::string_view text);
// Is there at least one string that both patterns match?
bool globIntersects(std::string_view a, std::string_view b);
// Does `a` match every string that `b` matches? Sound (never true wrongly), so a validator can
// call a rule unreachable on its word.
bool globCovers(std::string_view a, std::string_view b);

} // namespace gh
