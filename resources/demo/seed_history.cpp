// gatehouse-demo-history: fills a gateway workspace's requests.db with a realistic, self-consistent
// history of agent traffic, so that the console's dashboards, sessions and reports have something
// to show the moment scripts/demo opens it.
//
// Self-consistent means it goes through the code the gateway records with, not around it:
//   - every request is decided by the core policy::Evaluator on the workspace's own policy (rule
//     ids, sensitivities, endpoints, targets and denials are what the gateway would record);
//   - budgets are admitted and settled by a budgets::Ledger in time order, as the gateway does,
//     so a budget at its hard limit blocks (402) and charges carry the budget periods;
//   - every cost is pricing::cost() of the served model's price and the request's tokens;
//   - records are written by store::RequestLog, which keeps the hourly rollups, budget spend and
//     sessions aggregate in the same transactions as for live traffic.
//
// Realistic means: working hours (CET) on weekdays with quiet weekends and growth over the period;
// the policy's teams with several people each, who use their own agents on their own
// repositories (every sensitivity of the catalog, plus a few unknown repositories, which the
// policy denies); agent sessions whose context grows turn by turn with prompt caching; token
// counts by task; latency and time to first token by model and endpoint class; fallbacks when a
// provider answers 429/5xx, a few requests no target could serve, cancelled and cut streams. With
// enough requests, a CI bot loops one night on an expensive model until its daily budget blocks
// it: a story for the budget and denial screens.
//
// Deterministic: the same seed, --now, policy and gateway keys give the same records. The random
// numbers come from a fixed generator (splitmix64) and our own distributions, not <random>'s,
// whose distributions differ between standard libraries.
#include "api/time.h"
#include "budgets/ledger.h"
#include "policy/diagnostic.h"
#include "policy/evaluator.h"
#include "policy/validator.h"
#include "pricing/pricing.h"
#include "store/key_store.h"
#include "store/policy_versions.h"
#include "store/request_log.h"
#include "store/request_query.h"
#include "store/schema.h"
#include "util/glob.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace gh;
using store::TimeMs;

namespace {

constexpr std::string_view kUsage = R"(usage: gatehouse-demo-history WORKSPACE [--days 30] [--requests 40000] [--seed 1]
                              [--now RFC3339] [--issue-keys] [--append] [--quiet]

Fills WORKSPACE/requests.db (a workspace made by `gatehoused init`) with a realistic history of
agent requests over the last --days days ending at --now (default: the current time), each one
decided by the workspace's policy, priced with its model prices and charged to its budgets, and
written through the gateway's own request log (rollups, budget spend and sessions included).

  --days N        length of the history in days (1..365; mind retention_days in gatehoused.yaml)
  --requests N    number of request records (1..5000000)
  --seed S        the same seed, --now, policy and keys give the same history
  --now TIME      end of the history, e.g. 2026-11-27T09:30:00Z (default: now)
  --issue-keys    give every person of the history a gateway key in state.db (secrets are thrown
                  away) so that the console's key list matches the history; without it, people
                  without a key get a made-up key id
  --append        add to a requests.db that already has records (refused otherwise); give it
                  another --seed, or the new records repeat the ids of the old
  --quiet         print nothing but errors

The gateway must not be serving the workspace meanwhile: it is refused when another process has
requests.db open.
)";

// ---- Random numbers -------------------------------------------------------------------------------

std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(mix(seed)) {}
    Rng(std::uint64_t seed, std::uint64_t stream) : state_(mix(mix(seed) ^ mix(stream + 0x51ED270B27ull))) {}
    std::uint64_t next() { return mix(state_ += 0x9E3779B97F4A7C15ull); }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; } // [0, 1)
    bool chance(double p) { return uniform() < p; }
    std::int64_t range(std::int64_t lo, std::int64_t hi) { // [lo, hi]
        return lo + std::int64_t(next() % std::uint64_t(hi - lo + 1));
    }
    double normal() { // Box-Muller
        const double u1 = 1.0 - uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    // Positive amounts with a long right tail: token counts, latencies, session lengths.
    double logNormal(double median, double sigma) { return median * std::exp(sigma * normal()); }
    std::string hex(int digits) {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out;
        std::uint64_t v = next();
        for (int i = 0; i < digits; ++i) {
            if (i % 16 == 15)
                v = next();
            out += kHex[v & 15];
            v >>= 4;
        }
        return out;
    }

private:
    std::uint64_t state_;
};

// std::hash differs between standard libraries; this does not.
std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : text)
        h = (h ^ std::uint8_t(c)) * 0x100000001b3ull;
    return h;
}

template <class T> struct Weighted {
    T value;
    double weight;
};

template <class T> const T& pick(Rng& rng, const std::vector<Weighted<T>>& items) {
    double total = 0;
    for (const auto& i : items)
        total += i.weight;
    double x = rng.uniform() * total;
    for (const auto& i : items) {
        if (x < i.weight)
            return i.value;
        x -= i.weight;
    }
    return items.back().value;
}

// ---- The cast: people, agents, repositories, tasks, models --------------------------------------

using Pick = std::vector<Weighted<std::string>>;

struct Person {
    std::string identity;
    std::string team;
    double activity; // relative number of sessions
    Pick agents;
    Pick repositories;
    bool bot = false;
};

