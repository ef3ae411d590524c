#include "audit/audit_log.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace gh::audit {
namespace {

using Digest = std::array<std::uint8_t, 32>;
using Bytes = std::span<const std::uint8_t>;

constexpr Digest kZeroHash{};
constexpr std::string_view kEntryDomain = "gatehouse audit entry v1";
constexpr std::string_view kCheckpointKeyLabel = "gatehouse audit checkpoint v1";
constexpr std::string_view kRedacted = "[redacted]";
constexpr std::size_t kMaxPage = 1000;

Bytes bytesOf(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// The canonical encoding: integers as 8 bytes big-endian, strings as their 8-byte big-endian
// length and their bytes. Every field has a fixed size or a length in front of it, so two
// different sequences of fields never encode to the same bytes.
class Encoder {
public:
    Encoder& u64(std::uint64_t v) {
        for (int i = 7; i >= 0; --i)
            bytes_.push_back(std::uint8_t(v >> (8 * i)));
        return *this;
    }
    Encoder& i64(std::int64_t v) { return u64(std::uint64_t(v)); }
    Encoder& str(std::string_view s) {
        u64(s.size());
        return raw(bytesOf(s));
    }
    Encoder& raw(Bytes b) {
        bytes_.insert(bytes_.end(), b.begin(), b.end());
        return *this;
    }
    Bytes bytes() const { return bytes_; }

private:
    std::vector<std::uint8_t> bytes_;
};

Digest hmacSha256(Bytes key, Bytes data) {
    Digest out{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), int(key.size()), data.data(), data.size(), out.data(), &len) ||
        len != out.size())
        throw crypto::CryptoError("HMAC-SHA256 failed");
    return out;
}

bool equalBytes(Bytes a, Bytes b) { return crypto::constantTimeEqual(a, b); }

// What an entry says: everything its hash covers apart from seq and the previous hash.
struct Content {
    TimeMs timeMs = 0;
    std::string actor, role, action, target, outcome, detail, source;
};

Digest entryHash(Bytes prev, std::int64_t seq, const Content& c) {
    Encoder e;
    e.raw(prev).str(kEntryDomain).i64(seq).i64(c.timeMs);
    e.str(c.actor).str(c.role).str(c.action).str(c.target).str(c.outcome).str(c.detail).str(c.source);
    return crypto::sha256(e.bytes());
}

crypto::MasterKey deriveCheckpointKey(const crypto::MasterKey& master) {
    return hmacSha256(master, bytesOf(kCheckpointKeyLabel));
}

Digest entrySeal(const crypto::MasterKey& k, std::int64_t seq, Bytes hash) {
    Encoder e;
    e.str("entry").i64(seq).raw(hash);
    return hmacSha256(k, e.bytes());
}

Digest headMac(const crypto::MasterKey& k, std::int64_t seq, Bytes hash, TimeMs timeMs) {
    Encoder e;
    e.str("head").i64(seq).raw(hash).i64(timeMs);
    return hmacSha256(k, e.bytes());
}

Digest keyCheck(const crypto::MasterKey& k) {
    Encoder e;
    e.str("key check");
    return hmacSha256(k, e.bytes());
}

// ---- rows ------------------------------------------------------------------------------------

constexpr const char* kRowColumns =
    "seq, time_ms, actor, role, action, target, outcome, detail, source, prev_hash, hash, seal";

struct Row {
    std::int64_t seq = 0;
    Content c;
    std::vector<std::uint8_t> prev, hash, seal;
};

Row readRow(const store::Statement& st) {
    Row r;
    r.seq = st.int64(0);
    r.c.timeMs = st.int64(1);
    r.c.actor = st.text(2);
    r.c.role = st.text(3);
    r.c.action = st.text(4);
    r.c.target = st.text(5);
    r.c.outcome = st.text(6);
    r.c.detail = st.text(7);
    r.c.source = st.text(8);
    r.prev = st.blob(9);
    r.hash = st.blob(10);
    r.seal = st.blob(11);
    return r;
}

struct Head {
    std::int64_t seq = 0;
    std::vector<std::uint8_t> hash, mac;
    TimeMs timeMs = 0;
};

std::optional<Head> readHead(const store::Database& db) {
    auto st = db.prepare("SELECT seq, hash, time_ms, mac FROM audit_head WHERE id = 1");
    if (!st.step())
        return std::nullopt;
    return Head{st.int64(0), st.blob(1), st.blob(3), st.int64(2)};
}

