#include "policy/evaluator.h"

#include "policy/semantics.h"
#include "util/glob.h"
#include "util/text.h"

#include <algorithm>
#include <bit>
#include <unordered_map>

namespace gh::policy {
namespace {

// Rules that can still match, as a bitset in rule order. Indexed filters on the three exact
// dimensions (team, task, sensitivity) narrow 1,000 rules to a handful with a few word ANDs;
// only those few are checked for the glob conditions.
using Bits = std::vector<std::uint64_t>;

constexpr std::string_view kNoTask = "none";

std::string describe(const std::vector<Text>& values) {
    std::vector<std::string> names;
    for (const auto& v : values)
        names.push_back(v.value);
    return names.size() == 1 ? "'" + names.front() + "'" : "one of: " + join(names);
}

} // namespace

struct Evaluator::Compiled {
    Document doc;
    std::vector<std::string> repoPatterns; // lower-cased catalog patterns
    std::unordered_map<std::string, int> teamIndex;
    std::unordered_map<std::string, int> taskIndex; // "none" included
    std::size_t words = 0;
    std::vector<Bits> byTeam;        // [teamIndex or "other"] -> rules that accept it
    std::vector<Bits> byTask;        // [taskIndex] -> rules that accept it
    std::vector<Bits> bySensitivity; // [sensitivity] -> rules that accept it
    std::vector<std::vector<std::string>> ruleRepos; // lower-cased repo globs per rule
    // allowed[s][e]: may a request of sensitivity s reach endpoint e under the constraints?
    std::vector<std::vector<char>> allowed;
    std::vector<std::vector<const Constraint*>> forbiddenBy;

    static void set(Bits& b, std::size_t i) { b[i / 64] |= std::uint64_t(1) << (i % 64); }

    int endpointIndex(const Endpoint* e) const { return int(e - doc.endpoints.data()); }

    // Why rule `i` does not match, or "" when it does. With `explain` off the answer is only
    // "-" or "", so the indexed path pays for no text. The exact dimensions are checked here
    // too, so the indexed and the traced path decide alike by construction.
    std::string mismatch(std::size_t i, const Request& r, std::string_view repoLower, std::string_view task,
                         Sensitivity s, bool explain) const {
        const Match& w = doc.routes[i].when;
        auto exact = [](const std::vector<Text>& values, std::string_view v) {
            return values.empty() || std::any_of(values.begin(), values.end(), [&](const Text& t) { return t.value == v; });
        };
        auto glob = [](const std::vector<Text>& values, std::string_view v) {
            return values.empty() ||
                   std::any_of(values.begin(), values.end(), [&](const Text& t) { return globMatch(t.value, v); });
        };
        auto why = [&](const char* what, std::string_view v, const std::string& expected) -> std::string {
            if (!explain)
                return "-";
            return std::string(what) + " " + (v.empty() ? std::string("(none)") : "'" + std::string(v) + "'") +
                   " is not " + expected;
        };
        if (!exact(w.teams, r.team))
            return why("team", r.team, describe(w.teams));
        if (!exact(w.tasks, task))
            return why("task", task == kNoTask ? std::string_view{} : task, describe(w.tasks));
        if (!w.sensitivity.empty() && !w.sensitivity.contains(s))
            return why("sensitivity", toString(s), toString(w.sensitivity));
        if (!glob(w.identities, r.identity))
            return why("identity", r.identity, describe(w.identities));
        const auto& repos = ruleRepos[i];
        if (!repos.empty() &&
            std::none_of(repos.begin(), repos.end(), [&](const std::string& p) { return globMatch(p, repoLower); }))
            return why("repository", r.repository, describe(w.repos));
        if (!glob(w.branches, r.branch))
            return why("branch", r.branch, describe(w.branches));
        if (!glob(w.models, r.model))
            return why("model", r.model, describe(w.models));
        if (!glob(w.agents, r.agent))
            return why("agent", r.agent, describe(w.agents));
        return {};
    }
};

Evaluator::Evaluator() : c_(std::make_unique<Compiled>()) {}
Evaluator::~Evaluator() = default;

const Document& Evaluator::document() const { return c_->doc; }

std::shared_ptr<const Evaluator> Evaluator::compile(Document doc) {
    std::shared_ptr<Evaluator> e(new Evaluator());
    Compiled& c = *e->c_;
    c.doc = std::move(doc);
    const auto& rules = c.doc.routes;
    c.words = (rules.size() + 63) / 64;

    for (const auto& entry : c.doc.repositories)
        c.repoPatterns.push_back(toLower(entry.match));

    // Intern every team and task a rule names; a request's unknown team maps to "other".
    for (const auto& rule : rules) {
        for (const auto& t : rule.when.teams)
            c.teamIndex.emplace(t.value, int(c.teamIndex.size()));
    }
    for (const auto& t : c.doc.tasks)
        c.taskIndex.emplace(t.value, int(c.taskIndex.size()));
    c.taskIndex.emplace(std::string(kNoTask), int(c.taskIndex.size()));

    const std::size_t otherTeam = c.teamIndex.size();
    c.byTeam.assign(otherTeam + 1, Bits(c.words, 0));
    c.byTask.assign(c.taskIndex.size(), Bits(c.words, 0));
    c.bySensitivity.assign(kSensitivityCount, Bits(c.words, 0));
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const Match& w = rules[i].when;
        if (w.teams.empty()) {
            for (auto& bits : c.byTeam)
                Compiled::set(bits, i);
        } else {
            for (const auto& t : w.teams)
                Compiled::set(c.byTeam[std::size_t(c.teamIndex.at(t.value))], i);
        }
        if (w.tasks.empty()) {
            for (auto& bits : c.byTask)
                Compiled::set(bits, i);
        } else {
            for (const auto& t : w.tasks)
                if (auto it = c.taskIndex.find(t.value); it != c.taskIndex.end())
                    Compiled::set(c.byTask[std::size_t(it->second)], i);
        }
        for (int s = 0; s < kSensitivityCount; ++s)
            if (w.sensitivity.empty() || w.sensitivity.contains(Sensitivity(s)))
                Compiled::set(c.bySensitivity[std::size_t(s)], i);
        std::vector<std::string> repos;
        for (const auto& r : w.repos)
            repos.push_back(toLower(r.value));
        c.ruleRepos.push_back(std::move(repos));
    }

