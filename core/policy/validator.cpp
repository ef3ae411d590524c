#include "policy/validator.h"

#include "policy/semantics.h"
#include "policy/yaml_codec.h"
#include "util/glob.h"
#include "util/text.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <set>

namespace gh::policy {
namespace {

class Validator {
public:
    Validator(const Document& doc, const ValidationOptions& options) : doc_(doc), options_(options) {}

    std::vector<Diagnostic> run() {
        checkUniqueIds();
        checkTasks();
        checkEndpoints();
        checkRepositories();
        checkConstraints();
        checkRoutes();
        checkBudgets();
        checkUnused();
        sortByPosition(out_);
        return std::move(out_);
    }

private:
    const Document& doc_;
    ValidationOptions options_;
    std::vector<Diagnostic> out_;
    Section section_ = Section::Document;
    int index_ = -1;
    std::set<std::string> usedEndpoints_;

    void at(Section s, int i) {
        section_ = s;
        index_ = i;
    }
    void error(Pos pos, std::string message) { out_.push_back({Severity::Error, pos, std::move(message), section_, index_}); }
    void warning(Pos pos, std::string message) { out_.push_back({Severity::Warning, pos, std::move(message), section_, index_}); }

    template <class Items, class IdOf>
    void unique(const Items& items, Section s, const char* what, IdOf idOf) {
        std::map<std::string, Pos> seen;
        for (std::size_t i = 0; i < items.size(); ++i) {
            at(s, int(i));
            const auto& [id, pos] = idOf(items[i]);
            if (id.empty()) {
                error(pos, std::string(what) + " #" + std::to_string(i + 1) + " has no id");
                continue;
            }
            checkIdCharacters(id, pos, what);
            auto [found, inserted] = seen.emplace(id, pos);
            if (!inserted)
                error(pos, std::string("duplicate ") + what + (std::string_view(what) == "task" ? " '" : " id '") + id +
                               "' (first defined at line " + std::to_string(found->second.line) + ")");
        }
    }

    void checkUniqueIds() {
        unique(doc_.endpoints, Section::Endpoints, "endpoint", [](const Endpoint& e) { return std::pair(e.id, e.pos); });
        unique(doc_.credentials, Section::Credentials, "credential", [](const CredentialRef& c) { return std::pair(c.id, c.pos); });
        unique(doc_.teams, Section::Teams, "team", [](const Team& t) { return std::pair(t.id, t.pos); });
        unique(doc_.tasks, Section::Tasks, "task", [](const Text& t) { return std::pair(t.value, t.pos); });
        unique(doc_.routes, Section::Routes, "route", [](const Rule& r) { return std::pair(r.id, r.pos); });
        unique(doc_.budgets, Section::Budgets, "budget", [](const Budget& b) { return std::pair(b.id, b.pos); });
        std::map<std::string, Pos> seen;
        for (std::size_t i = 0; i < doc_.constraints.size(); ++i) {
            const auto& c = doc_.constraints[i];
            at(Section::Constraints, int(i));
            if (c.id.empty())
                continue;
            if (auto [found, inserted] = seen.emplace(c.id, c.pos); !inserted)
                error(c.pos, "duplicate constraint id '" + c.id + "' (first defined at line " +
                                 std::to_string(found->second.line) + ")");
        }
    }

    void checkTasks() {
        for (std::size_t i = 0; i < doc_.tasks.size(); ++i) {
            at(Section::Tasks, int(i));
            if (doc_.tasks[i].value == "none")
                error(doc_.tasks[i].pos, "task name 'none' is reserved for requests that name no task");
        }
    }

    std::vector<std::string> ids(const auto& items, auto idOf) const {
        std::vector<std::string> out;
        for (const auto& item : items)
            out.push_back(idOf(item));
        return out;
    }
    std::vector<std::string> endpointIds() const { return ids(doc_.endpoints, [](const Endpoint& e) { return e.id; }); }
    std::vector<std::string> teamIds() const { return ids(doc_.teams, [](const Team& t) { return t.id; }); }
    std::vector<std::string> taskNames() const { return ids(doc_.tasks, [](const Text& t) { return t.value; }); }

