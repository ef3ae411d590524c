#pragma once
// A small RAII layer over SQLite: connections, prepared statements with typed binding,
// transactions and numbered schema migrations.
//
// Errors are exceptions (DbError) carrying SQLite's own message and the file name. A failing
// database (disk full, corruption, a schema from the future) is exceptional, not a result a
// caller branches on, and a throw unwinds through Transaction, which rolls back.
//
// A connection is used by one thread at a time (SQLite is opened without its own mutexes);
// classes that share one across threads (KeyStore, RequestLog's readers) hold a mutex.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace gh::store {

class DbError : public std::runtime_error {
public:
    // `code` is SQLite's extended result code, or 0 for errors Gatehouse itself raises
    // (a schema newer than this build, a file that is not a Gatehouse database).
    DbError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }

private:
    int code_;
};

class Statement {
public:
    Statement() = default;
    Statement(Statement&& o) noexcept;
    Statement& operator=(Statement&& o) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    // Parameters are numbered from 1, as ?1, ?2 in the SQL. Text and blobs are copied by SQLite,
    // so temporaries may be bound.
    // (enable_if rather than a concept: Qt 6.4's moc cannot parse <concepts>, and tests include this.)
    template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
    Statement& bind(int index, T value) { return bindInt64(index, std::int64_t(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const char* text) {
        return text ? bind(index, std::string_view(text)) : bind(index, nullptr);
    }
    // Binds text without copying it: the caller keeps it alive and unchanged until the statement
    // has been stepped and reset. For hot loops over data that outlives the statement's run.
    Statement& bindNoCopy(int index, std::string_view text);
    Statement& bind(int index, std::span<const std::uint8_t> blob);
    Statement& bind(int index, std::nullptr_t);
    template <class T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, nullptr);
    }
    // Binds the arguments to ?1, ?2, ... in order.
    template <class... Args>
    Statement& bindAll(const Args&... args) {
        int index = 0;
        (bind(++index, args), ...);
        return *this;
    }

    // Advances to the next row: true when a row is ready, false when the statement is done.
    bool step();
    // Steps to completion, for statements that return no rows.
    void run();
    // Makes the statement ready to run again and clears its bindings.
    void reset();

    // Columns are numbered from 0, as SQLite does.
    bool isNull(int column) const;
    std::int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    std::string_view textView(int column) const; // valid until the next step or reset
    std::vector<std::uint8_t> blob(int column) const;
    std::optional<std::int64_t> optionalInt64(int column) const;
    std::optional<std::string> optionalText(int column) const;

    // The SQL with the values bound now, for diagnostics (never use it on secrets).
    std::string expandedSql() const;

private:
    friend class Database;
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Statement& bindInt64(int index, std::int64_t value);
    void check(int rc, const char* what) const;

    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

// What a commit promises. See RequestLog for why the stores use Full.
enum class Synchronous {
    Off,    // no fsync: a crash of the machine may corrupt the file; for throwaway data only
    Normal, // in WAL mode: commits survive a crash of the process, not of the machine
    Full,   // in WAL mode: each commit is fsynced; commits survive power loss too
};

struct OpenOptions {
    bool readOnly = false;  // readers (the console, a second connection in tests)
    int busyTimeoutMs = 5000; // how long to wait for another connection's write lock
    Synchronous synchronous = Synchronous::Full;
};

class Database {
public:
    Database() = default;
    // Opens (creating when writable) the file. Writable connections use WAL journal mode so
    // readers never block the writer and the writer never blocks readers; every connection
    // enforces foreign keys and waits up to busyTimeoutMs for a lock.
    static Database open(const std::filesystem::path& path, const OpenOptions& options = {});

    Database(Database&& o) noexcept;
    Database& operator=(Database&& o) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    bool isOpen() const { return db_ != nullptr; }
    // Runs one or more statements that return no rows.
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql) const;

    std::int64_t lastInsertRowid() const;
    int changes() const;
    int userVersion() const;
    const std::filesystem::path& path() const { return path_; }
    // "state.db": how messages name the database.
    std::string name() const { return path_.filename().string(); }
    sqlite3* handle() const { return db_; }

private:
    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
};

// RAII transaction: rolls back unless commit() was called, so an exception leaves the database
// as it was.
class Transaction {
public:
    enum class Mode {
        Deferred, // takes the write lock at the first write; for read transactions
        Immediate // takes the write lock now, so a busy database is waited for here, not mid-way
    };
    explicit Transaction(Database& db, Mode mode = Mode::Immediate);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit();

private:
    Database& db_;
    bool open_ = true;
};

// One step of a schema: brings the database from version - 1 to `version`.
struct Migration {
    int version = 0;
    std::string_view description;
    std::string_view sql;
};

// Applies the steps newer than the database's PRAGMA user_version, in order, each in its own
// transaction (a failing step leaves the database at the previous version). `steps` must be
// numbered 1, 2, 3, ... Throws DbError when the database is newer than the last step (written by
// a newer Gatehouse; it is never touched) or belongs to another application.
void migrate(Database& db, std::span<const Migration> steps);

// For read-only connections, which may not migrate: throws DbError unless the database is
// exactly at the last step's version.
void requireSchema(const Database& db, std::span<const Migration> steps);

} // namespace gh::store
