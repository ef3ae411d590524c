#pragma once
// Results of admin operations that must not run twice, by the client's idempotency key: a retry
// of "rotate this gateway key" with the same key gets the first answer back (with the secret it
// showed) instead of a second rotation. Kept 24 hours.
//
// A result contains a secret, so it is stored sealed under the workspace master key (crypto/seal.h),
// request hash, status and body together; the associated data binds the blob to its (scope, key),
// so a row copied under another key does not open.
#include "crypto/seal.h"
#include "store/database.h"
#include "store/request_record.h"

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace gh::store {

inline constexpr TimeMs kIdempotencyLifetimeMs = 24 * 3'600'000;

struct IdempotentResult {
    std::string requestHash; // of the request the result answered: the same key with another request is a client error
    std::string response;
    int status = 200;
    bool operator==(const IdempotentResult&) const = default;
};

class IdempotencyStore {
public:
    IdempotencyStore(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey);
    ~IdempotencyStore();
    IdempotencyStore(const IdempotencyStore&) = delete;
    IdempotencyStore& operator=(const IdempotencyStore&) = delete;

    // nullopt when absent, 24 hours old or older, or not openable under this master key.
    std::optional<IdempotentResult> find(std::string_view scope, std::string_view key, TimeMs now) const;
    // Stores the result sealed. The first result for (scope, key) stays until it expires: a second
    // remember() within 24 hours (two racing requests) does not replace it; find() then returns
    // the first.
    void remember(std::string_view scope, std::string_view key, const IdempotentResult& result, TimeMs now);
    // Deletes results 24 hours old or older.
    void prune(TimeMs now);

private:
    crypto::MasterKey masterKey_;
    mutable std::mutex mutex_;
    Database db_;
};

} // namespace gh::store
