#pragma once
// The route policy document: what the YAML file says, as plain data. Positions are kept so
// that the validator can point at the line and column a problem comes from; they take no part
// in equality, so load -> save -> load compares equal.
#include "pricing/pricing.h"
#include "util/money.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gh::policy {

struct Pos {
    int line = 0;   // 1-based; 0 when the item was not read from a file (built in the console)
    int column = 0; // 1-based
    bool operator==(const Pos&) const { return true; } // positions never make documents differ
};

template <class T>
struct Located {
    T value{};
    Pos pos{};
    bool operator==(const Located& o) const { return value == o.value; }
};
using Text = Located<std::string>;

enum class Sensitivity : std::uint8_t { Public, Internal, Confidential, Restricted };
inline constexpr int kSensitivityCount = 4;

// A set of sensitivity classes as a bitmask; empty means "any" in a rule condition.
struct SensitivitySet {
    std::uint8_t bits = 0;
    static SensitivitySet all() { return {0x0f}; }
    static SensitivitySet of(Sensitivity s) { return {std::uint8_t(1u << unsigned(s))}; }
    static SensitivitySet atLeast(Sensitivity s) { return {std::uint8_t((0x0fu << unsigned(s)) & 0x0fu)}; }
    bool contains(Sensitivity s) const { return bits & (1u << unsigned(s)); }
    bool empty() const { return bits == 0; }
    bool covers(SensitivitySet o) const { return (bits & o.bits) == o.bits; }
    void add(Sensitivity s) { bits |= std::uint8_t(1u << unsigned(s)); }
    bool operator==(const SensitivitySet&) const = default;
};

enum class EndpointKind : std::uint8_t { OpenAI, AzureOpenAI, Anthropic, Foundry, Ollama, LMStudio, OpenAICompatible };
enum class EndpointClass : std::uint8_t { Enterprise, Hosted, Local };

struct ModelEntry {
    std::string name;
    std::optional<pricing::ModelPrice> price; // nullopt only in a document the validator refuses
    std::string deployment;                   // Azure OpenAI / Foundry deployment name, if not the model name
    Pos pos;
    bool operator==(const ModelEntry&) const = default;
};

struct DataTerms {
    std::optional<int> retentionDays; // how long the provider keeps prompts; 0 = not kept
    bool trainingOptOut = false;      // the provider contractually does not train on our data
    bool operator==(const DataTerms&) const = default;
};

struct Endpoint {
    std::string id;
    EndpointKind kind = EndpointKind::OpenAICompatible;
    Text baseUrl;
    EndpointClass cls = EndpointClass::Hosted;
    std::string region;
    Text credential;        // id of a sealed credential; empty for endpoints that need none
    std::string apiVersion; // Azure OpenAI api-version
    std::optional<DataTerms> dataTerms;
    std::vector<ModelEntry> models;
    Pos pos;
    bool operator==(const Endpoint&) const = default;

    const ModelEntry* findModel(std::string_view name) const {
        for (const auto& m : models)
            if (m.name == name)
                return &m;
        return nullptr;
    }
};

// A provider credential as the policy knows it: an id and a description. The secret itself is
// sealed in the gateway's credential store and never appears in a policy.
struct CredentialRef {
    std::string id;
    std::string description;
    Pos pos;
    bool operator==(const CredentialRef&) const = default;
};

struct Team {
    std::string id;
    std::string name;
    Pos pos;
    bool operator==(const Team&) const = default;
};

struct RepositoryClass {
    std::string match; // glob over "owner/name", case-insensitive
    Sensitivity sensitivity = Sensitivity::Internal;
    Pos pos;
    bool operator==(const RepositoryClass&) const = default;
};

// "Requests of these sensitivities may only reach endpoints that ...". Enforced by the
// validator against every route, and again by the evaluator on every decision.
struct Constraint {
    std::string id;
    SensitivitySet sensitivity;           // which requests it governs
    std::vector<EndpointClass> allowClasses; // empty: any class
    std::vector<Text> allowRegions;       // empty: any region
    bool requireTrainingOptOut = false;
    Pos pos;
    bool operator==(const Constraint&) const = default;
};