bool headValid(const crypto::MasterKey& k, const Head& h) {
    return h.hash.size() == 32 && equalBytes(h.mac, headMac(k, h.seq, h.hash, h.timeMs));
}

std::optional<std::vector<std::uint8_t>> readKeyCheck(const store::Database& db) {
    auto st = db.prepare("SELECT value FROM audit_meta WHERE name = 'key_check'");
    if (!st.step())
        return std::nullopt;
    return st.blob(0);
}

std::string range(std::int64_t from, std::int64_t to) {
    return from == to ? "entry " + std::to_string(from)
                      : "entries " + std::to_string(from) + " to " + std::to_string(to);
}

// ---- verification ----------------------------------------------------------------------------

class Verifier {
public:
    Verifier(store::Database& db, const crypto::MasterKey& key) : db_(db), key_(key) {}

    VerifyReport run() {
        store::Transaction snapshot(db_, store::Transaction::Mode::Deferred); // one consistent view
        const auto head = readHead(db_);
        const bool headOk = head && headValid(key_, *head);
        if (headOk) {
            report_.headSeq = head->seq;
            report_.headHashHex = crypto::toHex(head->hash);
        }
        // The key check: a wrong master.key must not read as "everything was forged".
        bool keyCheckAltered = false;
        if (auto check = readKeyCheck(db_); check && !equalBytes(*check, keyCheck(key_))) {
            auto first = db_.prepare(std::string("SELECT ") + kRowColumns + " FROM audit_entries WHERE seq = 1");
            const bool keyWorks = first.step() ? selfOk(readRow(first), 1) : headOk;
            if (!keyWorks)
                return fail(std::nullopt, "key",
                            "no signature in audit.db matches this master key: verify with the master.key of the "
                            "workspace that wrote the log");
            keyCheckAltered = true;
        }

        Digest prev = kZeroHash;
        std::int64_t expected = 1;
        {
            auto walk = db_.prepare(std::string("SELECT ") + kRowColumns + " FROM audit_entries ORDER BY seq");
            while (walk.step()) {
                Row r = readRow(walk);
                if (r.seq == expected && equalBytes(r.prev, prev) && selfOk(r, expected)) {
                    std::copy(r.hash.begin(), r.hash.end(), prev.begin());
                    ++expected;
                    ++report_.entries;
                    ++report_.checkpoints;
                    continue;
                }
                return classify(expected, prev, r, headOk ? std::optional(head->seq) : std::nullopt);
            }
        }

        const std::int64_t last = expected - 1;
        if (!head) {
            if (last == 0)
                return intact();
            return fail(std::nullopt, "checkpoint",
                        "the signed head checkpoint is missing, so entries after seq " + std::to_string(last) +
                            " may have been removed from the end");
        }
        if (!headOk)
            return fail(std::nullopt, "checkpoint",
                        "the head checkpoint (seq " + std::to_string(head->seq) +
                            ") does not carry a valid signature: it was forged or altered, so entries after seq " +
                            std::to_string(last) + " may have been removed from the end");
        ++report_.checkpoints;
        if (head->seq > last)
            return fail(last + 1, "truncated",
                        range(last + 1, head->seq) + (last + 1 == head->seq ? " was" : " were") +
                            " removed from the end of the log: the signed head checkpoint names seq " +
                            std::to_string(head->seq) + ", " +
                            (last == 0 ? std::string("but the log has no entries")
                                       : "the last entry is seq " + std::to_string(last)));
        if (head->seq < last)
            return fail(std::nullopt, "checkpoint",
                        "the signed head checkpoint names seq " + std::to_string(head->seq) +
                            " but the chain ends at seq " + std::to_string(last) +
                            " with valid seals: an older head checkpoint was put back");
        if (!equalBytes(head->hash, prev))
            return fail(std::nullopt, "checkpoint",
                        "the signed head checkpoint names seq " + std::to_string(head->seq) +
                            " with a hash that is not that entry's: it was copied from another log under the same key");
        if (keyCheckAltered)
            return fail(std::nullopt, "checkpoint", "the key check stored in audit.db was altered");
        return intact();
    }

private:
    VerifyReport intact() {
        report_.ok = true;
        report_.problem.clear();
        report_.message = report_.entries == 0
                              ? "the audit log is empty"
                              : "all " + std::to_string(report_.entries) +
                                    " entries are intact and the signed head checkpoint names the last one";
        return report_;
    }

