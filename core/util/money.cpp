#include "util/money.h"

#include <limits>

namespace gh {

std::optional<Money> Money::parse(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    bool negative = false;
    if (text.front() == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    const auto dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty() || (dot != std::string_view::npos && frac.empty()) || frac.size() > 6)
        return std::nullopt;

    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / kMicrosPerUnit - 1;
    std::int64_t units = 0;
    for (char c : whole) {
        if (c < '0' || c > '9')
            return std::nullopt;
        units = units * 10 + (c - '0');
        if (units > kMax)
            return std::nullopt;
    }
    std::int64_t micros = 0;
    std::int64_t scale = 100'000;
    for (char c : frac) {
        if (c < '0' || c > '9')
            return std::nullopt;
        micros += (c - '0') * scale;
        scale /= 10;
    }
    const std::int64_t total = units * kMicrosPerUnit + micros;
    return Money(negative ? -total : total);
}

std::string Money::toString() const {
    const bool negative = micros < 0;
    // Work in unsigned so that the most negative value does not overflow on negation.
    const std::uint64_t magnitude =
        negative ? std::uint64_t(0) - static_cast<std::uint64_t>(micros) : static_cast<std::uint64_t>(micros);
    std::string out = negative ? "-" : "";
    out += std::to_string(magnitude / kMicrosPerUnit);
    std::uint64_t frac = magnitude % kMicrosPerUnit;
    if (frac != 0) {
        std::string digits = std::to_string(frac);
        digits.insert(0, 6 - digits.size(), '0');
        while (digits.back() == '0')
            digits.pop_back();
        out += '.';
        out += digits;
    }
    return out;
}

} // namespace gh