// The example policy's teams (platform, payments, web, data, security), a few people each, with
// the agents they use and the repositories they work on. Repository names follow the example
// policy's catalog: restricted acme/payments-* and acme/vault, confidential acme/security-*,
// acme/ledger and acme/ml-*, public acme/oss-* and acme-oss/*, internal acme/*.
// One person a line or two, as a table (the formatter would put each field on a line of its own).
// clang-format off
std::vector<Person> people() {
    return {
        {"amara", "platform", 1.2, {{"claude-code", 6}, {"cursor", 2}, {"copilot", 2}},
         {{"acme/platform-infra", 4}, {"acme/api-gateway", 3}, {"acme/ci-templates", 2}, {"acme/vault", 1}}},
        {"ben", "platform", 0.8, {{"copilot", 7}, {"aider", 3}},
         {{"acme/platform-infra", 5}, {"acme/api-gateway", 3}, {"acme-oss/gatekeeper-cli", 2}}},
        {"chen", "platform", 1.0, {{"claude-code", 8}, {"continue", 2}},
         {{"acme/api-gateway", 5}, {"acme/platform-infra", 3}, {"acme/vault", 2}}},
        {"dmitri", "platform", 0.7, {{"aider", 6}, {"claude-code", 4}},
         {{"acme/ci-templates", 4}, {"acme/platform-infra", 4}, {"acme/oss-sdk-python", 2}}},
        {"svc-ci-bot", "platform", 1.6, {{"ci-bot", 1}},
         {{"acme/web-storefront", 3}, {"acme/mobile-app", 2}, {"acme/api-gateway", 2}, {"acme/platform-infra", 1.5},
          {"acme/data-pipelines", 1.5}, {"acme/ledger", 1}},
         true},
        {"svc-release-bot", "platform", 0.3, {{"ci-bot", 1}}, {{"acme/docs-site", 5}, {"acme/web-storefront", 5}}, true},
        {"priya", "payments", 1.1, {{"claude-code", 7}, {"copilot", 3}},
         {{"acme/payments-api", 5}, {"acme/payments-ledger-sync", 3}, {"acme/ledger", 2}}},
        {"tomas", "payments", 0.9, {{"copilot", 8}, {"continue", 2}},
         {{"acme/payments-api", 6}, {"acme/ledger", 2}, {"acme/web-storefront", 2}}},
        {"lena", "payments", 0.8, {{"continue", 6}, {"aider", 4}},
         {{"acme/payments-ledger-sync", 5}, {"acme/payments-api", 3}, {"acme/vault", 2}}},
        {"kofi", "payments", 0.7, {{"cursor", 7}, {"copilot", 3}},
         {{"acme/payments-api", 4}, {"acme/ledger", 4}, {"acme/api-gateway", 2}}},
        {"maria", "web", 1.3, {{"cursor", 7}, {"claude-code", 3}},
         {{"acme/web-storefront", 6}, {"acme/oss-ui-kit", 2}, {"acme/docs-site", 2}}},
        {"jonas", "web", 1.0, {{"copilot", 1}}, {{"acme/mobile-app", 7}, {"acme/web-storefront", 3}}},
        {"sofia", "web", 1.2, {{"claude-code", 8}, {"copilot", 2}},
         {{"acme/web-storefront", 5}, {"acme/mobile-app", 3}, {"acme/oss-ui-kit", 2}}},
        {"liam", "web", 0.8, {{"copilot", 6}, {"cursor", 4}},
         {{"acme/mobile-app", 5}, {"acme/web-storefront", 3}, {"acme/docs-site", 2}}},
        {"noah", "web", 0.6, {{"aider", 5}, {"copilot", 5}}, {{"acme/oss-ui-kit", 5}, {"acme/web-storefront", 5}}},
        {"yuki", "web", 1.0, {{"claude-code", 6}, {"cursor", 4}}, {{"acme/web-storefront", 7}, {"acme/api-gateway", 3}}},
        {"fatima", "data", 1.0, {{"cursor", 5}, {"claude-code", 5}},
         {{"acme/data-pipelines", 5}, {"acme/ml-fraud-model", 3}, {"acme/ml-features", 2}}},
        {"erik", "data", 0.8, {{"aider", 7}, {"continue", 3}}, {{"acme/ml-features", 5}, {"acme/data-pipelines", 5}}},
        {"ravi", "data", 0.9, {{"copilot", 6}, {"claude-code", 4}},
         {{"acme/data-pipelines", 6}, {"acme/oss-sdk-python", 4}}},
        {"mei", "data", 0.9, {{"claude-code", 9}, {"continue", 1}},
         {{"acme/ml-fraud-model", 6}, {"acme/ml-features", 4}}},
        {"olga", "security", 0.9, {{"claude-code", 6}, {"copilot", 4}},
         {{"acme/security-scanner", 5}, {"acme/security-policies", 3}, {"acme/vault", 2}}},
        {"sam", "security", 0.7, {{"aider", 5}, {"cursor", 5}},
         {{"acme/security-scanner", 4}, {"acme/web-storefront", 3}, {"acme/api-gateway", 3}}},
        {"ines", "security", 0.6, {{"copilot", 7}, {"claude-code", 3}},
         {{"acme/security-policies", 5}, {"acme/payments-api", 3}, {"acme/security-scanner", 2}}},
    };
}
// clang-format on

// Repositories the catalog does not know (denied by default) and "no repository named".
const Pick kStrayRepositories = {
    {"contoso/shared-utils", 3}, {"personal/dotfiles", 2}, {"acme-legacy/billing", 3}, {"", 2}};

Pick tasksOf(const std::string& agent, const Person& person) {
    Pick t;
    if (agent == "ci-bot")
        t = person.identity == "svc-release-bot" ? Pick{{"docs", 8}, {"review", 2}}
                                                 : Pick{{"review", 55}, {"test", 35}, {"docs", 10}};
    else if (agent == "claude-code")
        t = {{"codegen", 30}, {"refactor", 14}, {"test", 14},    {"chat", 5}, {"review", 8},
             {"docs", 6},     {"migration", 4}, {"incident", 2}, {"", 17}};
    else if (agent == "cursor")
        t = {{"codegen", 35}, {"refactor", 15}, {"test", 10}, {"chat", 10}, {"docs", 5}, {"review", 5}, {"", 20}};
    else if (agent == "copilot")
        t = {{"codegen", 30}, {"chat", 20}, {"test", 10}, {"docs", 10}, {"review", 5}, {"", 25}};
    else if (agent == "aider")
        t = {{"codegen", 35}, {"refactor", 20}, {"test", 15}, {"docs", 5}, {"migration", 5}, {"", 20}};
    else
        t = {{"codegen", 25}, {"chat", 25}, {"docs", 15}, {"test", 10}, {"", 25}};
    for (auto& w : t) { // security reviews a lot; payments and platform handle the incidents
        if (person.team == "security" && w.value == "review")
            w.weight *= 4;
        if ((person.team == "payments" || person.team == "platform") && w.value == "incident")
            w.weight *= 3;
    }
    return t;
}