    void checkEndpoints() {
        const auto credentialIds = ids(doc_.credentials, [](const CredentialRef& c) { return c.id; });
        for (std::size_t i = 0; i < doc_.endpoints.size(); ++i) {
            const Endpoint& e = doc_.endpoints[i];
            at(Section::Endpoints, int(i));
            const std::string what = "endpoint '" + e.id + "'";
            const std::string& url = e.baseUrl.value;
            const bool https = url.starts_with("https://");
            if (!https && !url.starts_with("http://")) {
                error(e.baseUrl.pos, "base_url of " + what + " must start with https:// or http://, not '" + url + "'");
            } else if (hasUserInfo(url)) {
                error(e.baseUrl.pos, "base_url of " + what + " carries credentials (user:password@); a policy is read "
                                     "by every role, so secrets go in a sealed credential named by 'credential'");
            } else if (hostOf(url).empty()) {
                error(e.baseUrl.pos, "base_url of " + what + " names no host: '" + url + "'");
            } else if (!options_.allowLinkLocalEndpoints && isLinkLocalOrMetadataHost(hostOf(url))) {
                error(e.baseUrl.pos, "base_url of " + what + " names a link-local or cloud metadata address ('" +
                                         std::string(hostOf(url)) + "'); such endpoints are refused unless "
                                         "gatehoused.yaml sets allow_link_local_endpoints: true");
            } else if (!https && e.cls != EndpointClass::Local && !isLoopbackHost(hostOf(url))) {
                warning(e.baseUrl.pos, what + " is " + toString(e.cls) + " but its base_url is plain http://: prompts and "
                               "the provider key would cross the network unencrypted");
            }
            if (!e.credential.value.empty() &&
                std::find(credentialIds.begin(), credentialIds.end(), e.credential.value) == credentialIds.end())
                error(e.credential.pos, what + " uses unknown credential '" + e.credential.value + "'" +
                                            suggest(e.credential.value, credentialIds) +
                                            (credentialIds.empty() ? "; declare it under 'credentials'" : ""));
            if (e.credential.value.empty() && e.cls != EndpointClass::Local)
                warning(e.pos, what + " is " + toString(e.cls) + " but has no credential; requests will reach it unauthenticated");
            if (e.kind == EndpointKind::AzureOpenAI && e.apiVersion.empty())
                error(e.pos, what + " is azure-openai and needs an api_version, such as 2024-10-21");
            if (e.models.empty())
                error(e.pos, what + " serves no models; list them under 'models' with their prices");
            for (const auto& m : e.models) {
                if (!m.price) {
                    error(m.pos, "model '" + m.name + "' on " + what +
                                     " has no price; give input and output in USD per million tokens (0 for free)");
                    continue;
                }
                if (e.cls != EndpointClass::Local && m.price->input.micros == 0 && m.price->output.micros == 0)
                    warning(m.pos, "model '" + m.name + "' on " + toString(e.cls) + " " + what +
                                       " is priced at 0; its spend will be recorded as $0");
            }
        }
    }

    // "a", "a and b", "a, b and c"
    static std::string listed(std::vector<std::string> items) {
        if (items.size() < 2)
            return join(items);
        const std::string last = items.back();
        items.pop_back();
        return join(items) + " and " + last;
    }

    static bool hasUserInfo(std::string_view url) {
        url.remove_prefix(url.find("://") + 3);
        url = url.substr(0, url.find_first_of("/?#"));
        return url.find('@') != std::string_view::npos;
    }

