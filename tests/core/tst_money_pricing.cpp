#include "pricing/pricing.h"
#include "util/money.h"
#include "support/testdata.h"

#include <QTest>

using gh::Money;
using gh::pricing::ModelPrice;
using gh::pricing::Usage;

class TestMoneyPricing : public QObject {
    Q_OBJECT
private slots:
    void parsesDecimals_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("micros");
        QTest::newRow("integer") << "12" << qint64(12'000'000);
        QTest::newRow("two decimals") << "2.50" << qint64(2'500'000);
        QTest::newRow("six decimals") << "0.000001" << qint64(1);
        QTest::newRow("zero") << "0" << qint64(0);
        QTest::newRow("negative") << "-3.25" << qint64(-3'250'000);
        QTest::newRow("fraction of a cent") << "0.275" << qint64(275'000);
    }
    void parsesDecimals() {
        QFETCH(QString, text);
        QFETCH(qint64, micros);
        const auto money = Money::parse(text.toStdString());
        QVERIFY(money.has_value());
        QCOMPARE(money->micros, micros);
    }

    void refusesWhatIsNotAnExactDecimal_data() {
        QTest::addColumn<QString>("text");
        for (const char* bad : {"", "-", ".5", "5.", "1e-6", "0.0000001", "1,5", "abc", "1.2.3", " 1", "99999999999999999999"})
            QTest::newRow(bad) << bad;
    }
    void refusesWhatIsNotAnExactDecimal() {
        QFETCH(QString, text);
        QVERIFY(!Money::parse(text.toStdString()).has_value());
    }

    void printsShortestExactDecimal() {
        QCOMPARE(Money(2'500'000).toString(), std::string("2.5"));
        QCOMPARE(Money(1).toString(), std::string("0.000001"));
        QCOMPARE(Money(12'000'000).toString(), std::string("12"));
        QCOMPARE(Money(-3'250'000).toString(), std::string("-3.25"));
        QCOMPARE(Money(0).toString(), std::string("0"));
        for (const char* text : {"0.275", "15", "0.1", "123456.654321"})
            QCOMPARE(Money::parse(Money::parse(text)->toString())->micros, Money::parse(text)->micros);
    }

    void costIsExactToTheMicroDollar() {
        // $2.00 / $8.00 / $0.50 per million: 1,234 in + 567 out + 10,000 cached
        // = 2468 + 4536 + 5000 micro-dollars, no rounding involved.
        const ModelPrice price{*Money::parse("2.00"), *Money::parse("8.00"), Money::parse("0.50"), std::nullopt};
        QCOMPARE(gh::pricing::cost(price, Usage{1234, 567, 10'000, 0}).micros, qint64(2468 + 4536 + 5000));
    }

    void costSumsBeforeRoundingAndRoundsUpOnce() {
        // $0.10/M: 3 tokens = 0.3 µ$ each way; the sum 0.6 µ$ rounds up to 1 µ$, not 0 + 0.
        const ModelPrice price{*Money::parse("0.10"), *Money::parse("0.10"), std::nullopt, std::nullopt};
        QCOMPARE(gh::pricing::cost(price, Usage{3, 3, 0, 0}).micros, qint64(1));
        // A single billed token is never free.
        QCOMPARE(gh::pricing::cost(price, Usage{1, 0, 0, 0}).micros, qint64(1));
        // Exactly representable sums are not bumped.
        QCOMPARE(gh::pricing::cost(price, Usage{10, 0, 0, 0}).micros, qint64(1));
        QCOMPARE(gh::pricing::cost(price, Usage{11, 0, 0, 0}).micros, qint64(2));
    }

    void freeModelsCostNothing() {
        const ModelPrice local{Money(0), Money(0), std::nullopt, std::nullopt};
        QCOMPARE(gh::pricing::cost(local, Usage{1'000'000, 1'000'000, 5, 5}).micros, qint64(0));
    }

    void cachedAndCacheWriteFallBackToTheInputPrice() {
        const ModelPrice noCachePrices{*Money::parse("3"), *Money::parse("15"), std::nullopt, std::nullopt};
        // 1M cached tokens and 1M cache-write tokens billed at $3 each: never under-counted.
        QCOMPARE(gh::pricing::cost(noCachePrices, Usage{0, 0, 1'000'000, 1'000'000}), Money::fromDollars(6));
        const ModelPrice anthropic{*Money::parse("3"), *Money::parse("15"), Money::parse("0.30"), Money::parse("3.75")};
        QCOMPARE(gh::pricing::cost(anthropic, Usage{1'000'000, 1'000'000, 1'000'000, 1'000'000}).micros,
                 qint64(3'000'000 + 15'000'000 + 300'000 + 3'750'000));
    }

    void hugeUsageDoesNotOverflow() {
        const ModelPrice opus{*Money::parse("15"), *Money::parse("75"), std::nullopt, std::nullopt};
        // Ten billion output tokens: $750,000.
        QCOMPARE(gh::pricing::cost(opus, Usage{0, 10'000'000'000LL, 0, 0}), Money::fromDollars(750'000));
    }
};

QTEST_APPLESS_MAIN(TestMoneyPricing)
#include "tst_money_pricing.moc"