Pick modelsOf(const std::string& agent, const std::string& task) {
    if (agent == "claude-code")
        return {
            {"claude-sonnet-4-5", 72}, {"claude-haiku-4-5", 18}, {"claude-opus-4-1", task == "review" ? 30.0 : 10.0}};
    if (agent == "cursor")
        return {{"claude-sonnet-4-5", 50}, {"gpt-4.1", 35}, {"o4-mini", 15}};
    if (agent == "copilot")
        return {{"gpt-4.1", 55}, {"gpt-4.1-mini", 20}, {"claude-sonnet-4-5", 20}, {"o4-mini", 5}};
    if (agent == "aider")
        return {{"claude-sonnet-4-5", 45}, {"gpt-4.1", 25}, {"DeepSeek-V3", 15}, {"o4-mini", 15}};
    if (agent == "continue")
        return {{"qwen2.5-coder:32b", 45}, {"qwen2.5-coder:7b", 15}, {"gpt-4.1-mini", 20}, {"gpt-4.1", 20}};
    return {{"claude-sonnet-4-5", 50}, {"gpt-4.1-mini", 50}}; // ci-bot
}

// Agents that run tool loops: long sessions, a context that grows turn by turn, tools enabled.
bool agentic(const std::string& agent) {
    return agent == "claude-code" || agent == "cursor" || agent == "aider";
}

struct TaskShape {
    double context, output; // medians in tokens
};

TaskShape shapeOf(const std::string& task) {
    if (task == "docs")
        return {5000, 700};
    if (task == "chat")
        return {3000, 450};
    if (task == "codegen")
        return {14000, 1400};
    if (task == "test")
        return {12000, 1300};
    if (task == "refactor")
        return {24000, 2200};
    if (task == "review")
        return {18000, 900};
    if (task == "migration")
        return {30000, 3000};
    if (task == "incident")
        return {10000, 700};
    return {6000, 600};
}

// How a served model answers: time to first token at no input, prompt tokens per second (which
// is what makes big contexts on local GPUs slow to start), output tokens per second, and hidden
// reasoning tokens per visible one.
struct ModelProfile {
    double ttftMs, prefillPerSecond, decodePerSecond, reasoning;
};

ModelProfile profileOf(std::string_view model) {
    if (model.starts_with("claude-opus"))
        return {1400, 15000, 45, 0};
    if (model.starts_with("claude-haiku"))
        return {380, 40000, 150, 0};
    if (model.starts_with("claude"))
        return {650, 25000, 75, 0};
    if (model == "gpt-4.1-mini")
        return {330, 50000, 130, 0};
    if (model.starts_with("gpt-4.1"))
        return {480, 30000, 85, 0};
    if (model.starts_with("o4") || model.starts_with("o3"))
        return {1800, 40000, 120, 2.5};
    if (model.starts_with("DeepSeek"))
        return {850, 15000, 45, 0};
    if (model.find(":32b") != std::string_view::npos)
        return {350, 5000, 45, 0};
    if (model.find(":7b") != std::string_view::npos)
        return {150, 12000, 110, 0};
    if (model.starts_with("devstral"))
        return {300, 4000, 50, 0};
    return {600, 20000, 60, 0};
}

// The share of calls a provider answers with 429 or 5xx (or, for local boxes, refuses the
// connection), and the status it gives.
double failureRate(policy::EndpointKind kind) {
    switch (kind) {
    case policy::EndpointKind::Anthropic:
        return 0.03; // 529 overloaded, 429
    case policy::EndpointKind::OpenAI:
        return 0.015;
    case policy::EndpointKind::AzureOpenAI:
        return 0.012;
    case policy::EndpointKind::Foundry:
        return 0.02;
    case policy::EndpointKind::Ollama:
        return 0.008;
    case policy::EndpointKind::LMStudio:
        return 0.02; // a workstation is sometimes off
    case policy::EndpointKind::OpenAICompatible:
        return 0.015;
    }
    return 0.015;
}

int failureStatus(Rng& rng, policy::EndpointKind kind) {
    switch (kind) {
    case policy::EndpointKind::Anthropic:
        return rng.chance(0.6) ? 529 : 429;
    case policy::EndpointKind::Ollama:
    case policy::EndpointKind::LMStudio:
        return 502; // connection refused
    default:
        return rng.chance(0.5) ? 429 : (rng.chance(0.5) ? 503 : 500);
    }
}

// ---- The timeline -----------------------------------------------------------------------------------

constexpr TimeMs kMinuteMs = 60'000;
constexpr TimeMs kDayMs = 86'400'000;
constexpr int kLocalOffsetHours = 1; // Acme works in CET (eu-west)

int weekdayOf(TimeMs t) { // 0 = Monday
    const auto days = std::int64_t(std::floor(double(t) / double(kDayMs)));
    return int(((days + 3) % 7 + 7) % 7); // 1970-01-01 was a Thursday
}

// Relative activity of an hour of local time for people: a working day with a lunch dip and a
// little evening work; weekends are quiet.
double peopleHourWeight(TimeMs hourStart) {
    static constexpr double kHours[24] = {0.01, 0.005, 0.005, 0.005, 0.01, 0.02, 0.05, 0.2,  0.55, 0.9,  1.0,  0.95,
                                          0.5,  0.8,   1.0,   0.95,  0.85, 0.6,  0.3,  0.15, 0.1,  0.08, 0.05, 0.02};
    const TimeMs local = hourStart + kLocalOffsetHours * store::kHourMs;
    const int hour = int(((local / store::kHourMs) % 24 + 24) % 24);
    const int wd = weekdayOf(local);
    return kHours[hour] * (wd >= 5 ? 0.07 : 1.0);
}

// CI runs on pushes (working hours) and a nightly batch.
double botHourWeight(TimeMs hourStart) {
    const TimeMs local = hourStart + kLocalOffsetHours * store::kHourMs;
    const int hour = int(((local / store::kHourMs) % 24 + 24) % 24);
    return 0.4 * peopleHourWeight(hourStart) + (hour == 2 || hour == 3 ? 0.5 : 0.03);
}

