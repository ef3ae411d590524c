#pragma once
// Line diffs of policy texts, for "what will this change do" (admin API /policy/diff and the
// console's Review). Unified format with three lines of context, like `diff -u`.
#include <string>
#include <string_view>

namespace gh::policy {

// "" when the texts are equal. Labels name the two sides in the --- / +++ header.
std::string unifiedDiff(std::string_view before, std::string_view after, std::string_view beforeLabel,
                        std::string_view afterLabel, int context = 3);

} // namespace gh::policy
