#pragma once
// A gateway workspace: one directory with everything gatehoused needs.
//   gatehoused.yaml   how it runs (config.h)
//   policy.yaml       the route policy
//   master.key        seals provider secrets (0600; never in a database)
//   admin.token       the first admin token's secret (0600; the token is stored hashed)
//   admin-cert.pem    the admin API's TLS certificate (self-signed by init), admin-key.pem its key
//   state.db          gateway keys, sealed credentials, admin tokens, policy versions, alerts
//   audit.db          the audit chain
//   requests.db       request records, rollups, budget spend
#include <filesystem>
#include <iosfwd>
#include <string>

namespace gh::gateway {

struct Workspace {
    std::filesystem::path dir;

    std::filesystem::path configFile() const { return dir / "gatehoused.yaml"; }
    std::filesystem::path masterKeyFile() const { return dir / "master.key"; }
    std::filesystem::path adminTokenFile() const { return dir / "admin.token"; }
    std::filesystem::path adminCertificateFile() const { return dir / "admin-cert.pem"; }
    std::filesystem::path adminKeyFile() const { return dir / "admin-key.pem"; }
    // Relative paths in the config are relative to the workspace.
    std::filesystem::path resolve(const std::string& path) const {
        return std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : dir / path;
    }
};

// `gatehoused init DIR`. Refuses to overwrite an existing workspace. Returns the exit code.
int initWorkspace(const std::filesystem::path& dir, std::ostream& out, std::ostream& err);

// Writes `text` to a new file readable by its owner only (0600), atomically.
void writePrivateFile(const std::filesystem::path& path, const std::string& text);
std::string readFile(const std::filesystem::path& path);

} // namespace gh::gateway