    // The host of an http(s) URL: "[::1]", "127.0.0.1", "api.openai.com".
    static std::string hostOf(std::string_view url) {
        url.remove_prefix(url.find("://") + 3);
        url = url.substr(0, url.find_first_of("/?#"));
        if (const auto at = url.rfind('@'); at != std::string_view::npos)
            url.remove_prefix(at + 1);
        if (url.starts_with('['))
            return std::string(url.substr(0, url.find(']') + 1));
        return toLower(url.substr(0, url.find(':')));
    }

    static bool isLoopbackHost(const std::string& host) {
        if (host == "localhost" || host == "[::1]")
            return true;
        // 127.0.0.0/8, written as a dotted address (not a name that merely starts with "127.").
        int dots = 0;
        for (char c : host) {
            if (c == '.')
                ++dots;
            else if (c < '0' || c > '9')
                return false;
        }
        return dots == 3 && host.starts_with("127.");
    }

    // Ids are written in targets (ENDPOINT/MODEL), scopes (team:ID) and URLs of the admin API.
    void checkIdCharacters(const std::string& id, Pos pos, const char* what) {
        const bool ok = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
        if (!ok && !id.empty())
            error(pos, std::string(what) + " id '" + id + "' may only use letters, digits, '-', '_' and '.'");
    }

    void checkRepositories() {
        for (std::size_t i = 0; i < doc_.repositories.size(); ++i) {
            at(Section::Repositories, int(i));
            const auto& entry = doc_.repositories[i];
            const std::string pattern = toLower(entry.match);
            for (std::size_t j = 0; j < i; ++j) {
                const auto& earlier = doc_.repositories[j];
                if (toLower(earlier.match) == pattern) {
                    error(entry.pos, "repository pattern '" + entry.match + "' is listed twice (first at line " +
                                         std::to_string(earlier.pos.line) + ", as " + toString(earlier.sensitivity) + ")");
                    break;
                }
                if (globCovers(toLower(earlier.match), pattern)) {
                    error(entry.pos, "repository pattern '" + entry.match + "' never applies: the earlier pattern '" +
                                         earlier.match + "' (line " + std::to_string(earlier.pos.line) +
                                         ") already classifies every repository it matches, as " +
                                         toString(earlier.sensitivity) + "; put the narrower pattern first");
                    break;
                }
            }
        }
    }

    void checkConstraints() {
        for (std::size_t i = 0; i < doc_.constraints.size(); ++i) {
            at(Section::Constraints, int(i));
            const auto& c = doc_.constraints[i];
            if (c.sensitivity.empty())
                error(c.pos, constraintName(doc_, c) + " names no sensitivity");
            if (c.allowClasses.empty() && c.allowRegions.empty() && !c.requireTrainingOptOut)
                warning(c.pos, constraintName(doc_, c) +
                                   " restricts nothing; give allow_classes, allow_regions or require_training_opt_out");
        }
    }

    // A target must name an endpoint and a model it serves; constraints must allow it for
    // every sensitivity that can reach it.
    void checkTargets(const std::vector<Target>& targets, const std::string& what, SensitivitySet reachable) {
        std::set<std::string> seen;
        for (const auto& t : targets) {
            const Endpoint* e = doc_.findEndpoint(t.endpoint);
            if (!e) {
                error(t.pos, what + " targets unknown endpoint '" + t.endpoint + "'" + suggest(t.endpoint, endpointIds()));
                continue;
            }
            usedEndpoints_.insert(e->id);
            if (!seen.insert(t.toString()).second)
                warning(t.pos, what + " lists target '" + t.toString() + "' twice");
            if (t.model != "*" && !e->findModel(t.model)) {
                std::vector<std::string> served;
                for (const auto& m : e->models)
                    served.push_back(m.name);
                error(t.pos, what + " targets model '" + t.model + "', which endpoint '" + e->id + "' does not serve" +
                                 suggest(t.model, served));
                continue;
            }
            std::vector<std::string> forbidden;
            const Constraint* by = nullptr;
            for (int s = 0; s < kSensitivityCount; ++s) {
                if (!reachable.contains(Sensitivity(s)))
                    continue;
                if (const Constraint* c = forbiddingConstraint(doc_, Sensitivity(s), *e)) {
                    forbidden.emplace_back(toString(Sensitivity(s)));
                    by = by ? by : c;
                }
            }
            if (by)
                error(t.pos, what + " can send " + listed(forbidden) + " repositories to " + toString(e->cls) +
                                 " endpoint '" + e->id + "', which " + constraintName(doc_, *by) + " forbids (" +
                                 forbiddingReason(*by, *e) + ")");
        }
    }