    VerifyReport fail(std::optional<std::int64_t> seq, std::string problem, std::string message) {
        report_.ok = false;
        report_.firstBadSeq = seq;
        report_.problem = std::move(problem);
        report_.message = std::move(message);
        return report_;
    }

    bool sealOk(std::int64_t seq, Bytes hash, Bytes seal) const {
        return hash.size() == 32 && equalBytes(seal, entrySeal(key_, seq, hash));
    }
    // Row `r` is, untouched, the entry the gateway wrote as `seq` (wherever it is stored now).
    bool selfOk(const Row& r, std::int64_t seq) const {
        return r.prev.size() == 32 && r.hash.size() == 32 && equalBytes(entryHash(r.prev, seq, r.c), r.hash) &&
               sealOk(seq, r.hash, r.seal);
    }

    std::int64_t searchLimit() const {
        auto st = db_.prepare("SELECT max(seq), count(*) FROM audit_entries");
        st.step();
        const std::int64_t top = std::max({st.int64(0), st.int64(1), report_.headSeq}) + 1;
        return std::min<std::int64_t>(top, 20'000'000); // a bound for absurd seq values
    }

    // The seq row `r` was written as, when it is a genuine entry (wherever it is stored now).
    std::optional<std::int64_t> genuineSeq(const Row& r) const {
        if (r.prev.size() != 32 || r.hash.size() != 32)
            return std::nullopt;
        if (r.seq >= 1 && selfOk(r, r.seq))
            return r.seq;
        if (equalBytes(r.prev, kZeroHash) && selfOk(r, 1))
            return 1;
        // Usually the entry it follows is still in place: its seq + 1.
        auto link = db_.prepare(std::string("SELECT ") + kRowColumns + " FROM audit_entries WHERE hash = ?1");
        link.bind(1, Bytes(r.prev));
        while (link.step()) {
            const Row q = readRow(link);
            if (selfOk(q, q.seq) && selfOk(r, q.seq + 1))
                return q.seq + 1;
        }
        // Otherwise try every seq: only on this failure path, once.
        for (std::int64_t j = 1, limit = searchLimit(); j <= limit; ++j)
            if (equalBytes(entryHash(r.prev, j, r.c), r.hash))
                return sealOk(j, r.hash, r.seal) ? std::optional(j) : std::nullopt;
        return std::nullopt;
    }

    // A row other than `exceptSeq` that is genuine entry `seq` (which follows the hash `prev`).
    std::optional<std::int64_t> storedAs(std::int64_t seq, const Digest& prev, std::int64_t exceptSeq) const {
        auto st = db_.prepare(std::string("SELECT ") + kRowColumns +
                              " FROM audit_entries WHERE prev_hash = ?1 AND seq <> ?2 ORDER BY seq");
        st.bind(1, Bytes(prev)).bind(2, exceptSeq);
        while (st.step()) {
            const Row q = readRow(st);
            if (selfOk(q, seq))
                return q.seq;
        }
        return std::nullopt;
    }

    // Another row whose sealed hash matches r's content: r's fields were copied or swapped from it.
    std::optional<std::int64_t> contentOwner(const Row& r) const {
        auto st = db_.prepare("SELECT seq, prev_hash, hash, seal FROM audit_entries WHERE seq <> ?1 ORDER BY seq");
        st.bind(1, r.seq);
        while (st.step()) {
            const std::int64_t seq = st.int64(0);
            const auto prev = st.blob(1), hash = st.blob(2), seal = st.blob(3);
            if (prev.size() == 32 && hash.size() == 32 && equalBytes(entryHash(prev, seq, r.c), hash) &&
                sealOk(seq, hash, seal))
                return seq;
        }
        return std::nullopt;
    }

