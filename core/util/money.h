#pragma once
// Money and decimal amounts, exact to the micro-dollar. Binary floating point is never used
// for money: amounts are integers of micro-dollars (1 USD = 1'000'000 µ$).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gh {

struct Money {
    std::int64_t micros = 0;

    static constexpr std::int64_t kMicrosPerUnit = 1'000'000;

    constexpr Money() = default;
    constexpr explicit Money(std::int64_t microDollars) : micros(microDollars) {}
    static constexpr Money fromDollars(std::int64_t dollars) { return Money(dollars * kMicrosPerUnit); }

    // Parses a plain decimal such as "12", "0.5", "2.000001" (at most six fractional digits,
    // optional leading '-'); nullopt for anything else, including exponents and more precision.
    static std::optional<Money> parse(std::string_view text);
    // Shortest exact decimal: 2.5, 0.000001, 12, -3.25.
    std::string toString() const;

    constexpr auto operator<=>(const Money&) const = default;
    constexpr Money operator+(Money o) const { return Money(micros + o.micros); }
    constexpr Money operator-(Money o) const { return Money(micros - o.micros); }
    constexpr Money& operator+=(Money o) { micros += o.micros; return *this; }
    constexpr Money& operator-=(Money o) { micros -= o.micros; return *this; }
};

} // namespace gh