// Picks hours in proportion to weight; the history grows over the period (the last week sees
// about 1.8 times the first) with some day-to-day noise.
class HourSampler {
public:
    HourSampler(TimeMs from, TimeMs to, double (*hourWeight)(TimeMs), std::uint64_t seed) : from_(from), to_(to) {
        Rng noise(seed, 7);
        double dayNoise = 1.0;
        double total = 0;
        for (TimeMs h = store::hourOf(from); h < to; h += store::kHourMs) {
            if ((h / store::kHourMs) % 24 == 0 || h == store::hourOf(from))
                dayNoise = std::clamp(1.0 + 0.1 * noise.normal(), 0.7, 1.3);
            const double progress = double(h - from) / double(std::max<TimeMs>(1, to - from));
            const TimeMs lo = std::max(h, from), hi = std::min(h + store::kHourMs, to);
            const double fraction = double(hi - lo) / double(store::kHourMs);
            total += hourWeight(h) * dayNoise * (0.7 + 0.6 * progress) * fraction;
            hours_.push_back(h);
            cumulative_.push_back(total);
        }
    }
    TimeMs sample(Rng& rng) const {
        const double x = rng.uniform() * cumulative_.back();
        const auto i = std::size_t(std::upper_bound(cumulative_.begin(), cumulative_.end(), x) - cumulative_.begin());
        const TimeMs h = hours_[std::min(i, hours_.size() - 1)];
        const TimeMs lo = std::max(h, from_), hi = std::min(h + store::kHourMs, to_);
        return lo + rng.range(0, std::max<TimeMs>(0, hi - lo - 1));
    }

private:
    TimeMs from_, to_;
    std::vector<TimeMs> hours_;
    std::vector<double> cumulative_;
};

// ---- Requests before the policy decides ------------------------------------------------------------

// One request as the agent sends it: who, where, what, how big. Decided, priced and charged later,
// in time order.
struct Planned {
    TimeMs timeMs = 0;
    std::uint32_t index = 0; // creation order: ties in time keep it, and it seeds the request's own draws
    std::uint16_t person = 0;
    std::string agent, repository, branch, task, model, sessionId;
    std::int64_t context = 0;      // prompt tokens in all
    std::int64_t prefixCached = 0; // of which the previous turn's prompt (a cache hit if the provider caches)
    std::int64_t output = 0;       // planned visible output tokens
    bool stream = true;
    bool tools = false;
    bool cacheControl = false; // marks its prompt for caching (Claude Code): Anthropic caches only then
};

struct History {
    std::vector<Planned> requests;
    std::size_t sessions = 0;
};

std::string uuid(Rng& rng) {
    std::string h = rng.hex(32);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-a" + h.substr(17, 3) + "-" +
           h.substr(20, 12);
}

std::string branchFor(Rng& rng, const Person& p) {
    static const char* kSlugs[] = {"checkout-retry", "rate-limits",   "token-refresh", "flaky-tests",  "pagination",
                                   "k8s-upgrade",    "dark-mode",     "sepa-export",   "audit-fields", "cache-keys",
                                   "feature-flags",  "csv-import",    "otel-tracing",  "null-amounts", "login-redirect",
                                   "schema-v2",      "search-ranking"};
    if (p.bot)
        return "pr-" + std::to_string(rng.range(1200, 4800));
    const double x = rng.uniform();
    if (x < 0.35)
        return "main";
    const char* kind = x < 0.75 ? "feature/" : (x < 0.93 ? "fix/" : "chore/");
    return std::string(kind) + "ACME-" + std::to_string(rng.range(1000, 9999)) + "-" +
           kSlugs[rng.range(0, std::size(kSlugs) - 1)];
}

class Planner {
public:
    Planner(std::vector<Person> cast, const policy::Document& doc, TimeMs from, TimeMs to, std::uint64_t seed)
        : cast_(std::move(cast)), from_(from), to_(to), rng_(seed, 1), peopleHours_(from, to, peopleHourWeight, seed),
          botHours_(from, to, botHourWeight, seed ^ 0xB07) {
        for (const auto& t : doc.tasks)
            tasks_.push_back(t.value);
    }

    const std::vector<Person>& cast() const { return cast_; }

    History plan(std::size_t count, bool runaway) {
        History h;
        h.requests.reserve(count);
        if (runaway)
            planRunaway(h, count);
        std::vector<Weighted<std::size_t>> who;
        for (std::size_t i = 0; i < cast_.size(); ++i)
            who.push_back({i, cast_[i].activity});
        while (h.requests.size() < count)
            planSession(h, pick(rng_, who), count);
        return h;
    }

private:
    bool knownTask(const std::string& task) const {
        return task.empty() || std::find(tasks_.begin(), tasks_.end(), task) != tasks_.end();
    }

