// Prometheus metrics: what observe() counts and how render() writes it (text format 0.0.4).
#include "metrics.h"
#include "support/testdata.h"

#include <QTest>

#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace gh::gateway;

namespace {

struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    std::string value;
};

// A strict little parser for what render() writes: HELP/TYPE comments, then samples with at most
// a few labels whose values use the format's escapes.
struct Exposition {
    std::map<std::string, std::string> types; // metric family -> type
    std::set<std::string> helps;
    std::vector<Sample> samples;
    std::vector<std::string> errors;

    std::string family(const std::string& name) const {
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
            const std::string s = suffix;
            if (name.size() > s.size() && name.ends_with(s)) {
                const auto base = name.substr(0, name.size() - s.size());
                if (types.contains(base) && types.at(base) == "histogram")
                    return base;
            }
        }
        return name;
    }

    // The value of the one sample named `name` with label `label`=`value` ("" = no label).
    std::string get(const std::string& name, const std::string& label = {}, const std::string& value = {}) const {
        std::string found = "<missing>";
        int n = 0;
        for (const auto& s : samples) {
            if (s.name != name)
                continue;
            if (label.empty() ? !s.labels.empty() : (s.labels.size() != 1 || !s.labels.contains(label) || s.labels.at(label) != value))
                continue;
            found = s.value;
            ++n;
        }
        return n > 1 ? "<duplicate>" : found;
    }
    bool has(const std::string& name, const std::string& label, const std::string& value) const {
        return get(name, label, value) != "<missing>";
    }
};

Exposition parse(const std::string& text) {
    Exposition e;
    if (!text.ends_with('\n'))
        e.errors.push_back("no final newline");
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) {
            e.errors.push_back("empty line");
            continue;
        }
        if (line.starts_with("# HELP ")) {
            const auto name = line.substr(7, line.find(' ', 7) - 7);
            if (!e.helps.insert(name).second)
                e.errors.push_back("second HELP for " + name);
            continue;
        }
        if (line.starts_with("# TYPE ")) {
            std::istringstream words(line.substr(7));
            std::string name, type;
            words >> name >> type;
            if (e.types.contains(name))
                e.errors.push_back("second TYPE for " + name);
            if (type != "counter" && type != "gauge" && type != "histogram")
                e.errors.push_back("bad type " + type);
            e.types[name] = type;
            continue;
        }
        if (line.starts_with('#')) {
            e.errors.push_back("unexpected comment " + line);
            continue;
        }
        Sample s;
        std::size_t i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ')
            s.name += line[i++];
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                std::string key;
                while (i < line.size() && line[i] != '=')
                    key += line[i++];
                if (line.substr(i, 2) != "=\"") {
                    e.errors.push_back("bad label in " + line);
                    break;
                }
                i += 2;
                std::string value;
                while (i < line.size() && line[i] != '"') {
                    if (line[i] == '\\' && i + 1 < line.size()) {
                        const char c = line[i + 1];
                        value += c == 'n' ? '\n' : c;
                        if (c != 'n' && c != '\\' && c != '"')
                            e.errors.push_back("unknown escape in " + line);
                        i += 2;
                    } else {
                        value += line[i++];
                    }
                }
                ++i; // closing quote
                s.labels[key] = value;
                if (i < line.size() && line[i] == ',')
                    ++i;
            }
            ++i; // '}'
        }
        if (i >= line.size() || line[i] != ' ') {
            e.errors.push_back("no value in " + line);
            continue;
        }
        s.value = line.substr(i + 1);
        if (s.value.empty() || s.value.find(' ') != std::string::npos)
            e.errors.push_back("bad value in " + line);
        const auto family = e.family(s.name);
        if (!e.types.contains(family))
            e.errors.push_back("sample before its TYPE: " + s.name);
        if (!e.helps.contains(family))
            e.errors.push_back("sample without HELP: " + s.name);
        e.samples.push_back(std::move(s));
    }
    return e;
}

