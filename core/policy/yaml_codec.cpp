#include "policy/yaml_codec.h"

#include "util/text.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <map>

namespace gh::policy {
namespace {

using Keys = std::vector<std::string>;

// Line and column (in characters, not bytes) of a yaml-cpp mark in `source`.
Pos positionIn(std::string_view source, const YAML::Mark& mark) {
    if (mark.line < 0)
        return {};
    int column = 1;
    const std::size_t end = std::min<std::size_t>(std::size_t(std::max(mark.pos, 0)), source.size());
    const std::size_t begin = end >= std::size_t(mark.column) ? end - std::size_t(mark.column) : 0;
    for (std::size_t i = begin; i < end; ++i)
        if ((static_cast<unsigned char>(source[i]) & 0xc0) != 0x80) // count UTF-8 lead bytes only
            ++column;
    return {mark.line + 1, column};
}

const char* shapeOf(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "empty";
    default: return "a single value";
    }
}

// The keys of one YAML map, checked against the keys that item may have.
class Fields {
public:
    const YAML::Node* get(std::string_view key) const {
        for (const auto& [k, v] : entries_)
            if (k == key)
                return &v;
        return nullptr;
    }
    bool has(std::string_view key) const { return get(key) != nullptr; }
    void add(std::string key, YAML::Node value) { entries_.emplace_back(std::move(key), std::move(value)); }

private:
    std::vector<std::pair<std::string, YAML::Node>> entries_;
};

// Thrown when a document expands to more items than any real policy has: YAML aliases can make
// a few lines stand for billions of nodes ("billion laughs").
struct TooManyItems {
    Pos pos;
};
constexpr std::size_t kMaxItems = 1'000'000;

class Reader {
public:
    explicit Reader(std::string_view source) : source_(source) {}

    std::vector<Diagnostic> diagnostics;
    std::size_t visited = 0;

    // Where a node is. yaml-cpp places an empty value at the next token, often lines later, so
    // an empty value is placed at its key instead.
    Pos pos(const YAML::Node& node) const {
        if (node.IsNull())
            for (const auto& [value, keyPos] : emptyValues_)
                if (value.is(node))
                    return keyPos;
        return positionIn(source_, node.Mark());
    }

    void visit(const YAML::Node& node) {
        if (++visited > kMaxItems)
            throw TooManyItems{pos(node)};
    }

    // yaml-cpp accepts a quoted value left open at the end of the file, which would swallow
    // everything after the quote into one string; refuse it.
    bool checkClosedQuote(const YAML::Node& node) {
        if (!node.IsScalar() || node.Tag() != "!")
            return true;
        const std::size_t start = std::size_t(std::max(node.Mark().pos, 0));
        if (start >= source_.size() || (source_[start] != '"' && source_[start] != '\''))
            return true;
        const char quote = source_[start];
        for (std::size_t i = start + 1; i < source_.size(); ++i) {
            if (quote == '"' && source_[i] == '\\') {
                ++i;
            } else if (source_[i] == quote) {
                if (quote == '\'' && i + 1 < source_.size() && source_[i + 1] == '\'') {
                    ++i; // '' is an escaped single quote
                    continue;
                }
                return true;
            }
        }
        error(node, std::string("this ") + (quote == '"' ? "double" : "single") +
                        "-quoted value is never closed; add the closing " + quote);
        return false;
    }
    Section section = Section::Document;
    int index = -1;

    void error(Pos pos, std::string message) {
        diagnostics.push_back({Severity::Error, pos, std::move(message), section, index});
    }
    void error(const YAML::Node& node, std::string message) { error(pos(node), std::move(message)); }

    // Reads a map's keys. Unknown and repeated keys are reported; so are missing required ones.
    // nullopt when the node is not a map at all.
    std::optional<Fields> fields(const YAML::Node& node, const std::string& what, const Keys& allowed,
                                 const Keys& required = {}) {
        visit(node);
        if (!node.IsMap()) {
            error(node, what + " must be a map of keys, not " + shapeOf(node));
            return std::nullopt;
        }
        Fields out;
        std::map<std::string, Pos> seen;
        Keys misspelt;
        for (auto it = node.begin(); it != node.end(); ++it) {
            visit(it->first);
            const YAML::Node& keyNode = it->first;
            if (!keyNode.IsScalar()) {
                error(keyNode, "keys in " + what + " must be plain names");
                continue;
            }
            const std::string key = keyNode.Scalar();
            const Pos keyPos = pos(keyNode);
            if (auto [found, inserted] = seen.emplace(key, keyPos); !inserted) {
                error(keyPos, "duplicate key '" + key + "' in " + what + " (first given at line " +
                                  std::to_string(found->second.line) + ")");
                continue;
            }
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                error(keyPos, "unknown key '" + key + "' in " + what + suggest(key, allowed));
                if (auto close = closestMatch(key, allowed))
                    misspelt.push_back(*close);
                continue;
            }
            if (it->second.IsNull())
                emptyValues_.emplace_back(it->second, keyPos);
            out.add(key, it->second);
        }
        // A required key that was only misspelt has had its message already.
        for (const auto& key : required)
            if (!out.has(key) && std::find(misspelt.begin(), misspelt.end(), key) == misspelt.end())
                error(node, what + " is missing required key '" + key + "'");
        return out;
    }

