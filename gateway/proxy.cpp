#include "proxy.h"

#include "metrics.h"

#include "log.h"
#include "pricing/pricing.h"
#include "provider_adapter.h"
#include "util/glob.h"
#include "util/text.h"
#include "wire/errors.h"
#include "wire/request_summary.h"
#include "wire/sse.h"
#include "wire/translate.h"
#include "wire/usage.h"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <random>

namespace gh::gateway {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxUpstreamBody = 64u << 20; // a complete (non-streamed) response
constexpr auto kMaxDrainAfterCancel = std::chrono::seconds(60);

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string newRequestId(std::int64_t timeMs) {
    // Time first, then randomness: ids sort by arrival, so the request_id index in requests.db
    // grows at its end instead of dirtying a random page per record. Unique, not secret: a
    // per-thread generator is enough.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    char id[4 + 12 + 12 + 1] = "req_";
    for (int i = 0; i < 12; ++i)
        id[4 + i] = kHex[(std::uint64_t(timeMs) >> (4 * (11 - i))) & 15];
    std::uint64_t v = rng();
    for (int i = 0; i < 12; ++i, v >>= 4)
        id[16 + i] = kHex[v & 15];
    id[28] = '\0';
    return id;
}

std::string_view header(const Request& r, std::string_view name) {
    auto it = r.find(beast::string_view(name.data(), name.size()));
    return it == r.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
}

// Caller-supplied metadata goes into records and logs: keep it short and printable.
std::string cleanMetadata(std::string_view value, std::size_t max = 200) {
    std::string out;
    for (char c : value.substr(0, max))
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    return out;
}

std::string redact(std::string text, std::string_view secret) {
    if (secret.size() < 4)
        return text;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
        text.replace(pos, secret.size(), "[redacted]");
    return text;
}

std::string dollars(Money m) {
    // $12.30 (cents, rounded up) for messages people read.
    const std::int64_t cents = (m.micros + 9'999) / 10'000;
    std::string c = std::to_string(cents % 100);
    return "$" + std::to_string(cents / 100) + "." + (c.size() < 2 ? "0" + c : c);
}

std::string isoDate(std::int64_t ms) {
    const std::time_t secs = std::time_t(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char out[96];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min);
    return out;
}

// Size of the generated text or tool input in a stream event, 0 for framing events.
std::size_t contentBytes(wire::Format format, const json::object& event) {
    auto str = [](const json::value* v) -> std::size_t { return v && v->is_string() ? v->get_string().size() : 0; };
    if (format == wire::Format::Anthropic) {
        const auto* type = event.if_contains("type");
        if (!type || !type->is_string() || type->get_string() != "content_block_delta")
            return 0;
        const auto* delta = event.if_contains("delta");
        if (!delta || !delta->is_object())
            return 0;
        return std::max<std::size_t>(1, str(delta->get_object().if_contains("text")) +
                                            str(delta->get_object().if_contains("partial_json")) +
                                            str(delta->get_object().if_contains("thinking")));
    }
    const auto* choices = event.if_contains("choices");
    if (!choices || !choices->is_array() || choices->get_array().empty())
        return 0;
    const auto& first = choices->get_array().front();
    const auto* delta = first.is_object() ? first.get_object().if_contains("delta") : nullptr;
    if (!delta || !delta->is_object())
        return 0;
    std::size_t n = str(delta->get_object().if_contains("content"));
    if (const auto* calls = delta->get_object().if_contains("tool_calls"); calls && calls->is_array())
        for (const auto& call : calls->get_array())
            if (const auto* fn = call.is_object() ? call.get_object().if_contains("function") : nullptr; fn && fn->is_object())
                n += std::max<std::size_t>(1, str(fn->get_object().if_contains("arguments")));
    return n;
}

// An OpenAI usage-only chunk (empty choices): dropped when the caller did not ask for usage,
// since the gateway asks every OpenAI upstream for it.
bool isUsageOnlyChunk(const json::object& chunk) {
    const auto* choices = chunk.if_contains("choices");
    return chunk.contains("usage") && choices && choices->is_array() && choices->get_array().empty();
}

bool wantsStreamUsage(const json::object& body) {
    const auto* options = body.if_contains("stream_options");
    if (!options || !options->is_object())
        return false;
    const auto* include = options->get_object().if_contains("include_usage");
    return include && include->is_bool() && include->get_bool();
}

// Settle the worst case before knowing the route's real cost: the most expensive target.
Money maxCostOf(const std::vector<policy::ResolvedTarget>& targets, std::int64_t inputTokens, std::int64_t outputTokens) {
    Money worst;
    for (const auto& t : targets)
        if (t.model->price)
            worst = std::max(worst, pricing::cost(*t.model->price, {inputTokens, outputTokens, 0, 0}));
    return worst;
}

} // namespace

// Everything known about one request while it is served.
struct Proxy::Call {
    // A hold still active when the call ends (an exception, or a path that forgot) goes back
    // to the budget: a leaked hold would block the budget's traffic until a restart.
    budgets::Ledger* ledger = nullptr;
    ~Call() {
        if (ledger && reservation.active())
            ledger->release(reservation);
    }
    // The request body's JSON lives in this arena: one buffer per request instead of a heap
    // allocation per value (declared first, so it outlives `body`).
    unsigned char arenaBuffer[16 * 1024];
    json::monotonic_resource arena{arenaBuffer, sizeof arenaBuffer};
    Clock::time_point start = Clock::now();
    Request* request = nullptr;
    wire::Format format = wire::Format::OpenAI;
    std::shared_ptr<const PolicyRuntime> policy;
    std::shared_ptr<const store::KeyInfo> key;
    json::object body;
    wire::RequestSummary summary;
    policy::Decision decision;
    std::vector<policy::ResolvedTarget> targets;
    budgets::Reservation reservation;
    store::RequestRecord record;
    bool recordable = false; // authenticated: a record is kept
    Clock::duration upstreamTime{};
    std::string upstreamSecret;