    // The walk expected entry `e` (following `prev`) and found row `r`.
    VerifyReport classify(std::int64_t e, const Digest& prev, const Row& r, std::optional<std::int64_t> headSeq) {
        const std::string at = "seq " + std::to_string(e);
        if (r.seq < e)
            return fail(e, "inserted", "a second row claims seq " + std::to_string(r.seq) + ": it was inserted");
        if (r.seq > e) {
            if (auto moved = storedAs(e, prev, r.seq))
                return fail(e, "reordered",
                            "entry " + std::to_string(e) + " was moved: it is stored as seq " + std::to_string(*moved));
            return fail(e, "removed",
                        range(e, r.seq - 1) + (r.seq - 1 == e ? " was" : " were") +
                            " removed from the middle of the log");
        }
        if (auto j = genuineSeq(r)) {
            if (*j == e)
                return fail(e, "altered",
                            "entry " + std::to_string(e) + " is signed but does not follow entry " +
                                std::to_string(e - 1) + ": it was copied in from another copy of the log");
            if (*j < e)
                return fail(e, "inserted", at + " is a copy of entry " + std::to_string(*j) + ": it was inserted");
            if (auto moved = storedAs(e, prev, r.seq))
                return fail(e, "reordered",
                            "entries were reordered: " + at + " holds entry " + std::to_string(*j) + ", and entry " +
                                std::to_string(e) + " is stored as seq " + std::to_string(*moved));
            return fail(e, "removed",
                        range(e, *j - 1) + (*j - 1 == e ? " was" : " were") +
                            " removed and the later entries renumbered (" + at + " holds entry " + std::to_string(*j) +
                            ")");
        }
        if (auto genuine = storedAs(e, prev, r.seq))
            return fail(e, "inserted",
                        at + " was inserted: it is not an entry the gateway wrote, and entry " + std::to_string(e) +
                            " follows it as seq " + std::to_string(*genuine));
        if (headSeq && e > *headSeq)
            return fail(
                e, "inserted",
                at + " was inserted: it is not an entry the gateway wrote and comes after the signed head (seq " +
                    std::to_string(*headSeq) + ")");
        if (auto owner = contentOwner(r)) {
            if (*owner > e)
                return fail(e, "reordered",
                            "entries were reordered: " + at + " holds the content of entry " + std::to_string(*owner));
            return fail(e, "inserted", at + " holds a copy of the content of entry " + std::to_string(*owner));
        }
        const bool recomputed =
            r.prev.size() == 32 && r.hash.size() == 32 && equalBytes(entryHash(r.prev, e, r.c), r.hash);
        return fail(e, "altered",
                    recomputed ? "entry " + std::to_string(e) +
                                     " was altered: its hash matches its content, but its seal, which only the master "
                                     "key can make, does not (the content was rewritten and the hash recomputed, or "
                                     "the seal was replaced)"
                               : "entry " + std::to_string(e) + " was altered: its content no longer matches its hash");
    }

    store::Database& db_;
    const crypto::MasterKey& key_;
    VerifyReport report_;
};

VerifyReport unreadable(const std::string& message) {
    VerifyReport r;
    r.problem = "unreadable";
    r.message = message;
    return r;
}

VerifyReport verifyAt(const std::filesystem::path& path, const crypto::MasterKey& checkpointKey) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return unreadable("there is no " + path.filename().string() + " in " + path.parent_path().string() +
                          ": the audit log was deleted or this is not a workspace");
    try {
        store::OpenOptions options;
        options.readOnly = true;
        options.busyTimeoutMs = AuditLog::kBusyTimeoutMs;
        store::Database db = store::Database::open(path, options);
        store::requireSchema(db, auditMigrations());
        return Verifier(db, checkpointKey).run();
    } catch (const store::DbError& e) {
        return unreadable(std::string("cannot read the audit log: ") + e.what());
    }
}

// ---- detail scrubbing ------------------------------------------------------------------------

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool secretName(std::string_view key) {
    std::string k;
    for (char c : key)
        if (c != '_' && c != '-' && c != ' ' && c != '.')
            k += char(std::tolower(static_cast<unsigned char>(c)));
    if (endsWith(k, "id") || endsWith(k, "ids") || endsWith(k, "fingerprint"))
        return false;
    for (std::string_view word : {"secret", "token", "password", "passwd", "apikey", "authorization", "privatekey"})
        if (k.find(word) != std::string::npos)
            return true;
    return false;
}

