#include "store/database.h"
#include "store/schema.h"
#include "support/testdata.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <limits>

using namespace gh::store;

namespace {

std::filesystem::path fileIn(const QTemporaryDir& dir, const char* name) {
    return std::filesystem::path(dir.path().toStdString()) / name;
}

int tableCount(const Database& db, const char* name) {
    auto st = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    st.bind(1, name);
    st.step();
    return int(st.int64(0));
}

std::string scalarText(const Database& db, const char* sql) {
    auto st = db.prepare(sql);
    st.step();
    return st.text(0);
}

template <class Fn>
std::string errorOf(Fn fn) {
    try {
        fn();
    } catch (const DbError& e) {
        return e.what();
    }
    return {};
}

constexpr Migration kSteps[] = {
    {1, "first table", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"},
    {2, "second table", "CREATE TABLE b (y TEXT);"},
};

} // namespace

class TestDatabase : public QObject {
    Q_OBJECT
private slots:
    void migratesAnEmptyFileToTheLatestVersion() {
        QTemporaryDir dir;
        {
            Database db = openRequestsDb(dir.path().toStdString());
            QCOMPARE(db.userVersion(), int(requestsMigrations().size()));
            QCOMPARE(tableCount(db, "requests"), 1);
            QCOMPARE(tableCount(db, "hourly_rollups"), 1);
            QCOMPARE(tableCount(db, "budget_spend"), 1);
            QCOMPARE(scalarText(db, "PRAGMA journal_mode"), std::string("wal"));
            QCOMPARE(scalarText(db, "PRAGMA synchronous"), std::string("2")); // FULL
            QCOMPARE(scalarText(db, "PRAGMA foreign_keys"), std::string("1"));
        }
        Database state = openStateDb(dir.path().toStdString());
        QCOMPARE(state.userVersion(), int(stateMigrations().size()));
        QCOMPARE(tableCount(state, "gateway_keys"), 1);
        QVERIFY(QFile::exists(dir.filePath("state.db")));
        QVERIFY(QFile::exists(dir.filePath("requests.db")));
    }

    void createsTheWorkspaceDirectory() {
        QTemporaryDir dir;
        const auto workspace = std::filesystem::path(dir.path().toStdString()) / "a" / "b";
        openStateDb(workspace);
        QVERIFY(std::filesystem::exists(workspace / "state.db"));
    }

    void appliesEachStepOnceInOrder() {
        QTemporaryDir dir;
        Database db = Database::open(fileIn(dir, "x.db"));
        migrate(db, std::span(kSteps).first(1));
        QCOMPARE(db.userVersion(), 1);
        migrate(db, kSteps); // only step 2 is new
        migrate(db, kSteps); // nothing is new
        QCOMPARE(db.userVersion(), 2);
        QCOMPARE(scalarText(db, "SELECT count(*) FROM a"), std::string("1"));
        QCOMPARE(tableCount(db, "b"), 1);
    }

    void aFailingStepLeavesThePreviousVersion() {
        QTemporaryDir dir;
        Database db = Database::open(fileIn(dir, "x.db"));
        const Migration steps[] = {kSteps[0], {2, "broken", "CREATE TABLE c (z); CREATE TABLE oops ("}};
        const std::string message = errorOf([&] { migrate(db, steps); });
        QVERIFY2(message.find("schema migration 2, broken") != std::string::npos, message.c_str());
        QVERIFY2(message.find("x.db") == 0, message.c_str());
        QCOMPARE(db.userVersion(), 1);
        QCOMPARE(tableCount(db, "c"), 0); // the first half of step 2 was rolled back
    }

    void refusesASchemaNewerThanTheCode() {
        QTemporaryDir dir;
        const auto workspace = std::filesystem::path(dir.path().toStdString());
        {
            Database db = openRequestsDb(workspace);
            db.exec("PRAGMA user_version = 99");
        }
        const auto before = gh::test::readText(dir.filePath("requests.db"));
        const std::string message = errorOf([&] { openRequestsDb(workspace); });
        QVERIFY2(message.find("requests.db has schema version 99, newer than this build of Gatehouse understands "
                              "(version " + std::to_string(requestsMigrations().size()) + ")") == 0,
                 message.c_str());
        QVERIFY2(message.find("not modified") != std::string::npos, message.c_str());
        OpenOptions readOnly;
        readOnly.readOnly = true;
        QVERIFY(!errorOf([&] { openRequestsDb(workspace, readOnly); }).empty());
        QCOMPARE(gh::test::readText(dir.filePath("requests.db")), before);
    }

