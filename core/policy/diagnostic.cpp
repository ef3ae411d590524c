#include "policy/diagnostic.h"

#include <algorithm>

namespace gh::policy {

const char* toString(Section section) {
    switch (section) {
    case Section::Document: return "document";
    case Section::Endpoints: return "endpoints";
    case Section::Credentials: return "credentials";
    case Section::Teams: return "teams";
    case Section::Tasks: return "tasks";
    case Section::Repositories: return "repositories";
    case Section::Constraints: return "constraints";
    case Section::Routes: return "routes";
    case Section::Budgets: return "budgets";
    }
    return "document";
}

std::string format(const Diagnostic& d, std::string_view file) {
    std::string out(file);
    if (d.pos.line > 0) {
        out += ':' + std::to_string(d.pos.line);
        if (d.pos.column > 0)
            out += ':' + std::to_string(d.pos.column);
    }
    out += d.severity == Severity::Error ? ": error: " : ": warning: ";
    out += d.message;
    return out;
}

bool hasErrors(const std::vector<Diagnostic>& diagnostics) {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

void sortByPosition(std::vector<Diagnostic>& diagnostics) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::pair(a.pos.line, a.pos.column) < std::pair(b.pos.line, b.pos.column);
    });
}

} // namespace gh::policy