// A whole Gatehouse secret ("ghk_"/"gha_" + 43 base64url characters) or a bearer credential.
bool secretValue(std::string_view v) {
    if (v.size() >= 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer "))
        return true;
    for (std::string_view prefix : {"ghk_", "gha_"})
        for (std::size_t at = v.find(prefix); at != std::string_view::npos; at = v.find(prefix, at + 1)) {
            std::size_t n = 0;
            for (std::size_t i = at + prefix.size(); i < v.size(); ++i, ++n) {
                const char c = v[i];
                if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
                    break;
            }
            if (n >= 40)
                return true;
        }
    return false;
}

void redactAll(boost::json::value& v) {
    if (v.is_string())
        v = kRedacted;
    else if (v.is_object())
        for (auto& member : v.get_object())
            redactAll(member.value());
    else if (v.is_array())
        for (auto& item : v.get_array())
            redactAll(item);
}

void scrub(boost::json::value& v) {
    if (v.is_string()) {
        if (secretValue(std::string_view(v.get_string().data(), v.get_string().size())))
            v = kRedacted;
    } else if (v.is_object()) {
        for (auto& member : v.get_object()) {
            if (secretName(std::string_view(member.key().data(), member.key().size())))
                redactAll(member.value());
            else
                scrub(member.value());
        }
    } else if (v.is_array()) {
        for (auto& item : v.get_array())
            scrub(item);
    }
}

} // namespace

std::string scrubDetail(std::string_view json) {
    if (std::all_of(json.begin(), json.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }))
        return "{}";
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(boost::json::string_view(json.data(), json.size()), ec);
    // The message never quotes the text: it may hold the very secret this is meant to catch.
    if (ec)
        throw AuditError("the audit entry's detail is not valid JSON (" + ec.message() + ")");
    if (!v.is_object())
        throw AuditError("the audit entry's detail must be a JSON object");
    scrub(v);
    return boost::json::serialize(v);
}

// ---- AuditLog --------------------------------------------------------------------------------

AuditLog::AuditLog(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey)
    : workspace_(workspace), path_(workspace / kAuditDbFile), checkpointKey_(deriveCheckpointKey(masterKey)) {
    try {
        std::filesystem::create_directories(workspace);
        store::OpenOptions options;
        options.busyTimeoutMs = kBusyTimeoutMs;
        options.synchronous = store::Synchronous::Full;
        db_ = store::Database::open(path_, options);
        store::migrate(db_, auditMigrations());
        store::Transaction tx(db_);
        const auto expected = keyCheck(checkpointKey_);
        if (auto check = readKeyCheck(db_)) {
            if (!equalBytes(*check, expected))
                throw AuditError(path_.string() +
                                 " was written with a different master key: appending with this one would break the "
                                 "chain. Use the workspace's own master.key.");
        } else {
            auto insert = db_.prepare("INSERT INTO audit_meta (name, value) VALUES ('key_check', ?1)");
            insert.bind(1, Bytes(expected));
            insert.run();
        }
        tx.commit();
    } catch (const store::DbError& e) {
        throw AuditError(std::string("cannot open the audit log: ") + e.what());
    } catch (const std::filesystem::filesystem_error& e) {
        throw AuditError(std::string("cannot open the audit log: ") + e.what());
    }
}

AuditLog::~AuditLog() { crypto::wipe(checkpointKey_); }