    std::int64_t elapsedMs() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    }
    std::string overheadMs() const {
        const auto own = Clock::now() - start - upstreamTime;
        char out[32];
        std::snprintf(out, sizeof out, "%.3f", std::chrono::duration<double, std::milli>(own).count());
        return out;
    }
    template <class Message>
    void stamp(Message& m) const {
        m.set("x-gatehouse-request-id", record.requestId);
        if (!record.ruleId.empty())
            m.set("x-gatehouse-route", record.ruleId);
        m.set("x-gatehouse-overhead-ms", overheadMs());
    }
};

Task<void> Proxy::handle(Worker& worker, Request& request, ResponseChannel& channel) {
    Call call;
    call.ledger = &state_.ledger;
    call.request = &request;
    call.record.timeMs = nowMs();
    call.record.requestId = newRequestId(call.record.timeMs);
    call.policy = state_.currentPolicy();
    call.record.policyVersion = call.policy->version;

    const std::string_view target(request.target().data(), request.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    if (path == "/v1/messages")
        call.format = wire::Format::Anthropic;
    if (path == "/healthz" && request.method() == http::verb::get) {
        http::response<http::string_body> res{http::status::ok, 11};
        res.set(http::field::content_type, "application/json");
        res.body() = json::serialize(json::object{{"status", "ok"}, {"policy_version", call.policy->version}});
        co_await channel.send(std::move(res));
        co_return;
    }
    const bool known = path == "/v1/chat/completions" || path == "/v1/messages" || path == "/v1/models";
    if (!known) {
        std::string message = "no such endpoint: " + std::string(request.method_string()) + " " + std::string(path) +
                            "; the gateway serves POST /v1/chat/completions, POST /v1/messages and GET /v1/models";
        co_await refuse(worker, call, channel, 404, std::move(message));
        co_return;
    }
    if (!header(request, "anthropic-version").empty() && path == "/v1/models")
        call.format = wire::Format::Anthropic;
    const bool isModels = path == "/v1/models";
    if ((isModels && request.method() != http::verb::get) || (!isModels && request.method() != http::verb::post)) {
        std::string message = std::string(path) + " takes " + (isModels ? "GET" : "POST") + ", not " +
                            std::string(request.method_string());
        co_await refuse(worker, call, channel, 405, std::move(message));
        co_return;
    }

    // 1. Who is calling: a gateway key in Authorization: Bearer or x-api-key.
    std::string_view secret = header(request, "x-api-key");
    if (auto auth = header(request, "authorization"); secret.empty() && auth.size() > 7 &&
                                                       toLower(auth.substr(0, 7)) == "bearer ")
        secret = auth.substr(7);
    if (secret.empty()) {
        std::string message = "no gateway key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'";
        co_await refuse(worker, call, channel, 401, std::move(message));
        co_return;
    }
    const auto auth = state_.keys->authenticate(secret, call.record.timeMs);
    if (!auth) {
        if (state_.events)
            state_.events->authenticationFailed();
        log::warn("authentication failed", {{"request_id", call.record.requestId},
                                            {"reason", store::toString(*auth.failure)},
                                            {"key_id", auth.key ? auth.key->id : std::string("-")}});
        std::string message = std::string("the gateway key is not valid (") + store::toString(*auth.failure) +
                            "); ask your platform admin for a key";
        co_await refuse(worker, call, channel, 401, std::move(message));
        co_return;
    }
    call.key = auth.key;
    call.record.keyId = call.key->id;
    call.record.identity = call.key->identity;
    call.record.team = call.key->team; // the key fixes the team: it is the cost bucket
    call.record.repository = cleanMetadata(header(request, "x-gatehouse-repo"));
    call.record.branch = cleanMetadata(header(request, "x-gatehouse-branch"));
    call.record.task = cleanMetadata(header(request, "x-gatehouse-task"), 64);
    call.record.sessionId = cleanMetadata(header(request, "x-gatehouse-session"), 128);
    call.record.agent = cleanMetadata(!header(request, "x-gatehouse-agent").empty() ? header(request, "x-gatehouse-agent")
                                                                                      : header(request, "user-agent"),
                                      100);
    call.recordable = true;

    if (isModels) {
        co_await listModels(call, channel);
        co_return;
    }
    co_await complete(worker, call, channel);
}

Task<void> Proxy::complete(Worker& worker, Call& call, ResponseChannel& channel) {
    auto& rec = call.record;
    // 2. A well-formed request.
    std::string invalid;
    if (auto body = wire::parseRequestBody(call.request->body(), json::storage_ptr(&call.arena)); !body) {
        invalid = body.error();
    } else {
        call.body = std::move(body.value());
        if (auto summary = wire::summarizeRequest(call.format, call.body); !summary)
            invalid = summary.error();
        else
            call.summary = std::move(summary.value());
    }
    if (!invalid.empty()) {
        rec.decision = store::Decision::Error;
        rec.outcome = store::Outcome::Invalid;
        co_await refuse(worker, call, channel, 400, std::move(invalid));
        co_return;
    }
    rec.requestedModel = cleanMetadata(call.summary.model);
    rec.toolsEnabled = call.summary.hasTools;
    std::string model = call.summary.model;
    // "task:docs" names the work instead of a model: the route picks the model.
    if (model.starts_with("task:")) {
        const std::string task = model.substr(5);
        if (!rec.task.empty() && rec.task != task) {
            rec.decision = store::Decision::Error;
            rec.outcome = store::Outcome::Invalid;
            std::string message = "the model alias says task '" + task + "' but X-Gatehouse-Task says '" + rec.task +
                                "'; send one or make them agree";
            co_await refuse(worker, call, channel, 400, std::move(message));
            co_return;
        }
        rec.task = task;
    }

    // 3. May this key be used for this repository?
    if (!call.key->repositories.empty() &&
        std::none_of(call.key->repositories.begin(), call.key->repositories.end(),
                     [&](const std::string& p) { return globMatch(toLower(p), toLower(rec.repository)); })) {
        rec.decision = store::Decision::Denied;
        rec.outcome = store::Outcome::Denied;
        std::string message = "this gateway key may only be used for repositories matching " + join(call.key->repositories) +
                            (rec.repository.empty() ? "; send X-Gatehouse-Repo" : ", not '" + rec.repository + "'");
        co_await refuse(worker, call, channel, 403, std::move(message));
        co_return;
    }

    // 4. The policy decides.
    const policy::Request attributes{.team = rec.team,
                                     .identity = rec.identity,
                                     .repository = rec.repository,
                                     .branch = rec.branch,
                                     .task = rec.task,
                                     .model = model,
                                     .agent = rec.agent,
                                     .keyId = rec.keyId};
    call.decision = call.policy->evaluator->decide(attributes);
    rec.ruleId = std::string(call.decision.ruleId);
    rec.sensitivity = call.decision.sensitivity;
    if (!call.decision.allowed) {
        rec.decision = store::Decision::Denied;
        rec.outcome = store::Outcome::Denied;
        const std::string by = call.decision.rule >= 0 ? "denied by route '" + rec.ruleId + "': " : "denied: ";
        std::string message = by + call.decision.reason;
        co_await refuse(worker, call, channel, 403, std::move(message));
        co_return;
    }
    call.targets = call.decision.targets;

    // 5. Budgets: hold the worst case before forwarding.
    const auto& doc = call.policy->document();
    // Reserve for what the caller asked, within sane bounds: an absurd max_tokens must not
    // overflow the cost into a negative (free) hold.
    constexpr std::int64_t kMaxTokens = 10'000'000;
    const std::int64_t maxOutput =
        std::clamp<std::int64_t>(call.summary.maxOutputTokens.value_or(state_.config.defaultMaxOutputTokens), 0, kMaxTokens);
    call.summary.estimatedInputTokens = std::clamp<std::int64_t>(call.summary.estimatedInputTokens, 0, kMaxTokens);
    auto admission = state_.ledger.reserve(doc, call.decision.budgets,
                                           maxCostOf(call.targets, call.summary.estimatedInputTokens, maxOutput),
                                           rec.timeMs);
    if (admission.verdict == budgets::Verdict::Downgrade) {
        const int exhaustedIndex = int(doc.findBudget(admission.budgetId) - doc.budgets.data());
        call.targets = call.policy->evaluator->downgradeTargets(call.decision, exhaustedIndex, model);
        log::info("budget downgrade", {{"request_id", rec.requestId}, {"budget", admission.budgetId}});
        const std::string exhausted = admission.budgetId;
        admission = call.targets.empty()
                        ? budgets::Admission{budgets::Verdict::Block, exhausted, admission.limit, admission.spent, {}}
                        : state_.ledger.reserve(doc, call.decision.budgets,
                                                maxCostOf(call.targets, call.summary.estimatedInputTokens, maxOutput),
                                                rec.timeMs, true);
    }
    if (admission.verdict != budgets::Verdict::Admit) {
        rec.decision = store::Decision::Blocked;
        rec.outcome = store::Outcome::BudgetBlocked;
        const policy::Budget* it = doc.findBudget(admission.budgetId);
        const auto period = budgets::periodOf(*it, rec.timeMs);
        std::string message = "budget '" + admission.budgetId + "' is exhausted: " + dollars(admission.spent) + " of " +
                            dollars(admission.limit) + " spent this " + toString(it->period) +
                            " period; it renews at " + isoDate(period.end) + ", or ask a platform admin to raise it";
        co_await refuse(worker, call, channel, 402, std::move(message), "insufficient_quota");
        co_return;
    }
    call.reservation = std::move(admission.reservation);

    // 6. Forward, with fallbacks.
    co_await forward(worker, call, channel);
    if (call.reservation.active()) // nothing billable happened
        state_.ledger.release(call.reservation);
}

Task<void> Proxy::forward(Worker& worker, Call& call, ResponseChannel& channel) {
    auto& rec = call.record;
    std::vector<std::string> failures; // one line per target that could not serve, for the caller
    int lastStatus = 502;
    // Before the body is edited for an upstream (which always asks for usage).
    const bool callerWantsUsage = call.format == wire::Format::OpenAI && wantsStreamUsage(call.body);

    for (std::size_t i = 0; i < call.targets.size(); ++i) {
        const auto& target = call.targets[i];
        const policy::Endpoint& endpoint = *target.endpoint;
        const policy::ModelEntry& model = *target.model;
        const wire::Format upFormat = formatOf(endpoint.kind);
        std::string secret;
        if (!endpoint.credential.value.empty()) {
            auto s = state_.credentials ? state_.credentials->secret(endpoint.credential.value) : std::nullopt;
            if (!s) {
                failures.push_back("credential '" + endpoint.credential.value + "' of endpoint '" + endpoint.id + "' " +
                                   (state_.credentials ? state_.credentials->whyMissing(endpoint.credential.value)
                                                       : std::string("has no secret set")) +
                                   "; a platform admin must rotate it (add a new secret)");
                log::warn("target skipped", {{"request_id", rec.requestId}, {"endpoint", endpoint.id}, {"reason", "no credential secret"}});
                continue;
            }
            secret = std::move(*s);
        }
        auto upstream = buildUpstreamRequest(endpoint, model, secret);
        if (!upstream) {
            failures.push_back("endpoint '" + endpoint.id + "' has an unusable base_url");
            continue;
        }

        // The body in the upstream's format, naming the served model.
        const std::string servedName = upstreamModelName(endpoint, model);
        if (upFormat == call.format) {
            // Same format: the caller's body goes on with the served model's name (edited in
            // place: every later target sets its own).
            call.body["model"] = servedName;
            if (upFormat == wire::Format::OpenAI && call.summary.stream)
                call.body["stream_options"] = json::object{{"include_usage", true}}; // streamed usage is billed too
            upstream->request.body() = json::serialize(call.body);
        } else {
            auto translated = call.format == wire::Format::Anthropic
                                  ? wire::anthropicRequestToOpenAI(
                                        call.body, {.model = servedName,
                                                    .defaultMaxTokens = state_.config.defaultMaxOutputTokens,
                                                    // OpenAI's own APIs want the newer name (reasoning models
                                                    // refuse max_tokens); compatible servers read max_tokens.
                                                    .maxCompletionTokens = endpoint.kind == policy::EndpointKind::OpenAI ||
                                                                           endpoint.kind == policy::EndpointKind::AzureOpenAI})
                                  : wire::openaiRequestToAnthropic(call.body, {.model = servedName,
                                                                              .defaultMaxTokens = state_.config.defaultMaxOutputTokens});
            if (!translated) {
                // The request uses something the other format cannot express: the caller must change it.
                failures.push_back(translated.error());
                lastStatus = 400;
                continue;
            }
            json::object outBody = std::move(translated.value());
            if (upFormat == wire::Format::OpenAI && call.summary.stream)
                outBody["stream_options"] = json::object{{"include_usage", true}};
            upstream->request.body() = json::serialize(outBody);
        }
        upstream->request.prepare_payload();

        const auto sentAt = Clock::now();
        auto [ec, exchange] = co_await worker.upstream->start(upstream->origin, upstream->request);
        const auto headerAt = Clock::now();
        call.upstreamTime += headerAt - sentAt; // time spent waiting on providers is not overhead
        if (ec) {
            failures.push_back("could not reach endpoint '" + endpoint.id + "': " + ec.message());
            lastStatus = 502;
            log::warn("upstream failed", {{"request_id", rec.requestId}, {"endpoint", endpoint.id}, {"error", ec.message()}});
            continue;
        }
        const int status = int(exchange->status());
        if (status < 200 || status >= 300) {
            auto [rec2, errorBody] = co_await exchange->readAll(1u << 20);
            (void)rec2;
            errorBody = redact(std::move(errorBody), secret);
            log::warn("upstream error", {{"request_id", rec.requestId}, {"endpoint", endpoint.id}, {"status", std::to_string(status)}});
            if (status == 401 || status == 403) {
                // The provider refused the gateway's own credential: that is for an admin to fix,
                // and the provider's message may quote part of the key. Try the next target.
                failures.push_back("the provider rejected the gateway's credential for endpoint '" + endpoint.id +
                              "'; a platform admin must rotate credential '" + endpoint.credential.value + "'");
                lastStatus = 502;
                continue;
            }
            if (status == 429 || status >= 500) {
                failures.push_back("endpoint '" + endpoint.id + "' answered " + std::to_string(status) + ": " +
                              wire::upstreamErrorMessage(status, errorBody));
                lastStatus = status;
                continue;
            }
            // The request itself was refused (400, 404, 413, 422...): no other target will take
            // it either. Pass the provider's answer on, in the caller's format.
            rec.decision = store::Decision::Error;
            rec.outcome = store::Outcome::UpstreamError;
            rec.httpStatus = status;
            rec.endpointId = endpoint.id;
            rec.provider = endpoint.kind;
            rec.endpointClass = endpoint.cls;
            rec.servedModel = model.name;
            rec.fallback = int(i);
            auto translated = wire::translateErrorBody(call.format, status, errorBody);
            co_await recordDurably(worker, call);
            http::response<http::string_body> res{http::status(status), 11};
            res.set(http::field::content_type, "application/json");
            call.stamp(res);
            res.body() = json::serialize(translated);
            co_await channel.send(std::move(res));
            co_return;
        }

        // Success: this target serves the request.
        rec.endpointId = endpoint.id;
        rec.provider = endpoint.kind;
        rec.endpointClass = endpoint.cls;
        rec.servedModel = model.name;
        rec.fallback = int(i);
        rec.bytesSent = std::int64_t(upstream->request.body().size());
        rec.httpStatus = 200;
        const pricing::ModelPrice price = model.price.value_or(pricing::ModelPrice{});
        pricing::Usage usage;
        bool usageKnown = false;
        std::size_t generatedBytes = 0;

        if (!call.summary.stream) {
            auto [rec3, text] = co_await exchange->readAll(kMaxUpstreamBody);
            call.upstreamTime += Clock::now() - headerAt;
            rec.bytesReceived = std::int64_t(text.size());
            error_code jec;
            json::value parsed = json::parse(text, jec, json::storage_ptr(&call.arena));
            if (rec3 || jec || !parsed.is_object()) {
                failures.push_back("endpoint '" + endpoint.id + "' sent an unreadable response");
                lastStatus = 502;
                continue; // nothing reached the caller yet: the next target may do better
            }
            json::object response = std::move(parsed.get_object());
            if (auto u = wire::usageFromResponse(upFormat, response)) {
                usage = *u;
                usageKnown = true;
            }
            std::string out;
            if (upFormat == call.format) {
                out = std::move(text); // the provider's own bytes, unchanged
            } else {
                auto translated = upFormat == wire::Format::OpenAI ? wire::openaiResponseToAnthropic(response)
                                                                    : wire::anthropicResponseToOpenAI(response);
                if (!translated) {
                    failures.push_back("endpoint '" + endpoint.id + "' sent a response that cannot be translated: " + translated.error());
                    lastStatus = 502;
                    continue;
                }
                out = json::serialize(translated.value());
            }
            if (!usageKnown) {
                // Never record $0 for a billed call: estimate from the sizes when the provider is silent.
                usage = {call.summary.estimatedInputTokens, std::int64_t(out.size() / 3 + 1), 0, 0};
            }
            rec.tokens = usage;
            rec.cost = pricing::cost(price, usage);
            rec.firstTokenMs = call.elapsedMs();
            settleBudgets(call);
            rec.decision = store::Decision::Routed;
            rec.outcome = store::Outcome::Ok;
            rec.latencyMs = call.elapsedMs();
            http::response<http::string_body> res{http::status::ok, 11};
            res.set(http::field::content_type, "application/json");
            res.set("x-gatehouse-served-by", endpoint.id + "/" + model.name);
            call.stamp(res);
            res.body() = std::move(out);
            co_await recordDurably(worker, call); // on disk before the caller sees it
            co_await channel.send(std::move(res));
            co_return;
        }

        // Streaming. From the first byte sent to the caller on, there is no falling back.
        http::response<http::empty_body> head{http::status::ok, 11};
        head.set(http::field::content_type, "text/event-stream");
        head.set(http::field::cache_control, "no-cache");
        head.set("x-gatehouse-served-by", endpoint.id + "/" + model.name);
        call.stamp(head);
        co_await channel.beginStream(std::move(head));
        const auto streamStart = Clock::now();

        wire::SseParser parser;
        wire::StreamUsageTracker tracker(upFormat);
        std::optional<wire::OpenAIToAnthropicStream> toAnthropic;
        std::optional<wire::AnthropicToOpenAIStream> toOpenAI;
        if (upFormat == wire::Format::OpenAI && call.format == wire::Format::Anthropic)
            toAnthropic.emplace();
        if (upFormat == wire::Format::Anthropic && call.format == wire::Format::OpenAI)
            toOpenAI.emplace(wire::ResponseOptions{.includeUsage = callerWantsUsage});
        std::vector<wire::SseEvent> events;
        std::vector<json::object> converted;
        std::string out;
        bool upstreamFailed = false;
        bool sawEnd = false; // OpenAI [DONE] or Anthropic message_stop
        const auto cancelDeadline = Clock::now() + kMaxDrainAfterCancel;

        auto emit = [&](const json::object& o) {
            if (call.format == wire::Format::Anthropic)
                wire::appendAnthropicSse(out, o);
            else
                wire::appendOpenAISse(out, o);
        };
        for (;;) {
            auto [rec4, piece] = co_await exchange->readSome();
            if (rec4) {
                upstreamFailed = true;
                break;
            }
            if (piece.empty())
                break;
            rec.bytesReceived += std::int64_t(piece.size());
            events.clear();
            if (!parser.feed(piece, events)) {
                upstreamFailed = true;
                break;
            }
            out.clear();
            for (const auto& e : events) {
                if (upFormat == wire::Format::OpenAI && e.data == "[DONE]") {
                    sawEnd = true;
                    continue; // the gateway sends its own [DONE] last, after recording
                }
                error_code jec;
                json::value v = json::parse(e.data, jec);
                if (jec || !v.is_object())
                    continue;
                const json::object& event = v.get_object();
                tracker.observe(event);
                if (const std::size_t n = contentBytes(upFormat, event)) {
                    generatedBytes += n;
                    if (!rec.firstTokenMs)
                        rec.firstTokenMs = call.elapsedMs();
                }
                if (upFormat == wire::Format::Anthropic && e.event == "message_stop")
                    sawEnd = true;
                converted.clear();
                if (toAnthropic) {
                    toAnthropic->feed(event, converted);
                } else if (toOpenAI) {
                    toOpenAI->feed(event, converted);
                } else if (call.format == wire::Format::OpenAI) {
                    if (!callerWantsUsage && isUsageOnlyChunk(event))
                        continue;
                    out += "data: ";
                    out += e.data;
                    out += "\n\n";
                    continue;
                } else {
                    // Anthropic to Anthropic: message_stop is held back until the record is on disk.
                    if (e.event == "message_stop")
                        continue;
                    out += "event: ";
                    out += e.event;
                    out += "\ndata: ";
                    out += e.data;
                    out += "\n\n";
                    continue;
                }
                for (const auto& c : converted) {
                    // The translated stream's own final event is also held back.
                    const auto* type = c.if_contains("type");
                    if (toAnthropic && type && type->is_string() && type->get_string() == "message_stop")
                        continue;
                    emit(c);
                }
            }
            if (!out.empty() && !channel.failed())
                co_await channel.writeChunk(out);
            if (channel.failed() && Clock::now() > cancelDeadline)
                break; // the caller left long ago; stop paying attention
        }
        call.upstreamTime += Clock::now() - streamStart;

        // The end: the final events wait until the record is durable.
        out.clear();
        bool completed = !upstreamFailed && (sawEnd || !parser.hasPartialEvent());
        converted.clear();
        if (toAnthropic) {
            completed = toAnthropic->finish(converted) && completed;
            for (const auto& c : converted)
                emit(c);
        } else if (toOpenAI) {
            completed = toOpenAI->finish(converted) && completed;
            for (const auto& c : converted)
                emit(c);
        } else if (call.format == wire::Format::Anthropic) {
            if (sawEnd)
                out += "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
            else
                wire::appendAnthropicSse(out, wire::anthropicError(502, "the upstream stream was cut off"));
        } else if (!sawEnd) {
            wire::appendOpenAISse(out, wire::openaiError(502, "the upstream stream was cut off"));
        }
        if (call.format == wire::Format::OpenAI && completed)
            out += "data: [DONE]\n\n";

        usage = tracker.usage();
        if (!tracker.complete()) {
            // Cut streams are billed all the same: estimate what the provider will charge.
            usage.input = std::max(usage.input, tracker.seen() ? usage.input : call.summary.estimatedInputTokens);
            usage.output = std::max<std::int64_t>(usage.output, std::int64_t(generatedBytes / 3 + (generatedBytes ? 1 : 0)));
        }
        rec.tokens = usage;
        rec.cost = pricing::cost(price, usage);
        settleBudgets(call);
        rec.decision = store::Decision::Routed;
        rec.outcome = channel.failed() ? store::Outcome::Cancelled
                      : completed      ? store::Outcome::Ok
                                       : store::Outcome::UpstreamError;
        rec.latencyMs = call.elapsedMs();
        co_await recordDurably(worker, call);
        if (!channel.failed()) {
            co_await channel.writeChunk(out);
            co_await channel.endStream();
        }
        co_return;
    }

    // Every target failed before answering.
    rec.decision = store::Decision::Error;
    rec.outcome = lastStatus == 400 ? store::Outcome::Invalid : store::Outcome::UpstreamError;
    std::string message = failures.empty() ? std::string("no target could serve this request")
                                           : "no target could serve this request: " + join(failures, "; ");
    co_await refuse(worker, call, channel, lastStatus, std::move(message));
    co_return;
}

Task<void> Proxy::listModels(Call& call, ResponseChannel& channel) {
    // The models this caller may use: each served model the policy routes for this key (for the
    // repository named in X-Gatehouse-Repo, if any, for any repository of the catalog if not).
    const auto& doc = call.policy->document();
    // A repository each pattern matches, to ask the policy about.
    auto samples = [](const auto& patterns, auto patternOf) {
        std::vector<std::string> out;
        for (const auto& p : patterns) {
            std::string sample = patternOf(p);
            for (char& c : sample)
                if (c == '*' || c == '?')
                    c = 'x';
            out.push_back(std::move(sample));
        }
        return out;
    };
    const auto& scope = call.key->repositories;
    auto inScope = [&](const std::string& repo) {
        return scope.empty() || std::any_of(scope.begin(), scope.end(), [&](const std::string& p) {
                   return globMatch(toLower(p), toLower(repo));
               });
    };
    std::vector<std::string> repos;
    if (!call.record.repository.empty())
        repos.push_back(call.record.repository);
    else if (!scope.empty())
        repos = samples(scope, [](const std::string& p) { return p; });
    else
        repos = samples(doc.repositories, [](const policy::RepositoryClass& c) { return c.match; });
    // A key limited to other repositories gets nothing here, as it would from a request.
    std::erase_if(repos, [&](const std::string& repo) { return !inScope(repo); });
    std::vector<std::string> tasks{""};
    for (const auto& t : doc.tasks)
        tasks.push_back(t.value);
    std::vector<std::pair<std::string, std::string>> models; // name, endpoint
    for (const auto& e : doc.endpoints)
        for (const auto& m : e.models) {
            if (std::any_of(models.begin(), models.end(), [&](const auto& p) { return p.first == m.name; }))
                continue;
            bool allowed = false;
            for (const auto& repo : repos)
                for (const auto& task : tasks) {
                    if (allowed)
                        break;
                    const auto d = call.policy->evaluator->decide({.team = call.record.team,
                                                                   .identity = call.record.identity,
                                                                   .repository = repo,
                                                                   .task = task,
                                                                   .model = m.name,
                                                                   .agent = call.record.agent,
                                                                   .keyId = call.record.keyId});
                    // Listed only when the caller would get this very model, not a substitute.
                    allowed = d.allowed && d.targets.front().model->name == m.name;
                }
            if (allowed)
                models.emplace_back(m.name, e.id);
        }
    json::array data;
    if (call.format == wire::Format::Anthropic) {
        for (const auto& [name, endpoint] : models)
            data.push_back(json::object{{"type", "model"}, {"id", name}, {"display_name", name},
                                        {"created_at", "2025-01-01T00:00:00Z"}});
    } else {
        for (const auto& [name, endpoint] : models)
            data.push_back(json::object{{"id", name}, {"object", "model"}, {"created", 0}, {"owned_by", endpoint}});
    }
    json::object body;
    if (call.format == wire::Format::Anthropic) {
        body["data"] = data;
        body["has_more"] = false;
        body["first_id"] = models.empty() ? json::value(nullptr) : json::value(models.front().first);
        body["last_id"] = models.empty() ? json::value(nullptr) : json::value(models.back().first);
    } else {
        body["object"] = "list";
        body["data"] = data;
    }
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    call.stamp(res);
    res.body() = json::serialize(body);
    co_await channel.send(std::move(res));
}

Task<void> Proxy::refuse(Worker& worker, Call& call, ResponseChannel& channel, int status, std::string message,
                         std::string_view code) {
    auto& rec = call.record;
    rec.httpStatus = status;
    if (rec.outcome == store::Outcome::Ok)
        rec.outcome = store::Outcome::UpstreamError;
    if (rec.decision == store::Decision::Routed && rec.outcome == store::Outcome::UpstreamError)
        rec.decision = store::Decision::Error;
    rec.latencyMs = call.elapsedMs();
    if (call.recordable)
        co_await recordDurably(worker, call);
    log::info("refused", {{"request_id", rec.requestId}, {"status", std::to_string(status)}, {"route", rec.ruleId},
                          {"message", message}});
    http::response<http::string_body> res{http::status(status), 11};
    res.set(http::field::content_type, "application/json");
    call.stamp(res);
    res.body() = json::serialize(code.empty() ? wire::errorBody(call.format, status, message)
                                 : call.format == wire::Format::OpenAI ? wire::openaiError(status, message, code)
                                                                       : wire::anthropicError(status, message));
    co_await channel.send(std::move(res));
}

void Proxy::settleBudgets(Call& call) {
    // The holds become the request's real cost; the record carries what each budget was charged.
    auto& rec = call.record;
    for (const auto& hold : call.reservation.holds)
        rec.charges.push_back({hold.budgetId, hold.periodStart, rec.cost});
    for (auto& alert : state_.ledger.settle(call.policy->document(), call.reservation, rec.cost)) {
        log::warn("budget alert", {{"budget", alert.budgetId}, {"threshold", std::to_string(alert.threshold)},
                                   {"spent", dollars(alert.spent)}, {"limit", dollars(alert.limit)}});
        if (state_.events)
            state_.events->budgetAlert(std::move(alert));
    }
}

Task<void> Proxy::recordDurably(Worker& worker, Call& call) {
    // The log's writer thread calls back once the record's batch has committed; the wait is a
    // timer on this worker, so the thread serves other requests meanwhile.
    struct Wait {
        explicit Wait(net::io_context& io) : timer(io, net::steady_timer::time_point::max()) {}
        net::steady_timer timer;
        bool done = false;
    };
    if (state_.metrics) {
        const auto& r = call.record;
        const double seconds = std::chrono::duration<double>(Clock::now() - call.start).count();
        state_.metrics->observe(RequestObservation{
            .outcome = store::toString(r.outcome),
            .provider = r.provider ? std::string_view(policy::toString(*r.provider)) : std::string_view(),
            .team = r.team,
            .seconds = seconds,
            .firstTokenSeconds = r.firstTokenMs ? std::optional<double>(double(*r.firstTokenMs) / 1000.0) : std::nullopt,
            .overheadSeconds = std::max(0.0, seconds - std::chrono::duration<double>(call.upstreamTime).count()),
            .costMicros = r.cost.micros,
            .inputTokens = r.tokens.input,
            .outputTokens = r.tokens.output,
            .cachedInputTokens = r.tokens.cachedInput,
            .upstreamError = r.outcome == store::Outcome::UpstreamError,
        });
    }
    auto wait = std::make_shared<Wait>(worker.io);
    state_.log->append(call.record, [wait, &inbox = worker.inbox] {
        inbox.deliver([wait] {
            wait->done = true;
            wait->timer.cancel();
        });
    });
    if (!wait->done)
        co_await wait->timer.async_wait(use_nothrow);
}

} // namespace gh::gateway