// Checks a histogram's invariants and returns its buckets (le -> cumulative count).
std::vector<std::pair<std::string, std::uint64_t>> checkHistogram(const Exposition& e, const std::string& name) {
    std::vector<std::pair<std::string, std::uint64_t>> buckets;
    for (const auto& s : e.samples)
        if (s.name == name + "_bucket")
            buckets.emplace_back(s.labels.at("le"), std::stoull(s.value));
    if (buckets.empty() || buckets.back().first != "+Inf")
        qFatal("%s: no +Inf bucket", name.c_str());
    double previousBound = -1;
    std::uint64_t previous = 0;
    for (const auto& [le, count] : buckets) {
        const double bound = le == "+Inf" ? 1e300 : std::stod(le);
        if (bound <= previousBound)
            qFatal("%s: bounds not ascending at %s", name.c_str(), le.c_str());
        if (count < previous)
            qFatal("%s: buckets not cumulative at %s", name.c_str(), le.c_str());
        previousBound = bound;
        previous = count;
    }
    if (e.get(name + "_count") != std::to_string(buckets.back().second))
        qFatal("%s: +Inf != _count", name.c_str());
    return buckets;
}

std::uint64_t bucket(const std::vector<std::pair<std::string, std::uint64_t>>& buckets, const std::string& le) {
    for (const auto& [l, c] : buckets)
        if (l == le)
            return c;
    qFatal("no bucket le=%s", le.c_str());
}

