#pragma once
// Money as the admin API writes it next to the exact micro-dollars: a decimal string with six
// decimals always ("12.500000", "-0.250000"), so columns of amounts line up and nothing is
// rounded. (Money::toString is the shortest form, for policy files; the API uses this one.)
#include "util/money.h"

#include <cstdint>
#include <string>

namespace gh::api {

std::string usd(std::int64_t micros);
inline std::string usd(Money m) {
    return usd(m.micros);
}

} // namespace gh::api
