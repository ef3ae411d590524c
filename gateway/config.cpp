#include "config.h"

#include "util/text.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace gh::gateway {

std::string defaultConfigText() {
    return R"(# gatehoused configuration. Paths are relative to this file's directory.
listen: 127.0.0.1:8080          # OpenAI- and Anthropic-compatible endpoint for agents
threads: 0                      # 0: one per core
policy: policy.yaml             # the route policy (gatehoused check-policy validates it)
max_body_bytes: 8388608         # larger requests get 413
header_timeout_seconds: 10      # clients must send a whole request within this
idle_timeout_seconds: 60        # idle keep-alive connections are closed after this
upstream_connect_timeout_seconds: 10
upstream_timeout_seconds: 300   # longest silence allowed from an upstream
upstream_ca_file: ""            # extra CA bundle to trust besides the system store
retention_days: 90              # request records older than this are deleted
default_max_output_tokens: 4096 # budget reservation when a request sets no max_tokens
durability: process             # records are committed before responses end; "power" also fsyncs

# The admin API (HTTPS; the console connects here). See docs/admin-api.md.
admin_listen: 127.0.0.1:8443
admin_tls_certificate: admin-cert.pem  # made by init (self-signed); or your own certificate
admin_tls_key: admin-key.pem
scheduler_interval_seconds: 60  # how often rotation schedules are checked
webhook_url: ""                 # alerts (budgets, rotation) are POSTed here as JSON
webhook_signing_credential: ""  # a credential id whose secret signs webhook bodies (HMAC-SHA256)
webhook_ca_file: ""
allow_link_local_endpoints: false # allow policy endpoints on link-local / cloud metadata addresses
)";
}