    std::optional<std::string> string(const YAML::Node& node, const std::string& what) {
        if (!node.IsScalar()) {
            error(node, what + " must be a single value, not " + shapeOf(node));
            return std::nullopt;
        }
        if (!checkClosedQuote(node))
            return std::nullopt;
        return node.Scalar();
    }

    std::optional<std::string> nonEmptyString(const YAML::Node& node, const std::string& what) {
        auto value = string(node, what);
        if (value && value->empty()) {
            error(node, what + " must not be empty");
            return std::nullopt;
        }
        return value;
    }

    std::optional<bool> boolean(const YAML::Node& node, const std::string& what) {
        if (node.IsScalar()) {
            if (node.Scalar() == "true")
                return true;
            if (node.Scalar() == "false")
                return false;
        }
        error(node, what + " must be true or false");
        return std::nullopt;
    }

    std::optional<int> integer(const YAML::Node& node, const std::string& what, int min, int max) {
        if (node.IsScalar()) {
            const std::string& s = node.Scalar();
            int value = 0;
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
            if (ec == std::errc{} && end == s.data() + s.size() && value >= min && value <= max)
                return value;
        }
        error(node, what + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
        return std::nullopt;
    }

    std::optional<Money> amount(const YAML::Node& node, const std::string& what) {
        if (node.IsScalar()) {
            if (auto money = Money::parse(node.Scalar())) {
                if (money->micros >= 0)
                    return money;
                error(node, what + " must not be negative");
                return std::nullopt;
            }
        }
        const std::string got = node.IsScalar() ? "'" + node.Scalar() + "'" : shapeOf(node);
        error(node, what + " must be an amount in USD with at most 6 decimals, such as 2.50, not " + got);
        return std::nullopt;
    }

    template <class E>
    std::optional<E> choice(const YAML::Node& node, const std::string& what,
                            std::optional<E> (*fromString)(std::string_view), const Keys& names) {
        auto text = string(node, what);
        if (!text)
            return std::nullopt;
        if (auto value = fromString(*text))
            return value;
        error(node, "unknown " + what + " '" + *text + "'" + suggest(*text, names));
        return std::nullopt;
    }

    // A single value or a list of values; each keeps its position.
    std::vector<Text> texts(const YAML::Node& node, const std::string& what) {
        std::vector<Text> out;
        if (node.IsScalar()) {
            if (checkClosedQuote(node))
                out.push_back({node.Scalar(), pos(node)});
        } else if (node.IsSequence()) {
            for (const auto& item : node)
                if (visit(item); auto s = nonEmptyString(item, "each " + what))
                    out.push_back({*s, pos(item)});
        } else {
            error(node, what + " must be a value or a list of values, not " + shapeOf(node));
        }
        return out;
    }

    // Items of a top-level list section.
    template <class Fn>
    void list(const Fields& top, const char* key, Section s, Fn readItem) {
        const YAML::Node* node = top.get(key);
        if (!node || node->IsNull())
            return;
        if (!node->IsSequence()) {
            error(*node, std::string("'") + key + "' must be a list, not " + shapeOf(*node));
            return;
        }
        section = s;
        index = 0;
        for (const auto& item : *node) {
            visit(item);
            readItem(item);
            ++index;
        }
        section = Section::Document;
        index = -1;
    }

    std::optional<SensitivitySet> sensitivities(const YAML::Node& node, const std::string& what) {
        if (node.IsScalar())
            return sensitivityExpression(node, what);
        SensitivitySet set;
        if (node.IsSequence()) {
            for (const auto& item : node) {
                if (auto s = choice<Sensitivity>(item, "sensitivity", sensitivityFromString, sensitivityNames()))
                    set.add(*s);
                else
                    return std::nullopt;
            }
        } else {
            error(node, what + " must be a sensitivity or a list of them, not " + shapeOf(node));
            return std::nullopt;
        }
        if (set.empty()) {
            error(node, what + " must name at least one sensitivity");
            return std::nullopt;
        }
        return set;
    }

    // "confidential", ">= confidential", "< restricted": a level, optionally after a comparison.
    std::optional<SensitivitySet> sensitivityExpression(const YAML::Node& node, const std::string& what) {
        const std::string& text = node.Scalar();
        if (auto parsed = sensitivitySetFromString(text))
            return parsed;
        std::string_view rest = text;
        std::string op;
        for (std::string_view candidate : {">=", "<=", ">", "<"})
            if (rest.starts_with(candidate)) {
                op = std::string(candidate) + " ";
                rest.remove_prefix(candidate.size());
                break;
            }
        while (rest.starts_with(' '))
            rest.remove_prefix(1);
        if (sensitivityFromString(rest)) {
            error(node, what + " '" + text + "' matches nothing: public is the lowest level and restricted the highest");
        } else if (auto suggestion = closestMatch(rest, sensitivityNames())) {
            error(node, "unknown sensitivity '" + text + "'; did you mean '" + op + *suggestion + "'?");
        } else {
            error(node, what + " '" + text + "' is not a sensitivity; write public, internal, confidential or "
                               "restricted, optionally after >=, <=, > or <");
        }
        return std::nullopt;
    }

    std::vector<Target> targets(const YAML::Node& node, const std::string& what) {
        std::vector<Target> out;
        for (const auto& t : texts(node, what)) {
            const auto slash = t.value.find('/');
            if (slash == std::string::npos || slash == 0 || slash + 1 == t.value.size()) {
                error(t.pos, "target '" + t.value + "' must be written ENDPOINT/MODEL, such as azure-eu/gpt-4.1");
                continue;
            }
            out.push_back({t.value.substr(0, slash), t.value.substr(slash + 1), t.pos});
        }
        if (out.empty() && node.IsSequence() && node.size() == 0)
            error(node, what + " must list at least one target");
        return out;
    }

private:
    std::string_view source_;
    std::vector<std::pair<YAML::Node, Pos>> emptyValues_;
};

// ---------------------------------------------------------------------------------------------

void readEndpoint(Reader& r, const YAML::Node& node, Document& doc) {
    Endpoint e;
    e.pos = r.pos(node);
    auto f = r.fields(node, "endpoint",
                      {"id", "kind", "base_url", "class", "region", "credential", "api_version", "data_terms", "models"},
                      {"id", "kind", "base_url", "class", "models"});
    if (!f)
        return;
    if (auto n = f->get("id"))
        e.id = r.nonEmptyString(*n, "endpoint id").value_or("");
    const std::string what = e.id.empty() ? std::string("endpoint") : "endpoint '" + e.id + "'";
    if (auto n = f->get("kind"))
        e.kind = r.choice<EndpointKind>(*n, "endpoint kind", endpointKindFromString, endpointKindNames()).value_or(e.kind);
    if (auto n = f->get("base_url"))
        e.baseUrl = {r.nonEmptyString(*n, "base_url of " + what).value_or(""), r.pos(*n)};
    if (auto n = f->get("class"))
        e.cls = r.choice<EndpointClass>(*n, "endpoint class", endpointClassFromString, endpointClassNames()).value_or(e.cls);
    if (auto n = f->get("region"))
        e.region = r.string(*n, "region of " + what).value_or("");
    if (auto n = f->get("credential"))
        if (auto s = r.nonEmptyString(*n, "credential of " + what))
            e.credential = {*s, r.pos(*n)};
    if (auto n = f->get("api_version"))
        e.apiVersion = r.string(*n, "api_version of " + what).value_or("");
    if (auto n = f->get("data_terms")) {
        if (auto terms = r.fields(*n, "data_terms of " + what, {"retention_days", "training_opt_out"})) {
            DataTerms d;
            if (auto v = terms->get("retention_days"))
                d.retentionDays = r.integer(*v, "retention_days of " + what, 0, 3650);
            if (auto v = terms->get("training_opt_out"))
                d.trainingOptOut = r.boolean(*v, "training_opt_out of " + what).value_or(false);
            e.dataTerms = d;
        }
    }
    if (auto n = f->get("models")) {
        if (!n->IsMap()) {
            r.error(*n, "models of " + what + " must be a map of model name to prices, such as "
                                              "{gpt-4.1: {input: 2.00, output: 8.00}}, not " + shapeOf(*n));
        } else {
            std::map<std::string, int> seen;
            for (auto it = n->begin(); it != n->end(); ++it) {
                r.visit(it->first);
                ModelEntry m;
                m.pos = r.pos(it->first);
                m.name = r.nonEmptyString(it->first, "model name").value_or("");
                if (m.name.empty())
                    continue;
                if (auto [found, inserted] = seen.emplace(m.name, m.pos.line); !inserted) {
                    r.error(m.pos, "model '" + m.name + "' is listed twice on " + what + " (first at line " +
                                       std::to_string(found->second) + ")");
                    continue;
                }
                const std::string mwhat = "model '" + m.name + "' on " + what;
                const YAML::Node& value = it->second;
                if (!value.IsNull()) {
                    auto prices = r.fields(value, mwhat, {"input", "output", "cached_input", "cache_write", "deployment"});
                    if (prices) {
                        const YAML::Node* in = prices->get("input");
                        const YAML::Node* out = prices->get("output");
                        if (in && out) {
                            pricing::ModelPrice p;
                            p.input = r.amount(*in, "input price of " + mwhat).value_or(Money());
                            p.output = r.amount(*out, "output price of " + mwhat).value_or(Money());
                            if (auto c = prices->get("cached_input"))
                                p.cachedInput = r.amount(*c, "cached_input price of " + mwhat);
                            if (auto c = prices->get("cache_write"))
                                p.cacheWrite = r.amount(*c, "cache_write price of " + mwhat);
                            m.price = p;
                        } else if (in || out) {
                            r.error(value, mwhat + " has " + (in ? "an input" : "an output") + " price but no " +
                                               (in ? "output" : "input") + " price");
                        }
                        if (auto d = prices->get("deployment"))
                            m.deployment = r.nonEmptyString(*d, "deployment of " + mwhat).value_or("");
                    }
                }
                e.models.push_back(std::move(m));
            }
        }
    }
    doc.endpoints.push_back(std::move(e));
}

void readCredential(Reader& r, const YAML::Node& node, Document& doc) {
    CredentialRef c;
    c.pos = r.pos(node);
    if (node.IsScalar()) {
        c.id = node.Scalar();
    } else if (auto f = r.fields(node, "credential", {"id", "description"}, {"id"})) {
        if (auto n = f->get("id"))
            c.id = r.nonEmptyString(*n, "credential id").value_or("");
        if (auto n = f->get("description"))
            c.description = r.string(*n, "credential description").value_or("");
    } else {
        return;
    }
    doc.credentials.push_back(std::move(c));
}

void readTeam(Reader& r, const YAML::Node& node, Document& doc) {
    Team t;
    t.pos = r.pos(node);
    if (node.IsScalar()) {
        t.id = node.Scalar();
    } else if (auto f = r.fields(node, "team", {"id", "name"}, {"id"})) {
        if (auto n = f->get("id"))
            t.id = r.nonEmptyString(*n, "team id").value_or("");
        if (auto n = f->get("name"))
            t.name = r.string(*n, "team name").value_or("");
    } else {
        return;
    }
    doc.teams.push_back(std::move(t));
}

void readRepository(Reader& r, const YAML::Node& node, Document& doc) {
    RepositoryClass c;
    c.pos = r.pos(node);
    auto f = r.fields(node, "repository entry", {"match", "sensitivity"}, {"match", "sensitivity"});
    if (!f)
        return;
    if (auto n = f->get("match"))
        c.match = r.nonEmptyString(*n, "repository pattern").value_or("");
    if (auto n = f->get("sensitivity"))
        c.sensitivity = r.choice<Sensitivity>(*n, "sensitivity", sensitivityFromString, sensitivityNames()).value_or(c.sensitivity);
    doc.repositories.push_back(std::move(c));
}

void readConstraint(Reader& r, const YAML::Node& node, Document& doc) {
    Constraint c;
    c.pos = r.pos(node);
    auto f = r.fields(node, "constraint", {"id", "sensitivity", "allow_classes", "allow_regions", "require_training_opt_out"},
                      {"sensitivity"});
    if (!f)
        return;
    if (auto n = f->get("id"))
        c.id = r.nonEmptyString(*n, "constraint id").value_or("");
    if (auto n = f->get("sensitivity"))
        c.sensitivity = r.sensitivities(*n, "constraint sensitivity").value_or(SensitivitySet{});
    if (auto n = f->get("allow_classes"))
        for (const auto& t : r.texts(*n, "allowed class")) {
            if (auto cls = endpointClassFromString(t.value)) {
                c.allowClasses.push_back(*cls);
                continue;
            }
            r.error(t.pos, "unknown endpoint class '" + t.value + "'" + suggest(t.value, endpointClassNames()));
        }
    if (auto n = f->get("allow_regions"))
        c.allowRegions = r.texts(*n, "allowed region");
    if (auto n = f->get("require_training_opt_out"))
        c.requireTrainingOptOut = r.boolean(*n, "require_training_opt_out").value_or(false);
    doc.constraints.push_back(std::move(c));
}

void readRule(Reader& r, const YAML::Node& node, Document& doc) {
    Rule rule;
    rule.pos = r.pos(node);
    auto f = r.fields(node, "route", {"id", "description", "when", "route", "deny", "budget"}, {"id"});
    if (!f)
        return;
    if (auto n = f->get("id"))
        rule.id = r.nonEmptyString(*n, "route id").value_or("");
    const std::string what = rule.id.empty() ? std::string("route") : "route '" + rule.id + "'";
    if (auto n = f->get("description"))
        rule.description = r.string(*n, "description of " + what).value_or("");
    if (auto n = f->get("when"); n && !n->IsNull()) {
        if (auto w = r.fields(*n, "'when' of " + what, {"team", "identity", "repo", "branch", "task", "model", "agent", "sensitivity"})) {
            auto read = [&](const char* key, std::vector<Text>& into) {
                if (auto v = w->get(key))
                    into = r.texts(*v, key);
            };
            read("team", rule.when.teams);
            read("identity", rule.when.identities);
            read("repo", rule.when.repos);
            read("branch", rule.when.branches);
            read("task", rule.when.tasks);
            read("model", rule.when.models);
            read("agent", rule.when.agents);
            if (auto v = w->get("sensitivity"))
                rule.when.sensitivity = r.sensitivities(*v, "sensitivity").value_or(SensitivitySet{});
        }
    }
    const YAML::Node* route = f->get("route");
    const YAML::Node* deny = f->get("deny");
    if (route && deny)
        r.error(*deny, what + " has both 'route' and 'deny'; a rule either routes or denies");
    else if (!route && !deny)
        r.error(node, what + " must either 'route' to targets or 'deny' with a reason");
    if (route && !deny)
        rule.route = r.targets(*route, "route of " + what);
    if (deny && !route) {
        auto reason = r.string(*deny, "deny reason of " + what);
        if (reason && reason->empty())
            r.error(*deny, "deny reason of " + what + " must say why, for the caller to read");
        rule.deny = reason.value_or("denied");
    }
    if (auto n = f->get("budget"))
        if (auto s = r.nonEmptyString(*n, "budget of " + what))
            rule.budget = {*s, r.pos(*n)};
    doc.routes.push_back(std::move(rule));
}

void readBudget(Reader& r, const YAML::Node& node, Document& doc) {
    Budget b;
    b.pos = r.pos(node);
    auto f = r.fields(node, "budget",
                      {"id", "scope", "period", "days", "starts", "limit_usd", "alerts", "at_limit", "downgrade_to"},
                      {"id", "scope", "period", "limit_usd"});
    if (!f)
        return;
    if (auto n = f->get("id"))
        b.id = r.nonEmptyString(*n, "budget id").value_or("");
    const std::string what = b.id.empty() ? std::string("budget") : "budget '" + b.id + "'";
    if (auto n = f->get("scope")) {
        b.scope.pos = r.pos(*n);
        if (auto s = r.string(*n, "scope of " + what)) {
            const auto colon = s->find(':');
            const std::string kindText = s->substr(0, colon);
            const auto kind = scopeKindFromString(kindText);
            if (!kind) {
                Keys kinds{"global", "team", "identity", "key", "repo", "task"};
                std::string message = "unknown budget scope '" + *s + "'; write global, or team:, identity:, key:, repo: or task: and a name";
                if (auto suggestion = closestMatch(kindText, kinds))
                    message = "unknown budget scope kind '" + kindText + "'; did you mean '" + *suggestion + "'?";
                r.error(*n, message);
            } else if (*kind == ScopeKind::Global) {
                if (colon != std::string::npos)
                    r.error(*n, "a global budget scope takes no name; write 'global'");
                b.scope.value = {ScopeKind::Global, ""};
            } else if (colon == std::string::npos || colon + 1 == s->size()) {
                r.error(*n, "budget scope '" + *s + "' needs a name after the colon, such as " + kindText + ":NAME");
            } else {
                b.scope.value = {*kind, s->substr(colon + 1)};
            }
        }
    }
    if (auto n = f->get("period"))
        b.period = r.choice<BudgetPeriod>(*n, "budget period", budgetPeriodFromString, {"day", "week", "month", "custom"}).value_or(b.period);
    if (auto n = f->get("days"))
        b.customDays = r.integer(*n, "days of " + what, 1, 366).value_or(0);
    if (auto n = f->get("starts"))
        b.starts = r.string(*n, "starts of " + what).value_or("");
    if (auto n = f->get("limit_usd"))
        b.limit = r.amount(*n, "limit_usd of " + what).value_or(Money());
    if (auto n = f->get("alerts")) {
        if (n->IsSequence()) {
            for (const auto& a : *n)
                if (auto v = r.integer(a, "each alert threshold of " + what + " (a percentage)", 1, 100))
                    b.alerts.push_back(*v);
        } else {
            r.error(*n, "alerts of " + what + " must be a list of percentages, such as [50, 80, 95]");
        }
    }
    if (auto n = f->get("at_limit")) {
        if (auto s = r.string(*n, "at_limit of " + what)) {
            if (*s == "block")
                b.atLimit = AtLimit::Block;
            else if (*s == "downgrade")
                b.atLimit = AtLimit::Downgrade;
            else
                r.error(*n, "at_limit of " + what + " must be 'block' or 'downgrade', not '" + *s + "'");
        }
    }
    if (auto n = f->get("downgrade_to"))
        b.downgradeTo = r.targets(*n, "downgrade_to of " + what);
    doc.budgets.push_back(std::move(b));
}

void readDocument(Reader& r, const YAML::Node& root, Document& doc);

// Validation compares each rule with those before it; this keeps that well under a second.
constexpr std::size_t kMaxRoutes = 10'000;

// The first line up to `lastLine` whose indentation holds a tab.
std::optional<Pos> firstIndentingTab(std::string_view text, int lastLine) {
    int line = 1;
    for (std::size_t start = 0; start < text.size() && line <= lastLine; ++line) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        for (std::size_t i = start; i < end && (text[i] == ' ' || text[i] == '\t'); ++i)
            if (text[i] == '\t')
                return Pos{line, int(i - start) + 1};
        start = end + 1;
    }
    return std::nullopt;
}

