// Stream translation, both directions (see translate.h).
#include "wire/translate.h"

#include "wire/errors.h"
#include "wire/json_util.h"
#include "wire/translate_internal.h"

namespace gh::wire {

using namespace detail;

namespace {

constexpr std::string_view kCutStream = "the upstream stream ended before the response was complete";

json::object event(std::string_view type) {
    json::object e;
    e["type"] = type;
    return e;
}

json::object anthropicErrorEvent(int status, std::string_view message) {
    // The error event has the shape of an Anthropic error body.
    return anthropicError(status, message);
}

} // namespace

// ---------------------------------------------------------------- OpenAI -> Anthropic

void OpenAIToAnthropicStream::start(const json::object& chunk, std::vector<json::object>& out) {
    started_ = true;
    id_ = stringOr(chunk, "id");
    if (id_.empty())
        id_ = "msg_gatehouse";
    if (model_.empty())
        model_ = stringOr(chunk, "model");
    // OpenAI reports input tokens only at the end; message_delta carries them then.
    json::object usage;
    usage["input_tokens"] = 0;
    usage["output_tokens"] = 0;
    json::object message;
    message["id"] = id_;
    message["type"] = "message";
    message["role"] = "assistant";
    message["model"] = model_;
    message["content"] = json::array();
    message["stop_reason"] = nullptr;
    message["stop_sequence"] = nullptr;
    message["usage"] = std::move(usage);
    json::object e = event("message_start");
    e["message"] = std::move(message);
    out.push_back(std::move(e));
}

void OpenAIToAnthropicStream::openBlock(json::object contentBlock, std::vector<json::object>& out) {
    closeBlock(out);
    openBlock_ = nextBlock_++;
    openIsText_ = stringOr(contentBlock, "type") == "text";
    json::object e = event("content_block_start");
    e["index"] = openBlock_;
    e["content_block"] = std::move(contentBlock);
    out.push_back(std::move(e));
}

void OpenAIToAnthropicStream::closeBlock(std::vector<json::object>& out) {
    if (openBlock_ < 0)
        return;
    json::object e = event("content_block_stop");
    e["index"] = openBlock_;
    out.push_back(std::move(e));
    openBlock_ = -1;
    openIsText_ = false;
}

void OpenAIToAnthropicStream::toolDelta(const json::object& call, std::size_t position,
                                        std::vector<json::object>& out) {
    const std::int64_t index = getInt(call, "index").value_or(static_cast<std::int64_t>(position));
    const std::string_view id = stringOr(call, "id");
    const auto* function = getObject(call, "function");
    // The latest call with this index. A new id at a known index is a new call: some servers
    // (Ollama among them) number every call of a parallel batch 0.
    ToolCall* tool = nullptr;
    for (auto it = tools_.rbegin(); it != tools_.rend(); ++it) {
        if (it->openaiIndex == index) {
            tool = &*it;
            break;
        }
    }
    if (!tool || (!id.empty() && id != tool->id)) {
        json::object block;
        block["type"] = "tool_use";
        block["id"] = id.empty() ? "toolu_gatehouse_" + std::to_string(nextBlock_) : std::string(id);
        block["name"] = function ? stringOr(*function, "name") : std::string_view();
        block["input"] = json::object();
        tools_.push_back(ToolCall{index, std::string(view(block["id"].get_string())), nextBlock_});
        tool = &tools_.back();
        openBlock(std::move(block), out);
    }
    // OpenAI never interleaves calls; should a server do so, the fragment still goes to its
    // block's index, where clients that assemble by index (the SDKs do) put it.
    const std::string_view arguments = function ? stringOr(*function, "arguments") : std::string_view();
    if (arguments.empty())
        return;
    json::object delta;
    delta["type"] = "input_json_delta";
    delta["partial_json"] = arguments;
    json::object e = event("content_block_delta");
    e["index"] = tool->block;
    e["delta"] = std::move(delta);
    out.push_back(std::move(e));
}

void OpenAIToAnthropicStream::feed(const json::object& chunk, std::vector<json::object>& out) {
    if (finished_)
        return;
    if (const auto* error = getObject(chunk, "error")) {
        const std::string_view message = stringOr(*error, "message", "the upstream reported an error");
        out.push_back(anthropicErrorEvent(500, message));
        finished_ = errored_ = true;
        return;
    }
    if (!started_)
        start(chunk, out);
    if (const auto* choices = getArray(chunk, "choices")) {
        for (const auto& c : *choices) {
            const auto* choice = c.if_object();
            if (!choice || getInt(*choice, "index").value_or(0) != 0)
                continue;
            if (const auto* delta = getObject(*choice, "delta")) {
                for (const char* key : {"content", "refusal"}) {
                    const std::string_view text = stringOr(*delta, key);
                    if (text.empty())
                        continue;
                    if (!openIsText_) {
                        json::object block;
                        block["type"] = "text";
                        block["text"] = "";
                        openBlock(std::move(block), out);
                    }
                    json::object d;
                    d["type"] = "text_delta";
                    d["text"] = text;
                    json::object e = event("content_block_delta");
                    e["index"] = openBlock_;
                    e["delta"] = std::move(d);
                    out.push_back(std::move(e));
                }
                if (const auto* calls = getArray(*delta, "tool_calls")) {
                    for (std::size_t i = 0; i < calls->size(); ++i)
                        if (const auto* call = (*calls)[i].if_object())
                            toolDelta(*call, i, out);
                }
            }
            if (auto reason = getString(*choice, "finish_reason")) {
                closeBlock(out);
                stopReason_ = std::string(anthropicStopReason(*reason));
            }
        }
    }
    if (const auto* usage = getObject(chunk, "usage"))
        usage_ = *usage;
}

bool OpenAIToAnthropicStream::finish(std::vector<json::object>& out) {
    if (finished_)
        return !errored_;
    finished_ = true;
    if (!stopReason_) {
        out.push_back(anthropicErrorEvent(500, kCutStream));
        errored_ = true;
        return false;
    }
    closeBlock(out);
    json::object delta;
    delta["stop_reason"] = *stopReason_;
    delta["stop_sequence"] = nullptr;
    json::object e = event("message_delta");
    e["delta"] = std::move(delta);
    e["usage"] = anthropicUsageFromOpenAI(usage_ ? &*usage_ : nullptr);
    out.push_back(std::move(e));
    out.push_back(event("message_stop"));
    return true;
}

// ---------------------------------------------------------------- Anthropic -> OpenAI

AnthropicToOpenAIStream::AnthropicToOpenAIStream(ResponseOptions options) : options_(options), model_(options.model) {
    // Every chunk of a stream carries the same `created`.
    options_.created = createdOrNow(options);
}

json::object AnthropicToOpenAIStream::chunk(json::object delta, std::string_view finishReason) const {
    json::object choice;
    choice["index"] = 0;
    choice["delta"] = std::move(delta);
    choice["logprobs"] = nullptr;
    if (finishReason.empty())
        choice["finish_reason"] = nullptr;
    else
        choice["finish_reason"] = finishReason;
    json::array choices;
    choices.push_back(std::move(choice));
    json::object c;
    c["id"] = id_;
    c["object"] = "chat.completion.chunk";
    c["created"] = options_.created;
    c["model"] = model_;
    c["choices"] = std::move(choices);
    return c;
}

void AnthropicToOpenAIStream::start(const json::object* message, std::vector<json::object>& out) {
    started_ = true;
    id_ = message ? stringOr(*message, "id") : std::string_view();
    if (id_.empty())
        id_ = "chatcmpl-gatehouse";
    if (model_.empty() && message)
        model_ = stringOr(*message, "model");
    if (const auto* usage = message ? getObject(*message, "usage") : nullptr) {
        input_ = tokens(*usage, "input_tokens");
        cacheRead_ = tokens(*usage, "cache_read_input_tokens");
        cacheWrite_ = tokens(*usage, "cache_creation_input_tokens");
        output_ = tokens(*usage, "output_tokens");
    }
    json::object delta;
    delta["role"] = "assistant";
    delta["content"] = "";
    out.push_back(chunk(std::move(delta)));
}

void AnthropicToOpenAIStream::feed(const json::object& e, std::vector<json::object>& out) {
    if (finished_)
        return;
    const std::string_view type = stringOr(e, "type");
    if (type == "error") {
        const auto* error = getObject(e, "error");
        const std::string_view errorType = error ? stringOr(*error, "type") : std::string_view();
        const std::string_view message = error ? stringOr(*error, "message") : std::string_view();
        const int status = statusForAnthropicErrorType(errorType);
        out.push_back(openaiError(
            status, message.empty() ? std::string_view("the upstream reported an error") : message, errorType));
        finished_ = errored_ = true;
        return;
    }
    if (type == "ping")
        return;
    if (type == "message_start") {
        if (!started_)
            start(getObject(e, "message"), out);
        return;
    }
    if (!started_)
        start(nullptr, out);

    const auto textDelta = [&](std::string_view text) {
        if (text.empty())
            return;
        json::object delta;
        delta["content"] = text;
        out.push_back(chunk(std::move(delta)));
    };
    const auto toolChunk = [&](json::object call) {
        json::array calls;
        calls.push_back(std::move(call));
        json::object delta;
        delta["tool_calls"] = std::move(calls);
        out.push_back(chunk(std::move(delta)));
    };

    if (type == "content_block_start") {
        const auto* block = getObject(e, "content_block");
        if (!block)
            return;
        const std::string_view blockType = stringOr(*block, "type");
        if (blockType == "text") {
            textDelta(stringOr(*block, "text"));
        } else if (blockType == "tool_use") {
            const auto toolIndex = static_cast<std::int64_t>(toolIndex_.size());
            toolIndex_.emplace_back(getInt(e, "index").value_or(-1), toolIndex);
            // Anthropic streams the input as input_json_delta fragments after an empty {}; an
            // input given whole up front is sent whole.
            const auto* input = getObject(*block, "input");
            json::object function;
            function["name"] = stringOr(*block, "name");
            function["arguments"] = input && !input->empty() ? json::serialize(*input) : std::string();
            json::object call;
            call["index"] = toolIndex;
            call["id"] = stringOr(*block, "id");
            call["type"] = "function";
            call["function"] = std::move(function);
            toolChunk(std::move(call));
        }
    } else if (type == "content_block_delta") {
        const auto* delta = getObject(e, "delta");
        if (!delta)
            return;
        const std::string_view deltaType = stringOr(*delta, "type");
        if (deltaType == "text_delta") {
            textDelta(stringOr(*delta, "text"));
        } else if (deltaType == "input_json_delta") {
            const std::string_view partial = stringOr(*delta, "partial_json");
            const std::int64_t block = getInt(e, "index").value_or(-1);
            for (const auto& [anthropicIndex, toolIndex] : toolIndex_) {
                if (anthropicIndex != block || partial.empty())
                    continue;
                json::object function;
                function["arguments"] = partial;
                json::object call;
                call["index"] = toolIndex;
                call["function"] = std::move(function);
                toolChunk(std::move(call));
                break;
            }
        }
        // thinking_delta, signature_delta, citations_delta: nothing an OpenAI caller reads.
    } else if (type == "message_delta") {
        if (const auto* delta = getObject(e, "delta"))
            if (auto reason = getString(*delta, "stop_reason"))
                stopReason_ = *reason;
        if (const auto* usage = getObject(e, "usage")) {
            // Cumulative figures: each replaces the earlier one (see usage.h).
            const auto replace = [&](std::string_view key, std::int64_t& field) {
                const auto* v = member(*usage, key);
                if (v && !v->is_null())
                    field = tokens(*usage, key);
            };
            replace("output_tokens", output_);
            replace("input_tokens", input_);
            replace("cache_read_input_tokens", cacheRead_);
            replace("cache_creation_input_tokens", cacheWrite_);
        }
    } else if (type == "message_stop") {
        out.push_back(chunk(json::object(), openaiFinishReason(stopReason_)));
        if (options_.includeUsage) {
            json::object c = chunk(json::object());
            c["choices"] = json::array();
            c["usage"] = openaiUsage(input_, cacheRead_, cacheWrite_, output_);
            out.push_back(std::move(c));
        }
        finished_ = true;
    }
}

bool AnthropicToOpenAIStream::finish(std::vector<json::object>& out) {
    if (finished_)
        return !errored_;
    finished_ = errored_ = true;
    out.push_back(openaiError(500, kCutStream));
    return false;
}

} // namespace gh::wire
