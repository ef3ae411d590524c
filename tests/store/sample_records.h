#pragma once
// Deterministic request records for the store suites and their child process (no Qt here).
#include "store/request_record.h"

#include <cstdint>
#include <string>

namespace gh::test {

// Record `i` of writer `writer`: fields drawn from small sets so that rollups group many
// records, spread over three hours, with zero to two budget charges.
inline store::RequestRecord sampleRecord(int writer, int i, std::int64_t baseTimeMs = 1'767'225'600'000) {
    using namespace gh::policy;
    static const char* teams[] = {"payments", "web", "data"};
    static const char* tasks[] = {"", "docs", "codegen", "review"};
    static const char* models[] = {"gpt-4.1", "gpt-4.1-mini", "qwen2.5-coder:7b"};
    const auto n = std::uint64_t(writer) * 1'000'003u + std::uint64_t(i);
    const auto h = n * 0x9E3779B97F4A7C15ull;
    const auto pick = [&](int shift, int count) { return int((h >> shift) % std::uint64_t(count)); };

    store::RequestRecord r;
    r.timeMs = baseTimeMs + std::int64_t((h >> 8) % 10'800'000); // three hours
    r.requestId = "req-" + std::to_string(writer) + "-" + std::to_string(i);
    r.sessionId = "s-" + std::to_string(i / 10);
    r.identity = "user" + std::to_string(pick(3, 20)) + "@example.com";
    r.team = teams[pick(5, 3)];
    r.keyId = "key_" + std::to_string(pick(7, 5));
    r.agent = pick(9, 2) ? "claude-code" : "aider";
    r.repository = "acme/repo-" + std::to_string(pick(11, 7));
    r.branch = "main";
    r.task = tasks[pick(13, 4)];
    r.requestedModel = models[pick(15, 3)];
    r.policyVersion = 7;
    switch (pick(17, 10)) {
    case 0: // denied before any forwarding
        r.decision = store::Decision::Denied;
        r.outcome = store::Outcome::Denied;
        r.httpStatus = 403;
        r.ruleId = "no-expensive-without-task";
        r.latencyMs = 1;
        return r;
    case 1:
        r.decision = store::Decision::Routed;
        r.outcome = store::Outcome::UpstreamError;
        r.httpStatus = 502;
        break;
    default:
        r.decision = store::Decision::Routed;
        r.outcome = store::Outcome::Ok;
        r.httpStatus = 200;
        break;
    }
    r.sensitivity = Sensitivity(pick(19, 4));
    r.servedModel = r.requestedModel;
    r.provider = r.servedModel.starts_with("qwen") ? EndpointKind::Ollama : EndpointKind::AzureOpenAI;
    r.endpointId = r.provider == EndpointKind::Ollama ? "local" : "azure-eu";
    r.endpointClass = r.provider == EndpointKind::Ollama ? EndpointClass::Local : EndpointClass::Enterprise;
    r.ruleId = "route-" + std::to_string(pick(21, 3));
    r.fallback = pick(23, 8) == 0 ? 1 : 0;
    r.tokens = {std::int64_t(100 + pick(25, 5000)), std::int64_t(pick(27, 2000)), std::int64_t(pick(29, 3) * 1000),
                std::int64_t(pick(31, 2) * 64)};
    r.cost = Money(std::int64_t(1 + pick(33, 50'000)));
    r.latencyMs = 200 + pick(35, 5000);
    r.firstTokenMs = r.outcome == store::Outcome::Ok ? std::optional<std::int64_t>(50 + pick(37, 400)) : std::nullopt;
    r.bytesSent = 500 + pick(39, 20'000);
    r.bytesReceived = 200 + pick(41, 8000);
    r.toolsEnabled = pick(43, 2) == 1;
    const int charges = pick(45, 3);
    if (charges >= 1)
        r.charges.push_back({r.team + "-monthly", 1'767'225'600'000, r.cost});
    if (charges >= 2)
        r.charges.push_back({"global-daily", 1'767'225'600'000 + 86'400'000LL * pick(47, 2), r.cost});
    return r;
}

// Record `i` of a data set spread over ten days from `baseTimeMs` (2026-01-01, a Thursday):
// four teams, four provider kinds, sessions of a few requests scattered over the days (every
// 17th record has none), a tenth denied before any forwarding (no provider, sensitivity,
// endpoint class or served model), some served by a fallback model other than the requested one,
// and every fourth record at exactly the time of the record before it.
inline std::int64_t spreadTime(int i, std::int64_t baseTimeMs) {
    if (i % 4 == 1)
        --i;
    const auto h = (std::uint64_t(i) + 1) * 0x9E3779B97F4A7C15ull;
    return baseTimeMs + std::int64_t((h >> 8) % (10 * 86'400'000ull));
}

inline store::RequestRecord spreadRecord(int i, std::int64_t baseTimeMs = 1'767'225'600'000) {
    using namespace gh::policy;
    static const char* teams[] = {"payments", "web", "data", "platform"};
    static const char* tasks[] = {"", "docs", "codegen", "review", "incident"};
    static const char* models[] = {"gpt-4.1", "claude-sonnet-4", "qwen2.5-coder:7b", "o3"};
    static const EndpointKind providers[] = {EndpointKind::AzureOpenAI, EndpointKind::Anthropic, EndpointKind::Ollama,
                                             EndpointKind::OpenAI};
    const auto h = (std::uint64_t(i) + 7) * 0xD6E8FEB86659FD93ull;
    const auto pick = [&](int shift, int count) { return int((h >> shift) % std::uint64_t(count)); };

    store::RequestRecord r;
    r.timeMs = spreadTime(i, baseTimeMs);
    r.requestId = "req-" + std::to_string(i);
    r.sessionId = i % 17 == 0 ? "" : "sess-" + std::to_string((i / 3) % 400);
    r.identity = "dev" + std::to_string(pick(3, 12)) + "@acme.example";
    r.team = teams[pick(9, 4)];
    r.keyId = "key_" + std::to_string(pick(13, 6));
    r.agent = pick(17, 2) ? "claude-code" : "aider";
    r.repository = "acme/service-" + std::to_string(pick(19, 9));
    r.branch = pick(23, 3) ? "main" : "feature/x";
    r.task = tasks[pick(25, 5)];
    const int model = pick(29, 4);
    r.requestedModel = models[model];
    r.policyVersion = 3;
    if (pick(33, 10) == 0) {
        r.decision = store::Decision::Denied;
        r.outcome = store::Outcome::Denied;
        r.httpStatus = 403;
        r.ruleId = "deny-" + std::to_string(pick(37, 2));
        r.latencyMs = 1;
        return r;
    }
    r.decision = store::Decision::Routed;
    r.outcome = pick(37, 12) == 0 ? store::Outcome::UpstreamError : store::Outcome::Ok;
    r.httpStatus = r.outcome == store::Outcome::Ok ? 200 : 502;
    r.fallback = pick(41, 6) == 0 ? 1 : 0;
    r.servedModel = r.fallback ? "gpt-4.1-mini" : r.requestedModel;
    r.provider = providers[r.fallback ? 0 : model];
    r.endpointId = "ep-" + std::to_string(int(*r.provider));
    r.endpointClass = r.provider == EndpointKind::Ollama ? EndpointClass::Local
                      : r.provider == EndpointKind::AzureOpenAI ? EndpointClass::Enterprise
                                                                 : EndpointClass::Hosted;
    r.sensitivity = Sensitivity(pick(45, 4));
    r.ruleId = "route-" + std::to_string(pick(47, 3));
    r.tokens = {std::int64_t(50 + pick(49, 9000)), std::int64_t(pick(51, 3000)), std::int64_t(pick(53, 4) * 500),
                std::int64_t(pick(55, 3) * 32)};
    r.cost = Money(std::int64_t(1 + pick(57, 90'000)));
    r.latencyMs = 100 + pick(59, 4000);
    r.bytesSent = 300 + pick(61, 30'000);
    r.bytesReceived = 100 + pick(3, 9000);
    return r;
}

} // namespace gh::test