    void planSession(History& h, std::size_t personIndex, std::size_t count) {
        const Person& p = cast_[personIndex];
        Rng& rng = rng_;
        const std::string agent = pick(rng, p.agents);
        const std::string repository =
            rng.chance(p.bot ? 0.005 : 0.025) ? pick(rng, kStrayRepositories) : pick(rng, p.repositories);
        std::string task = pick(rng, tasksOf(agent, p));
        if (!knownTask(task))
            task.clear();
        const std::string model = pick(rng, modelsOf(agent, task));
        const std::string branch = branchFor(rng, p);
        const bool loops = agentic(agent);
        const TaskShape shape = shapeOf(task);
        const bool light = task == "chat" || task == "docs" || task.empty();

        // Session length in requests, and whether the agent sends a session id at all.
        double median = agent == "ci-bot" ? 6 : loops ? (light ? 4 : 14) : 3;
        if (agent == "cursor")
            median *= 0.6;
        const auto length = std::clamp<std::int64_t>(std::llround(rng.logNormal(median, 0.8)), 1, loops ? 120 : 30);
        std::string session;
        if (agent == "ci-bot")
            session = "ci-run-" + std::to_string(rng.range(100000, 999999));
        else if (!(agent == "copilot" && rng.chance(0.6)) && !(agent == "continue" && rng.chance(0.5)))
            session = uuid(rng);

        TimeMs t = (p.bot ? botHours_ : peopleHours_).sample(rng);
        // Claude Code's system prompt and tool definitions come first in every prompt: ~14k tokens.
        std::int64_t context = 0;
        const std::int64_t base = agent == "claude-code" ? 14000
                                  : agent == "cursor"    ? 9000
                                  : agent == "aider"     ? 5000
                                                         : 0;
        ++h.sessions;
        for (std::int64_t turn = 0; turn < length && h.requests.size() < count && t < to_; ++turn) {
            Planned r;
            r.timeMs = t;
            r.index = std::uint32_t(h.requests.size());
            r.person = std::uint16_t(personIndex);
            r.agent = agent;
            r.repository = repository;
            r.branch = branch;
            r.task = task;
            r.model = model;
            r.sessionId = session;
            r.stream = agent == "ci-bot" ? false : agent == "aider" ? rng.chance(0.8) : rng.chance(0.95);
            r.tools =
                loops ? !light || rng.chance(0.3) : (agent == "copilot" || agent == "continue") && rng.chance(0.35);
            r.cacheControl = agent == "claude-code";
            if (agent == "claude-code" && turn > 0 && rng.chance(0.18)) {
                // Claude Code's small side calls (titles, summaries) go to Haiku.
                r.model = "claude-haiku-4-5";
                r.context = std::llround(rng.logNormal(1500, 0.5));
                r.output = std::llround(rng.logNormal(60, 0.6)) + 5;
                r.tools = false;
            } else if (loops) {
                // The conversation so far is the prefix of the next prompt, which is what prompt
                // caching pays off on; agents compact it when it gets too long.
                const std::int64_t grown = turn == 0 ? base + std::llround(rng.logNormal(shape.context * 0.4, 0.6))
                                                     : context + std::llround(rng.logNormal(2500, 0.7));
                r.prefixCached = turn == 0 ? base : context;
                if (grown > 160000) {
                    context = base + std::llround(rng.logNormal(20000, 0.3));
                    r.prefixCached = base;
                } else {
                    context = grown;
                }
                r.context = context;
                r.output = std::llround(rng.logNormal(shape.output * 0.6, 0.9)) + 10;
            } else {
                r.context =
                    std::llround(rng.logNormal(agent == "ci-bot" && task == "review" ? 25000 : shape.context, 0.7)) +
                    200;
                r.prefixCached = rng.chance(0.3) ? r.context * rng.range(30, 80) / 100 : 0;
                r.output = std::llround(rng.logNormal(shape.output, 0.7)) + 10;
            }
            h.requests.push_back(std::move(r));
            // Time to the next request: an agent's tool runs take seconds; a person reads for longer.
            double gapMs = loops               ? rng.logNormal(9000, 0.8)
                           : agent == "ci-bot" ? rng.logNormal(4000, 0.5)
                                               : rng.logNormal(45000, 0.9);
            if (loops && rng.chance(0.1))
                gapMs += rng.logNormal(120000, 0.7); // the person reads the diff before the next prompt
            t += TimeMs(gapMs) + 500;
        }
    }

    // One night about nine days before the end, the CI bot's nightly job asks for Claude Opus in a
    // retry loop until ci-bots-daily blocks it; someone stops it in the morning.
    void planRunaway(History& h, std::size_t count) {
        const auto bot =
            std::find_if(cast_.begin(), cast_.end(), [](const Person& p) { return p.identity == "svc-ci-bot"; });
        if (bot == cast_.end())
            return;
        TimeMs day = (to_ - 9 * kDayMs) / kDayMs * kDayMs;
        while (weekdayOf(day) >= 5)
            day -= kDayMs;
        if (day < from_)
            return;
        Rng rng(rng_.next());
        TimeMs t = day + 1 * store::kHourMs + 10 * kMinuteMs; // 02:10 CET
        const TimeMs stop = day + 8 * store::kHourMs + 40 * kMinuteMs;
        const std::string repository = "acme/web-storefront";
        std::string session;
        for (int i = 0; h.requests.size() < count / 20 && t < stop && t < to_; ++i) {
            if (i % 12 == 0)
                session = "ci-run-" + std::to_string(rng.range(100000, 999999));
            Planned r;
            r.timeMs = t;
            r.index = std::uint32_t(h.requests.size());
            r.person = std::uint16_t(bot - cast_.begin());
            r.agent = "ci-bot";
            r.repository = repository;
            r.branch = "main";
            r.task = knownTask("test") ? "test" : "";
            r.model = "claude-opus-4-1";
            r.sessionId = session;
            r.stream = false;
            r.tools = true;
            r.context = std::llround(rng.logNormal(38000, 0.25));
            r.output = std::llround(rng.logNormal(2500, 0.3));
            h.requests.push_back(std::move(r));
            t += TimeMs(rng.logNormal(30000, 0.3));
        }
        ++h.sessions;
    }

    std::vector<Person> cast_;
    std::vector<std::string> tasks_;
    TimeMs from_, to_;
    Rng rng_;
    HourSampler peopleHours_, botHours_;
};

// ---- Deciding, serving, charging ---------------------------------------------------------------------

struct Totals {
    std::size_t routed = 0, denied = 0, blocked = 0, errors = 0, fallbacks = 0, cancelled = 0;
    Money cost;
};

class Recorder {
public:
    Recorder(const policy::Evaluator& evaluator, std::int64_t policyVersion, std::uint64_t seed,
             const std::vector<Person>& cast, const std::map<std::string, std::string>& keyIds)
        : evaluator_(evaluator), doc_(evaluator.document()), policyVersion_(policyVersion), seed_(seed), cast_(cast),
          keyIds_(keyIds) {}

