// mock-upstream: a fake OpenAI / Azure OpenAI / Foundry / Anthropic endpoint for end-to-end
// tests and benchmarks of the gateway (`mock-upstream --help`).
#include "mock.h"
#include "server.h"

#include <charconv>
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view usage = R"(usage: mock-upstream [--host 127.0.0.1] [--port 0] [--threads 2] [--latency-ms 0]
                     [--stream-chunks 5] [--chunk-delay-ms 0] [--require-key SECRET]

A fake LLM provider for the gateway's end-to-end tests and benchmarks. Prints exactly one line,
"listening on HOST:PORT", once ready (--port 0 picks a free port); SIGINT/SIGTERM stop it.

Provider endpoints (auth checked only with --require-key):
  POST /v1/chat/completions, /chat/completions   OpenAI, Ollama, LM Studio   Authorization: Bearer
  POST /openai/deployments/{d}/chat/completions?api-version=...   Azure      api-key
  POST /openai/v1/chat/completions, /models/chat/completions      Azure v1, Foundry: api-key or Bearer
  POST /v1/messages       Anthropic: x-api-key (or Bearer); anthropic-version and max_tokens required
  GET  /v1/models[/{id}]  OpenAI format; Anthropic format when anthropic-version is sent
Reply: "mock reply to: " + the first 40 characters of the last message; a call of the first tool
(or tool_choice's) when tools are given and the last message is the user's. Tokens: prompt = words
in the messages' text + 3 per message (and system); completion = words of the reply, or bytes/4
of the tool arguments.
Request headers: mock-fail: TOKEN, mock-cached-tokens: N, mock-cache-creation-tokens: N (Anthropic),
  mock-retry-after: SECONDS (with fail-429), mock-latency-ms: N.
Failures, by a token in the model (or deployment) name or the mock-fail header: fail-429, fail-500,
  fail-503, fail-529, reset, reset-mid-stream, slow-stream (500 ms between events), hang.
Test endpoints: GET|DELETE /mock/requests (last 100 requests), GET|DELETE /mock/stats, GET /mock/health.
)";

bool parse_int(std::string_view s, int& out, int min, int max) {
    int v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max)
        return false;
    out = v;
    return true;
}

} // namespace

int main(int argc, char** argv) {
    mock::Options options;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            std::cout << usage;
            return 0;
        }
        std::string_view value;
        bool inline_value = false;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            inline_value = true;
        }
        if (!inline_value) {
            if (i + 1 >= argc) {
                std::cerr << "mock-upstream: " << arg << " needs a value\n" << usage;
                return 2;
            }
            value = argv[++i];
        }
        int port = 0;
        bool ok = true;
        if (arg == "--host")
            options.host = std::string(value);
        else if (arg == "--port") {
            ok = parse_int(value, port, 0, 65535);
            options.port = static_cast<unsigned short>(port);
        } else if (arg == "--threads")
            ok = parse_int(value, options.threads, 1, 256);
        else if (arg == "--latency-ms")
            ok = parse_int(value, options.latency_ms, 0, 3600000);
        else if (arg == "--stream-chunks")
            ok = parse_int(value, options.stream_chunks, 1, 100000);
        else if (arg == "--chunk-delay-ms")
            ok = parse_int(value, options.chunk_delay_ms, 0, 3600000);
        else if (arg == "--require-key")
            options.require_key = std::string(value);
        else {
            std::cerr << "mock-upstream: unknown option " << arg << '\n' << usage;
            return 2;
        }
        if (!ok) {
            std::cerr << "mock-upstream: invalid value for " << arg << ": " << value << '\n';
            return 2;
        }
    }
    std::signal(SIGPIPE, SIG_IGN);
    return mock::run(options);
}