    void refusesAFileThatIsNotOurs() {
        QTemporaryDir dir;
        {
            Database other = Database::open(fileIn(dir, "state.db"));
            other.exec("CREATE TABLE customers (name TEXT)");
        }
        const std::string message = errorOf([&] { openStateDb(dir.path().toStdString()); });
        QVERIFY2(message.find("state.db is not a Gatehouse database") == 0, message.c_str());
    }

    void readOnlyConnectionsRequireTheCurrentSchema() {
        QTemporaryDir dir;
        Database db = Database::open(fileIn(dir, "x.db"));
        migrate(db, std::span(kSteps).first(1));
        OpenOptions readOnly;
        readOnly.readOnly = true;
        Database reader = Database::open(fileIn(dir, "x.db"), readOnly);
        const std::string message = errorOf([&] { requireSchema(reader, kSteps); });
        QVERIFY2(message.find("x.db has schema version 1; this build expects 2") == 0, message.c_str());
        migrate(db, kSteps);
        requireSchema(reader, kSteps);
        QVERIFY(!errorOf([&] { reader.exec("INSERT INTO a VALUES (2)"); }).empty());
    }

    void bindsAndReadsTypedValues() {
        QTemporaryDir dir;
        Database db = Database::open(fileIn(dir, "x.db"));
        db.exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n INTEGER, o TEXT)");
        const std::vector<std::uint8_t> blob = {0, 1, 2, 255};
        auto ins = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        ins.bindAll(std::numeric_limits<std::int64_t>::min(), 2.5, std::string("text with \0 nul", 15),
                    std::span<const std::uint8_t>(blob), std::optional<int>(), std::optional<std::string>("set"));
        ins.run();
        QCOMPARE(db.changes(), 1);
        QCOMPARE(db.lastInsertRowid(), std::int64_t(1));
        auto sel = db.prepare("SELECT i, r, s, b, n, o FROM t");
        QVERIFY(sel.step());
        QCOMPARE(sel.int64(0), std::numeric_limits<std::int64_t>::min());
        QCOMPARE(sel.real(1), 2.5);
        QCOMPARE(sel.text(2), std::string("text with \0 nul", 15));
        QCOMPARE(sel.blob(3), blob);
        QVERIFY(sel.isNull(4));
        QCOMPARE(sel.optionalInt64(4), std::optional<std::int64_t>());
        QCOMPARE(sel.optionalText(5), std::optional<std::string>("set"));
        QVERIFY(!sel.step());
        // A reset statement runs again with new values.
        ins.reset();
        ins.bindAll(1, 0.0, "x", std::span<const std::uint8_t>(), nullptr, nullptr);
        ins.run();
        QCOMPARE(scalarText(db, "SELECT count(*) FROM t"), std::string("2"));
    }

    void transactionsRollBackUnlessCommitted() {
        QTemporaryDir dir;
        Database db = Database::open(fileIn(dir, "x.db"));
        db.exec("CREATE TABLE t (x INTEGER NOT NULL)");
        try {
            Transaction tx(db);
            db.exec("INSERT INTO t VALUES (1)");
            db.exec("INSERT INTO t VALUES (NULL)"); // throws
            tx.commit();
        } catch (const DbError&) {
        }
        QCOMPARE(scalarText(db, "SELECT count(*) FROM t"), std::string("0"));
        {
            Transaction tx(db);
            db.exec("INSERT INTO t VALUES (2)");
            tx.commit();
        }
        QCOMPARE(scalarText(db, "SELECT count(*) FROM t"), std::string("1"));
    }

    void errorsCarrySqlitesMessageAndTheFile() {
        QTemporaryDir dir;
        Database db = Database::open(fileIn(dir, "x.db"));
        std::string message = errorOf([&] { db.prepare("SELECT * FROM nowhere"); });
        QVERIFY2(message.find("x.db: cannot prepare \"SELECT * FROM nowhere\": no such table: nowhere") == 0,
                 message.c_str());
        db.exec("CREATE TABLE t (x INTEGER UNIQUE)");
        auto ins = db.prepare("INSERT INTO t VALUES (?1)");
        ins.bind(1, 1).run();
        ins.reset();
        int code = 0;
        try {
            ins.bind(1, 1).run();
        } catch (const DbError& e) {
            message = e.what();
            code = e.code();
        }
        QVERIFY2(message.find("UNIQUE constraint failed: t.x") != std::string::npos, message.c_str());
        QCOMPARE(code, 2067); // SQLITE_CONSTRAINT_UNIQUE
        ins.reset();
        ins.bind(1, 2).run(); // usable after the error
        const std::string openError = errorOf([] { Database::open("/nonexistent-dir/x.db"); });
        QVERIFY2(openError.find("cannot open /nonexistent-dir/x.db") != std::string::npos, openError.c_str());
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
