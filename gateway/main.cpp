// gatehoused: the Gatehouse gateway.
#include "audit_command.h"
#include "check_policy.h"
#include "commands.h"

#include <sys/stat.h>

#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: gatehoused COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  init DIR                      create a workspace: config, example policy, master key, admin token,\n"
    "                                databases\n"
    "  serve DIR                     run the gateway from a workspace (SIGTERM drains and exits,\n"
    "                                SIGHUP reloads the policy)\n"
    "  key issue DIR --identity NAME --team TEAM [--repos PATTERN,...] [--expires-days N]\n"
    "                                issue a gateway key; its secret is printed once\n"
    "  credential set DIR ID         seal a provider secret read from standard input\n"
    "  audit verify DIR              check the workspace's audit chain offline; exit 0 when intact, 1 when\n"
    "                                not (names the first entry altered, removed, inserted or reordered)\n"
    "  check-policy FILE             validate a route policy file; exit 0 when valid, 1 when not\n"
    "  help                          show this text\n";

} // namespace

int main(int argc, char** argv) {
    // Everything gatehoused creates (keys, databases, their WAL files) is for its owner only.
    ::umask(077);
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
        (args.empty() ? std::cerr : std::cout) << kUsage;
        return args.empty() ? 2 : 0;
    }
    const std::string& command = args[0];
    if (command == "check-policy") {
        if (args.size() != 2) {
            std::cerr << "usage: gatehoused check-policy FILE\n";
            return 2;
        }
        return gh::gateway::checkPolicy(args[1], std::cout, std::cerr);
    }
    if (command == "init" && args.size() == 2)
        return gh::gateway::initWorkspace(args[1], std::cout, std::cerr);
    if (command == "serve" && args.size() == 2)
        return gh::gateway::serve(args[1]);
    if (command == "key" && args.size() >= 3 && args[1] == "issue")
        return gh::gateway::issueKey(args[2], {args.begin() + 3, args.end()}, std::cout, std::cerr);
    if (command == "credential" && args.size() == 4 && args[1] == "set")
        return gh::gateway::setCredential(args[2], args[3], std::cin, std::cout, std::cerr);
    if (command == "audit" && args.size() == 3 && args[1] == "verify")
        return gh::gateway::verifyAudit(args[2], std::cout, std::cerr);
    if (command == "init" || command == "serve" || command == "key" || command == "credential" || command == "audit") {
        std::cerr << "gatehoused: wrong arguments for '" << command << "'\n\n" << kUsage;
        return 2;
    }
    std::cerr << "gatehoused: unknown command '" << command << "'\n\n" << kUsage;
    return 2;
}
