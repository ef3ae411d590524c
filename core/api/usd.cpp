#include "api/usd.h"

namespace gh::api {

std::string usd(std::int64_t micros) {
    const bool negative = micros < 0;
    // In unsigned, so that the most negative amount does not overflow on negation.
    const std::uint64_t m = negative ? std::uint64_t(0) - std::uint64_t(micros) : std::uint64_t(micros);
    const std::string frac = std::to_string(m % 1'000'000);
    return (negative ? "-" : "") + std::to_string(m / 1'000'000) + "." + std::string(6 - frac.size(), '0') + frac;
}

} // namespace gh::api