// Position of the first byte that is not part of well-formed UTF-8, if any.
std::optional<Pos> firstInvalidUtf8(std::string_view text) {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (length == 0 || c == 0 || i + length > text.size())
            return Pos{line, column};
        for (std::size_t k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80)
                return Pos{line, column};
        if (c == '\n') {
            ++line;
            column = 0;
        }
        ++column;
        i += length;
    }
    return std::nullopt;
}

} // namespace

ParseResult parseYaml(std::string_view text) {
    ParseResult result;
    Reader r(text);
    if (auto bad = firstInvalidUtf8(text)) {
        r.error(*bad, "the policy is not valid UTF-8 text");
        result.diagnostics = std::move(r.diagnostics);
        return result;
    }
    YAML::Node root;
    try {
        std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
        if (documents.size() > 1) {
            r.error(documents[1], "a second YAML document starts here (after '---'); a policy file holds one document");
            result.diagnostics = std::move(r.diagnostics);
            return result;
        }
        if (!documents.empty())
            root = documents.front();
    } catch (const YAML::ParserException& e) {
        // A tab in the indentation is the usual cause, and yaml-cpp rarely says so.
        if (auto tab = firstIndentingTab(text, e.mark.line + 1))
            r.error(*tab, "a tab indents this line; YAML indents with spaces only");
        else
            r.error(positionIn(text, e.mark), "invalid YAML: " + e.msg);
        result.diagnostics = std::move(r.diagnostics);
        return result;
    }
    if (root.IsNull()) {
        r.error(Pos{1, 1}, "the policy is empty; it needs at least 'version', 'endpoints' and 'routes'");
        result.diagnostics = std::move(r.diagnostics);
        return result;
    }
    try {
        readDocument(r, root, result.document);
    } catch (const TooManyItems& e) {
        r.error(e.pos, "the policy expands to more than " + std::to_string(kMaxItems) +
                           " items; YAML aliases that repeat large parts are not accepted");
    } catch (const YAML::Exception& e) {
        r.error(positionIn(text, e.mark), "invalid YAML: " + e.msg);
    }
    if (result.document.routes.size() > kMaxRoutes)
        r.error(Pos{1, 1}, "the policy has " + std::to_string(result.document.routes.size()) + " routes; at most " +
                               std::to_string(kMaxRoutes) + " are accepted");
    result.diagnostics = std::move(r.diagnostics);
    sortByPosition(result.diagnostics);
    return result;
}