    c.allowed.assign(kSensitivityCount, std::vector<char>(c.doc.endpoints.size(), 1));
    c.forbiddenBy.assign(kSensitivityCount, std::vector<const Constraint*>(c.doc.endpoints.size(), nullptr));
    for (int s = 0; s < kSensitivityCount; ++s)
        for (std::size_t i = 0; i < c.doc.endpoints.size(); ++i)
            if (const Constraint* by = forbiddingConstraint(c.doc, Sensitivity(s), c.doc.endpoints[i])) {
                c.allowed[std::size_t(s)][i] = 0;
                c.forbiddenBy[std::size_t(s)][i] = by;
            }
    return e;
}

std::vector<ResolvedTarget> Evaluator::downgradeTargets(const Decision& decision, int budgetIndex,
                                                        std::string_view requestedModel) const {
    const Compiled& c = *c_;
    std::vector<ResolvedTarget> out;
    if (!decision.sensitivity || budgetIndex < 0 || std::size_t(budgetIndex) >= c.doc.budgets.size())
        return out;
    for (const Target& t : c.doc.budgets[std::size_t(budgetIndex)].downgradeTo) {
        const Endpoint* e = c.doc.findEndpoint(t.endpoint);
        if (!e || !c.allowed[std::size_t(*decision.sensitivity)][std::size_t(c.endpointIndex(e))])
            continue;
        if (const ModelEntry* m = e->findModel(t.model == "*" ? requestedModel : std::string_view(t.model)))
            out.push_back({e, m});
    }
    return out;
}

