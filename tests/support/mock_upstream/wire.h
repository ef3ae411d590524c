// mock-upstream: the providers' wire formats. handle() is synchronous and does no I/O: it
// decides the reply (body, or stream events, or a failure action) and the connection carries
// it out.
#pragma once

#include "journal.h"
#include "mock.h"

namespace mock {

void handle(State& state, const Request& req, Reply& reply);

} // namespace mock