ConfigResult loadConfig(const std::string& path) {
    ConfigResult result;
    auto fail = [&](const YAML::Mark& mark, const std::string& message) {
        std::string where = path;
        if (mark.line >= 0)
            where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
        result.errors.push_back(where + ": error: " + message);
    };
    std::ifstream in(path);
    if (!in) {
        result.errors.push_back(path + ": error: cannot read the configuration file");
        return result;
    }
    std::stringstream text;
    text << in.rdbuf();
    YAML::Node root;
    try {
        root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        fail(e.mark, "invalid YAML: " + e.msg);
        return result;
    }
    Config config;
    if (root.IsNull()) {
        result.config = config;
        return result;
    }
    if (!root.IsMap()) {
        fail(root.Mark(), "the configuration must be a map of keys");
        return result;
    }

    auto integer = [&](const YAML::Node& n, const std::string& key, long long min, long long max) -> std::optional<long long> {
        long long v = 0;
        const std::string s = n.IsScalar() ? n.Scalar() : "";
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc{} || end != s.data() + s.size() || v < min || v > max) {
            fail(n.Mark(), key + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
            return std::nullopt;
        }
        return v;
    };
    auto string = [&](const YAML::Node& n, const std::string& key) -> std::optional<std::string> {
        if (!n.IsScalar() && !n.IsNull()) {
            fail(n.Mark(), key + " must be a single value");
            return std::nullopt;
        }
        return n.IsNull() ? std::string() : n.Scalar();
    };
    auto seconds = [&](int& into) {
        return [&, target = &into](const YAML::Node& n, const std::string& key) {
            if (auto v = integer(n, key, 1, 86400))
                *target = int(*v);
        };
    };
    auto hostPort = [&](const YAML::Node& n, const std::string& key, std::string& hostOut, std::uint16_t& portOut) {
        auto s = string(n, key);
        if (!s)
            return;
        const auto colon = s->rfind(':');
        unsigned port = 0;
        const char* p = s->data() + colon + 1;
        auto [end, ec] = std::from_chars(p, s->data() + s->size(), port);
        if (colon == std::string::npos || colon == 0 || ec != std::errc{} || end != s->data() + s->size() || port > 65535) {
            fail(n.Mark(), key + " must be HOST:PORT, such as 127.0.0.1:8080");
            return;
        }
        std::string host = s->substr(0, colon);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        hostOut = host;
        portOut = std::uint16_t(port);
    };
    auto boolean = [&](bool& into) {
        return [&, target = &into](const YAML::Node& n, const std::string& key) {
            auto s = string(n, key);
            if (s && (*s == "true" || *s == "false"))
                *target = *s == "true";
            else if (s)
                fail(n.Mark(), key + " must be true or false");
        };
    };
    auto textInto = [&](std::string& into) {
        return [&, target = &into](const YAML::Node& n, const std::string& key) {
            if (auto s = string(n, key))
                *target = *s;
        };
    };
    using Setter = std::function<void(const YAML::Node&, const std::string&)>;
    const std::map<std::string, Setter> setters{
        {"listen", [&](const YAML::Node& n, const std::string& key) { hostPort(n, key, config.listenHost, config.listenPort); }},
        {"admin_listen", [&](const YAML::Node& n, const std::string& key) { hostPort(n, key, config.adminHost, config.adminPort); }},
        {"admin_tls_certificate", textInto(config.adminCertificateFile)},
        {"admin_tls_key", textInto(config.adminKeyFile)},
        {"scheduler_interval_seconds", seconds(config.schedulerIntervalSeconds)},
        {"webhook_url", textInto(config.webhookUrl)},
        {"webhook_signing_credential", textInto(config.webhookSigningCredential)},
        {"webhook_ca_file", textInto(config.webhookCaFile)},
        {"allow_link_local_endpoints", boolean(config.allowLinkLocalEndpoints)},
        {"threads", [&](const YAML::Node& n, const std::string& key) { if (auto v = integer(n, key, 0, 256)) config.threads = int(*v); }},
        {"policy", [&](const YAML::Node& n, const std::string& key) { if (auto s = string(n, key)) config.policyFile = *s; }},
        {"max_body_bytes", [&](const YAML::Node& n, const std::string& key) { if (auto v = integer(n, key, 1024, 1LL << 30)) config.maxBodyBytes = std::uint64_t(*v); }},
        {"header_timeout_seconds", seconds(config.headerTimeoutSeconds)},
        {"idle_timeout_seconds", seconds(config.idleTimeoutSeconds)},
        {"upstream_connect_timeout_seconds", seconds(config.upstreamConnectTimeoutSeconds)},
        {"upstream_timeout_seconds", seconds(config.upstreamTimeoutSeconds)},
        {"upstream_ca_file", [&](const YAML::Node& n, const std::string& key) { if (auto s = string(n, key)) config.upstreamCaFile = *s; }},
        {"retention_days", [&](const YAML::Node& n, const std::string& key) { if (auto v = integer(n, key, 1, 36500)) config.retentionDays = int(*v); }},
        {"durability",
         [&](const YAML::Node& n, const std::string& key) {
             auto s = string(n, key);
             if (s && (*s == "process" || *s == "power"))
                 config.durableAgainstPowerLoss = *s == "power";
             else if (s)
                 fail(n.Mark(), "durability must be 'process' (survives a crash of gatehoused) or 'power' (also "
                                "survives power loss, slower), not '" + *s + "'");
         }},
        {"default_max_output_tokens", [&](const YAML::Node& n, const std::string& key) { if (auto v = integer(n, key, 1, 10'000'000)) config.defaultMaxOutputTokens = int(*v); }},
    };
    std::vector<std::string> known;
    for (const auto& [k, _] : setters)
        known.push_back(k);
    for (auto it = root.begin(); it != root.end(); ++it) {
        const std::string key = it->first.Scalar();
        const auto setter = setters.find(key);
        if (setter == setters.end()) {
            fail(it->first.Mark(), "unknown key '" + key + "'" + suggest(key, known));
            continue;
        }
        setter->second(it->second, key);
    }
    if (result.errors.empty())
        result.config = config;
    return result;
}

} // namespace gh::gateway