    store::RequestRecord record(const Planned& p, Totals& totals) {
        Rng rng(seed_, 0x1000000ull + p.index);
        const Person& who = cast_[p.person];
        store::RequestRecord r;
        r.timeMs = p.timeMs;
        r.requestId = requestId(p.timeMs, rng);
        r.sessionId = p.sessionId;
        r.identity = who.identity;
        r.team = who.team;
        r.keyId = keyIds_.at(who.identity);
        r.agent = p.agent;
        r.repository = p.repository;
        r.branch = p.branch;
        r.task = p.task;
        r.requestedModel = p.model;
        r.policyVersion = policyVersion_;
        r.toolsEnabled = p.tools;

        const auto decision = evaluator_.decide(store::policyRequestOf(r));
        r.ruleId = std::string(decision.ruleId);
        r.sensitivity = decision.sensitivity;
        if (!decision.allowed) {
            r.decision = store::Decision::Denied;
            r.outcome = store::Outcome::Denied;
            r.httpStatus = 403;
            r.latencyMs = rng.range(0, 2);
            ++totals.denied;
            return r;
        }

        // Budgets: admitted in time order, as the gateway's ledger does (the hold is the real cost
        // here: the gateway holds the worst case and settles to the same figure).
        auto targets = decision.targets;
        auto served = serve(targets, rng);
        auto admission = ledger_.reserve(doc_, decision.budgets, costOf(served, p), r.timeMs);
        if (admission.verdict == budgets::Verdict::Downgrade) {
            const int exhausted = int(doc_.findBudget(admission.budgetId) - doc_.budgets.data());
            targets = evaluator_.downgradeTargets(decision, exhausted, r.requestedModel);
            const std::string id = admission.budgetId;
            if (targets.empty()) {
                admission = {budgets::Verdict::Block, id, admission.limit, admission.spent, {}};
            } else {
                served = serve(targets, rng);
                admission = ledger_.reserve(doc_, decision.budgets, costOf(served, p), r.timeMs, true);
            }
        }
        if (admission.verdict != budgets::Verdict::Admit) {
            r.decision = store::Decision::Blocked;
            r.outcome = store::Outcome::BudgetBlocked;
            r.httpStatus = 402;
            r.latencyMs = rng.range(0, 2);
            ++totals.blocked;
            return r;
        }

        const std::int64_t overheadMs = rng.range(1, 4);
        if (!served.target) {
            // No target could serve: the last failure's status goes to the caller; nothing billed.
            ledger_.release(admission.reservation);
            r.decision = store::Decision::Error;
            r.outcome = store::Outcome::UpstreamError;
            r.httpStatus = served.lastStatus;
            r.latencyMs = served.failedMs + overheadMs;
            ++totals.errors;
            return r;
        }

        const policy::Endpoint& endpoint = *served.target->endpoint;
        const policy::ModelEntry& model = *served.target->model;
        r.endpointId = endpoint.id;
        r.provider = endpoint.kind;
        r.endpointClass = endpoint.cls;
        r.servedModel = model.name;
        r.fallback = served.index;
        r.httpStatus = 200;
        if (served.index > 0)
            ++totals.fallbacks;

        // Timing: the first token after the prompt is read; then the output at the model's pace.
        const ModelProfile profile = profileOf(model.name);
        const double jitter = std::exp(0.3 * rng.normal());
        const double classMs = endpoint.cls == policy::EndpointClass::Enterprise ? 80 : 0;
        const double prefillMs = 1000.0 * double(p.context - cachedOf(endpoint, model, p)) / profile.prefillPerSecond;
        std::int64_t output = p.output + std::llround(double(p.output) * profile.reasoning);
        const std::int64_t ttft =
            std::llround((profile.ttftMs + classMs + prefillMs) * jitter) + served.failedMs + overheadMs;
        double decodeMs = 1000.0 * double(output) / (profile.decodePerSecond * std::exp(0.15 * rng.normal()));

        // Streams that end early: the person pressed Esc, or the provider cut the stream.
        r.decision = store::Decision::Routed;
        r.outcome = store::Outcome::Ok;
        if (p.stream && rng.chance(0.012)) {
            r.outcome = store::Outcome::Cancelled;
            ++totals.cancelled;
        } else if (p.stream && rng.chance(0.003)) {
            r.outcome = store::Outcome::UpstreamError;
            ++totals.errors;
        }
        if (r.outcome != store::Outcome::Ok) {
            const double done = 0.05 + 0.75 * rng.uniform();
            output = std::max<std::int64_t>(1, std::llround(double(output) * done));
            decodeMs *= done;
        }
        r.tokens = usageOf(*served.target, p, output);
        r.cost = pricing::cost(model.price.value_or(pricing::ModelPrice{}), r.tokens);
        r.firstTokenMs = p.stream ? ttft : ttft + std::llround(decodeMs);
        r.latencyMs = ttft + std::llround(decodeMs) + (p.stream ? rng.range(1, 30) : 0);

        // What went over the wire: the prompt as JSON (about 4 bytes a token), tool definitions,
        // and the answer, as server-sent events when streamed.
        r.bytesSent = std::llround(double(p.context) * 3.9) + 350 + (p.tools ? rng.range(6000, 18000) : 0);
        r.bytesReceived = p.stream ? output * 11 + 400 : output * 4 + 600;

        for (const auto& hold : admission.reservation.holds)
            r.charges.push_back({hold.budgetId, hold.periodStart, r.cost});
        ledger_.settle(doc_, admission.reservation, r.cost);
        totals.cost += r.cost;
        ++totals.routed;
        return r;
    }

private:
    struct Served {
        const policy::ResolvedTarget* target = nullptr; // nullptr: every target failed
        int index = 0;
        std::int64_t failedMs = 0; // time spent on targets that failed first
        int lastStatus = 502;
    };

    // Tries the targets in order, as the gateway does: 429, 5xx and refused connections fall
    // back to the next one.
    static Served serve(const std::vector<policy::ResolvedTarget>& targets, Rng& rng) {
        Served s;
        for (std::size_t i = 0; i < targets.size(); ++i) {
            const auto kind = targets[i].endpoint->kind;
            if (!rng.chance(failureRate(kind))) {
                s.target = &targets[i];
                s.index = int(i);
                return s;
            }
            s.lastStatus = failureStatus(rng, kind);
            s.failedMs += s.lastStatus == 502 ? rng.range(1, 8)
                                              : std::llround(rng.logNormal(s.lastStatus == 429 ? 150 : 900, 0.6));
        }
        return s;
    }

    // Tokens the provider reports: the previous turn's prompt is a cache hit where the model has a
    // cached-input price, 85 % of the time (caches expire). OpenAI and Azure cache long prompts by
    // themselves; Anthropic only what the client marks, and then writes the new part to its cache.
    static bool anthropic(const policy::Endpoint& e) { return e.kind == policy::EndpointKind::Anthropic; }

