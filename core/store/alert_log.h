#pragma once
// Alerts the gateway raises by itself: budget thresholds crossed and rotation events. Each fires
// once: (kind, subject, periodStartMs, threshold) is unique in state.db, so a restart, a second
// scheduler tick or a racing request that sees the same crossing records nothing new.
//   budget.threshold       subject = budget id, periodStartMs = the budget period, threshold = percent
//   credential.due_soon, credential.overdue, key.due_soon, key.overdue, key.rotated
//                          subject = credential or key id, periodStartMs = the rotatedMs the event
//                          is about (so the next cycle fires again), threshold = 0
#include "store/database.h"
#include "store/request_record.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh::store {

struct AlertRecord {
    std::int64_t id = 0;     // set by the log
    TimeMs timeMs = 0;
    std::string kind;
    std::string subject;
    TimeMs periodStartMs = 0;
    int threshold = 0;
    std::string detailJson = "{}";
    bool operator==(const AlertRecord&) const = default;
};

class AlertLog {
public:
    // Opens (creating and migrating) <workspace>/state.db. Throws DbError.
    explicit AlertLog(const std::filesystem::path& workspace);

    // true when recorded; false when (kind, subject, periodStartMs, threshold) already was.
    // alert.id is ignored.
    bool record(const AlertRecord& alert);
    // Newest first, ids below `beforeId` (nullopt: from the newest), kinds starting with
    // `kindPrefix` (case-sensitive; "" = all, "key." = the gateway key events).
    std::vector<AlertRecord> list(std::optional<std::int64_t> beforeId, std::size_t limit,
                                  std::string_view kindPrefix = {}) const;

private:
    mutable std::mutex mutex_;
    Database db_;
};

} // namespace gh::store
