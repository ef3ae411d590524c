#include "wire/usage.h"

#include "wire/json_util.h"

#include <algorithm>

namespace gh::wire {

using namespace detail;

pricing::Usage usageFromObject(Format format, const json::object& usage) {
    pricing::Usage u;
    if (format == Format::OpenAI) {
        const std::int64_t prompt = tokens(usage, "prompt_tokens");
        std::int64_t cached = 0;
        if (const auto* details = getObject(usage, "prompt_tokens_details"))
            cached = tokens(*details, "cached_tokens");
        // A server that reports more cached than prompt tokens is wrong somewhere; never bill a
        // negative count, and never lose the cached ones.
        u.cachedInput = cached;
        u.input = std::max<std::int64_t>(0, prompt - cached);
        u.output = tokens(usage, "completion_tokens");
    } else {
        u.input = tokens(usage, "input_tokens");
        u.cachedInput = tokens(usage, "cache_read_input_tokens");
        u.cacheWrite = tokens(usage, "cache_creation_input_tokens");
        u.output = tokens(usage, "output_tokens");
    }
    return u;
}

std::optional<pricing::Usage> usageFromResponse(Format format, const json::object& response) {
    const auto* usage = getObject(response, "usage");
    if (!usage)
        return std::nullopt;
    return usageFromObject(format, *usage);
}

void StreamUsageTracker::observe(const json::object& event) {
    if (format_ == Format::OpenAI) {
        if (const auto* usage = getObject(event, "usage")) {
            usage_ = usageFromObject(Format::OpenAI, *usage);
            seen_ = complete_ = true;
        }
        return;
    }
    const std::string_view type = stringOr(event, "type");
    if (type == "message_start") {
        const auto* message = getObject(event, "message");
        const auto* usage = message ? getObject(*message, "usage") : nullptr;
        if (usage) {
            usage_ = usageFromObject(Format::Anthropic, *usage);
            seen_ = true;
        }
    } else if (type == "message_delta") {
        const auto* usage = getObject(event, "usage");
        if (!usage)
            return;
        // Counts in message_delta are cumulative: each replaces the earlier figure. Input and
        // cache figures are only present on newer API versions; absent ones keep message_start's.
        const auto replace = [&](std::string_view key, std::int64_t& field) {
            const auto* v = member(*usage, key);
            if (v && !v->is_null())
                field = tokens(*usage, key);
        };
        replace("output_tokens", usage_.output);
        replace("input_tokens", usage_.input);
        replace("cache_read_input_tokens", usage_.cachedInput);
        replace("cache_creation_input_tokens", usage_.cacheWrite);
        seen_ = complete_ = true;
    }
}

} // namespace gh::wire