    static std::int64_t cachedOf(const policy::Endpoint& endpoint, const policy::ModelEntry& model, const Planned& p) {
        if (!model.price || !model.price->cachedInput || p.prefixCached < 1024 ||
            (anthropic(endpoint) && !p.cacheControl))
            return 0;
        const std::uint64_t h = mix(p.index * 31ull + 7);
        return h % 100 < 85 ? p.prefixCached / 128 * 128 : 0;
    }

    static pricing::Usage usageOf(const policy::ResolvedTarget& target, const Planned& p, std::int64_t output) {
        const policy::ModelEntry& model = *target.model;
        pricing::Usage u;
        u.cachedInput = cachedOf(*target.endpoint, model, p);
        const std::int64_t fresh = p.context - u.cachedInput;
        if (anthropic(*target.endpoint) && p.cacheControl && model.price && model.price->cacheWrite && fresh > 1024) {
            // Claude Code marks its prompt for caching: all but the last message is written.
            u.cacheWrite = fresh * 9 / 10;
            u.input = fresh - u.cacheWrite;
        } else {
            u.input = fresh;
        }
        u.output = output;
        return u;
    }

    static Money costOf(const Served& s, const Planned& p) {
        if (!s.target)
            return Money();
        const auto& model = *s.target->model;
        const std::int64_t output = p.output + std::llround(double(p.output) * profileOf(model.name).reasoning);
        return pricing::cost(model.price.value_or(pricing::ModelPrice{}), usageOf(*s.target, p, output));
    }

    // As the gateway makes them: "req_", 12 hex digits of the time, 12 random.
    static std::string requestId(TimeMs t, Rng& rng) {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string id = "req_";
        for (int i = 0; i < 12; ++i)
            id += kHex[(std::uint64_t(t) >> (4 * (11 - i))) & 15];
        return id + rng.hex(12);
    }

    const policy::Evaluator& evaluator_;
    const policy::Document& doc_;
    std::int64_t policyVersion_;
    std::uint64_t seed_;
    const std::vector<Person>& cast_;
    const std::map<std::string, std::string>& keyIds_;
    budgets::Ledger ledger_;
};

