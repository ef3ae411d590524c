#pragma once
// Line diffs of policy texts, for "what will this change do" (admin API /policy/diff and the
// console's Review). Unified format with three lines of context, like `diff -u`.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh::policy {

// "" when the texts are equal. Labels name the two sides in the --- / +++ header.
std::string unifiedDiff(std::string_view before, std::string_view after, std::string_view beforeLabel,
                        std::string_view afterLabel, int context = 3);

// Three-way merge of line texts: `mine` and `theirs` both started from `base`. When their
// changes touch different lines of `base` (not even neighbouring ones), the result holds both;
// a change made identically on both sides counts once. nullopt when they touch the same lines.
// The console merges a draft onto a version someone applied meanwhile with it (on canonical YAML,
// where a rule's lines are its own), and validates the result before offering it.
std::optional<std::string> mergeLines(std::string_view base, std::string_view mine, std::string_view theirs);

} // namespace gh::policy
