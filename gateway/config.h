#pragma once
// gatehoused.yaml: how the gateway runs (addresses, paths, limits). What it allows is the
// policy's business, not this file's.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gh::gateway {

struct Config {
    std::string listenHost = "127.0.0.1";
    std::uint16_t listenPort = 8080;
    int threads = 0;                    // 0: one per core
    std::string policyFile = "policy.yaml"; // relative to the workspace
    std::uint64_t maxBodyBytes = 8 * 1024 * 1024;
    int headerTimeoutSeconds = 10;      // a client must send its whole request within this
    int idleTimeoutSeconds = 60;        // keep-alive connections idle longer are closed
    int upstreamConnectTimeoutSeconds = 10;
    int upstreamTimeoutSeconds = 300;   // longest silence from an upstream mid-response
    std::string upstreamCaFile;         // extra CA bundle to trust (besides the system store)
    int retentionDays = 90;
    int defaultMaxOutputTokens = 4096;  // for budget reservations when a request sets none
    // When a request's record counts as stored, i.e. before its response's last bytes go out:
    //   process: committed to the WAL (survives a crash or kill -9 of gatehoused; DESIGN's bar)
    //   power:   also fsynced (survives a machine crash or power loss; costs an fsync per batch)
    bool durableAgainstPowerLoss = false;

    // The admin API: HTTPS only, loopback by default (see docs/admin-api.md).
    std::string adminHost = "127.0.0.1";
    std::uint16_t adminPort = 8443;
    std::string adminCertificateFile = "admin-cert.pem"; // relative to the workspace
    std::string adminKeyFile = "admin-key.pem";
    int schedulerIntervalSeconds = 60;  // how often rotation schedules are checked
    std::string webhookUrl;             // alerts are POSTed here; "" = none
    std::string webhookSigningCredential; // id of a sealed credential whose secret signs webhook bodies
    std::string webhookCaFile;          // extra CA bundle for the webhook receiver
    bool allowLinkLocalEndpoints = false; // policy endpoints on 169.254/16, fe80::/10, metadata hosts
};

struct ConfigResult {
    std::optional<Config> config;
    std::vector<std::string> errors; // "FILE:LINE:COL: error: message"
};

ConfigResult loadConfig(const std::string& path);
std::string defaultConfigText();

} // namespace gh::gateway
