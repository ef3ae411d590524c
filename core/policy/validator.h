#pragma once
// The policy validator: everything that makes a document wrong beyond its shape. Used by
// `gatehoused check-policy`, by the admin API before applying, and by the console as you edit.
#include "policy/diagnostic.h"
#include "policy/document.h"

#include <optional>
#include <string_view>
#include <vector>

namespace gh::policy {

struct ValidationOptions {
    // Endpoints on link-local addresses (169.254.0.0/16, fe80::/10) or cloud metadata names are
    // refused by default: a policy editor must not be able to aim the gateway, with a provider
    // credential attached, at the machine's metadata service. gatehoused.yaml may allow them.
    bool allowLinkLocalEndpoints = false;
};

std::vector<Diagnostic> validate(const Document& doc, const ValidationOptions& options = {});

struct LoadResult {
    std::optional<Document> document; // set only when there is no error: never half-loaded
    std::vector<Diagnostic> diagnostics; // errors and warnings, in document order
    bool ok() const { return document.has_value(); }
};

// Parse and validate YAML text.
LoadResult loadPolicy(std::string_view yamlText, const ValidationOptions& options = {});

// True for hosts a policy may not name unless allowed (see ValidationOptions): IPv4 169.254/16,
// IPv6 fe80::/10, IPv4-mapped forms of those, and the cloud providers' metadata host names.
bool isLinkLocalOrMetadataHost(std::string_view host);

} // namespace gh::policy
