#pragma once
// Rotation state, one rule for gateway keys and provider credentials.
//
// A schedule says how often a secret is to be replaced (periodMs), how long before that people
// are reminded (reminderMs) and how long after it the old secret is still tolerated (graceMs).
// With due = rotatedMs + periodMs, the intervals are half-open:
//
//   now <  due - reminderMs            Ok
//   due - reminderMs <= now < due + graceMs   DueSoon
//   due + graceMs <= now               Overdue
//
// No schedule: Ok, always. Revoked wins over everything, schedule or not.
#include "store/request_record.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace gh::store {

struct RotationSchedule {
    std::int64_t periodMs = 0;   // > 0
    std::int64_t graceMs = 0;    // >= 0; for gateway keys also how long the previous secret works
    std::int64_t reminderMs = 0; // >= 0; reminder lead before the due time
    bool operator==(const RotationSchedule&) const = default;
};

// True when periodMs > 0 and graceMs, reminderMs >= 0. Stores refuse other schedules
// (std::invalid_argument): the admin API checks first and answers with a message.
bool valid(const RotationSchedule& schedule);

enum class RotationState { Ok, DueSoon, Overdue, Revoked };

std::string_view toString(RotationState); // "ok", "due_soon", "overdue", "revoked"
std::optional<RotationState> parseRotationState(std::string_view text);

RotationState rotationState(const std::optional<RotationSchedule>& schedule, TimeMs rotatedMs,
                            std::optional<TimeMs> revokedMs, TimeMs now);
// rotatedMs + periodMs; nullopt without a schedule.
std::optional<TimeMs> nextDue(const std::optional<RotationSchedule>& schedule, TimeMs rotatedMs);

} // namespace gh::store
