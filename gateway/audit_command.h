#pragma once
// `gatehoused audit verify DIR`: checks the workspace's audit chain offline (read-only; the gateway
// may be running) with the workspace's master.key.
#include <filesystem>
#include <iosfwd>

namespace gh::gateway {

// Prints a report: on `out` for a chain that could be read (intact or not), on `err` when the
// master key or audit.db cannot be read. Returns 0 when the chain is intact, 1 otherwise.
int verifyAudit(const std::filesystem::path& workspaceDir, std::ostream& out, std::ostream& err);

} // namespace gh::gateway
