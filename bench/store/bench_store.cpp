// bench/store: request records per second through RequestLog (batched, with hourly rollups and
// budget spend, fsync per batch) against references measured in the same run on the same
// records and schema:
//   - raw batched INSERTs of the same rows, same batch size and pragmas, no rollups, no queue
//     (the ceiling: the difference is what the rollups and the hand-off between threads cost),
//   - the same without the secondary indexes (what the indexes cost), without requests_session
//     only (what the session drill-down index costs) and with indexes on task, provider and the
//     two models added (what indexing every filter of the requests list would cost),
//   - one transaction per row, plain INSERTs (what batching buys).
// Plus the latency from append() to onDurable at a steady, unsaturated rate.
//
// usage: bench_store [RECORDS] [MAX_BATCH] [PRODUCERS] [log]
//   "log": RequestLog with synchronous=FULL only, for A/B runs of a change to the write path.
#include "store/request_log.h"
#include "store/schema.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace gh::store;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<RequestRecord> makeRecords(int count, int salt) {
    using namespace gh::policy;
    static const char* teams[] = {"payments", "web", "data", "platform", "mobile"};
    static const char* tasks[] = {"", "docs", "codegen", "test", "review", "refactor"};
    static const char* models[] = {"gpt-4.1", "gpt-4.1-mini", "claude-sonnet-4", "qwen2.5-coder:7b"};
    std::vector<RequestRecord> out;
    out.reserve(std::size_t(count));
    const TimeMs start = 1'767'225'600'000;
    for (int i = 0; i < count; ++i) {
        const auto h = (std::uint64_t(i) + std::uint64_t(salt) * 1'000'003u) * 0x9E3779B97F4A7C15ull;
        const auto pick = [&](int shift, int n) { return int((h >> shift) % std::uint64_t(n)); };
        RequestRecord r;
        r.timeMs = start + std::int64_t(i) * 10; // 100 requests per second of wall time: ~ a dozen hours
        r.requestId = "req-" + std::to_string(salt) + "-" + std::to_string(i);
        r.sessionId = "sess-" + std::to_string(i / 20);
        r.identity = "dev" + std::to_string(pick(3, 200)) + "@acme.example";
        r.team = teams[pick(11, 5)];
        r.keyId = "key_" + std::to_string(pick(13, 300));
        r.agent = pick(15, 2) ? "claude-code" : "copilot";
        r.repository = "acme/service-" + std::to_string(pick(17, 100));
        r.branch = pick(19, 4) ? "main" : "feature/x";
        r.sensitivity = Sensitivity(pick(21, 4));
        r.task = tasks[pick(23, 6)];
        r.requestedModel = models[pick(25, 4)];
        r.servedModel = r.requestedModel;
        r.provider = pick(27, 2) ? EndpointKind::AzureOpenAI : EndpointKind::Anthropic;
        r.endpointId = "ep-" + std::to_string(pick(29, 3));
        r.endpointClass = EndpointClass(pick(31, 3));
        r.policyVersion = 42;
        r.ruleId = "rule-" + std::to_string(pick(33, 30));
        r.decision = pick(35, 20) ? Decision::Routed : Decision::Denied;
        r.tokens = {1000 + pick(37, 20000), pick(39, 4000), pick(41, 10000), 0};
        r.cost = gh::Money(1 + pick(43, 100'000));
        r.latencyMs = 300 + pick(45, 8000);
        r.firstTokenMs = 100 + pick(47, 900);
        r.httpStatus = 200;
        r.bytesSent = 2000 + pick(49, 60'000);
        r.bytesReceived = 500 + pick(51, 20'000);
        r.toolsEnabled = pick(53, 2);
        r.charges = {{r.team + "-monthly", start, r.cost}, {"global-daily", start, r.cost}};
        out.push_back(std::move(r));
    }
    return out;
}

std::filesystem::path freshWorkspace(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("gatehouse-bench-store-" + std::to_string(::getpid())) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

double throughRequestLog(std::vector<RequestRecord> records, std::size_t maxBatch, int producers, Synchronous sync,
                         const char* name) {
    RequestLog::Options options;
    options.maxBatch = maxBatch;
    options.synchronous = sync;
    RequestLog log(freshWorkspace(name), options);
    std::atomic<std::size_t> durable{0};
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p)
        threads.emplace_back([&, p] {
            for (std::size_t i = std::size_t(p); i < records.size(); i += std::size_t(producers))
                log.append(std::move(records[i]), [&durable] { durable.fetch_add(1, std::memory_order_relaxed); });
        });
    for (auto& t : threads)
        t.join();
    log.flush();
    const double s = seconds(start);
    const auto stats = log.stats();
    const double rate = double(records.size()) / s;
    std::printf("%-44s %10.0f records/s  (%zu records, %llu batches, avg %.0f per batch, %.2f s)\n", name, rate,
                records.size(), static_cast<unsigned long long>(stats.batches),
                double(stats.durable) / double(std::max<std::uint64_t>(1, stats.batches)), s);
    if (durable.load() != records.size())
        std::printf("  ERROR: %zu callbacks for %zu records\n", durable.load(), records.size());
    return rate;
}

// The same rows into the same schema, bound the same way, without queue or rollups.
void insertRow(Statement& st, const RequestRecord& r) {
    const auto name = [](const auto& v) -> const char* { return v ? gh::policy::toString(*v) : nullptr; };
    st.bindAll(r.timeMs, r.requestId, r.sessionId, r.identity, r.team, r.keyId, r.agent, r.repository, r.branch,
               name(r.sensitivity), r.task, r.requestedModel, r.servedModel, name(r.provider), r.endpointId,
               name(r.endpointClass), r.policyVersion, r.ruleId, toString(r.decision), r.fallback, r.tokens.input,
               r.tokens.output, r.tokens.cachedInput, r.tokens.cacheWrite, r.cost.micros, r.latencyMs, r.firstTokenMs,
               r.httpStatus, toString(r.outcome), r.bytesSent, r.bytesReceived, r.toolsEnabled, nullptr);
    st.run();
    st.reset();
}

constexpr const char* kInsert =
    "INSERT INTO requests (time_ms, request_id, session_id, identity, team, key_id, agent, repository, branch, "
    "sensitivity, task, requested_model, served_model, provider, endpoint_id, endpoint_class, policy_version, rule_id, "
    "decision, fallback, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, cost_micros, "
    "latency_ms, first_token_ms, http_status, outcome, bytes_sent, bytes_received, tools_enabled, charges) VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, "
    "?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)";

constexpr const char* kNoIndexes =
    "DROP INDEX requests_time; DROP INDEX requests_request_id; DROP INDEX requests_team; "
    "DROP INDEX requests_identity; DROP INDEX requests_repository; DROP INDEX requests_status; "
    "DROP INDEX requests_session";
constexpr const char* kNoSessionIndex = "DROP INDEX requests_session";
constexpr const char* kMoreIndexes =
    "CREATE INDEX requests_task ON requests(task, time_ms); "
    "CREATE INDEX requests_provider ON requests(provider, time_ms); "
    "CREATE INDEX requests_requested_model ON requests(requested_model, time_ms); "
    "CREATE INDEX requests_served_model ON requests(served_model, time_ms)";

// `schemaChange` (may be null) alters the indexes before the run.
double rawInserts(const std::vector<RequestRecord>& records, std::size_t batch, const char* schemaChange,
                  const char* name) {
    Database db = openRequestsDb(freshWorkspace(name));
    db.exec("PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16384"); // as RequestLog's writer
    if (schemaChange)
        db.exec(schemaChange);
    auto st = db.prepare(kInsert);
    const auto start = Clock::now();
    for (std::size_t i = 0; i < records.size(); i += batch) {
        if (batch > 1) {
            Transaction tx(db);
            for (std::size_t j = i; j < std::min(records.size(), i + batch); ++j)
                insertRow(st, records[j]);
            tx.commit();
        } else {
            insertRow(st, records[i]); // autocommit: one transaction, one fsync per row
        }
    }
    const double s = seconds(start);
    const double rate = double(records.size()) / s;
    std::printf("%-44s %10.0f records/s  (%zu records, %.2f s)\n", name, rate, records.size(), s);
    return rate;
}

// append() -> onDurable at a steady rate well below saturation: what recording adds to the end
// of a response.
void durableLatency(int perSecond, double forSeconds) {
    RequestLog log(freshWorkspace("latency"));
    auto records = makeRecords(int(perSecond * forSeconds), 7);
    std::mutex m;
    std::vector<double> micros;
    micros.reserve(records.size());
    const auto start = Clock::now();
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto due = std::chrono::microseconds(std::int64_t(i * 1'000'000 / std::size_t(perSecond)));
        std::this_thread::sleep_until(start + due);
        const auto t0 = Clock::now();
        log.append(std::move(records[i]), [&, t0] {
            const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
            std::lock_guard lock(m);
            micros.push_back(us);
        });
    }
    log.flush();
    std::sort(micros.begin(), micros.end());
    const auto at = [&](double p) { return micros[std::size_t(p * double(micros.size() - 1))] / 1000.0; };
    const auto stats = log.stats();
    std::printf("append -> onDurable at %d records/s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (avg %.1f per batch)\n",
                perSecond, at(0.5), at(0.99), at(1.0),
                double(stats.durable) / double(std::max<std::uint64_t>(1, stats.batches)));
}

} // namespace

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
    const std::size_t maxBatch = argc > 2 ? std::size_t(std::atol(argv[2])) : RequestLogOptions{}.maxBatch;
    const int producers = argc > 3 ? std::atoi(argv[3]) : 2;
    std::printf("bench_store: %d records, max batch %zu, %d producer threads, %u hardware threads\n", count, maxBatch,
                producers, std::thread::hardware_concurrency());

    const auto records = makeRecords(count, 1);
    if (argc > 4 && std::string(argv[4]) == "log") {
        throughRequestLog(records, maxBatch, producers, Synchronous::Full, "RequestLog (rollups, synchronous=FULL)");
        std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                    ("gatehouse-bench-store-" + std::to_string(::getpid())));
        return 0;
    }
    const double logFull = throughRequestLog(records, maxBatch, producers, Synchronous::Full,
                                             "RequestLog (rollups, synchronous=FULL)");
    const double logNormal = throughRequestLog(records, maxBatch, producers, Synchronous::Normal,
                                               "RequestLog (rollups, synchronous=NORMAL)");
    const double raw = rawInserts(records, maxBatch, nullptr, "raw batched INSERTs (no rollups, FULL)");
    const double noSession = rawInserts(records, maxBatch, kNoSessionIndex, "raw batched, without requests_session");
    const double more = rawInserts(records, maxBatch, kMoreIndexes, "raw batched, + task/provider/model indexes");
    const double bare = rawInserts(records, maxBatch, kNoIndexes, "raw batched INSERTs, no secondary indexes");
    const std::vector<RequestRecord> few(records.begin(), records.begin() + std::min<std::ptrdiff_t>(3000, count));
    const double perRow = rawInserts(few, 1, nullptr, "one transaction per row (FULL)");
    durableLatency(5000, 2.0);

    std::printf("\nRequestLog FULL / raw batched inserts: %.2f\n", logFull / raw);
    std::printf("RequestLog FULL / one transaction per row: %.0fx\n", logFull / perRow);
    std::printf("RequestLog FULL / NORMAL: %.2f\n", logFull / logNormal);
    std::printf("raw with / without the seven secondary indexes: %.2f\n", raw / bare);
    std::printf("raw with / without requests_session: %.2f\n", raw / noSession);
    std::printf("raw with / without indexes on task, provider, requested and served model: %.2f\n", more / raw);
    std::printf("goal 100,000 records/s: %s (%.0f)\n", logFull >= 100'000 ? "met" : "NOT met", logFull);
    std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                ("gatehouse-bench-store-" + std::to_string(::getpid())));
}
