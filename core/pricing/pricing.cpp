#include "pricing/pricing.h"

namespace gh::pricing {
namespace {
__extension__ using Int128 = __int128; // GCC/Clang builtin; __extension__ keeps -Wpedantic quiet
}

Money cost(const ModelPrice& price, const Usage& usage) {
    // Prices are micro-dollars per million tokens; tokens x price is micro-dollars x 1e6.
    // 128-bit intermediates: 2^63 tokens at $1e6/M still fits.
    const Int128 scaled = static_cast<Int128>(usage.input) * price.input.micros +
                            static_cast<Int128>(usage.output) * price.output.micros +
                            static_cast<Int128>(usage.cachedInput) * price.cachedInput.value_or(price.input).micros +
                            static_cast<Int128>(usage.cacheWrite) * price.cacheWrite.value_or(price.input).micros;
    constexpr Int128 kTokensPerPriceUnit = 1'000'000;
    Int128 micros = scaled / kTokensPerPriceUnit;
    if (scaled % kTokensPerPriceUnit > 0)
        ++micros;
    return Money(static_cast<std::int64_t>(micros));
}

} // namespace gh::pricing
