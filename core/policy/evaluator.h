#pragma once
// The policy evaluator: request attributes -> decision. The one implementation of routing; the
// gateway decides every request with it and the console's simulator explains with it.
#include "policy/document.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh::policy {

struct Request {
    std::string_view team{};
    std::string_view identity{};
    std::string_view repository{}; // "owner/name"; empty when the caller named none
    std::string_view branch{};
    std::string_view task{};     // empty: no task
    std::string_view model{};    // the model the caller asked for
    std::string_view agent{};
    std::string_view keyId{};    // gateway key id, for key-scoped budgets
};

struct ResolvedTarget {
    const Endpoint* endpoint = nullptr;
    const ModelEntry* model = nullptr; // the served model with its price
};

struct TraceLine {
    int rule = -1;      // index into routes; -1 for steps before the rules (repository, task)
    std::string text;   // "team 'web' is not one of: payments"
};

// A decision points into the evaluator's document (rule id, endpoints, models): keep the
// evaluator alive while the decision is used; the gateway holds it for the request's lifetime.
struct Decision {
    bool allowed = false;
    int rule = -1;                      // deciding rule; -1 when no rule decided (default deny)
    std::string_view ruleId;            // "" when no rule decided
    std::string reason;                 // for denials: what the caller reads
    std::optional<Sensitivity> sensitivity; // resolved from the repository catalog
    int repositoryEntry = -1;           // catalog entry that classified the repository
    std::vector<ResolvedTarget> targets; // in order of preference; empty when denied
    std::vector<int> budgets;           // indices of the budgets this request is charged to
    std::vector<TraceLine> trace;       // filled when asked to explain
};

class Evaluator {
public:
    // `doc` must have passed the validator. Compiling once makes each decision cost
    // microseconds, even with thousands of rules.
    static std::shared_ptr<const Evaluator> compile(Document doc);
    ~Evaluator();

    Decision decide(const Request& request) const { return evaluate(request, false); }
    // The same decision, with a trace of why each earlier rule did not match.
    Decision explain(const Request& request) const { return evaluate(request, true); }

    // The targets a request goes to once budget `budgetIndex` is exhausted and downgrades: its
    // downgrade_to list, less the targets the constraints forbid for this sensitivity.
    std::vector<ResolvedTarget> downgradeTargets(const Decision& decision, int budgetIndex,
                                                 std::string_view requestedModel) const;

    const Document& document() const;

private:
    Evaluator();
    Decision evaluate(const Request& request, bool withTrace) const;
    struct Compiled;
    std::unique_ptr<Compiled> c_;
};

} // namespace gh::policy