// ---- The workspace -----------------------------------------------------------------------------------

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The process that has `db` open, if another one does. Every SQLite connection to a WAL database
// holds a shared lock on one byte of its -shm file (the "DMS" byte, offset 128) for as long as it
// is open; F_GETLK names a process holding it. This is how a gateway serving the workspace (or a
// console reading it) is told apart from a database nobody uses, without guessing at process names.
std::optional<pid_t> openedBy(const std::filesystem::path& db) {
    const auto shm = db.string() + "-shm";
    const int fd = ::open(shm.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt; // no -shm file: no connection has the database open
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = 128;
    lock.l_len = 1;
    const bool held = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
    ::close(fd);
    return held ? std::optional<pid_t>(lock.l_pid) : std::nullopt;
}

std::string commandLineOf(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(text.begin(), text.end(), '\0', ' ');
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text;
}

struct Options {
    std::filesystem::path workspace;
    int days = 30;
    std::int64_t requests = 40000;
    std::uint64_t seed = 1;
    std::optional<TimeMs> now;
    bool issueKeys = false;
    bool append = false;
    bool quiet = false;
};

template <class T> bool parseNumber(std::string_view s, T& out, T min, T max) {
    T v{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < min || v > max)
        return false;
    out = v;
    return true;
}

std::optional<Options> parseArguments(int argc, char** argv) {
    Options o;
    const auto fail = [](const std::string& message) -> std::optional<Options> {
        std::cerr << "gatehouse-demo-history: " << message << "\n\n" << kUsage;
        return std::nullopt;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool needsValue = arg == "--days" || arg == "--requests" || arg == "--seed" || arg == "--now";
        if (needsValue && i + 1 >= argc)
            return fail(std::string(arg) + " needs a value");
        if (arg == "--days") {
            if (!parseNumber<int>(argv[++i], o.days, 1, 365))
                return fail("--days must be a whole number of days from 1 to 365");
        } else if (arg == "--requests") {
            if (!parseNumber<std::int64_t>(argv[++i], o.requests, 1, 5'000'000))
                return fail("--requests must be a number from 1 to 5000000");
        } else if (arg == "--seed") {
            if (!parseNumber<std::uint64_t>(argv[++i], o.seed, 0, UINT64_MAX))
                return fail("--seed must be a non-negative integer");
        } else if (arg == "--now") {
            o.now = api::parseTime(argv[++i]);
            if (!o.now)
                return fail(std::string("--now: not an RFC 3339 time: '") + argv[i] + "' (e.g. 2026-11-27T09:30:00Z)");
        } else if (arg == "--issue-keys") {
            o.issueKeys = true;
        } else if (arg == "--append") {
            o.append = true;
        } else if (arg == "--quiet") {
            o.quiet = true;
        } else if (arg.starts_with("-")) {
            return fail("unknown option " + std::string(arg));
        } else if (o.workspace.empty()) {
            o.workspace = std::string(arg);
        } else {
            return fail("one workspace only (also got '" + std::string(arg) + "')");
        }
    }
    if (o.workspace.empty())
        return fail("the workspace directory is missing");
    return o;
}

// The policy file and validation options, as gatehoused.yaml names them.
struct WorkspaceConfig {
    std::filesystem::path policyFile;
    bool allowLinkLocal = false;
};

WorkspaceConfig readConfig(const std::filesystem::path& ws) {
    WorkspaceConfig c{ws / "policy.yaml", false};
    const YAML::Node root = YAML::LoadFile((ws / "gatehoused.yaml").string());
    if (root.IsMap()) {
        if (const auto p = root["policy"]; p && p.IsScalar()) {
            const std::filesystem::path file = p.as<std::string>();
            c.policyFile = file.is_absolute() ? file : ws / file;
        }
        if (const auto a = root["allow_link_local_endpoints"]; a && a.IsScalar())
            c.allowLinkLocal = a.as<bool>();
    }
    return c;
}

std::string dollars(Money m) {
    char text[64];
    std::snprintf(text, sizeof text, "$%.2f", double(m.micros) / 1e6);
    return text;
}

int run(const Options& o) {
    const auto& ws = o.workspace;
    const std::string where = ws.string();
    std::error_code ec;
    if (!std::filesystem::is_directory(ws, ec)) {
        std::cerr << where << ": error: no such directory; create the workspace first: gatehoused init " << where
                  << "\n";
        return 1;
    }
    if (!std::filesystem::exists(ws / "gatehoused.yaml", ec) ||
        !std::filesystem::exists(ws / store::kRequestsDbFile, ec)) {
        std::cerr << where
                  << ": error: not a gateway workspace (no gatehoused.yaml or requests.db); run gatehoused init "
                  << where << " first\n";
        return 1;
    }
    for (const char* file : {store::kRequestsDbFile, store::kStateDbFile})
        if (const auto pid = openedBy(ws / file)) {
            const std::string cmd = commandLineOf(*pid);
            std::cerr << (ws / file).string() << ": error: the database is open in process " << *pid
                      << (cmd.empty() ? std::string() : " (" + cmd + ")")
                      << "; stop the gateway (and any console reading it) before seeding this workspace\n";
            return 1;
        }

    // The policy the gateway would run, validated as it would be.
    const WorkspaceConfig config = readConfig(ws);
    const std::string policyText = readFile(config.policyFile);
    auto loaded = policy::loadPolicy(policyText, policy::ValidationOptions{config.allowLinkLocal});
    for (const auto& d : loaded.diagnostics)
        if (d.severity == policy::Severity::Error)
            std::cerr << policy::format(d, config.policyFile.string()) << "\n";
    if (!loaded.ok()) {
        std::cerr << config.policyFile.string()
                  << ": the policy is not valid; fix it first (gatehoused check-policy)\n";
        return 1;
    }
    const auto evaluator = policy::Evaluator::compile(std::move(*loaded.document));

    // The version the gateway will record the requests under: the newest applied version when it
    // is this very file, else the one `gatehoused serve` will create from it at start-up.
    std::int64_t policyVersion = 1;
    {
        store::PolicyVersionStore versions(ws);
        if (const auto current = versions.current())
            policyVersion = current->yaml == policyText ? current->version : current->version + 1;
    }

    {
        store::Database db = store::openRequestsDb(ws);
        auto st = db.prepare("SELECT count(*) FROM requests");
        st.step();
        if (const auto existing = st.int64(0); existing > 0 && !o.append) {
            std::cerr << (ws / store::kRequestsDbFile).string() << ": error: already holds " << existing
                      << " request records; seed a fresh workspace, or pass --append to add to them\n";
            return 1;
        }
    }

    const TimeMs now = o.now.value_or(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    const TimeMs from = now - TimeMs(o.days) * kDayMs;
    const auto started = std::chrono::steady_clock::now();

    // Gateway keys: each person's own key when state.db has one (the console's key list then
    // matches the history); --issue-keys makes the missing ones; else a made-up id.
    std::vector<Person> cast = people();
    std::map<std::string, std::string> keyIds;
    {
        store::KeyStore keys(ws);
        keys.forEach([&](const store::KeyInfo& k) {
            if (!k.revoked() && !keyIds.contains(k.identity))
                keyIds[k.identity] = k.id;
            return true;
        });
        for (const auto& p : cast) {
            if (keyIds.contains(p.identity))
                continue;
            if (o.issueKeys) {
                store::KeyRequest request;
                request.identity = p.identity;
                request.team = p.team;
                keyIds[p.identity] = keys.issue(request, from - 3 * kDayMs).info.id; // the secret is not kept
            } else {
                keyIds[p.identity] = "key_" + Rng(o.seed, fnv1a(p.identity)).hex(16);
            }
        }
    }

    Planner planner(std::move(cast), evaluator->document(), from, now, o.seed);
    const bool runaway = o.requests >= 20000 && o.days >= 10 && evaluator->document().findBudget("ci-bots-daily");
    History history = planner.plan(std::size_t(o.requests), runaway);
    std::stable_sort(history.requests.begin(), history.requests.end(),
                     [](const Planned& a, const Planned& b) { return a.timeMs < b.timeMs; });

    store::RequestLogOptions logOptions;
    logOptions.synchronous = store::Synchronous::Normal; // as gatehoused's default durability: process
    std::string writeError;
    logOptions.onError = [&writeError](const std::string& message) { writeError = message; };
    store::RequestLog log(ws, logOptions);
    Recorder recorder(*evaluator, policyVersion, o.seed, planner.cast(), keyIds);
    Totals totals;
    for (const auto& p : history.requests)
        log.append(recorder.record(p, totals));
    log.close();
    const auto stats = log.stats();
    if (stats.dropped > 0 || stats.durable != history.requests.size()) {
        std::cerr << (ws / store::kRequestsDbFile).string() << ": error: " << stats.dropped
                  << " records could not be written: " << writeError << "\n";
        return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!o.quiet) {
        const auto n = double(std::max<std::size_t>(1, history.requests.size()));
        std::printf("%zu requests in %zu sessions from %s to %s (policy version %lld): %s spent, %.1f %% denied, "
                    "%.1f %% blocked by budgets, %.1f %% upstream errors, %zu fallbacks, %zu cancelled\n",
                    history.requests.size(), history.sessions, api::formatTime(from).c_str(),
                    api::formatTime(now).c_str(), static_cast<long long>(policyVersion), dollars(totals.cost).c_str(),
                    100.0 * double(totals.denied) / n, 100.0 * double(totals.blocked) / n,
                    100.0 * double(totals.errors) / n, totals.fallbacks, totals.cancelled);
        std::printf("written to %s in %.2f s (%.0f records/s)\n", (ws / store::kRequestsDbFile).c_str(), seconds,
                    n / seconds);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    ::umask(077); // like gatehoused: the workspace's files are its owner's only
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
            std::cout << kUsage;
            return 0;
        }
    const auto options = parseArguments(argc, argv);
    if (!options)
        return 2;
    try {
        return run(*options);
    } catch (const std::exception& e) {
        std::cerr << options->workspace.string() << ": error: " << e.what() << "\n";
        return 1;
    }
}
