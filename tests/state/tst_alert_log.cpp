#include "state/state_testing.h"
#include "store/alert_log.h"

#include <QTest>

#include <atomic>
#include <thread>

using namespace gh::store;
using gh::test::kStateNow;
using gh::test::workspaceOf;

namespace {

AlertRecord budgetAlert(int threshold, TimeMs period = kStateNow) {
    AlertRecord a;
    a.timeMs = kStateNow + threshold;
    a.kind = "budget.threshold";
    a.subject = "payments-monthly";
    a.periodStartMs = period;
    a.threshold = threshold;
    a.detailJson = "{\"spent_usd\":\"4000.00\"}";
    return a;
}

AlertRecord rotationAlert(const char* kind, const char* subject, TimeMs rotatedMs) {
    AlertRecord a;
    a.timeMs = kStateNow;
    a.kind = kind;
    a.subject = subject;
    a.periodStartMs = rotatedMs;
    return a;
}

} // namespace

class TestAlertLog : public QObject {
    Q_OBJECT
private slots:
    void firesOnceAcrossReopen() {
        QTemporaryDir dir;
        {
            AlertLog log(workspaceOf(dir));
            QVERIFY(log.record(budgetAlert(50)));
            QVERIFY(!log.record(budgetAlert(50)));
            QVERIFY(log.record(budgetAlert(80)));
            QVERIFY(log.record(budgetAlert(50, kStateNow + 1))); // the next period fires again
        }
        AlertLog reopened(workspaceOf(dir));
        QVERIFY(!reopened.record(budgetAlert(50)));
        QVERIFY(!reopened.record(budgetAlert(80)));
        QVERIFY(reopened.record(budgetAlert(95)));
        const auto all = reopened.list(std::nullopt, 100);
        QCOMPARE(all.size(), std::size_t(4));
        QCOMPARE(all[0].threshold, 95);
        QCOMPARE(all[0].detailJson, std::string("{\"spent_usd\":\"4000.00\"}"));
        QCOMPARE(all[0].subject, std::string("payments-monthly"));
        QVERIFY(all[0].id > all[1].id);
    }

    void fromManyThreadsOnlyOneRecords() {
        QTemporaryDir dir;
        AlertLog shared(workspaceOf(dir));
        AlertLog other(workspaceOf(dir));
        std::atomic<int> recorded{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 6; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 50; ++i)
                    if ((t % 2 ? shared : other).record(budgetAlert(i)))
                        recorded.fetch_add(1);
            });
        for (auto& th : threads)
            th.join();
        QCOMPARE(recorded.load(), 50);
    }

    void listsNewestFirstByKindPrefix() {
        QTemporaryDir dir;
        AlertLog log(workspaceOf(dir));
        QVERIFY(log.record(rotationAlert("key.due_soon", "key_a", 1)));
        QVERIFY(log.record(rotationAlert("credential.overdue", "azure", 2)));
        QVERIFY(log.record(budgetAlert(50)));
        QVERIFY(log.record(rotationAlert("key.rotated", "key_a", 1)));
        QVERIFY(log.record(rotationAlert("key.due_soon", "key_a", 3))); // next cycle
        QVERIFY(!log.record(rotationAlert("key.due_soon", "key_a", 1)));

        const auto keys = log.list(std::nullopt, 10, "key.");
        QCOMPARE(keys.size(), std::size_t(3));
        QCOMPARE(keys[0].kind, std::string("key.due_soon"));
        QCOMPARE(keys[0].periodStartMs, TimeMs(3));
        QCOMPARE(keys[1].kind, std::string("key.rotated"));
        QCOMPARE(keys[2].periodStartMs, TimeMs(1));
        QCOMPARE(keys[2].detailJson, std::string("{}"));
        QCOMPARE(log.list(std::nullopt, 10, "credential.").size(), std::size_t(1));
        QCOMPARE(log.list(std::nullopt, 10, "KEY.").size(), std::size_t(0));   // case-sensitive
        QCOMPARE(log.list(std::nullopt, 10, "key_").size(), std::size_t(0));   // no wildcards
        QCOMPARE(log.list(std::nullopt, 10, "budget.threshold").size(), std::size_t(1));

        // Keyset pages.
        std::vector<std::int64_t> ids;
        std::optional<std::int64_t> before;
        for (;;) {
            const auto page = log.list(before, 2);
            for (const auto& a : page)
                ids.push_back(a.id);
            if (page.size() < 2)
                break;
            before = page.back().id;
        }
        QCOMPARE(ids.size(), std::size_t(5));
        for (std::size_t i = 1; i < ids.size(); ++i)
            QVERIFY(ids[i] < ids[i - 1]);
    }
};

QTEST_GUILESS_MAIN(TestAlertLog)
#include "tst_alert_log.moc"