namespace {

void readDocument(Reader& r, const YAML::Node& root, Document& doc) {
    auto top = r.fields(root, "the policy",
                        {"version", "unknown_repository", "endpoints", "credentials", "teams", "tasks", "repositories",
                         "constraints", "routes", "budgets"},
                        {"version", "endpoints", "routes"});
    if (!top)
        return;
    if (auto n = top->get("version")) {
        if (auto v = r.integer(*n, "version", 0, 1000000)) {
            if (*v != 1)
                r.error(*n, "unsupported policy version " + std::to_string(*v) + "; this gateway reads version 1");
            doc.version = *v;
        }
    }
    if (auto n = top->get("unknown_repository")) {
        if (auto s = r.string(*n, "unknown_repository")) {
            if (*s == "deny")
                doc.unknownRepository.reset();
            else if (auto level = sensitivityFromString(*s))
                doc.unknownRepository = level;
            else
                r.error(*n, "unknown_repository must be 'deny' or the sensitivity to assume (public, internal, "
                            "confidential, restricted), not '" + *s + "'");
        }
    }
    r.list(*top, "endpoints", Section::Endpoints, [&](const YAML::Node& n) { readEndpoint(r, n, doc); });
    r.list(*top, "credentials", Section::Credentials, [&](const YAML::Node& n) { readCredential(r, n, doc); });
    r.list(*top, "teams", Section::Teams, [&](const YAML::Node& n) { readTeam(r, n, doc); });
    r.list(*top, "tasks", Section::Tasks, [&](const YAML::Node& n) {
        if (auto s = r.nonEmptyString(n, "each task"))
            doc.tasks.push_back({*s, r.pos(n)});
    });
    r.list(*top, "repositories", Section::Repositories, [&](const YAML::Node& n) { readRepository(r, n, doc); });
    r.list(*top, "constraints", Section::Constraints, [&](const YAML::Node& n) { readConstraint(r, n, doc); });
    r.list(*top, "routes", Section::Routes, [&](const YAML::Node& n) { readRule(r, n, doc); });
    r.list(*top, "budgets", Section::Budgets, [&](const YAML::Node& n) { readBudget(r, n, doc); });
}

} // namespace

