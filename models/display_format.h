#pragma once
// How the console writes times and money: one place, so every screen agrees.
#include <QString>

#include <cstdint>
#include <string>

namespace gh::console {

// "2026-11-27 09:30" in the local time zone from an RFC 3339 time of the API; the text itself
// when it does not parse.
QString displayTime(const std::string& rfc3339);
// "$1,234.56" for amounts from a cent up, "$0.0042" or "$0.00004" below (micro-dollars in).
QString displayUsd(std::int64_t micros);
// Who applied a version: the admin API writes "tok_… (name)"; the console shows the name.
QString displayAuthor(const std::string& author);
// The same with a sign: "+$12.30", "−$4.00", "$0.00".
QString displayUsdDelta(std::int64_t micros);

} // namespace gh::console
