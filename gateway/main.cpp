// gatehoused: the Gatehouse gateway.
#include "check_policy.h"

#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: gatehoused COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  check-policy FILE   validate a route policy file; exit 0 when valid, 1 when not\n"
    "  help                show this text\n";

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
        (args.empty() ? std::cerr : std::cout) << kUsage;
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "check-policy") {
        if (args.size() != 2) {
            std::cerr << "usage: gatehoused check-policy FILE\n";
            return 2;
        }
        return gh::gateway::checkPolicy(args[1], std::cout, std::cerr);
    }
    std::cerr << "gatehoused: unknown command '" << args[0] << "'\n\n" << kUsage;
    return 2;
}