Entry AuditLog::append(const NewEntry& in, TimeMs now) {
    if (in.action.empty())
        throw AuditError("an audit entry needs an action");
    Content c{now, in.actor, in.role, in.action, in.target, in.outcome, scrubDetail(in.detailJson), in.source};

    std::lock_guard lock(mutex_);
    try {
        // Immediate: the write lock is taken (or waited for, up to kBusyTimeoutMs) before the head
        // is read, so appends from other processes chain correctly too.
        store::Transaction tx(db_);
        std::int64_t seq = 1;
        Digest prev = kZeroHash;
        {
            auto last = db_.prepare("SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1");
            std::optional<std::pair<std::int64_t, std::vector<std::uint8_t>>> tail;
            if (last.step())
                tail.emplace(last.int64(0), last.blob(1));
            const auto head = readHead(db_);
            // Appending after a tampered tail would overwrite the head checkpoint that proves it;
            // refuse instead, so the evidence stays for `gatehoused audit verify`.
            const bool consistent = tail ? head && headValid(checkpointKey_, *head) && head->seq == tail->first &&
                                               equalBytes(head->hash, tail->second)
                                         : !head;
            if (!consistent)
                throw AuditError(path_.string() +
                                 " does not end where its signed head checkpoint says: it was tampered with. Run "
                                 "`gatehoused audit verify` on the workspace; to go on, move audit.db aside (keep it "
                                 "as evidence) and restart, which starts a new chain.");
            if (tail) {
                seq = tail->first + 1;
                std::copy(tail->second.begin(), tail->second.end(), prev.begin());
            }
        }
        const Digest hash = entryHash(prev, seq, c);
        const Digest seal = entrySeal(checkpointKey_, seq, hash);
        auto insert = db_.prepare("INSERT INTO audit_entries (seq, time_ms, actor, role, action, target, outcome, "
                                  "detail, source, prev_hash, hash, seal) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
        insert.bindAll(seq, c.timeMs, c.actor, c.role, c.action, c.target, c.outcome, c.detail, c.source, Bytes(prev),
                       Bytes(hash), Bytes(seal));
        insert.run();
        const Digest mac = headMac(checkpointKey_, seq, hash, now);
        auto head = db_.prepare("INSERT INTO audit_head (id, seq, hash, time_ms, mac) VALUES (1, ?1, ?2, ?3, ?4) "
                                "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, "
                                "time_ms = excluded.time_ms, mac = excluded.mac");
        head.bindAll(seq, Bytes(hash), now, Bytes(mac));
        head.run();
        tx.commit();
        return Entry{seq,      now,      std::move(c.actor), std::move(c.role), std::move(c.action),
                     std::move(c.target), std::move(c.outcome), std::move(c.detail), std::move(c.source),
                     crypto::toHex(prev), crypto::toHex(hash)};
    } catch (const store::DbError& e) {
        throw AuditError(std::string("the audit entry was not recorded: ") + e.what());
    }
}

AuditPage AuditLog::list(const AuditFilter& filter, std::optional<std::int64_t> beforeSeq, std::size_t limit) const {
    limit = std::clamp<std::size_t>(limit, 1, kMaxPage);
    // ?1 before, ?2 from, ?3 to, ?4 actor, ?5/?6 action (exact, or a range for a prefix), ?7 target, ?8 limit
    std::string sql = "SELECT seq, time_ms, actor, role, action, target, outcome, detail, source, prev_hash, hash "
                      "FROM audit_entries WHERE 1";
    if (beforeSeq)
        sql += " AND seq < ?1";
    if (filter.fromMs)
        sql += " AND time_ms >= ?2";
    if (filter.toMs)
        sql += " AND time_ms < ?3";
    if (!filter.actor.empty())
        sql += " AND actor = ?4";
    const bool prefix = !filter.action.empty() && filter.action.back() == '.';
    std::string actionEnd;
    if (prefix) {
        actionEnd = filter.action;
        actionEnd.back() = char('.' + 1); // "credential." <= action < "credential/"
        sql += " AND action >= ?5 AND action < ?6";
    } else if (!filter.action.empty()) {
        sql += " AND action = ?5";
    }
    if (!filter.target.empty())
        sql += " AND target = ?7";
    sql += " ORDER BY seq DESC LIMIT ?8";

    std::lock_guard lock(mutex_);
    try {
        auto st = db_.prepare(sql);
        if (beforeSeq)
            st.bind(1, *beforeSeq);
        if (filter.fromMs)
            st.bind(2, *filter.fromMs);
        if (filter.toMs)
            st.bind(3, *filter.toMs);
        if (!filter.actor.empty())
            st.bind(4, filter.actor);
        if (!filter.action.empty())
            st.bind(5, filter.action);
        if (prefix)
            st.bind(6, actionEnd);
        if (!filter.target.empty())
            st.bind(7, filter.target);
        st.bind(8, std::int64_t(limit) + 1);
        AuditPage page;
        while (st.step()) {
            if (page.entries.size() == limit) {
                page.nextBeforeSeq = page.entries.back().seq;
                break;
            }
            page.entries.push_back(Entry{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5),
                                         st.text(6), st.text(7), st.text(8), crypto::toHex(st.blob(9)),
                                         crypto::toHex(st.blob(10))});
        }
        return page;
    } catch (const store::DbError& e) {
        throw AuditError(std::string("cannot read the audit log: ") + e.what());
    }
}

VerifyReport AuditLog::verify() const { return verifyAt(path_, checkpointKey_); }

VerifyReport verifyAuditFile(const std::filesystem::path& workspace, const crypto::MasterKey& masterKey) {
    auto key = deriveCheckpointKey(masterKey);
    VerifyReport report = verifyAt(workspace / kAuditDbFile, key);
    crypto::wipe(key);
    return report;
}

} // namespace gh::audit
