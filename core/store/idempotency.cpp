#include "store/idempotency.h"

#include "crypto/hash.h"
#include "store/schema.h"

#include <boost/json.hpp>

namespace gh::store {
namespace {

// Length-prefixed, so ("a:b", "c") and ("a", "b:c") bind differently.
std::string associatedData(std::string_view scope, std::string_view key) {
    return "gatehouse idempotency:" + std::to_string(scope.size()) + ":" + std::string(scope) + ":" + std::string(key);
}

void wipeString(std::string& s) {
    crypto::wipe(std::span(reinterpret_cast<std::uint8_t*>(s.data()), s.size()));
}

} // namespace

IdempotencyStore::IdempotencyStore(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey)
    : masterKey_(masterKey), db_(openStateDb(workspace)) {
    // Pruned results are zeroed in the file, not left in free pages.
    db_.exec("PRAGMA secure_delete = ON");
}

IdempotencyStore::~IdempotencyStore() { crypto::wipe(masterKey_); }

std::optional<IdempotentResult> IdempotencyStore::find(std::string_view scope, std::string_view key, TimeMs now) const {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT sealed FROM idempotency_results WHERE scope = ?1 AND key = ?2 AND created_ms > ?3");
    st.bindAll(scope, key, now - kIdempotencyLifetimeMs);
    if (!st.step())
        return std::nullopt;
    auto plain = crypto::open(masterKey_, st.blob(0), associatedData(scope, key));
    if (!plain)
        return std::nullopt;
    boost::system::error_code ec;
    const auto value = boost::json::parse(*plain, ec);
    wipeString(*plain);
    if (ec || !value.is_object())
        return std::nullopt;
    const auto& o = value.get_object();
    const auto* hash = o.if_contains("request_hash");
    const auto* response = o.if_contains("response");
    const auto* status = o.if_contains("status");
    if (!hash || !hash->is_string() || !response || !response->is_string() || !status || !status->is_int64())
        return std::nullopt;
    return IdempotentResult{std::string(hash->get_string()), std::string(response->get_string()),
                            int(status->get_int64())};
}

void IdempotencyStore::remember(std::string_view scope, std::string_view key, const IdempotentResult& result,
                                TimeMs now) {
    boost::json::object o;
    o["request_hash"] = result.requestHash;
    o["response"] = result.response;
    o["status"] = result.status;
    std::string plain = boost::json::serialize(o);
    const auto sealed = crypto::seal(masterKey_, plain, associatedData(scope, key));
    wipeString(plain);
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("INSERT INTO idempotency_results (scope, key, created_ms, sealed) VALUES (?1, ?2, ?3, ?4) "
                          "ON CONFLICT (scope, key) DO UPDATE SET created_ms = excluded.created_ms, sealed = excluded.sealed "
                          "WHERE idempotency_results.created_ms <= ?5");
    st.bindAll(scope, key, now, std::span<const std::uint8_t>(sealed), now - kIdempotencyLifetimeMs);
    st.run();
}

void IdempotencyStore::prune(TimeMs now) {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("DELETE FROM idempotency_results WHERE created_ms <= ?1");
    st.bind(1, now - kIdempotencyLifetimeMs);
    st.run();
}

} // namespace gh::store
