#pragma once
// Reading and writing the policy's YAML form. Reading checks shape (keys, types, enumerations)
// and keeps every item's position; meaning (references, constraints, reachability) is the
// validator's job.
#include "policy/diagnostic.h"
#include "policy/document.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh::policy {

struct ParseResult {
    Document document; // best effort; not to be used when diagnostics hold an error
    std::vector<Diagnostic> diagnostics;
};

ParseResult parseYaml(std::string_view text);

// Canonical YAML: parseYaml(toYaml(d)).document == d, and toYaml is a fixed point.
std::string toYaml(const Document& document);

// The canonical form of a policy text (what the admin API's /policy/diff compares, and the
// console's Review); nullopt when the text does not parse.
std::optional<std::string> canonicalYaml(std::string_view text);

} // namespace gh::policy