    void checkNames(const std::vector<Text>& values, const std::vector<std::string>& known, const std::string& kind,
                    const std::string& what, const char* section) {
        for (const auto& v : values) {
            if (kind == "task" && v.value == "none")
                continue;
            if (std::find(known.begin(), known.end(), v.value) == known.end())
                error(v.pos, what + " names unknown " + kind + " '" + v.value + "'" + suggest(v.value, known) +
                                 (known.empty() ? std::string("; declare it under '") + section + "'" : ""));
        }
    }

    // The sensitivities rule `i` can still see: those it can match, less those that earlier
    // rules take entirely (a rule after "restricted: local only" never sees restricted code).
    SensitivitySet sensitivitiesLeftFor(std::size_t i) const {
        const Rule& rule = doc_.routes[i];
        SensitivitySet out = reachableSensitivities(doc_, rule.when);
        for (int s = 0; s < kSensitivityCount; ++s) {
            if (!out.contains(Sensitivity(s)))
                continue;
            Match only = rule.when;
            only.sensitivity = SensitivitySet::of(Sensitivity(s));
            for (std::size_t j = 0; j < i; ++j)
                if (matchCovers(takesAll(doc_.routes[j].when, Sensitivity(s)), only)) {
                    out.bits &= std::uint8_t(~SensitivitySet::of(Sensitivity(s)).bits);
                    break;
                }
        }
        return out;
    }

    // An earlier rule's condition as it applies to requests of sensitivity `s`: when its
    // repository patterns match every repository the catalog classifies as `s`, the repository
    // condition holds for all of them and can be dropped ("repo: acme/payments-*" takes every
    // restricted request when that is the only restricted pattern).
    Match takesAll(const Match& earlier, Sensitivity s) const {
        if (earlier.repos.empty() || doc_.unknownRepository == s)
            return earlier;
        for (const auto& entry : doc_.repositories) {
            if (entry.sensitivity != s)
                continue;
            const bool covered = std::any_of(earlier.repos.begin(), earlier.repos.end(), [&](const Text& p) {
                return globCovers(toLower(p.value), toLower(entry.match));
            });
            if (!covered)
                return earlier;
        }
        Match out = earlier;
        out.repos.clear();
        if (out.sensitivity.empty())
            out.sensitivity = SensitivitySet::of(s);
        return out;
    }

