#pragma once
// What the gateway needs to know about a request before forwarding it: which model, streamed or
// not, how much it may cost (for the budget reservation), and whether it is well-formed enough to
// send on. Validation messages go back to the API caller verbatim: each names the field, says
// what is wrong and what would be accepted.
#include "wire/common.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gh::wire {

struct RequestSummary {
    std::string model;
    bool stream = false;
    // OpenAI: max_completion_tokens, else max_tokens; Anthropic: max_tokens. nullopt when the
    // OpenAI caller set neither (the model's own limit then applies).
    std::optional<std::int64_t> maxOutputTokens;
    bool hasTools = false; // a non-empty `tools` array
    // Upper-bound estimate of input tokens, see estimateInputTokens.
    std::int64_t estimatedInputTokens = 0;
};

// Parses a request body; the message says what is wrong with it ("... is not valid JSON:
// syntax error at byte 17", "... must be a JSON object, not an array").
// `storage` lets the caller give the body a per-request arena (a monotonic resource) instead of
// the heap.
Result<boost::json::object> parseRequestBody(std::string_view body, boost::json::storage_ptr storage = {});

// Validates the fields the gateway relies on and that each provider requires (model, messages
// and their roles and content types, Anthropic's max_tokens, stream, tools) and summarises.
// Deliberately not a full schema check: the provider remains the judge of the rest.
Result<RequestSummary> summarizeRequest(Format format, const boost::json::object& body);

// An estimate of the prompt's tokens meant to err high, for reserving budget before the call
// (the reservation is settled with the provider's reported usage afterwards):
//   ceil(B / 2) + 4 per message + 2,000 per image,
// where B is the UTF-8 bytes of every string and object key under system, messages, tools and
// functions, except image data. Tokenisers average about 4 bytes per token on English and code
// and rarely fall under 2; an image costs at most about 1,600 tokens at either provider. Inputs
// of unusual scripts or random bytes can exceed the estimate.
std::int64_t estimateInputTokens(Format format, const boost::json::object& body);

} // namespace gh::wire
