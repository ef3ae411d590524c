#pragma once
// Reading and writing the policy's YAML form. Reading checks shape (keys, types, enumerations)
// and keeps every item's position; meaning (references, constraints, reachability) is the
// validator's job.
#include "policy/diagnostic.h"
#include "policy/document.h"

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

} // namespace gh::policy
