// bench/policy: decisions per second and latency of the compiled evaluator on a generated
// 1,000-rule policy, against the linear explaining scan (what the simulator runs) measured in
// the same run on the same requests.
#include "policy/evaluator.h"
#include "policy/validator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace gh::policy;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kTeams = 50;
constexpr const char* kTasks[] = {"docs", "chat", "codegen", "test", "refactor", "review", "migration", "incident"};

// 1,000 rules, each reachable: (team, task, model family) triples are distinct and the model
// families are disjoint, so no rule shadows another; a catch-all closes the list.
std::string generatePolicy(int rules) {
    std::string y = "version: 1\nunknown_repository: internal\ntasks: [docs, chat, codegen, test, refactor, review, migration, incident]\n";
    y += "endpoints:\n"
         "  - {id: local, kind: ollama, base_url: \"http://127.0.0.1:11434\", class: local, region: eu,\n"
         "     models: {qwen-7b: {input: 0, output: 0}, qwen-32b: {input: 0, output: 0}}}\n"
         "  - {id: azure, kind: azure-openai, base_url: \"https://x.openai.azure.com\", class: enterprise, region: eu,\n"
         "     credential: k, api_version: 2024-10-21, data_terms: {training_opt_out: true},\n"
         "     models: {gpt-4.1: {input: 2, output: 8}, gpt-4.1-mini: {input: 0.4, output: 1.6}}}\n"
         "credentials: [k]\n";
    y += "repositories:\n";
    for (int t = 0; t < kTeams; ++t) {
        y += "  - {match: \"acme/team" + std::to_string(t) + "-secret-*\", sensitivity: restricted}\n";
        y += "  - {match: \"acme/team" + std::to_string(t) + "-*\", sensitivity: internal}\n";
    }
    y += "constraints:\n  - {sensitivity: restricted, allow_classes: [local]}\n";
    y += "routes:\n";
    for (int i = 0; i < rules - 1; ++i) {
        const int team = i % kTeams;
        const int task = (i / kTeams) % 8;
        const int family = i / (kTeams * 8);
        y += "  - {id: r" + std::to_string(i) + ", when: {team: team" + std::to_string(team) + ", task: " + kTasks[task] +
             ", model: \"fam" + std::to_string(family) + "-*\", agent: \"*\", sensitivity: [public, internal]}, route: [azure/gpt-4.1, local/qwen-32b]}\n";
    }
    y += "  - {id: rest, route: [local/qwen-7b]}\n";
    return y;
}

struct Sample {
    std::string team, repo, task, model;
};

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::size_t(p * double(v.size() - 1))];
}

template <class Fn>
void measure(const char* name, const std::vector<Sample>& samples, int rounds, Fn decide, double& throughputOut) {
    // Throughput: the whole batch timed at once.
    std::size_t allowed = 0;
    const auto start = Clock::now();
    for (int r = 0; r < rounds; ++r)
        for (const auto& s : samples)
            allowed += decide(s).allowed;
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double total = double(samples.size()) * rounds;
    throughputOut = total / seconds;
    // Latency: each decision timed on its own.
    std::vector<double> micros;
    micros.reserve(samples.size());
    for (const auto& s : samples) {
        const auto t0 = Clock::now();
        allowed += decide(s).allowed;
        micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    std::printf("%-34s %12.0f decisions/s   p50 %7.2f us   p99 %7.2f us   (allowed %zu)\n", name, throughputOut,
                percentile(micros, 0.50), percentile(micros, 0.99), allowed);
}

} // namespace

int main(int argc, char** argv) {
    const int rules = argc > 1 ? std::atoi(argv[1]) : 1000;
    const std::string text = generatePolicy(rules);

    auto t0 = Clock::now();
    auto loaded = loadPolicy(text);
    const double loadMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!loaded.ok()) {
        for (const auto& d : loaded.diagnostics)
            std::fprintf(stderr, "%s\n", format(d, "generated").c_str());
        return 1;
    }
    t0 = Clock::now();
    const auto evaluator = Evaluator::compile(*loaded.document);
    const double compileMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();

    std::mt19937 rng(7);
    std::vector<Sample> samples;
    for (int i = 0; i < 20000; ++i) {
        const int team = int(rng() % (kTeams + 5)); // a few unknown teams
        const bool secret = rng() % 10 == 0;
        samples.push_back({"team" + std::to_string(team),
                           "acme/team" + std::to_string(team % kTeams) + (secret ? "-secret-x" : "-svc" + std::to_string(rng() % 100)),
                           rng() % 8 == 0 ? std::string() : kTasks[rng() % 8],
                           "fam" + std::to_string(rng() % 4) + "-model"});
    }
    auto request = [](const Sample& s) {
        return Request{.team = s.team, .identity = "dev", .repository = s.repo, .task = s.task, .model = s.model, .agent = "aider"};
    };

    std::printf("bench/policy: %d rules, %d teams, %zu distinct requests\n", rules, kTeams, samples.size());
    std::printf("load + validate: %.1f ms   compile: %.2f ms\n", loadMs, compileMs);
    double fast = 0, slow = 0;
    measure("decide (compiled, indexed)", samples, 20, [&](const Sample& s) { return evaluator->decide(request(s)); }, fast);
    measure("reference: explain (linear scan)", samples, 1, [&](const Sample& s) { return evaluator->explain(request(s)); }, slow);
    std::printf("ratio: decide is %.1fx the throughput of the linear explaining scan\n", fast / slow);
    return 0;
}
