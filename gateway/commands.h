#pragma once
// The gatehoused commands that work on a workspace. Each returns the process exit code.
#include "workspace.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace gh::gateway {

int serve(const std::filesystem::path& dir);
int issueKey(const std::filesystem::path& dir, const std::vector<std::string>& options, std::ostream& out,
             std::ostream& err);
int setCredential(const std::filesystem::path& dir, const std::string& id, std::istream& in, std::ostream& out,
                  std::ostream& err);

} // namespace gh::gateway
