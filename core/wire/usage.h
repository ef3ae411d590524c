#pragma once
// Token usage as the providers report it, normalised into pricing::Usage (whose categories do
// not overlap):
//   OpenAI     prompt_tokens INCLUDES prompt_tokens_details.cached_tokens:
//              input = prompt_tokens - cached_tokens, cachedInput = cached_tokens,
//              output = completion_tokens (reasoning tokens included).
//   Anthropic  input_tokens EXCLUDES the cache: input = input_tokens,
//              cachedInput = cache_read_input_tokens, cacheWrite = cache_creation_input_tokens,
//              output = output_tokens.
#include "pricing/pricing.h"
#include "wire/common.h"

#include <boost/json/fwd.hpp>

#include <optional>

namespace gh::wire {

// From a `usage` object of the given format (negative or malformed counts read as 0).
pricing::Usage usageFromObject(Format format, const boost::json::object& usage);

// From a complete, non-streaming response body; nullopt when it carries no usage object.
std::optional<pricing::Usage> usageFromResponse(Format format, const boost::json::object& response);

// Follows a stream: feed it every parsed event (OpenAI: each chunk object; Anthropic: each event
// object, whose `type` names it) and it keeps the latest figures.
//   OpenAI     usage arrives in a final chunk with empty `choices` when the request asked for
//              stream_options.include_usage (some servers repeat it cumulatively on every
//              chunk; the last one wins).
//   Anthropic  message_start carries input and cache figures; every message_delta carries the
//              cumulative output count (and, on newer API versions, final input figures).
class StreamUsageTracker {
public:
    explicit StreamUsageTracker(Format format) : format_(format) {}

    void observe(const boost::json::object& event);

    // Some usage was reported (for Anthropic, message_start alone is enough).
    bool seen() const { return seen_; }
    // The final figures were reported: OpenAI's usage chunk, Anthropic's message_delta. When a
    // stream ends without them the output count is unknown and the gateway must estimate.
    bool complete() const { return complete_; }
    const pricing::Usage& usage() const { return usage_; }

private:
    Format format_;
    pricing::Usage usage_;
    bool seen_ = false;
    bool complete_ = false;
};

} // namespace gh::wire
