#pragma once
// Meanings that both the validator and the evaluator need, defined once.
#include "policy/document.h"

#include <optional>
#include <string>
#include <string_view>

namespace gh::policy {

// The first constraint that forbids requests of sensitivity `s` from reaching `endpoint`.
const Constraint* forbiddingConstraint(const Document& doc, Sensitivity s, const Endpoint& endpoint);
// Why that constraint forbids it: "allowed classes are enterprise, local".
std::string forbiddingReason(const Constraint& c, const Endpoint& endpoint);
// "constraint 'conf-inside'" or "constraint #2" for unnamed ones.
std::string constraintName(const Document& doc, const Constraint& c);

// Every sensitivity a request matching `when` can have, given the repository catalog.
SensitivitySet reachableSensitivities(const Document& doc, const Match& when);
// Every sensitivity of repositories matching `repoGlob` (lower-cased).
SensitivitySet sensitivitiesOfRepositories(const Document& doc, std::string_view repoGlob);

// Does rule condition `a` match every request that `b` matches? Sound: true only when certain.
bool matchCovers(const Match& a, const Match& b);

} // namespace gh::policy
