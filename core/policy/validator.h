#pragma once
// The policy validator: everything that makes a document wrong beyond its shape. Used by
// `gatehoused check-policy`, by the admin API before applying, and by the console as you edit.
#include "policy/diagnostic.h"
#include "policy/document.h"

#include <optional>
#include <string_view>
#include <vector>

namespace gh::policy {

std::vector<Diagnostic> validate(const Document& doc);

struct LoadResult {
    std::optional<Document> document; // set only when there is no error: never half-loaded
    std::vector<Diagnostic> diagnostics; // errors and warnings, in document order
    bool ok() const { return document.has_value(); }
};

// Parse and validate YAML text.
LoadResult loadPolicy(std::string_view yamlText);

} // namespace gh::policy