Decision Evaluator::evaluate(const Request& r, bool withTrace) const {
    const Compiled& c = *c_;
    const Document& doc = c.doc;
    Decision d;
    auto note = [&](int rule, std::string text) {
        if (withTrace)
            d.trace.push_back({rule, std::move(text)});
    };

    // 1. Sensitivity from the repository catalog; first matching pattern wins.
    const std::string repoLower = toLower(r.repository);
    for (std::size_t i = 0; i < c.repoPatterns.size(); ++i) {
        if (globMatch(c.repoPatterns[i], repoLower)) {
            d.repositoryEntry = int(i);
            d.sensitivity = doc.repositories[i].sensitivity;
            break;
        }
    }
    if (!d.sensitivity) {
        const std::string shown = r.repository.empty() ? std::string("no repository") : "repository '" + std::string(r.repository) + "'";
        if (!doc.unknownRepository) {
            d.reason = r.repository.empty()
                           ? "the request names no repository; send the X-Gatehouse-Repo header"
                           : shown + " is not in the repository catalog; ask a platform admin to classify it";
            note(-1, d.reason);
            return d;
        }
        d.sensitivity = doc.unknownRepository;
        note(-1, shown + " is not in the catalog; the policy treats it as " + toString(*d.sensitivity));
    } else if (withTrace) {
        note(-1, "repository '" + std::string(r.repository) + "' is " + toString(*d.sensitivity) + " (pattern '" +
                     doc.repositories[std::size_t(d.repositoryEntry)].match + "')");
    }
    const Sensitivity sensitivity = *d.sensitivity;

    // 2. The task must be one the policy knows.
    const std::string_view task = r.task.empty() ? kNoTask : r.task;
    const auto taskIt = c.taskIndex.find(std::string(task));
    if (taskIt == c.taskIndex.end()) {
        std::vector<std::string> known;
        for (const auto& t : doc.tasks)
            known.push_back(t.value);
        d.reason = "unknown task '" + std::string(task) + "'" + suggest(task, known);
        note(-1, d.reason);
        return d;
    }

    // 3. First matching rule wins.
    int decided = -1;
    if (withTrace) {
        for (std::size_t i = 0; i < doc.routes.size(); ++i) {
            std::string why = c.mismatch(i, r, repoLower, task, sensitivity, true);
            if (why.empty()) {
                decided = int(i);
                break;
            }
            note(int(i), "route '" + doc.routes[i].id + "' does not match: " + why);
        }
    } else {
        const auto teamIt = c.teamIndex.find(std::string(r.team));
        const Bits& teams = c.byTeam[teamIt == c.teamIndex.end() ? c.teamIndex.size() : std::size_t(teamIt->second)];
        const Bits& tasks = c.byTask[std::size_t(taskIt->second)];
        const Bits& levels = c.bySensitivity[std::size_t(sensitivity)];
        for (std::size_t w = 0; w < c.words && decided < 0; ++w) {
            std::uint64_t candidates = teams[w] & tasks[w] & levels[w];
            while (candidates) {
                const std::size_t i = w * 64 + std::size_t(std::countr_zero(candidates));
                candidates &= candidates - 1;
                if (c.mismatch(i, r, repoLower, task, sensitivity, false).empty()) {
                    decided = int(i);
                    break;
                }
            }
        }
    }
    if (decided < 0) {
        d.reason = "no route allows this request (team '" + std::string(r.team) + "', " + toString(sensitivity) +
                   " repository, task '" + std::string(task) + "', model '" + std::string(r.model) +
                   "'); deny is the default";
        note(-1, d.reason);
        return d;
    }
    const Rule& rule = doc.routes[std::size_t(decided)];
    d.rule = decided;
    d.ruleId = rule.id;
    note(decided, "route '" + rule.id + "' matches");

    // 4. Budgets the request is charged to: those whose scope covers it, and the rule's own.
    for (std::size_t i = 0; i < doc.budgets.size(); ++i) {
        const Budget& b = doc.budgets[i];
        const BudgetScope& s = b.scope.value;
        bool applies = false;
        switch (s.kind) {
        case ScopeKind::Global: applies = true; break;
        case ScopeKind::Team: applies = s.value == r.team; break;
        case ScopeKind::Identity: applies = globMatch(s.value, r.identity); break;
        case ScopeKind::Key: applies = s.value == r.keyId; break;
        case ScopeKind::Repo: applies = globMatch(toLower(s.value), repoLower); break;
        case ScopeKind::Task: applies = s.value == task; break;
        }
        if (applies || rule.budget.value == b.id)
            d.budgets.push_back(int(i));
    }

    if (rule.deny) {
        d.reason = *rule.deny;
        note(decided, "denied: " + d.reason);
        return d;
    }

    // 5. Targets in order; skip those the endpoint cannot serve or a constraint forbids.
    for (const Target& t : rule.route) {
        const Endpoint* e = doc.findEndpoint(t.endpoint);
        if (!e)
            continue; // impossible in a validated document
        const ModelEntry* m = e->findModel(t.model == "*" ? r.model : std::string_view(t.model));
        if (!m) {
            note(decided, "target " + t.toString() + " skipped: endpoint '" + e->id + "' does not serve model '" +
                              std::string(r.model) + "'");
            continue;
        }
        const int ei = c.endpointIndex(e);
        if (!c.allowed[std::size_t(sensitivity)][std::size_t(ei)]) {
            const Constraint* by = c.forbiddenBy[std::size_t(sensitivity)][std::size_t(ei)];
            note(decided, "target " + t.toString() + " skipped: " + constraintName(doc, *by) + " forbids " +
                              toString(sensitivity) + " requests there (" + forbiddingReason(*by, *e) + ")");
            continue;
        }
        d.targets.push_back({e, m});
        note(decided, "target " + e->id + "/" + m->name + (d.targets.size() == 1 ? " (preferred)" : " (fallback)"));
    }
    if (d.targets.empty()) {
        d.reason = "route '" + rule.id + "' matched, but none of its targets may serve model '" + std::string(r.model) +
                   "' for a " + toString(sensitivity) + " repository";
        note(decided, d.reason);
        return d;
    }
    d.allowed = true;
    return d;
}

} // namespace gh::policy