RequestObservation request(std::string_view outcome, double seconds) {
    RequestObservation o;
    o.outcome = outcome;
    o.provider = "openai";
    o.team = "payments";
    o.seconds = seconds;
    o.overheadSeconds = 0.0003;
    return o;
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT
private slots:
    void rendersAnEmptyRegistry() {
        Metrics metrics("1.2.3");
        const auto e = parse(metrics.render({}));
        QVERIFY2(e.errors.empty(), e.errors.empty() ? "" : e.errors.front().c_str());
        QCOMPARE(e.get("gatehouse_up"), std::string("1"));
        QCOMPARE(e.get("gatehouse_build_info", "version", "1.2.3"), std::string("1"));
        QCOMPARE(e.types.at("gatehouse_requests_total"), std::string("counter"));
        QCOMPARE(e.types.at("gatehouse_request_duration_seconds"), std::string("histogram"));
        QCOMPARE(e.types.at("gatehouse_budget_used_ratio"), std::string("gauge"));
        // Every known outcome and provider is there from the start (at 0), so rate() works at once.
        for (const char* outcome : {"ok", "cancelled", "upstream_error", "denied", "budget_blocked", "invalid"})
            QCOMPARE(e.get("gatehouse_requests_total", "outcome", outcome), std::string("0"));
        QVERIFY(!e.has("gatehouse_requests_total", "outcome", "other"));
        for (const char* provider : {"openai", "azure-openai", "anthropic", "foundry", "ollama", "lmstudio", "openai-compatible"})
            QCOMPARE(e.get("gatehouse_upstream_errors_total", "provider", provider), std::string("0"));
        for (const char* name : {"gatehouse_request_duration_seconds", "gatehouse_time_to_first_token_seconds",
                                 "gatehouse_gateway_overhead_seconds"}) {
            const auto buckets = checkHistogram(e, name);
            QCOMPARE(buckets.back().second, std::uint64_t(0));
            QCOMPARE(e.get(std::string(name) + "_sum"), std::string("0"));
        }
        QCOMPARE(e.get("gatehouse_tokens_total", "direction", "cached_input"), std::string("0"));
        QCOMPARE(e.get("gatehouse_in_flight_requests"), std::string("0"));
    }

    void countsRequests() {
        Metrics metrics("dev");
        auto o = request("ok", 0.8);
        o.firstTokenSeconds = 0.25;
        o.costMicros = 1'234'567;
        o.inputTokens = 1000;
        o.outputTokens = 200;
        o.cachedInputTokens = 300;
        metrics.observe(o);
        metrics.observe(o);
        auto slow = request("ok", 200); // beyond every bound
        slow.firstTokenSeconds = 0.005; // exactly on a bound: le is inclusive
        slow.overheadSeconds = 0.5;
        metrics.observe(slow);
        metrics.observe(request("denied", 0.002));
        metrics.observe(request("budget_blocked", 0.004));
        auto failed = request("upstream_error", 30);
        failed.provider = "anthropic";
        failed.upstreamError = true;
        metrics.observe(failed);
        auto odd = request("something_new", 1);
        odd.provider = "mystery";
        odd.upstreamError = true;
        metrics.observe(odd);
        auto cancelled = request("cancelled", 5);
        cancelled.team = "search";
        cancelled.costMicros = 10;
        metrics.observe(cancelled);

        const auto e = parse(metrics.render({}));
        QVERIFY2(e.errors.empty(), e.errors.empty() ? "" : e.errors.front().c_str());
        QCOMPARE(e.get("gatehouse_requests_total", "outcome", "ok"), std::string("3"));
        QCOMPARE(e.get("gatehouse_requests_total", "outcome", "denied"), std::string("1"));
        QCOMPARE(e.get("gatehouse_requests_total", "outcome", "budget_blocked"), std::string("1"));
        QCOMPARE(e.get("gatehouse_requests_total", "outcome", "upstream_error"), std::string("1"));
        QCOMPARE(e.get("gatehouse_requests_total", "outcome", "cancelled"), std::string("1"));
        QCOMPARE(e.get("gatehouse_requests_total", "outcome", "invalid"), std::string("0"));
        QCOMPARE(e.get("gatehouse_requests_total", "outcome", "other"), std::string("1"));
        QCOMPARE(e.get("gatehouse_upstream_errors_total", "provider", "anthropic"), std::string("1"));
        QCOMPARE(e.get("gatehouse_upstream_errors_total", "provider", "openai"), std::string("0"));
        QCOMPARE(e.get("gatehouse_upstream_errors_total", "provider", "other"), std::string("1"));

        const auto duration = checkHistogram(e, "gatehouse_request_duration_seconds");
        QCOMPARE(duration.back().second, std::uint64_t(8));
        QCOMPARE(bucket(duration, "0.005"), std::uint64_t(2));  // 0.002, 0.004
        QCOMPARE(bucket(duration, "1"), std::uint64_t(5));      // + 0.8 twice, 1 (le is inclusive)
        QCOMPARE(bucket(duration, "5"), std::uint64_t(6));      // + 5
        QCOMPARE(bucket(duration, "30"), std::uint64_t(7));     // + 30
        QCOMPARE(bucket(duration, "120"), std::uint64_t(7));    // 200 is only in +Inf
        QCOMPARE(duration.front().first, std::string("0.005"));
        QCOMPARE(e.get("gatehouse_request_duration_seconds_sum"), std::string("237.606")); // exact, no float drift

        const auto ttft = checkHistogram(e, "gatehouse_time_to_first_token_seconds");
        QCOMPARE(ttft.back().second, std::uint64_t(3)); // only requests that had a first token
        QCOMPARE(bucket(ttft, "0.005"), std::uint64_t(1));
        QCOMPARE(bucket(ttft, "0.25"), std::uint64_t(3));
        QCOMPARE(e.get("gatehouse_time_to_first_token_seconds_sum"), std::string("0.505"));

        const auto overhead = checkHistogram(e, "gatehouse_gateway_overhead_seconds");
        QCOMPARE(overhead.front().first, std::string("0.0001"));
        QCOMPARE(overhead.back().first, std::string("+Inf"));
        QCOMPARE(overhead[overhead.size() - 2].first, std::string("0.1"));
        QCOMPARE(bucket(overhead, "0.00025"), std::uint64_t(0));
        QCOMPARE(bucket(overhead, "0.0005"), std::uint64_t(7));
        QCOMPARE(bucket(overhead, "0.1"), std::uint64_t(7));
        QCOMPARE(overhead.back().second, std::uint64_t(8));

        QCOMPARE(e.get("gatehouse_tokens_total", "direction", "input"), std::string("2000"));
        QCOMPARE(e.get("gatehouse_tokens_total", "direction", "output"), std::string("400"));
        QCOMPARE(e.get("gatehouse_tokens_total", "direction", "cached_input"), std::string("600"));
        QCOMPARE(e.get("gatehouse_spend_usd_total", "team", "payments"), std::string("2.469134"));
        QCOMPARE(e.get("gatehouse_spend_usd_total", "team", "search"), std::string("0.00001"));
    }

    void rendersBudgetsAndGauges() {
        Metrics metrics;
        MetricsSnapshot snapshot;
        snapshot.budgets = {{"payments-monthly", 5'000'000'000, 1'234'567, 250'000},
                            {"docs", 100'000'000, 100'000'000, 0},
                            {"free", 0, 0, 0}};
        snapshot.policyVersion = 42;
        snapshot.inFlight = 7;
        const auto e = parse(metrics.render(snapshot));
        QVERIFY2(e.errors.empty(), e.errors.empty() ? "" : e.errors.front().c_str());
        QCOMPARE(e.get("gatehouse_budget_spent_usd", "budget", "payments-monthly"), std::string("1.234567"));
        QCOMPARE(e.get("gatehouse_budget_limit_usd", "budget", "payments-monthly"), std::string("5000"));
        QCOMPARE(e.get("gatehouse_budget_reserved_usd", "budget", "payments-monthly"), std::string("0.25"));
        QCOMPARE(std::stod(e.get("gatehouse_budget_used_ratio", "budget", "payments-monthly")), 1'234'567.0 / 5'000'000'000.0);
        QCOMPARE(e.get("gatehouse_budget_used_ratio", "budget", "docs"), std::string("1"));
        QCOMPARE(e.get("gatehouse_budget_limit_usd", "budget", "free"), std::string("0"));
        QVERIFY(!e.has("gatehouse_budget_used_ratio", "budget", "free")); // no ratio of a zero limit
        QCOMPARE(e.get("gatehouse_policy_version"), std::string("42"));
        QCOMPARE(e.get("gatehouse_in_flight_requests"), std::string("7"));
    }

    void escapesLabelValues() {
        QCOMPARE(escapeLabelValue("plain"), std::string("plain"));
        QCOMPARE(escapeLabelValue("a\\b\"c\nd"), std::string("a\\\\b\\\"c\\nd"));
        Metrics metrics("v\"1\\\n");
        const std::string team = "pay\"ments\\eu\nwest";
        auto o = request("ok", 1);
        o.team = team;
        o.costMicros = 5;
        metrics.observe(o);
        MetricsSnapshot snapshot;
        snapshot.budgets = {{"b\"1", 10, 5, 0}};
        const auto text = metrics.render(snapshot);
        QVERIFY(text.find("team=\"pay\\\"ments\\\\eu\\nwest\"") != std::string::npos);
        const auto e = parse(text);
        QVERIFY2(e.errors.empty(), e.errors.empty() ? "" : e.errors.front().c_str());
        QCOMPARE(e.get("gatehouse_spend_usd_total", "team", team), std::string("0.000005"));
        QCOMPARE(e.get("gatehouse_build_info", "version", "v\"1\\\n"), std::string("1"));
        QCOMPARE(e.get("gatehouse_budget_used_ratio", "budget", "b\"1"), std::string("0.5"));
    }

    void boundsTheNumberOfTeams() {
        Metrics metrics;
        for (std::size_t i = 0; i < Metrics::kMaxTeams + 5; ++i) {
            const std::string team = "team-" + std::to_string(i);
            auto o = request("ok", 1);
            o.team = team;
            o.costMicros = 1'000'000;
            metrics.observe(o);
        }
        // A known team keeps its own series after the limit.
        auto again = request("ok", 1);
        again.team = "team-0";
        again.costMicros = 500'000;
        metrics.observe(again);
        auto anonymous = request("ok", 1);
        anonymous.team = "";
        anonymous.costMicros = 1;
        metrics.observe(anonymous);
        const auto e = parse(metrics.render({}));
        QVERIFY2(e.errors.empty(), e.errors.empty() ? "" : e.errors.front().c_str());
        std::size_t series = 0;
        for (const auto& s : e.samples)
            series += s.name == "gatehouse_spend_usd_total";
        QCOMPARE(series, Metrics::kMaxTeams + 1);
        QCOMPARE(e.get("gatehouse_spend_usd_total", "team", "team-0"), std::string("1.5"));
        QCOMPARE(e.get("gatehouse_spend_usd_total", "team", "other"), std::string("5.000001")); // 5 late teams + the anonymous one
        QVERIFY(!e.has("gatehouse_spend_usd_total", "team", "team-1004"));
    }

    void oddDurationsAreClamped() {
        Metrics metrics;
        metrics.observe(request("ok", -1));
        metrics.observe(request("ok", std::numeric_limits<double>::quiet_NaN()));
        metrics.observe(request("ok", std::numeric_limits<double>::infinity()));
        const auto e = parse(metrics.render({}));
        const auto duration = checkHistogram(e, "gatehouse_request_duration_seconds");
        QCOMPARE(bucket(duration, "0.005"), std::uint64_t(2));
        QCOMPARE(duration.back().second, std::uint64_t(3));
        QCOMPARE(e.get("gatehouse_request_duration_seconds_sum"), std::string("1000000")); // clamped
    }

    void countsExactlyUnderConcurrency() {
        Metrics metrics;
        constexpr int kThreads = 8;
        constexpr int kPerThread = 10'000;
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&metrics, t] {
                const std::string team = "team-" + std::to_string(t % 3);
                for (int i = 0; i < kPerThread; ++i) {
                    RequestObservation o;
                    o.outcome = i % 10 == 0 ? "denied" : "ok";
                    o.provider = "ollama";
                    o.team = team;
                    o.seconds = (i % 4 == 0) ? 0.5 : 2.0; // exact in binary and in nanoseconds
                    o.firstTokenSeconds = 0.125;
                    o.overheadSeconds = 0.001;
                    o.costMicros = 3;
                    o.inputTokens = 7;
                    o.outputTokens = 2;
                    o.cachedInputTokens = 1;
                    o.upstreamError = i % 100 == 0;
                    metrics.observe(o);
                }
            });
        }
        // Scrapes while the threads run must always be well formed and consistent per histogram.
        for (int i = 0; i < 20; ++i) {
            const auto e = parse(metrics.render({}));
            QVERIFY(e.errors.empty());
            checkHistogram(e, "gatehouse_request_duration_seconds");
        }
        for (auto& t : threads)
            t.join();
        const auto e = parse(metrics.render({}));
        QVERIFY2(e.errors.empty(), e.errors.empty() ? "" : e.errors.front().c_str());
        constexpr int kTotal = kThreads * kPerThread;
        QCOMPARE(e.get("gatehouse_requests_total", "outcome", "ok"), std::to_string(kTotal * 9 / 10));
        QCOMPARE(e.get("gatehouse_requests_total", "outcome", "denied"), std::to_string(kTotal / 10));
        QCOMPARE(e.get("gatehouse_upstream_errors_total", "provider", "ollama"), std::to_string(kTotal / 100));
        const auto duration = checkHistogram(e, "gatehouse_request_duration_seconds");
        QCOMPARE(duration.back().second, std::uint64_t(kTotal));
        QCOMPARE(bucket(duration, "0.5"), std::uint64_t(kTotal / 4));
        QCOMPARE(e.get("gatehouse_request_duration_seconds_sum"), std::to_string(kTotal / 4 / 2 + kTotal * 3 / 4 * 2));
        QCOMPARE(e.get("gatehouse_time_to_first_token_seconds_count"), std::to_string(kTotal));
        QCOMPARE(e.get("gatehouse_time_to_first_token_seconds_sum"), std::to_string(kTotal / 8));
        QCOMPARE(e.get("gatehouse_gateway_overhead_seconds_sum"), std::to_string(kTotal / 1000));
        QCOMPARE(e.get("gatehouse_tokens_total", "direction", "input"), std::to_string(kTotal * 7));
        QCOMPARE(e.get("gatehouse_tokens_total", "direction", "output"), std::to_string(kTotal * 2));
        QCOMPARE(e.get("gatehouse_tokens_total", "direction", "cached_input"), std::to_string(kTotal));
        // team-0: threads 0, 3, 6; team-1: 1, 4, 7; team-2: 2, 5.  3 µ$ each.
        QCOMPARE(e.get("gatehouse_spend_usd_total", "team", "team-0"), std::string("0.09"));
        QCOMPARE(e.get("gatehouse_spend_usd_total", "team", "team-1"), std::string("0.09"));
        QCOMPARE(e.get("gatehouse_spend_usd_total", "team", "team-2"), std::string("0.06"));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
