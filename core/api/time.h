#pragma once
// Times on the admin API: RFC 3339 in UTC with milliseconds ("2026-11-27T09:30:00.000Z").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gh::api {

using TimeMs = std::int64_t; // milliseconds since the Unix epoch

std::string formatTime(TimeMs ms);
inline std::optional<std::string> formatTime(std::optional<TimeMs> ms) {
    return ms ? std::optional<std::string>(formatTime(*ms)) : std::nullopt;
}
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)" and a bare date "YYYY-MM-DD" (midnight UTC);
// nullopt for anything else, including impossible dates.
std::optional<TimeMs> parseTime(std::string_view text);

} // namespace gh::api
