#include "check_policy.h"

#include "policy/validator.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sstream>

namespace gh::gateway {

int checkPolicy(const std::string& path, std::ostream& out, std::ostream& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err << path << ": error: cannot read the policy file: " << std::strerror(errno) << "\n";
        return 1;
    }
    std::ostringstream text;
    text << in.rdbuf();
    const auto result = policy::loadPolicy(text.str());
    int errors = 0, warnings = 0;
    for (const auto& d : result.diagnostics) {
        err << policy::format(d, path) << "\n";
        (d.severity == policy::Severity::Error ? errors : warnings)++;
    }
    if (!result.ok()) {
        err << path << ": " << errors << (errors == 1 ? " error" : " errors") << ", " << warnings
            << (warnings == 1 ? " warning" : " warnings") << "; the policy is not valid\n";
        return 1;
    }
    const auto& doc = *result.document;
    out << path << ": valid: " << doc.endpoints.size() << " endpoints, " << doc.repositories.size()
        << " repository patterns, " << doc.constraints.size() << " constraints, " << doc.routes.size() << " routes, "
        << doc.budgets.size() << " budgets";
    if (warnings)
        out << "; " << warnings << (warnings == 1 ? " warning" : " warnings");
    out << "\n";
    return 0;
}

} // namespace gh::gateway
