#include "commands.h"

#include "config.h"
#include "gateway_state.h"
#include "http_server.h"
#include "log.h"
#include "policy/validator.h"
#include "proxy.h"
#include "store/credential_vault.h"
#include "admin/admin_api.h"
#include "admin/admin_server.h"
#include "audit/audit_log.h"
#include "metrics.h"
#include "policy_service.h"
#include "scheduler.h"
#include "store/admin_token_store.h"
#include "store/alert_log.h"
#include "store/idempotency.h"
#include "store/policy_versions.h"
#include "store/schema.h"
#include "webhook.h"

#include <boost/asio/signal_set.hpp>

#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <iostream>
#include <thread>

namespace gh::gateway {
namespace {

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<crypto::MasterKey> loadMasterKey(const Workspace& ws, std::ostream& err) {
    try {
        auto key = crypto::parseMasterKey(readFile(ws.masterKeyFile()));
        if (!key)
            err << ws.masterKeyFile().string() << ": error: not a master key (64 hex digits expected)\n";
        return key;
    } catch (const std::exception& e) {
        err << ws.masterKeyFile().string() << ": error: " << e.what() << "\n";
        return std::nullopt;
    }
}

std::optional<Config> loadWorkspaceConfig(const Workspace& ws, std::ostream& err) {
    auto result = loadConfig(ws.configFile().string());
    for (const auto& e : result.errors)
        err << e << "\n";
    if (!result.config && result.errors.empty())
        err << ws.configFile().string() << ": error: not a workspace (run gatehoused init first)\n";
    return result.config;
}

class VaultCredentials : public CredentialSource {
public:
    explicit VaultCredentials(store::CredentialVault& vault) : vault_(vault) {}
    std::optional<std::string> secret(std::string_view id) const override { return vault_.secret(id); }
    std::string whyMissing(std::string_view id) const override {
        auto info = vault_.find(id);
        return info && info->revoked() ? "was revoked" : "has no secret set";
    }

private:
    store::CredentialVault& vault_;
};

} // namespace

int serve(const std::filesystem::path& dir) {
    const Workspace ws{dir};
    auto config = loadWorkspaceConfig(ws, std::cerr);
    if (!config)
        return 1;
    auto masterKey = loadMasterKey(ws, std::cerr);
    if (!masterKey)
        return 1;
    const auto policyPath = ws.resolve(config->policyFile);
    try {
        store::KeyStore keys(dir, *masterKey);
        store::RequestLogOptions logOptions;
        logOptions.synchronous = config->durableAgainstPowerLoss ? store::Synchronous::Full : store::Synchronous::Normal;
        logOptions.onError = [](const std::string& message) { log::error("request log", {{"error", message}}); };
        store::RequestLog requestLog(dir, logOptions);
        store::CredentialVault vault(dir, *masterKey);
        store::AdminTokenStore adminTokens(dir);
        store::PolicyVersionStore policyVersions(dir);
        store::IdempotencyStore idempotency(dir, *masterKey);
        store::AlertLog alerts(dir);
        audit::AuditLog auditLog(dir, *masterKey);
        VaultCredentials credentials(vault);
        Metrics metrics(GATEHOUSE_VERSION);
        GatewayEvents events;

        GatewayState state;
        state.config = *config;
        state.keys = &keys;
        state.log = &requestLog;
        state.credentials = &credentials;
        state.metrics = &metrics;
        state.events = &events;
        PolicyService policyService(state, policyVersions, policyPath,
                                    policy::ValidationOptions{config->allowLinkLocalEndpoints});
        if (!policyService.start(std::cerr, nowMs())) {
            std::cerr << policyPath.string() << ": the policy is not valid; the gateway does not start\n";
            return 1;
        }
        // Spend recorded before a restart still counts against this period's budgets.
        for (const auto& spend : requestLog.loadBudgetSpend())
            state.ledger.restore(spend.budgetId, spend.periodStart, spend.spent);

        std::unique_ptr<WebhookNotifier> webhook;
        if (!config->webhookUrl.empty()) {
            WebhookConfig hook;
            hook.url = config->webhookUrl;
            hook.caFile = config->webhookCaFile.empty() ? std::string() : ws.resolve(config->webhookCaFile).string();
            if (!config->webhookSigningCredential.empty()) {
                auto secret = vault.secret(config->webhookSigningCredential);
                if (!secret) {
                    std::cerr << ws.configFile().string() << ": error: webhook_signing_credential '"
                              << config->webhookSigningCredential << "' has no secret; set it first\n";
                    return 1;
                }
                hook.signingSecret = std::move(*secret);
            }
            webhook = std::make_unique<WebhookNotifier>(std::move(hook));
        }

        Proxy proxy(state);
        const int threads = config->threads > 0 ? config->threads : int(std::max(1u, std::thread::hardware_concurrency()));
        HttpServer server(threads,
                          ServerLimits{config->maxBodyBytes, std::chrono::seconds(config->headerTimeoutSeconds),
                                       std::chrono::seconds(config->idleTimeoutSeconds), std::chrono::seconds(30)},
                          makeClientTlsContext(config->upstreamCaFile.empty()
                                                   ? std::string()
                                                   : ws.resolve(config->upstreamCaFile).string()),
                          UpstreamOptions{std::chrono::seconds(config->upstreamConnectTimeoutSeconds),
                                          std::chrono::seconds(config->upstreamTimeoutSeconds),
                                          config->allowLinkLocalEndpoints},
                          [&proxy](Worker& w, Request& r, ResponseChannel& c) { return proxy.handle(w, r, c); });
        const auto port = server.listen(config->listenHost, config->listenPort);

        // The admin API: its own HTTPS listener, threads and read-only view of requests.db.
        RequestsReader requestsReader;
        requestsReader.db = store::openRequestsDb(dir, store::OpenOptions{.readOnly = true});
        AdminServices services{state, ws, *masterKey, adminTokens, keys, vault, idempotency, alerts, auditLog,
                               policyService, metrics, requestsReader, GATEHOUSE_VERSION, nowMs(), {}, {},
                               [&server] { return server.inFlight(); }};
        AdminApi adminApi(services);
        AdminServer adminServer(makeServerTlsContext(ws.resolve(config->adminCertificateFile).string(),
                                                     ws.resolve(config->adminKeyFile).string()),
                                AdminServerLimits{},
                                [&adminApi](const AdminRequest& r, const std::string& remote) { return adminApi.handle(r, remote); },
                                &AdminApi::refusal);
        const auto adminPort = adminServer.listen(config->adminHost, config->adminPort);
        const auto hostText = [](const std::string& h) { return h.find(':') != std::string::npos ? "[" + h + "]" : h; };
        services.dataListen = hostText(config->listenHost) + ":" + std::to_string(port);
        services.adminListen = "https://" + hostText(config->adminHost) + ":" + std::to_string(adminPort);
        Scheduler scheduler(SchedulerServices{state, events, keys, vault, alerts, idempotency, auditLog, webhook.get()},
                            std::chrono::seconds(config->schedulerIntervalSeconds));

        // Signals: TERM/INT drain and exit; HUP re-reads sealed credentials and the policy file
        // (an invalid file is refused and the running policy stays in force).
        net::io_context signalsIo;
        net::signal_set signals(signalsIo, SIGTERM, SIGINT, SIGHUP);
        std::function<void(error_code, int)> onSignal = [&](error_code ec, int signal) {
            if (ec)
                return;
            if (signal == SIGHUP) {
                vault.forget(); // credentials rotated with `credential set` take effect now
                std::ostringstream messages;
                try {
                    const bool applied = policyService.reloadFile(messages, nowMs(), [&](const store::PolicyVersion& running, std::int64_t next) {
                        auditLog.append({"policy.yaml (SIGHUP)", "", "policy.apply", "policy", "ok",
                                         boost::json::serialize(boost::json::object{
                                             {"from_version", running.version}, {"to_version", next},
                                             {"before_sha256", running.sha256Hex}, {"source", "file"}}),
                                         ""},
                                        nowMs());
                    });
                    if (applied)
                        log::info("policy reloaded", {{"version", std::to_string(policyService.runningVersion())}});
                    else
                        log::error("policy reload refused; the running policy stays in force",
                                   {{"file", policyPath.string()}, {"problems", messages.str()}});
                } catch (const std::exception& e) {
                    log::error("policy reload refused: the audit chain could not record it", {{"error", e.what()}});
                }
                signals.async_wait(onSignal);
                return;
            }
            log::info("stopping: draining in-flight requests", {{"in_flight", std::to_string(server.inFlight())}});
            server.stop();
        };
        signals.async_wait(onSignal);
        // Retention: request rows older than retention_days go, at start and hourly after.
        net::steady_timer retention(signalsIo, std::chrono::seconds(0));
        std::function<void(error_code)> onRetention = [&](error_code ec) {
            if (ec)
                return;
            requestLog.pruneBefore(nowMs() - std::int64_t(config->retentionDays) * 86'400'000);
            retention.expires_after(std::chrono::hours(1));
            retention.async_wait(onRetention);
        };
        retention.async_wait(onRetention);
        std::thread signalThread([&] { signalsIo.run(); });
        adminServer.start();
        scheduler.start();

        log::info("listening", {{"address", services.dataListen},
                                {"admin", services.adminListen},
                                {"threads", std::to_string(threads)},
                                {"policy_version", std::to_string(policyService.runningVersion())}});
        std::cout << "admin listening on " << services.adminListen << std::endl;
        std::cout << "listening on " << config->listenHost << ":" << port << std::endl;
        server.run();
        adminServer.stop();
        scheduler.stop();
        signalsIo.stop();
        signalThread.join();
        requestLog.close();
        if (webhook)
            webhook->flush(std::chrono::seconds(5));
        log::info("stopped", {{"records", std::to_string(requestLog.stats().durable)}});
        return 0;
    } catch (const std::exception& e) {
        log::error("cannot serve", {{"error", e.what()}});
        return 1;
    }
}

int issueKey(const std::filesystem::path& dir, const std::vector<std::string>& options, std::ostream& out,
             std::ostream& err) {
    store::KeyRequest request;
    for (std::size_t i = 0; i < options.size(); ++i) {
        const std::string& o = options[i];
        if (i + 1 >= options.size()) {
            err << "gatehoused key issue: " << o << " needs a value\n";
            return 2;
        }
        const std::string& value = options[++i];
        if (o == "--identity") {
            request.identity = value;
        } else if (o == "--team") {
            request.team = value;
        } else if (o == "--repos") {
            for (std::size_t start = 0; start <= value.size();) {
                const auto comma = std::min(value.find(',', start), value.size());
                if (comma > start)
                    request.repositories.push_back(value.substr(start, comma - start));
                start = comma + 1;
            }
        } else if (o == "--expires-days") {
            const int days = std::atoi(value.c_str());
            if (days <= 0) {
                err << "gatehoused key issue: --expires-days must be a positive number of days\n";
                return 2;
            }
            request.expiresMs = nowMs() + std::int64_t(days) * 86'400'000;
        } else {
            err << "gatehoused key issue: unknown option " << o << "\n";
            return 2;
        }
    }
    if (request.identity.empty() || request.team.empty()) {
        err << "gatehoused key issue: --identity and --team are required\n";
        return 2;
    }
    const Workspace ws{dir};
    if (!std::filesystem::exists(ws.configFile())) {
        err << dir.string() << ": error: not a workspace (run gatehoused init first)\n";
        return 1;
    }
    try {
        store::KeyStore keys(dir);
        const auto issued = keys.issue(request, nowMs());
        out << "key id:  " << issued.info.id << "\n"
            << "secret:  " << issued.secret << "\n"
            << "This is the only time the secret is shown; the gateway keeps only its hash.\n";
        return 0;
    } catch (const std::exception& e) {
        err << dir.string() << ": error: " << e.what() << "\n";
        return 1;
    }
}

int setCredential(const std::filesystem::path& dir, const std::string& id, std::istream& in, std::ostream& out,
                  std::ostream& err) {
    const Workspace ws{dir};
    auto masterKey = loadMasterKey(ws, err);
    if (!masterKey)
        return 1;
    // Read the secret without echoing it when typed at a terminal.
    const bool tty = ::isatty(STDIN_FILENO) && &in == &std::cin;
    termios saved{};
    if (tty) {
        err << "secret for " << id << ": " << std::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= tcflag_t(~ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string secret;
    std::getline(in, secret);
    if (tty) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        err << "\n";
    }
    while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' '))
        secret.pop_back();
    if (secret.empty()) {
        err << "gatehoused credential set: no secret on standard input\n";
        return 2;
    }
    try {
        store::CredentialVault vault(dir, *masterKey);
        const auto info = vault.set(id, secret, nowMs());
        out << "credential " << info.id << " sealed; fingerprint " << info.fingerprint << "\n";
        return 0;
    } catch (const std::exception& e) {
        err << dir.string() << ": error: " << e.what() << "\n";
        return 1;
    }
}

} // namespace gh::gateway