// ---------------------------------------------------------------------------------------------

namespace {

void emitTexts(YAML::Emitter& out, const std::vector<Text>& values) {
    if (values.size() == 1) {
        out << values.front().value;
        return;
    }
    out << YAML::Flow << YAML::BeginSeq;
    for (const auto& v : values)
        out << v.value;
    out << YAML::EndSeq;
}

void emitTargets(YAML::Emitter& out, const std::vector<Target>& targets) {
    out << YAML::Flow << YAML::BeginSeq;
    for (const auto& t : targets)
        out << t.toString();
    out << YAML::EndSeq;
}

void emitSensitivity(YAML::Emitter& out, SensitivitySet set) {
    const std::string text = toString(set);
    if (text.front() != '[') {
        out << text;
        return;
    }
    out << YAML::Flow << YAML::BeginSeq;
    for (int i = 0; i < kSensitivityCount; ++i)
        if (set.contains(Sensitivity(i)))
            out << toString(Sensitivity(i));
    out << YAML::EndSeq;
}

} // namespace

std::string toYaml(const Document& doc) {
    YAML::Emitter out;
    out.SetIndent(2);
    out << YAML::BeginMap;
    out << YAML::Key << "version" << YAML::Value << doc.version;
    out << YAML::Key << "unknown_repository" << YAML::Value
        << (doc.unknownRepository ? toString(*doc.unknownRepository) : "deny");

    if (!doc.teams.empty()) {
        out << YAML::Key << "teams" << YAML::Value << YAML::BeginSeq;
        for (const auto& t : doc.teams) {
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "id" << YAML::Value << t.id;
            if (!t.name.empty())
                out << YAML::Key << "name" << YAML::Value << t.name;
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    if (!doc.tasks.empty()) {
        out << YAML::Key << "tasks" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const auto& t : doc.tasks)
            out << t.value;
        out << YAML::EndSeq;
    }
    if (!doc.credentials.empty()) {
        out << YAML::Key << "credentials" << YAML::Value << YAML::BeginSeq;
        for (const auto& c : doc.credentials) {
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "id" << YAML::Value << c.id;
            if (!c.description.empty())
                out << YAML::Key << "description" << YAML::Value << c.description;
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }

    out << YAML::Key << "endpoints" << YAML::Value << YAML::BeginSeq;
    for (const auto& e : doc.endpoints) {
        out << YAML::BeginMap;
        out << YAML::Key << "id" << YAML::Value << e.id;
        out << YAML::Key << "kind" << YAML::Value << toString(e.kind);
        out << YAML::Key << "base_url" << YAML::Value << e.baseUrl.value;
        out << YAML::Key << "class" << YAML::Value << toString(e.cls);
        if (!e.region.empty())
            out << YAML::Key << "region" << YAML::Value << e.region;
        if (!e.credential.value.empty())
            out << YAML::Key << "credential" << YAML::Value << e.credential.value;
        if (!e.apiVersion.empty())
            out << YAML::Key << "api_version" << YAML::Value << e.apiVersion;
        if (e.dataTerms) {
            out << YAML::Key << "data_terms" << YAML::Value << YAML::Flow << YAML::BeginMap;
            if (e.dataTerms->retentionDays)
                out << YAML::Key << "retention_days" << YAML::Value << *e.dataTerms->retentionDays;
            out << YAML::Key << "training_opt_out" << YAML::Value << (e.dataTerms->trainingOptOut ? "true" : "false");
            out << YAML::EndMap;
        }
        out << YAML::Key << "models" << YAML::Value << YAML::BeginMap;
        for (const auto& m : e.models) {
            out << YAML::Key << m.name << YAML::Value;
            if (!m.price && m.deployment.empty()) {
                out << YAML::Null;
                continue;
            }
            out << YAML::Flow << YAML::BeginMap;
            if (m.price) {
                out << YAML::Key << "input" << YAML::Value << m.price->input.toString();
                out << YAML::Key << "output" << YAML::Value << m.price->output.toString();
                if (m.price->cachedInput)
                    out << YAML::Key << "cached_input" << YAML::Value << m.price->cachedInput->toString();
                if (m.price->cacheWrite)
                    out << YAML::Key << "cache_write" << YAML::Value << m.price->cacheWrite->toString();
            }
            if (!m.deployment.empty())
                out << YAML::Key << "deployment" << YAML::Value << m.deployment;
            out << YAML::EndMap;
        }
        out << YAML::EndMap;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;

    if (!doc.repositories.empty()) {
        out << YAML::Key << "repositories" << YAML::Value << YAML::BeginSeq;
        for (const auto& c : doc.repositories)
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "match" << YAML::Value << c.match << YAML::Key
                << "sensitivity" << YAML::Value << toString(c.sensitivity) << YAML::EndMap;
        out << YAML::EndSeq;
    }
    if (!doc.constraints.empty()) {
        out << YAML::Key << "constraints" << YAML::Value << YAML::BeginSeq;
        for (const auto& c : doc.constraints) {
            out << YAML::BeginMap;
            if (!c.id.empty())
                out << YAML::Key << "id" << YAML::Value << c.id;
            out << YAML::Key << "sensitivity" << YAML::Value;
            emitSensitivity(out, c.sensitivity);
            if (!c.allowClasses.empty()) {
                out << YAML::Key << "allow_classes" << YAML::Value << YAML::Flow << YAML::BeginSeq;
                for (auto cls : c.allowClasses)
                    out << toString(cls);
                out << YAML::EndSeq;
            }
            if (!c.allowRegions.empty()) {
                out << YAML::Key << "allow_regions" << YAML::Value << YAML::Flow << YAML::BeginSeq;
                for (const auto& region : c.allowRegions)
                    out << region.value;
                out << YAML::EndSeq;
            }
            if (c.requireTrainingOptOut)
                out << YAML::Key << "require_training_opt_out" << YAML::Value << "true";
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }

    out << YAML::Key << "routes" << YAML::Value << YAML::BeginSeq;
    for (const auto& rule : doc.routes) {
        out << YAML::BeginMap;
        out << YAML::Key << "id" << YAML::Value << rule.id;
        if (!rule.description.empty())
            out << YAML::Key << "description" << YAML::Value << rule.description;
        const Match& w = rule.when;
        const std::pair<const char*, const std::vector<Text>*> conditions[] = {
            {"team", &w.teams},     {"identity", &w.identities}, {"repo", &w.repos},   {"branch", &w.branches},
            {"task", &w.tasks},     {"model", &w.models},        {"agent", &w.agents},
        };
        bool any = !w.sensitivity.empty();
        for (const auto& [key, values] : conditions)
            any = any || !values->empty();
        if (any) {
            out << YAML::Key << "when" << YAML::Value << YAML::Flow << YAML::BeginMap;
            for (const auto& [key, values] : conditions) {
                if (values->empty())
                    continue;
                out << YAML::Key << key << YAML::Value;
                emitTexts(out, *values);
            }
            if (!w.sensitivity.empty()) {
                out << YAML::Key << "sensitivity" << YAML::Value;
                emitSensitivity(out, w.sensitivity);
            }
            out << YAML::EndMap;
        }
        if (rule.deny) {
            out << YAML::Key << "deny" << YAML::Value << *rule.deny;
        } else {
            out << YAML::Key << "route" << YAML::Value;
            emitTargets(out, rule.route);
        }
        if (!rule.budget.value.empty())
            out << YAML::Key << "budget" << YAML::Value << rule.budget.value;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;

    if (!doc.budgets.empty()) {
        out << YAML::Key << "budgets" << YAML::Value << YAML::BeginSeq;
        for (const auto& b : doc.budgets) {
            out << YAML::BeginMap;
            out << YAML::Key << "id" << YAML::Value << b.id;
            out << YAML::Key << "scope" << YAML::Value << toString(b.scope.value);
            out << YAML::Key << "period" << YAML::Value << toString(b.period);
            if (b.customDays)
                out << YAML::Key << "days" << YAML::Value << b.customDays;
            if (!b.starts.empty())
                out << YAML::Key << "starts" << YAML::Value << b.starts;
            out << YAML::Key << "limit_usd" << YAML::Value << b.limit.toString();
            if (!b.alerts.empty()) {
                out << YAML::Key << "alerts" << YAML::Value << YAML::Flow << YAML::BeginSeq;
                for (int a : b.alerts)
                    out << a;
                out << YAML::EndSeq;
            }
            out << YAML::Key << "at_limit" << YAML::Value << (b.atLimit == AtLimit::Block ? "block" : "downgrade");
            if (!b.downgradeTo.empty()) {
                out << YAML::Key << "downgrade_to" << YAML::Value;
                emitTargets(out, b.downgradeTo);
            }
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

std::optional<std::string> canonicalYaml(std::string_view text) {
    ParseResult parsed = parseYaml(text);
    if (hasErrors(parsed.diagnostics))
        return std::nullopt;
    return toYaml(parsed.document);
}

} // namespace gh::policy
