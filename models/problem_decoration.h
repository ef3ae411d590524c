#pragma once
// How problems look in every model: one icon per severity, one tooltip format, one worst-level
// ranking, so the rule list, the catalog, the targets and the problem list agree.
#include "policy/diagnostic.h"

#include <QIcon>
#include <QString>

#include <vector>

namespace gh::console {

// 0: no problem, 1: warnings only, 2: at least one error. Sorts worst last.
enum class ProblemLevel : int { None = 0, Warning = 1, Error = 2 };

ProblemLevel worstLevel(const std::vector<policy::Diagnostic>& diagnostics);
QIcon problemIcon(ProblemLevel level); // null icon for None
QIcon problemIcon(policy::Severity severity);
// "error: route 'x' has no targets; ..." one line each; empty when there are none.
QString problemToolTip(const std::vector<policy::Diagnostic>& diagnostics);
QString severityText(policy::Severity severity); // "error" / "warning", translated

} // namespace gh::console
