#pragma once
// The one cost function. Every figure of spend in Gatehouse (request records, budgets,
// reports, the console's replay) comes from cost() below.
#include "util/money.h"

#include <cstdint>
#include <optional>

namespace gh::pricing {

// Prices in USD per million tokens, as providers publish them.
struct ModelPrice {
    Money input;                     // uncached input (prompt) tokens
    Money output;                    // output (completion) tokens, reasoning included
    std::optional<Money> cachedInput; // input tokens served from the provider's prompt cache
    std::optional<Money> cacheWrite;  // input tokens written to the cache (Anthropic)

    bool operator==(const ModelPrice&) const = default;
};

// Token counts normalised from the provider's usage report. The categories do not overlap:
// OpenAI's prompt_tokens includes cached tokens, so an adapter subtracts them into `cachedInput`.
struct Usage {
    std::int64_t input = 0;
    std::int64_t output = 0;
    std::int64_t cachedInput = 0;
    std::int64_t cacheWrite = 0;

    bool operator==(const Usage&) const = default;
};

// Cost of `usage` at `price`, exact: the sum is computed in integer micro-dollars per token
// million and rounded up once at the end, so a billed call never costs $0 and nothing is
// under-counted. A missing cached-input or cache-write price bills those tokens at the input
// price.
Money cost(const ModelPrice& price, const Usage& usage);

} // namespace gh::pricing
