#pragma once
#include <iosfwd>
#include <string>

namespace gh::gateway {

// `gatehoused check-policy FILE`: prints the validator's messages, compiler style, and returns
// the process exit code: 0 when the file is valid (warnings allowed), 1 when it is not.
int checkPolicy(const std::string& path, std::ostream& out, std::ostream& err);

} // namespace gh::gateway