    void checkRoutes() {
        const auto teams = teamIds();
        const auto tasks = taskNames();
        const auto budgets = ids(doc_.budgets, [](const Budget& b) { return b.id; });
        for (std::size_t i = 0; i < doc_.routes.size(); ++i) {
            at(Section::Routes, int(i));
            const Rule& rule = doc_.routes[i];
            const std::string what = "route '" + rule.id + "'";
            if (!doc_.teams.empty())
                checkNames(rule.when.teams, teams, "team", what, "teams");
            checkNames(rule.when.tasks, tasks, "task", what, "tasks");
            if (rule.deny && !rule.route.empty())
                error(rule.pos, what + " both routes and denies; a rule does one or the other");
            if (!rule.deny && rule.route.empty())
                error(rule.pos, what + " has no targets; route to at least one ENDPOINT/MODEL or deny with a reason");
            const SensitivitySet reachable = reachableSensitivities(doc_, rule.when);
            const SensitivitySet remaining = sensitivitiesLeftFor(i);
            if (reachable.empty()) {
                Match anySensitivity = rule.when;
                anySensitivity.sensitivity = {};
                if (!rule.when.sensitivity.empty() && !reachableSensitivities(doc_, anySensitivity).empty())
                    error(rule.pos, what + " can never match: no repository it can see is " + toString(rule.when.sensitivity) +
                                        " (they are " + toString(reachableSensitivities(doc_, anySensitivity)) + ")");
                else
                    error(rule.pos, what + " can never match: no repository it names is in the repository catalog, and "
                                           "unknown repositories are denied");
            }
            checkTargets(rule.route, what, remaining);
            if (!rule.budget.value.empty() && std::find(budgets.begin(), budgets.end(), rule.budget.value) == budgets.end())
                error(rule.budget.pos, what + " charges unknown budget '" + rule.budget.value + "'" +
                                           suggest(rule.budget.value, budgets));
            for (std::size_t j = 0; j < i; ++j) {
                const Rule& earlier = doc_.routes[j];
                if (matchCovers(earlier.when, rule.when)) {
                    error(rule.pos, what + " is unreachable: the earlier route '" + earlier.id + "' (line " +
                                        std::to_string(earlier.pos.line) +
                                        ") matches every request it matches; move it above or narrow the earlier route");
                    break;
                }
            }
        }
    }

    static bool isDate(const std::string& s) {
        if (s.size() != 10 || s[4] != '-' || s[7] != '-')
            return false;
        for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
            if (s[i] < '0' || s[i] > '9')
                return false;
        const int year = std::stoi(s.substr(0, 4));
        const unsigned month = unsigned(std::stoi(s.substr(5, 2)));
        const unsigned day = unsigned(std::stoi(s.substr(8, 2)));
        return std::chrono::year_month_day{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}}.ok();
    }

    void checkBudgets() {
        const auto teams = teamIds();
        const auto tasks = taskNames();
        for (std::size_t i = 0; i < doc_.budgets.size(); ++i) {
            at(Section::Budgets, int(i));
            const Budget& b = doc_.budgets[i];
            const std::string what = "budget '" + b.id + "'";
            const auto& scope = b.scope.value;
            if (scope.kind == ScopeKind::Team && !doc_.teams.empty())
                checkNames({Text{scope.value, b.scope.pos}}, teams, "team", what, "teams");
            if (scope.kind == ScopeKind::Task)
                checkNames({Text{scope.value, b.scope.pos}}, tasks, "task", what, "tasks");
            if (b.limit.micros <= 0)
                error(b.pos, what + " has no limit; limit_usd must be more than 0");
            if (b.period == BudgetPeriod::Custom) {
                if (b.customDays <= 0)
                    error(b.pos, what + " has a custom period and needs 'days', its length");
                if (b.starts.empty())
                    error(b.pos, what + " has a custom period and needs 'starts', its first day as YYYY-MM-DD");
                else if (!isDate(b.starts))
                    error(b.pos, "starts of " + what + " must be a calendar date as YYYY-MM-DD, not '" + b.starts + "'");
            } else if (b.customDays > 0 || !b.starts.empty()) {
                error(b.pos, what + " sets 'days' or 'starts', which only a custom period takes");
            }
            for (std::size_t a = 1; a < b.alerts.size(); ++a)
                if (b.alerts[a] <= b.alerts[a - 1]) {
                    error(b.pos, what + " alert thresholds must rise, each once, such as [50, 80, 95]");
                    break;
                }
            if (b.atLimit == AtLimit::Downgrade && b.downgradeTo.empty())
                error(b.pos, what + " downgrades at its limit but names no 'downgrade_to' targets");
            if (b.atLimit == AtLimit::Block && !b.downgradeTo.empty())
                error(b.pos, what + " blocks at its limit, so its 'downgrade_to' would never be used; set at_limit: downgrade");
            checkTargets(b.downgradeTo, what + " downgrade", SensitivitySet{});
            checkDowngradeReach(b, what);
        }
    }

