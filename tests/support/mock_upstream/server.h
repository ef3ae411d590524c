// mock-upstream: the HTTP/1.1 server (Boost.Asio + Beast, C++20 coroutines).
#pragma once

#include "mock.h"

namespace mock {

// Listens, prints "listening on HOST:PORT" once ready, serves until SIGINT/SIGTERM.
// Returns the process exit code.
int run(const Options& options);

} // namespace mock
