#include "store/database.h"

#include <sqlite3.h>

#include <utility>

namespace gh::store {
namespace {

// PRAGMA application_id of every Gatehouse database ("GhSt"), so that pointing the gateway at
// some other SQLite file fails with a clear message instead of migrating it.
constexpr int kApplicationId = 0x47685374;

std::string fileName(sqlite3* db) {
    const char* path = db ? sqlite3_db_filename(db, "main") : nullptr;
    if (!path || !*path)
        return "in-memory database";
    return std::filesystem::path(path).filename().string();
}

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
    std::string message = fileName(db) + ": " + std::string(what) + ": ";
    message += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw DbError(db ? sqlite3_extended_errcode(db) : rc, message);
}

int pragmaInt(const Database& db, const char* pragma) {
    auto st = db.prepare(std::string("PRAGMA ") + pragma);
    return st.step() ? int(st.int64(0)) : 0;
}

int tableCount(const Database& db) {
    auto st = db.prepare("SELECT count(*) FROM sqlite_schema");
    st.step();
    return int(st.int64(0));
}

// Refuses files that are not ours and schemas from the future; returns the current version.
int checkedVersion(const Database& db, int latest) {
    const int appId = pragmaInt(db, "application_id");
    const int version = db.userVersion();
    if (appId != kApplicationId && (appId != 0 || version != 0 || tableCount(db) != 0))
        throw DbError(0, db.name() + " is not a Gatehouse database (its application id is " + std::to_string(appId) +
                             "); refusing to change it");
    if (version > latest)
        throw DbError(0, db.name() + " has schema version " + std::to_string(version) +
                             ", newer than this build of Gatehouse understands (version " + std::to_string(latest) +
                             "). It was written by a newer Gatehouse: run that version, or restore a backup made "
                             "by this one. The file was not modified.");
    return version;
}

void checkSteps(std::span<const Migration> steps) {
    for (std::size_t i = 0; i < steps.size(); ++i)
        if (steps[i].version != int(i) + 1)
            throw std::logic_error("migrations must be numbered 1, 2, 3, ... in order");
}

} // namespace

// ---- Statement -------------------------------------------------------------------------------

