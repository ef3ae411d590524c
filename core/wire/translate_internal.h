#pragma once
// Pieces shared by the response and stream translators (internal).
#include "wire/translate.h"

#include <boost/json/object.hpp>

#include <cstdint>

namespace gh::wire::detail {

std::int64_t createdOrNow(const ResponseOptions& options);
// Anthropic usage from an OpenAI usage object (null: zeros). prompt_tokens includes the cached
// tokens, which Anthropic reports apart (see usage.h).
boost::json::object anthropicUsageFromOpenAI(const boost::json::object* usage);
// OpenAI usage from Anthropic figures: prompt_tokens counts every input token, cached or not.
boost::json::object openaiUsage(std::int64_t input, std::int64_t cacheRead, std::int64_t cacheWrite,
                                std::int64_t output);

} // namespace gh::wire::detail
