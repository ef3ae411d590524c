#include "store/rotation.h"

#include <limits>

namespace gh::store {
namespace {

// Sums of times and durations saturate instead of overflowing (a period of "forever" is
// someone's way of saying "never").
TimeMs add(TimeMs a, std::int64_t b) {
    if (b > 0 && a > std::numeric_limits<TimeMs>::max() - b)
        return std::numeric_limits<TimeMs>::max();
    if (b < 0 && a < std::numeric_limits<TimeMs>::min() - b)
        return std::numeric_limits<TimeMs>::min();
    return a + b;
}

} // namespace

bool valid(const RotationSchedule& s) { return s.periodMs > 0 && s.graceMs >= 0 && s.reminderMs >= 0; }

std::string_view toString(RotationState state) {
    switch (state) {
    case RotationState::Ok: return "ok";
    case RotationState::DueSoon: return "due_soon";
    case RotationState::Overdue: return "overdue";
    case RotationState::Revoked: return "revoked";
    }
    return "ok";
}

std::optional<RotationState> parseRotationState(std::string_view text) {
    for (RotationState s : {RotationState::Ok, RotationState::DueSoon, RotationState::Overdue, RotationState::Revoked})
        if (toString(s) == text)
            return s;
    return std::nullopt;
}

RotationState rotationState(const std::optional<RotationSchedule>& schedule, TimeMs rotatedMs,
                            std::optional<TimeMs> revokedMs, TimeMs now) {
    if (revokedMs)
        return RotationState::Revoked;
    if (!schedule)
        return RotationState::Ok;
    const TimeMs due = add(rotatedMs, schedule->periodMs);
    if (now < add(due, -schedule->reminderMs))
        return RotationState::Ok;
    if (now < add(due, schedule->graceMs))
        return RotationState::DueSoon;
    return RotationState::Overdue;
}

std::optional<TimeMs> nextDue(const std::optional<RotationSchedule>& schedule, TimeMs rotatedMs) {
    if (!schedule)
        return std::nullopt;
    return add(rotatedMs, schedule->periodMs);
}

} // namespace gh::store