Statement::Statement(Statement&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), stmt_(std::exchange(o.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(stmt_);
        db_ = std::exchange(o.db_, nullptr);
        stmt_ = std::exchange(o.stmt_, nullptr);
    }
    return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::check(int rc, const char* what) const {
    if (rc != SQLITE_OK)
        fail(db_, rc, what);
}

Statement& Statement::bindInt64(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    check(sqlite3_bind_double(stmt_, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    check(sqlite3_bind_text64(stmt_, index, text.data() ? text.data() : "", text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
          "bind");
    return *this;
}

Statement& Statement::bindNoCopy(int index, std::string_view text) {
    check(sqlite3_bind_text64(stmt_, index, text.data() ? text.data() : "", text.size(), SQLITE_STATIC, SQLITE_UTF8),
          "bind");
    return *this;
}

Statement& Statement::bind(int index, std::span<const std::uint8_t> blob) {
    // A zero-length blob is still a blob, not NULL.
    check(blob.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                       : sqlite3_bind_blob64(stmt_, index, blob.data(), blob.size(), SQLITE_TRANSIENT),
          "bind");
    return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
    check(sqlite3_bind_null(stmt_, index), "bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    // Capture the message, then reset so that the statement can be used again.
    std::string what = "cannot run \"";
    const char* sql = sqlite3_sql(stmt_);
    const std::string_view text = sql ? sql : "";
    what += text.substr(0, 60);
    what += text.size() > 60 ? "...\"" : "\"";
    const int code = sqlite3_extended_errcode(db_);
    std::string message = fileName(db_) + ": " + what + ": " + sqlite3_errmsg(db_);
    sqlite3_reset(stmt_);
    throw DbError(code, message);
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_); // returns the last step's error, already reported by step()
    sqlite3_clear_bindings(stmt_);
}

bool Statement::isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string_view Statement::textView(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string_view(p, std::size_t(sqlite3_column_bytes(stmt_, column))) : std::string_view();
}

std::string Statement::text(int column) const { return std::string(textView(column)); }

std::vector<std::uint8_t> Statement::blob(int column) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
    return p ? std::vector<std::uint8_t>(p, p + sqlite3_column_bytes(stmt_, column)) : std::vector<std::uint8_t>();
}

std::optional<std::int64_t> Statement::optionalInt64(int column) const {
    return isNull(column) ? std::nullopt : std::optional(int64(column));
}

std::optional<std::string> Statement::optionalText(int column) const {
    return isNull(column) ? std::nullopt : std::optional(text(column));
}

std::string Statement::expandedSql() const {
    char* s = sqlite3_expanded_sql(stmt_);
    std::string out = s ? s : "";
    sqlite3_free(s);
    return out;
}

// ---- Database --------------------------------------------------------------------------------

Database Database::open(const std::filesystem::path& path, const OpenOptions& options) {
    Database db;
    db.path_ = path;
    // NOMUTEX: a connection is used by one thread at a time (see the header); the callers lock.
    const int flags = (options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = path.filename().string() + ": cannot open " + path.string() + ": " +
                              (db.db_ ? sqlite3_errmsg(db.db_) : sqlite3_errstr(rc));
        throw DbError(rc, message); // ~Database closes the half-open handle
    }
    sqlite3_extended_result_codes(db.db_, 1);
    sqlite3_busy_timeout(db.db_, options.busyTimeoutMs);
    db.exec("PRAGMA foreign_keys = ON");
    if (!options.readOnly) {
        auto mode = db.prepare("PRAGMA journal_mode = WAL");
        const std::string journal = mode.step() ? mode.text(0) : std::string();
        mode = Statement();
        if (journal != "wal" && path != ":memory:")
            throw DbError(0, db.name() + ": cannot switch to WAL journal mode (the journal mode is '" + journal + "')");
        switch (options.synchronous) {
        case Synchronous::Off: db.exec("PRAGMA synchronous = OFF"); break;
        case Synchronous::Normal: db.exec("PRAGMA synchronous = NORMAL"); break;
        case Synchronous::Full: db.exec("PRAGMA synchronous = FULL"); break;
        }
        // After a burst the WAL file is truncated back to this size at checkpoints instead of
        // keeping its largest size forever.
        db.exec("PRAGMA journal_size_limit = 67108864");
    }
    return db;
}

Database::Database(Database&& o) noexcept : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)) {}

Database& Database::operator=(Database&& o) noexcept {
    if (this != &o) {
        sqlite3_close_v2(db_);
        db_ = std::exchange(o.db_, nullptr);
        path_ = std::move(o.path_);
    }
    return *this;
}

Database::~Database() { sqlite3_close_v2(db_); }

void Database::exec(std::string_view sql) {
    const std::string text(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        const std::string message = name() + ": " + (error ? error : sqlite3_errstr(rc));
        sqlite3_free(error);
        throw DbError(sqlite3_extended_errcode(db_), message);
    }
}

Statement Database::prepare(std::string_view sql) const {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK)
        fail(db_, rc, "cannot prepare \"" + std::string(sql.substr(0, 60)) + (sql.size() > 60 ? "...\"" : "\""));
    return Statement(db_, stmt);
}

std::int64_t Database::lastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

int Database::userVersion() const { return pragmaInt(*this, "user_version"); }

// ---- Transaction -----------------------------------------------------------------------------

Transaction::Transaction(Database& db, Mode mode) : db_(db) {
    db_.exec(mode == Mode::Immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

Transaction::~Transaction() {
    if (open_)
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr); // nothing to do if it fails
}

void Transaction::commit() {
    db_.exec("COMMIT");
    open_ = false;
}

// ---- Migrations ------------------------------------------------------------------------------

void migrate(Database& db, std::span<const Migration> steps) {
    checkSteps(steps);
    const int latest = int(steps.size());
    if (checkedVersion(db, latest) == latest)
        return;
    for (const Migration& step : steps) {
        // Checked again inside each write transaction: another process may be migrating the
        // same file at the same time, and then only one of us applies each step.
        Transaction tx(db);
        const int version = checkedVersion(db, latest);
        if (version >= step.version)
            continue;
        try {
            db.exec(step.sql);
        } catch (const DbError& e) {
            throw DbError(e.code(), std::string(e.what()) + " (in schema migration " + std::to_string(step.version) +
                                        ", " + std::string(step.description) + ")");
        }
        if (version == 0)
            db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
        db.exec("PRAGMA user_version = " + std::to_string(step.version));
        tx.commit();
    }
}

void requireSchema(const Database& db, std::span<const Migration> steps) {
    checkSteps(steps);
    const int latest = int(steps.size());
    const int version = checkedVersion(db, latest);
    if (version < latest)
        throw DbError(0, db.name() + " has schema version " + std::to_string(version) + "; this build expects " +
                             std::to_string(latest) + ". Start the gateway once to upgrade it.");
}

} // namespace gh::store
