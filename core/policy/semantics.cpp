#include "policy/semantics.h"

#include "util/glob.h"
#include "util/text.h"

#include <algorithm>

namespace gh::policy {

const Constraint* forbiddingConstraint(const Document& doc, Sensitivity s, const Endpoint& endpoint) {
    for (const auto& c : doc.constraints) {
        if (!c.sensitivity.contains(s))
            continue;
        if (!forbiddingReason(c, endpoint).empty())
            return &c;
    }
    return nullptr;
}

std::string forbiddingReason(const Constraint& c, const Endpoint& endpoint) {
    if (!c.allowClasses.empty() &&
        std::find(c.allowClasses.begin(), c.allowClasses.end(), endpoint.cls) == c.allowClasses.end()) {
        std::vector<std::string> names;
        for (auto cls : c.allowClasses)
            names.emplace_back(toString(cls));
        return "allowed classes are " + join(names);
    }
    if (!c.allowRegions.empty() &&
        std::none_of(c.allowRegions.begin(), c.allowRegions.end(), [&](const Text& r) { return r.value == endpoint.region; })) {
        std::vector<std::string> names;
        for (const auto& r : c.allowRegions)
            names.push_back(r.value);
        return "allowed regions are " + join(names);
    }
    // A local endpoint trains on nothing: the opt-out matters only for providers.
    if (c.requireTrainingOptOut && endpoint.cls != EndpointClass::Local &&
        !(endpoint.dataTerms && endpoint.dataTerms->trainingOptOut))
        return "it requires a training opt-out in the endpoint's data_terms";
    return {};
}

std::string constraintName(const Document& doc, const Constraint& c) {
    if (!c.id.empty())
        return "constraint '" + c.id + "'";
    return "constraint #" + std::to_string(&c - doc.constraints.data() + 1);
}

SensitivitySet sensitivitiesOfRepositories(const Document& doc, std::string_view repoGlob) {
    SensitivitySet out;
    for (const auto& entry : doc.repositories) {
        const std::string pattern = toLower(entry.match);
        if (globIntersects(pattern, repoGlob))
            out.add(entry.sensitivity);
        if (globCovers(pattern, repoGlob))
            return out; // first match wins: no later entry classifies any of these repositories
    }
    if (doc.unknownRepository)
        out.add(*doc.unknownRepository);
    return out;
}

SensitivitySet reachableSensitivities(const Document& doc, const Match& when) {
    SensitivitySet out;
    if (when.repos.empty()) {
        out = sensitivitiesOfRepositories(doc, "*");
    } else {
        for (const auto& repo : when.repos)
            out.bits |= sensitivitiesOfRepositories(doc, toLower(repo.value)).bits;
    }
    if (!when.sensitivity.empty())
        out.bits &= when.sensitivity.bits;
    return out;
}

namespace {

// Each value of `b` is matched by some value of `a`; an empty list matches anything.
bool listCovers(const std::vector<Text>& a, const std::vector<Text>& b, bool glob, bool caseInsensitive = false) {
    if (a.empty())
        return true;
    if (b.empty())
        return false;
    return std::all_of(b.begin(), b.end(), [&](const Text& bv) {
        return std::any_of(a.begin(), a.end(), [&](const Text& av) {
            if (!glob)
                return av.value == bv.value;
            if (caseInsensitive)
                return globCovers(toLower(av.value), toLower(bv.value));
            return globCovers(av.value, bv.value);
        });
    });
}

} // namespace

bool matchCovers(const Match& a, const Match& b) {
    if (!a.sensitivity.empty() && (b.sensitivity.empty() || !a.sensitivity.covers(b.sensitivity)))
        return false;
    return listCovers(a.teams, b.teams, false) && listCovers(a.tasks, b.tasks, false) &&
           listCovers(a.identities, b.identities, true) && listCovers(a.repos, b.repos, true, true) &&
           listCovers(a.branches, b.branches, true) && listCovers(a.models, b.models, true) &&
           listCovers(a.agents, b.agents, true);
}

} // namespace gh::policy