    // At the limit a request is re-routed to the first downgrade target its sensitivity may
    // reach (the evaluator applies the constraints); when none may, it is blocked instead.
    void checkDowngradeReach(const Budget& b, const std::string& what) {
        if (b.downgradeTo.empty())
            return;
        const SensitivitySet reachable =
            sensitivitiesOfRepositories(doc_, b.scope.value.kind == ScopeKind::Repo ? toLower(b.scope.value.value) : "*");
        std::vector<std::string> blocked;
        for (int s = 0; s < kSensitivityCount; ++s) {
            if (!reachable.contains(Sensitivity(s)))
                continue;
            const bool any = std::any_of(b.downgradeTo.begin(), b.downgradeTo.end(), [&](const Target& t) {
                const Endpoint* e = doc_.findEndpoint(t.endpoint);
                return e && !forbiddingConstraint(doc_, Sensitivity(s), *e);
            });
            if (!any)
                blocked.emplace_back(toString(Sensitivity(s)));
        }
        if (!blocked.empty())
            warning(b.downgradeTo.front().pos, what + " has no downgrade target the constraints allow for " +
                                                   listed(blocked) + " repositories; those requests will be blocked at the limit");
    }

    void checkUnused() {
        for (std::size_t i = 0; i < doc_.endpoints.size(); ++i) {
            at(Section::Endpoints, int(i));
            const Endpoint& e = doc_.endpoints[i];
            if (!e.id.empty() && !usedEndpoints_.contains(e.id))
                warning(e.pos, "endpoint '" + e.id + "' is not used by any route or budget");
        }
        std::set<std::string> usedCredentials;
        for (const auto& e : doc_.endpoints)
            usedCredentials.insert(e.credential.value);
        for (std::size_t i = 0; i < doc_.credentials.size(); ++i) {
            at(Section::Credentials, int(i));
            const auto& c = doc_.credentials[i];
            if (!c.id.empty() && !usedCredentials.contains(c.id))
                warning(c.pos, "credential '" + c.id + "' is not used by any endpoint");
        }
    }
};

} // namespace

std::vector<Diagnostic> validate(const Document& doc, const ValidationOptions& options) {
    return Validator(doc, options).run();
}

bool isLinkLocalOrMetadataHost(std::string_view host) {
    std::string h = toLower(host);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']')
        h = h.substr(1, h.size() - 2);
    while (!h.empty() && h.back() == '.')
        h.pop_back(); // "metadata.google.internal." is the same name
    if (h == "metadata.google.internal" || h == "metadata" || h == "metadata.azure.internal" || h == "instance-data" ||
        h == "instance-data.ec2.internal")
        return true;
    if (h.starts_with("::ffff:"))
        h = h.substr(7); // IPv4-mapped IPv6
    if (h.starts_with("169.254."))
        return true;
    // fe80::/10: fe8x, fe9x, feax, febx
    if (h.size() >= 4 && h.starts_with("fe") && (h[2] == '8' || h[2] == '9' || h[2] == 'a' || h[2] == 'b') &&
        (h.size() == 4 || h[3] == ':' || std::isxdigit(static_cast<unsigned char>(h[3]))))
        return h.find(':') != std::string::npos;
    return h == "fd00:ec2::254"; // AWS's IPv6 metadata address
}

LoadResult loadPolicy(std::string_view yamlText, const ValidationOptions& options) {
    ParseResult parsed = parseYaml(yamlText);
    LoadResult result;
    result.diagnostics = std::move(parsed.diagnostics);
    // Meaning is checked only on a well-formed document: a half-read one would only add noise.
    if (hasErrors(result.diagnostics))
        return result;
    auto semantic = validate(parsed.document, options);
    const bool ok = !hasErrors(semantic);
    result.diagnostics.insert(result.diagnostics.end(), semantic.begin(), semantic.end());
    if (ok)
        result.document = std::move(parsed.document);
    return result;
}

} // namespace gh::policy
