#include "budgets/ledger.h"
#include "policy/validator.h"
#include "support/testdata.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <thread>

using namespace gh;
using namespace gh::budgets;

namespace {

TimeMs at(int y, unsigned m, unsigned d, int hour = 12) {
    using namespace std::chrono;
    const sys_days day{year{y} / month{m} / std::chrono::day{d}};
    return duration_cast<milliseconds>((day + hours(hour)).time_since_epoch()).count();
}

policy::Budget budget(policy::BudgetPeriod period, const char* limit, policy::AtLimit atLimit = policy::AtLimit::Block) {
    policy::Budget b;
    b.id = "b";
    b.period = period;
    b.limit = *Money::parse(limit);
    b.atLimit = atLimit;
    return b;
}

} // namespace

class TestBudgets : public QObject {
    Q_OBJECT
private slots:
    void periods() {
        auto b = budget(policy::BudgetPeriod::Day, "1");
        QCOMPARE(periodOf(b, at(2026, 11, 26, 23)), (Period{at(2026, 11, 26, 0), at(2026, 11, 27, 0)}));
        b.period = policy::BudgetPeriod::Week; // ISO weeks start on Monday; 2026-11-26 is a Thursday
        QCOMPARE(periodOf(b, at(2026, 11, 26)), (Period{at(2026, 11, 23, 0), at(2026, 11, 30, 0)}));
        QCOMPARE(periodOf(b, at(2026, 11, 23, 0)).start, at(2026, 11, 23, 0));
        QCOMPARE(periodOf(b, at(2026, 11, 29, 23)).start, at(2026, 11, 23, 0));
        b.period = policy::BudgetPeriod::Month;
        QCOMPARE(periodOf(b, at(2026, 12, 31, 23)), (Period{at(2026, 12, 1, 0), at(2027, 1, 1, 0)}));
        QCOMPARE(periodOf(b, at(2028, 2, 29)), (Period{at(2028, 2, 1, 0), at(2028, 3, 1, 0)}));
        b.period = policy::BudgetPeriod::Custom;
        b.customDays = 14;
        b.starts = "2026-01-05";
        QCOMPARE(periodOf(b, at(2026, 1, 5)), (Period{at(2026, 1, 5, 0), at(2026, 1, 19, 0)}));
        QCOMPARE(periodOf(b, at(2026, 1, 20)), (Period{at(2026, 1, 19, 0), at(2026, 2, 2, 0)}));
        QCOMPARE(periodOf(b, at(2026, 1, 4)), (Period{at(2025, 12, 22, 0), at(2026, 1, 5, 0)}));
    }

    void reserveThenSettle() {
        policy::Document doc;
        doc.budgets.push_back(budget(policy::BudgetPeriod::Month, "1.00"));
        Ledger ledger;
        const TimeMs now = at(2026, 11, 26);
        auto a = ledger.reserve(doc, {0}, *Money::parse("0.60"), now);
        QCOMPARE(a.verdict, Verdict::Admit);
        // Still below the limit counting the hold: admitted, may overspend by this one request.
        auto b = ledger.reserve(doc, {0}, *Money::parse("0.60"), now);
        QCOMPARE(b.verdict, Verdict::Admit);
        // Spent 0 + held 1.20 >= 1.00: blocked, nothing held.
        auto c = ledger.reserve(doc, {0}, *Money::parse("0.01"), now);
        QCOMPARE(c.verdict, Verdict::Block);
        QCOMPARE(c.budgetId, std::string("b"));
        QVERIFY(!c.reservation.active());
        ledger.settle(doc, a.reservation, *Money::parse("0.10"));
        ledger.release(b.reservation);
        auto status = ledger.status(doc, now);
        QCOMPARE(status[0].spent, *Money::parse("0.10"));
        QCOMPARE(status[0].reserved, Money(0));
        QCOMPARE(ledger.reserve(doc, {0}, Money(1), now).verdict, Verdict::Admit);
    }

    void downgradeBudgetsLetTheDowngradedRouteThrough() {
        policy::Document doc;
        doc.budgets.push_back(budget(policy::BudgetPeriod::Day, "1", policy::AtLimit::Downgrade));
        doc.budgets.push_back(budget(policy::BudgetPeriod::Day, "100"));
        doc.budgets[1].id = "big";
        Ledger ledger;
        const TimeMs now = at(2026, 11, 26);
        ledger.restore("b", periodOf(doc.budgets[0], now).start, Money::fromDollars(1));
        auto a = ledger.reserve(doc, {0, 1}, Money(10), now);
        QCOMPARE(a.verdict, Verdict::Downgrade);
        auto b = ledger.reserve(doc, {0, 1}, Money(10), now, true);
        QCOMPARE(b.verdict, Verdict::Admit);
        QCOMPARE(b.reservation.holds.size(), std::size_t(2));
        // A blocking budget still blocks the downgraded route.
        ledger.restore("big", periodOf(doc.budgets[1], now).start, Money::fromDollars(100));
        QCOMPARE(ledger.reserve(doc, {0, 1}, Money(10), now, true).verdict, Verdict::Block);
    }

    void alertsFireOncePerThreshold() {
        policy::Document doc;
        doc.budgets.push_back(budget(policy::BudgetPeriod::Month, "10"));
        doc.budgets[0].alerts = {50, 80, 95};
        Ledger ledger;
        const TimeMs now = at(2026, 11, 26);
        auto spend = [&](const char* amount) {
            auto a = ledger.reserve(doc, {0}, Money(1), now);
            std::vector<int> fired;
            for (const auto& alert : ledger.settle(doc, a.reservation, *Money::parse(amount)))
                fired.push_back(alert.threshold);
            return fired;
        };
        QCOMPARE(spend("4.99"), std::vector<int>{});
        QCOMPARE(spend("0.01"), std::vector<int>{50}); // exactly 50 %
        QCOMPARE(spend("1"), std::vector<int>{});
        QCOMPARE(spend("4"), (std::vector<int>{80, 95})); // both at once, each once
        QCOMPARE(spend("4"), std::vector<int>{});
    }

    // 50 threads race for a budget: the limit is overspent by at most one request's cost.
    void concurrentReservationsOverspendByAtMostOneRequest() {
        policy::Document doc;
        doc.budgets.push_back(budget(policy::BudgetPeriod::Day, "1"));
        Ledger ledger;
        const TimeMs now = at(2026, 11, 26);
        const Money maxCost = *Money::parse("0.07");
        std::atomic<int> admitted{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 50; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 20; ++i) {
                    auto a = ledger.reserve(doc, {0}, maxCost, now);
                    if (a.verdict != Verdict::Admit)
                        continue;
                    ++admitted;
                    std::this_thread::yield();
                    ledger.settle(doc, a.reservation, *Money::parse("0.05")); // real cost below the hold
                }
            });
        for (auto& t : threads)
            t.join();
        const auto status = ledger.status(doc, now);
        QVERIFY(status[0].spent >= doc.budgets[0].limit);
        QVERIFY(status[0].spent <= doc.budgets[0].limit + maxCost);
        QCOMPARE(status[0].reserved, Money(0));
        QCOMPARE(Money(admitted.load() * 50'000), status[0].spent);
    }
};

QTEST_APPLESS_MAIN(TestBudgets)
#include "tst_budgets.moc"
