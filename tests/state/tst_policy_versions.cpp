#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "state/state_testing.h"
#include "store/policy_versions.h"

#include <QTest>

#include <atomic>
#include <barrier>
#include <thread>

using namespace gh::store;
using gh::test::kStateNow;
using gh::test::workspaceOf;

namespace {

PolicyVersion draft(std::string yaml, const char* source = "api", const char* comment = "") {
    PolicyVersion v;
    v.yaml = std::move(yaml);
    v.author = "tok_alice";
    v.role = "policy-editor";
    v.comment = comment;
    v.source = source;
    return v;
}

} // namespace

class TestPolicyVersions : public QObject {
    Q_OBJECT
private slots:
    void appliesVersionsInOrder() {
        QTemporaryDir dir;
        PolicyVersionStore store(workspaceOf(dir));
        QVERIFY(!store.current());
        QVERIFY(store.list(std::nullopt, 10).empty());

        const ApplyResult first = store.apply(0, draft("version: 1\n", "init", "initial"), kStateNow);
        QVERIFY(first.applied);
        QCOMPARE(first.currentVersion, std::int64_t(1));
        QCOMPARE(first.version->version, std::int64_t(1));
        QCOMPARE(first.version->sha256Hex, gh::crypto::toHex(gh::crypto::sha256(std::string("version: 1\n"))));
        QCOMPARE(first.version->createdMs, kStateNow);
        QCOMPARE(first.version->source, std::string("init"));
        QCOMPARE(*store.current(), *first.version);

        const ApplyResult second = store.apply(1, draft("version: 1\nroutes: []\n", "api", "empty routes"), kStateNow + 1);
        QVERIFY(second.applied);
        QCOMPARE(second.currentVersion, std::int64_t(2));
        QCOMPARE(store.current()->version, std::int64_t(2));
        QCOMPARE(store.get(1)->yaml, std::string("version: 1\n"));
        QCOMPARE(store.get(2)->comment, std::string("empty routes"));
        QVERIFY(!store.get(3));

        // Stale If-Match: nothing changes.
        const ApplyResult stale = store.apply(1, draft("version: 1\n# lost\n"), kStateNow + 2);
        QVERIFY(!stale.applied);
        QCOMPARE(stale.currentVersion, std::int64_t(2));
        QVERIFY(!stale.version);
        QVERIFY(!store.apply(5, draft("x"), kStateNow).applied);
        QCOMPARE(store.current()->version, std::int64_t(2));

        // A rollback is a new version.
        PolicyVersion rollback = draft(store.get(1)->yaml, "rollback", "back to the first");
        rollback.rolledBackFrom = 1;
        const ApplyResult back = store.apply(2, rollback, kStateNow + 3);
        QVERIFY(back.applied);
        QCOMPARE(back.version->version, std::int64_t(3));
        QCOMPARE(store.current()->rolledBackFrom, std::optional<std::int64_t>(1));
        QCOMPARE(store.current()->sha256Hex, store.get(1)->sha256Hex);

        // Survives a restart.
        PolicyVersionStore restarted(workspaceOf(dir));
        QCOMPARE(*restarted.current(), *store.current());
    }

    void listsNewestFirstByKeyset() {
        QTemporaryDir dir;
        PolicyVersionStore store(workspaceOf(dir));
        for (int i = 0; i < 25; ++i)
            QVERIFY(store.apply(i, draft("v" + std::to_string(i + 1)), kStateNow + i).applied);
        std::vector<std::int64_t> seen;
        std::optional<std::int64_t> before;
        for (;;) {
            const auto page = store.list(before, 10);
            for (const auto& v : page) {
                seen.push_back(v.version);
                QVERIFY(v.yaml.empty());
                QVERIFY(!v.sha256Hex.empty());
            }
            if (page.size() < 10)
                break;
            before = page.back().version;
        }
        QCOMPARE(seen.size(), std::size_t(25));
        for (std::size_t i = 0; i < seen.size(); ++i)
            QCOMPARE(seen[i], std::int64_t(25 - i));
    }

    void exactlyOneWinnerAmongThreads() {
        QTemporaryDir dir;
        PolicyVersionStore shared(workspaceOf(dir));
        QVERIFY(shared.apply(0, draft("base"), kStateNow).applied);
        for (int round = 0; round < 20; ++round) {
            const std::int64_t expected = shared.current()->version;
            constexpr int kThreads = 6;
            std::atomic<int> wins{0};
            std::barrier start(kThreads);
            std::vector<std::thread> threads;
            for (int t = 0; t < kThreads; ++t)
                threads.emplace_back([&, t] {
                    start.arrive_and_wait();
                    const auto r = shared.apply(expected, draft("thread " + std::to_string(t)), kStateNow);
                    if (r.applied)
                        wins.fetch_add(1);
                    else if (r.currentVersion != expected + 1)
                        wins.fetch_add(100); // a loser must see the winner's version
                });
            for (auto& th : threads)
                th.join();
            QCOMPARE(wins.load(), 1);
            QCOMPARE(shared.current()->version, expected + 1);
        }
    }

    void exactlyOneWinnerAmongConnections() {
        QTemporaryDir dir;
        {
            PolicyVersionStore init(workspaceOf(dir));
            QVERIFY(init.apply(0, draft("base"), kStateNow).applied);
        }
        // Separate stores: separate SQLite connections, as two processes would have.
        constexpr int kStores = 4;
        std::vector<std::unique_ptr<PolicyVersionStore>> stores;
        for (int i = 0; i < kStores; ++i)
            stores.push_back(std::make_unique<PolicyVersionStore>(workspaceOf(dir)));
        for (int round = 0; round < 20; ++round) {
            const std::int64_t expected = stores[0]->current()->version;
            std::atomic<int> wins{0};
            std::atomic<int> errors{0};
            std::barrier start(kStores);
            std::vector<std::thread> threads;
            for (int t = 0; t < kStores; ++t)
                threads.emplace_back([&, t] {
                    start.arrive_and_wait();
                    try {
                        const auto r = stores[std::size_t(t)]->apply(expected, draft("store " + std::to_string(t)), kStateNow);
                        if (r.applied)
                            wins.fetch_add(1);
                        else if (r.currentVersion != expected + 1)
                            errors.fetch_add(1);
                    } catch (...) {
                        errors.fetch_add(1);
                    }
                });
            for (auto& th : threads)
                th.join();
            QCOMPARE(errors.load(), 0);
            QCOMPARE(wins.load(), 1);
            for (const auto& s : stores)
                QCOMPARE(s->current()->version, expected + 1);
        }
        QCOMPARE(stores[1]->list(std::nullopt, 100).size(), std::size_t(21));
    }
};

QTEST_GUILESS_MAIN(TestPolicyVersions)
#include "tst_policy_versions.moc"
