// Translation of complete responses, stop reasons and the SSE framing of translated streams.
#include "wire/translate.h"

#include "wire/json_util.h"
#include "wire/sse.h"
#include "wire/translate_internal.h"

#include <algorithm>
#include <chrono>

namespace gh::wire {

using namespace detail;

namespace {
using Failure = Result<json::object>;
} // namespace

namespace detail {

std::int64_t createdOrNow(const ResponseOptions& options) {
    if (options.created != 0)
        return options.created;
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

json::object anthropicUsageFromOpenAI(const json::object* usage) {
    std::int64_t prompt = 0, cached = 0, completion = 0;
    if (usage) {
        prompt = tokens(*usage, "prompt_tokens");
        completion = tokens(*usage, "completion_tokens");
        if (const auto* details = getObject(*usage, "prompt_tokens_details"))
            cached = tokens(*details, "cached_tokens");
    }
    json::object out;
    out["input_tokens"] = std::max<std::int64_t>(0, prompt - cached);
    out["cache_creation_input_tokens"] = 0;
    out["cache_read_input_tokens"] = cached;
    out["output_tokens"] = completion;
    return out;
}

json::object openaiUsage(std::int64_t input, std::int64_t cacheRead, std::int64_t cacheWrite, std::int64_t output) {
    json::object details;
    details["cached_tokens"] = cacheRead;
    json::object out;
    out["prompt_tokens"] = input + cacheRead + cacheWrite;
    out["completion_tokens"] = output;
    out["total_tokens"] = input + cacheRead + cacheWrite + output;
    out["prompt_tokens_details"] = std::move(details);
    return out;
}

} // namespace detail

std::string_view anthropicStopReason(std::string_view finishReason) {
    if (finishReason == "length")
        return "max_tokens";
    if (finishReason == "tool_calls" || finishReason == "function_call")
        return "tool_use";
    if (finishReason == "content_filter")
        return "refusal";
    return "end_turn";
}

std::string_view openaiFinishReason(std::string_view stopReason) {
    if (stopReason == "max_tokens")
        return "length";
    if (stopReason == "tool_use")
        return "tool_calls";
    if (stopReason == "refusal")
        return "content_filter";
    return "stop";
}

Result<json::object> openaiResponseToAnthropic(const json::object& response, const ResponseOptions& options) {
    const auto* choices = getArray(response, "choices");
    const auto* choice = choices && !choices->empty() ? (*choices)[0].if_object() : nullptr;
    const auto* message = choice ? getObject(*choice, "message") : nullptr;
    if (!message)
        return Failure::failure("the upstream response has no choices[0].message");

    json::array content;
    for (const char* key : {"content", "refusal"}) {
        if (auto text = getString(*message, key); text && !text->empty()) {
            json::object block;
            block["type"] = "text";
            block["text"] = *text;
            content.push_back(std::move(block));
        }
    }
    if (const auto* calls = getArray(*message, "tool_calls")) {
        for (const auto& c : *calls) {
            const auto* call = c.if_object();
            const auto* function = call ? getObject(*call, "function") : nullptr;
            if (!function)
                continue;
            const std::string_view arguments = stringOr(*function, "arguments");
            std::optional<json::object> input = arguments.find_first_not_of(" \t\r\n") == std::string_view::npos
                                                    ? json::object()
                                                    : parseObject(arguments);
            if (!input)
                return Failure::failure("the upstream model called tool '" + std::string(stringOr(*function, "name")) +
                                        "' with arguments that are not a JSON object");
            json::object block;
            block["type"] = "tool_use";
            block["id"] = stringOr(*call, "id");
            block["name"] = stringOr(*function, "name");
            block["input"] = std::move(*input);
            content.push_back(std::move(block));
        }
    }

    json::object out;
    out["id"] = stringOr(response, "id");
    out["type"] = "message";
    out["role"] = "assistant";
    out["model"] = options.model.empty() ? stringOr(response, "model") : options.model;
    out["content"] = std::move(content);
    out["stop_reason"] = anthropicStopReason(stringOr(*choice, "finish_reason"));
    out["stop_sequence"] = nullptr;
    out["usage"] = anthropicUsageFromOpenAI(getObject(response, "usage"));
    return out;
}

Result<json::object> anthropicResponseToOpenAI(const json::object& response, const ResponseOptions& options) {
    if (stringOr(response, "type") != "message")
        return Failure::failure("the upstream response is not a message");
    std::string text;
    bool hasText = false;
    json::array calls;
    if (const auto* blocks = getArray(response, "content")) {
        for (const auto& b : *blocks) {
            const auto* block = b.if_object();
            if (!block)
                continue;
            const std::string_view type = stringOr(*block, "type");
            if (type == "text") {
                text.append(stringOr(*block, "text"));
                hasText = true;
            } else if (type == "tool_use") {
                json::object function;
                function["name"] = stringOr(*block, "name");
                const auto* input = member(*block, "input");
                function["arguments"] = input ? json::serialize(*input) : std::string("{}");
                json::object call;
                call["id"] = stringOr(*block, "id");
                call["type"] = "function";
                call["function"] = std::move(function);
                calls.push_back(std::move(call));
            }
        }
    }
    json::object message;
    message["role"] = "assistant";
    if (hasText || calls.empty())
        message["content"] = text;
    else
        message["content"] = nullptr;
    if (!calls.empty())
        message["tool_calls"] = std::move(calls);

    json::object choice;
    choice["index"] = 0;
    choice["message"] = std::move(message);
    choice["logprobs"] = nullptr;
    choice["finish_reason"] = openaiFinishReason(stringOr(response, "stop_reason"));
    json::array choices;
    choices.push_back(std::move(choice));

    json::object out;
    out["id"] = stringOr(response, "id");
    out["object"] = "chat.completion";
    out["created"] = createdOrNow(options);
    out["model"] = options.model.empty() ? stringOr(response, "model") : options.model;
    out["choices"] = std::move(choices);
    const auto* usage = getObject(response, "usage");
    out["usage"] = usage ? openaiUsage(tokens(*usage, "input_tokens"), tokens(*usage, "cache_read_input_tokens"),
                                       tokens(*usage, "cache_creation_input_tokens"), tokens(*usage, "output_tokens"))
                         : openaiUsage(0, 0, 0, 0);
    return out;
}

void appendAnthropicSse(std::string& out, const json::object& event) {
    appendSseEvent(out, stringOr(event, "type"), json::serialize(event));
}

void appendOpenAISse(std::string& out, const json::object& chunk) {
    appendSseEvent(out, {}, json::serialize(chunk));
}

} // namespace gh::wire
