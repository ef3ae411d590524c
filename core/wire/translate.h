#pragma once
// Translation between the OpenAI Chat Completions and the Anthropic Messages wire formats, so
// that a route can serve a Claude Code (Anthropic) caller with an OpenAI-compatible model and an
// OpenAI caller with an Anthropic model. Requests, complete responses and streams, both ways.
//
// What has no counterpart is dropped, not guessed: Anthropic thinking blocks, top_k, cache_control
// and citations; OpenAI logprobs, penalties, seed and logit_bias. What cannot be expressed at all
// (Anthropic server tools and documents to OpenAI; OpenAI audio and file parts, n > 1 and
// response_format to Anthropic) fails with a message naming the field, for the caller.
#include "wire/common.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh::wire {

struct RequestOptions {
    // The upstream model to name in the translated request; "" keeps the caller's.
    std::string_view model{};
    // Anthropic requires max_tokens; used when the OpenAI caller set neither max_tokens nor
    // max_completion_tokens.
    std::int64_t defaultMaxTokens = 4096;
    // For an OpenAI upstream: send the limit as max_completion_tokens (what OpenAI's and Azure's
    // reasoning models require) instead of max_tokens (what every OpenAI-compatible server reads).
    bool maxCompletionTokens = false;
};

struct ResponseOptions {
    // The model name the caller asked for, put in responses and stream events; "" keeps the
    // upstream's.
    std::string_view model{};
    // OpenAI's `created` (Unix seconds); 0 takes the current time.
    std::int64_t created = 0;
    // For streams to an OpenAI caller: end with the usage chunk (the caller asked for
    // stream_options.include_usage).
    bool includeUsage = true;
};

// Requests. The input must have passed summarizeRequest for its format.
Result<boost::json::object> anthropicRequestToOpenAI(const boost::json::object& request,
                                                     const RequestOptions& options = {});
Result<boost::json::object> openaiRequestToAnthropic(const boost::json::object& request,
                                                     const RequestOptions& options = {});

// Complete (non-streaming) responses. Fails only on a body that is not a response (no choices,
// not a message) or that holds tool arguments which are not a JSON object.
Result<boost::json::object> openaiResponseToAnthropic(const boost::json::object& response,
                                                      const ResponseOptions& options = {});
Result<boost::json::object> anthropicResponseToOpenAI(const boost::json::object& response,
                                                      const ResponseOptions& options = {});

// finish_reason <-> stop_reason: stop <-> end_turn (stop_sequence -> stop), length <-> max_tokens,
// tool_calls (and the legacy function_call) <-> tool_use, content_filter <-> refusal; pause_turn
// -> stop. An unknown or null reason maps to end_turn / stop.
std::string_view anthropicStopReason(std::string_view openaiFinishReason);
std::string_view openaiFinishReason(std::string_view anthropicStopReason);

// An OpenAI stream (chat.completion.chunk objects) re-spoken as Anthropic stream events:
//   message_start, then per text run or tool call content_block_start / content_block_delta
//   (text_delta or input_json_delta) / content_block_stop, then message_delta (stop_reason and
//   usage) and message_stop.
// Each output event is an object whose `type` is also its SSE event name (appendAnthropicSse).
// message_delta waits for finish(), because OpenAI sends usage after the finish_reason chunk.
class OpenAIToAnthropicStream {
public:
    explicit OpenAIToAnthropicStream(ResponseOptions options = {}) : options_(options), model_(options.model) {}

    // One upstream chunk: the JSON of a `data:` line other than [DONE]. An upstream error object
    // ({"error": {...}}) becomes an Anthropic `error` event and ends the stream.
    void feed(const boost::json::object& chunk, std::vector<boost::json::object>& out);
    // The upstream ended ([DONE] or end of body): appends message_delta and message_stop and
    // returns true, or, when no finish_reason was seen (a cut stream), appends an `error` event and
    // returns false. Later calls append nothing.
    bool finish(std::vector<boost::json::object>& out);
    bool finished() const { return finished_; }

private:
    struct ToolCall {
        std::int64_t openaiIndex = 0;
        std::string id;
        int block = 0;
    };
    void start(const boost::json::object& chunk, std::vector<boost::json::object>& out);
    void openBlock(boost::json::object contentBlock, std::vector<boost::json::object>& out);
    void closeBlock(std::vector<boost::json::object>& out);
    void toolDelta(const boost::json::object& call, std::size_t position, std::vector<boost::json::object>& out);

    ResponseOptions options_;
    std::string id_;
    std::string model_;
    bool started_ = false;
    bool finished_ = false;
    bool errored_ = false;
    int nextBlock_ = 0;
    int openBlock_ = -1;
    bool openIsText_ = false;
    std::vector<ToolCall> tools_;
    std::optional<std::string> stopReason_;
    std::optional<boost::json::object> usage_; // the upstream's OpenAI usage object
};

// An Anthropic stream (event objects) re-spoken as chat.completion.chunk objects: a first chunk
// with the role, content and tool_calls deltas (index, id, type and name on a call's first delta,
// arguments fragments after), a finish chunk with finish_reason and, when asked, a usage chunk
// with empty choices. The caller then sends `data: [DONE]`.
class AnthropicToOpenAIStream {
public:
    explicit AnthropicToOpenAIStream(ResponseOptions options = {});

    // One upstream event: the JSON of a `data:` line (its `type` names the event). An `error`
    // event becomes an {"error": {...}} chunk and ends the stream.
    void feed(const boost::json::object& event, std::vector<boost::json::object>& out);
    // The upstream ended: returns true when message_stop was seen; otherwise appends an error
    // chunk and returns false. Later calls append nothing.
    bool finish(std::vector<boost::json::object>& out);
    bool finished() const { return finished_; }

private:
    boost::json::object chunk(boost::json::object delta, std::string_view finishReason = {}) const;
    void start(const boost::json::object* message, std::vector<boost::json::object>& out);

    ResponseOptions options_;
    std::string id_;
    std::string model_;
    bool started_ = false;
    bool finished_ = false;
    bool errored_ = false;
    std::vector<std::pair<std::int64_t, std::int64_t>> toolIndex_; // Anthropic block -> OpenAI tool index
    std::string stopReason_;
    std::int64_t input_ = 0, cacheRead_ = 0, cacheWrite_ = 0, output_ = 0;
};

// SSE framing of the events above: "event: TYPE\ndata: JSON\n\n" and "data: JSON\n\n".
void appendAnthropicSse(std::string& out, const boost::json::object& event);
void appendOpenAISse(std::string& out, const boost::json::object& chunk);

} // namespace gh::wire