struct Match {
    std::vector<Text> teams;
    std::vector<Text> identities; // globs
    std::vector<Text> repos;      // globs, case-insensitive
    std::vector<Text> branches;   // globs
    std::vector<Text> tasks;      // task names, or "none" for requests without a task
    std::vector<Text> models;     // globs over the requested model
    std::vector<Text> agents;     // globs over the agent name
    SensitivitySet sensitivity;   // empty: any
    bool operator==(const Match&) const = default;
};

struct Target {
    std::string endpoint;
    std::string model; // "*" forwards the requested model when the endpoint serves it
    Pos pos;
    bool operator==(const Target&) const = default;
    std::string toString() const { return endpoint + "/" + model; }
};

struct Rule {
    std::string id;
    std::string description;
    Match when;
    std::vector<Target> route;        // ordered: the first is preferred, the rest are fallbacks
    std::optional<std::string> deny;  // set for deny rules; then route is empty
    Text budget;                      // optional: also charge this rule's traffic to a budget
    Pos pos;
    bool operator==(const Rule&) const = default;
};

enum class BudgetPeriod : std::uint8_t { Day, Week, Month, Custom };
enum class ScopeKind : std::uint8_t { Global, Team, Identity, Key, Repo, Task };
enum class AtLimit : std::uint8_t { Block, Downgrade };

struct BudgetScope {
    ScopeKind kind = ScopeKind::Global;
    std::string value; // team id, identity glob, key id, repository glob or task; empty for global
    bool operator==(const BudgetScope&) const = default;
};

struct Budget {
    std::string id;
    Located<BudgetScope> scope;
    BudgetPeriod period = BudgetPeriod::Month;
    int customDays = 0;   // for custom periods
    std::string starts;   // YYYY-MM-DD anchor of custom periods
    Money limit;
    std::vector<int> alerts; // percentages, ascending
    AtLimit atLimit = AtLimit::Block;
    std::vector<Target> downgradeTo;
    Pos pos;
    bool operator==(const Budget&) const = default;
};

struct Document {
    int version = 1;
    std::optional<Sensitivity> unknownRepository; // nullopt: deny requests for unknown repositories
    std::vector<Endpoint> endpoints;
    std::vector<CredentialRef> credentials;
    std::vector<Team> teams;
    std::vector<Text> tasks;
    std::vector<RepositoryClass> repositories;
    std::vector<Constraint> constraints;
    std::vector<Rule> routes;
    std::vector<Budget> budgets;
    bool operator==(const Document&) const = default;

    const Endpoint* findEndpoint(std::string_view id) const {
        for (const auto& e : endpoints)
            if (e.id == id)
                return &e;
        return nullptr;
    }
    const Budget* findBudget(std::string_view id) const {
        for (const auto& b : budgets)
            if (b.id == id)
                return &b;
        return nullptr;
    }
};

// Names as they are written in policy files.
const char* toString(Sensitivity);
const char* toString(EndpointKind);
const char* toString(EndpointClass);
const char* toString(BudgetPeriod);
const char* toString(ScopeKind);
std::optional<Sensitivity> sensitivityFromString(std::string_view);
std::optional<EndpointKind> endpointKindFromString(std::string_view);
std::optional<EndpointClass> endpointClassFromString(std::string_view);
std::optional<BudgetPeriod> budgetPeriodFromString(std::string_view);
std::optional<ScopeKind> scopeKindFromString(std::string_view);

// "public", "internal", ... each in order, for messages and pickers.
const std::vector<std::string>& sensitivityNames();
const std::vector<std::string>& endpointKindNames();
const std::vector<std::string>& endpointClassNames();

// Canonical text of a sensitivity set: "confidential", ">= confidential" or "[public, restricted]".
std::string toString(SensitivitySet);
// Parses the same forms (also "<= internal", "> public", "< restricted"); nullopt when invalid.
std::optional<SensitivitySet> sensitivitySetFromString(std::string_view);

std::string toString(const BudgetScope&); // "team:payments", "global"

} // namespace gh::policy
