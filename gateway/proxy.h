#pragma once
// The data path: authenticate the caller, decide by policy, hold budget, forward to the
// targets in order (falling back on connection errors, 429 and 5xx until the first byte has
// reached the caller), translate between formats, settle, record, answer.
#include "gateway_state.h"
#include "http_server.h"

namespace gh::gateway {

class Proxy {
public:
    explicit Proxy(GatewayState& state) : state_(state) {}

    // The HttpServer handler: /v1/chat/completions, /v1/messages, /v1/models, /healthz.
    Task<void> handle(Worker& worker, Request& request, ResponseChannel& channel);

private:
    struct Call;
    Task<void> complete(Worker& worker, Call& call, ResponseChannel& channel);
    Task<void> listModels(Call& call, ResponseChannel& channel);
    Task<void> refuse(Worker& worker, Call& call, ResponseChannel& channel, int status, std::string message,
                      std::string_view code = {});
    Task<void> recordDurably(Worker& worker, Call& call);
    Task<void> forward(Worker& worker, Call& call, ResponseChannel& channel);
    void settleBudgets(Call& call);

    GatewayState& state_;
};

} // namespace gh::gateway
