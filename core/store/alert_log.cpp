#include "store/alert_log.h"

#include "store/schema.h"

namespace gh::store {

AlertLog::AlertLog(const std::filesystem::path& workspace) : db_(openStateDb(workspace)) {}

bool AlertLog::record(const AlertRecord& alert) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("INSERT INTO alerts (time_ms, kind, subject, period_start_ms, threshold, detail_json) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                          "ON CONFLICT (kind, subject, period_start_ms, threshold) DO NOTHING");
    st.bindAll(alert.timeMs, alert.kind, alert.subject, alert.periodStartMs, alert.threshold,
               alert.detailJson.empty() ? std::string_view("{}") : std::string_view(alert.detailJson));
    st.run();
    return db_.changes() > 0;
}

std::vector<AlertRecord> AlertLog::list(std::optional<std::int64_t> beforeId, std::size_t limit,
                                        std::string_view kindPrefix) const {
    std::lock_guard lock(mutex_);
    // substr rather than LIKE: LIKE is case-insensitive and treats '_' and '%' in the prefix as wildcards.
    auto st = db_.prepare("SELECT id, time_ms, kind, subject, period_start_ms, threshold, detail_json FROM alerts "
                          "WHERE (?1 IS NULL OR id < ?1) AND substr(kind, 1, length(?2)) = ?2 "
                          "ORDER BY id DESC LIMIT ?3");
    st.bindAll(beforeId, kindPrefix, std::int64_t(limit));
    std::vector<AlertRecord> out;
    while (st.step()) {
        AlertRecord a;
        a.id = st.int64(0);
        a.timeMs = st.int64(1);
        a.kind = st.text(2);
        a.subject = st.text(3);
        a.periodStartMs = st.int64(4);
        a.threshold = int(st.int64(5));
        a.detailJson = st.text(6);
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace gh::store
