#include "util/glob.h"
#include "util/text.h"
#include "support/testdata.h"

#include <QTest>

class TestGlob : public QObject {
    Q_OBJECT
private slots:
    void matches_data() {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("expected");
        QTest::newRow("literal") << "acme/web" << "acme/web" << true;
        QTest::newRow("literal differs") << "acme/web" << "acme/webs" << false;
        QTest::newRow("star suffix") << "acme/payments-*" << "acme/payments-api" << true;
        QTest::newRow("star empty") << "acme/payments-*" << "acme/payments-" << true;
        QTest::newRow("star crosses slash") << "acme*" << "acme/x/y" << true;
        QTest::newRow("star prefix") << "*-ops" << "acme/site-ops" << true;
        QTest::newRow("star middle backtracks") << "a*b*c" << "aXbYbZc" << true;
        QTest::newRow("star middle fails") << "a*b*c" << "aXbYbZ" << false;
        QTest::newRow("question") << "gpt-4.?" << "gpt-4.1" << true;
        QTest::newRow("question needs one") << "gpt-4.?" << "gpt-4." << false;
        QTest::newRow("only star") << "*" << "" << true;
        QTest::newRow("empty pattern") << "" << "x" << false;
    }
    void matches() {
        QFETCH(QString, pattern);
        QFETCH(QString, text);
        QFETCH(bool, expected);
        QCOMPARE(gh::globMatch(pattern.toStdString(), text.toStdString()), expected);
    }

    void intersects() {
        QVERIFY(gh::globIntersects("acme/*", "*/payments"));
        QVERIFY(gh::globIntersects("acme/payments-*", "acme/*"));
        QVERIFY(gh::globIntersects("a?c", "*c"));
        QVERIFY(!gh::globIntersects("acme/*", "other/*"));
        QVERIFY(!gh::globIntersects("a?", "abc"));
        QVERIFY(gh::globIntersects("*", "anything"));
    }

    void coversIsSound_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("expected");
        QTest::newRow("star covers all") << "*" << "acme/*" << true;
        QTest::newRow("prefix covers longer prefix") << "acme/*" << "acme/payments-*" << true;
        QTest::newRow("narrower does not cover") << "acme/payments-*" << "acme/*" << false;
        QTest::newRow("literal covered") << "claude-*" << "claude-opus-4-1" << true;
        QTest::newRow("question does not cover star") << "a?" << "a*" << false;
        QTest::newRow("star covers question") << "a*" << "a?" << true;
        QTest::newRow("equal") << "x-*-y" << "x-*-y" << true;
        QTest::newRow("disjoint") << "a*" << "b*" << false;
    }
    void coversIsSound() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, expected);
        QCOMPARE(gh::globCovers(a.toStdString(), b.toStdString()), expected);
    }

    void suggestsCloseNames() {
        QCOMPARE(gh::closestMatch("modles", {"id", "models", "kind"}).value_or(""), std::string("models"));
        QCOMPARE(gh::closestMatch("azure", {"azure-openai", "openai"}).value_or(""), std::string());
        QCOMPARE(gh::suggest("xyz", {"a", "b"}), std::string("; expected one of: a, b"));
        QCOMPARE(gh::suggest("bugdet", {"budget", "route"}), std::string("; did you mean 'budget'?"));
    }
};

QTEST_APPLESS_MAIN(TestGlob)
#include "tst_glob.moc"
