// core/api: the JSON shapes both sides use, RFC 3339 times; core/policy/diff; the link-local
// endpoint check; the budget forecast.
#include "api/roles.h"
#include "api/shapes.h"
#include "api/time.h"
#include "budgets/ledger.h"
#include "policy/diff.h"
#include "policy/validator.h"

#include <QTest>

#include <random>

using namespace gh;

class TestApiShapes : public QObject {
    Q_OBJECT
private slots:
    void roundTripEveryMember() {
        api::GatewayKey key;
        key.id = "key_0123456789abcdef";
        key.prefix = "ghk_abcdefgh";
        key.identity = "alice";
        key.team = "payments";
        key.repositories = {"acme/payments-*"};
        key.created_at = "2026-11-27T09:30:00.000Z";
        key.expires_at = "2027-01-01T00:00:00.000Z";
        key.state = "due_soon";
        key.schedule = api::Schedule{90, 7, 14};
        key.pending_secret = true;
        api::ReadError error;
        auto back = api::fromJson<api::GatewayKey>(api::toJson(key), error, api::Unknown::Refuse);
        QVERIFY2(back.has_value(), error.text().c_str());
        QCOMPARE(api::toJsonText(*back), api::toJsonText(key));
        QVERIFY(!back->revoked_at.has_value());
        QCOMPARE(back->schedule->reminder_days, 14);
    }

    void strictReadingNamesTheField() {
        api::ReadError error;
        auto unknown = api::fromJsonText<api::NewAdminToken>("{\"name\":\"ci\",\"role\":\"viewer\",\"rol\":\"x\"}", error,
                                                             api::Unknown::Refuse);
        QVERIFY(!unknown);
        QCOMPARE(QString::fromStdString(error.field), QStringLiteral("rol"));
        QVERIFY(error.text().find("not a known field") != std::string::npos);

        auto missing = api::fromJsonText<api::NewAdminToken>("{\"role\":\"viewer\"}", error, api::Unknown::Refuse);
        QVERIFY(!missing);
        QCOMPARE(QString::fromStdString(error.field), QStringLiteral("name"));

        auto wrongType = api::fromJsonText<api::NewCredential>("{\"id\":\"x\",\"secret\":\"s\",\"schedule\":{\"period_days\":\"90\"}}",
                                                               error, api::Unknown::Refuse);
        QVERIFY(!wrongType);
        QCOMPARE(QString::fromStdString(error.field), QStringLiteral("schedule.period_days"));
        QVERIFY(error.text().find("expected an integer") != std::string::npos);

        auto nested = api::fromJsonText<api::NewGatewayKey>("{\"identity\":\"a\",\"team\":\"t\",\"repositories\":[\"x\",3]}", error,
                                                            api::Unknown::Refuse);
        QVERIFY(!nested);
        QCOMPARE(QString::fromStdString(error.field), QStringLiteral("repositories[1]"));

        auto syntax = api::fromJsonText<api::NewGatewayKey>("{\"identity\":", error, api::Unknown::Refuse);
        QVERIFY(!syntax);
        QVERIFY(error.text().find("not valid JSON") != std::string::npos);
    }

    void lenientReadingSkipsNewFields() {
        // The console reads what a newer gateway writes: unknown fields are skipped.
        api::ReadError error;
        auto who = api::fromJsonText<api::WhoAmI>("{\"id\":\"tok_1\",\"name\":\"n\",\"role\":\"viewer\",\"expires_at\":null,\"new\":1}",
                                                  error);
        QVERIFY2(who.has_value(), error.text().c_str());
        QCOMPARE(QString::fromStdString(who->role), QStringLiteral("viewer"));
    }

    void integersOutOfRange() {
        api::ReadError error;
        QVERIFY(!api::fromJsonText<api::RotateGatewayKey>("{\"grace_seconds\":1e300}", error, api::Unknown::Refuse));
        QVERIFY(!api::fromJsonText<api::RotateGatewayKey>("{\"grace_seconds\":1.5}", error, api::Unknown::Refuse));
        QVERIFY(!api::fromJsonText<api::RotateGatewayKey>("{\"grace_seconds\":18446744073709551615}", error,
                                                          api::Unknown::Refuse));
        auto ok = api::fromJsonText<api::RotateGatewayKey>("{\"grace_seconds\":3600}", error, api::Unknown::Refuse);
        QVERIFY(ok && ok->grace_seconds == 3600);
    }

    void pages() {
        api::Page<api::AlertShape> page;
        page.items.push_back({});
        page.items[0].id = 7;
        page.items[0].detail = api::json::object{{"budget", "b"}};
        page.next_cursor = "7";
        api::ReadError error;
        auto back = api::pageFromJson<api::AlertShape>(api::toJson(page), error);
        QVERIFY(back.has_value());
        QCOMPARE(back->items.size(), std::size_t(1));
        QCOMPARE(back->items[0].id, 7);
        QCOMPARE(*back->next_cursor, std::string("7"));
    }

    void roles() {
        for (auto r : {api::Role::Viewer, api::Role::PolicyEditor, api::Role::Security, api::Role::Admin})
            QCOMPARE(api::parseRole(api::toString(r)), std::optional<api::Role>(r));
        QVERIFY(!api::parseRole("root"));
        QVERIFY(!api::parseRole("Admin"));
    }

    void times_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("epoch") << "1970-01-01T00:00:00Z" << qint64(0);
        QTest::newRow("millis") << "2026-11-27T09:30:00.123Z" << qint64(1795771800123);
        QTest::newRow("micros truncated") << "2026-11-27T09:30:00.123456Z" << qint64(1795771800123);
        QTest::newRow("offset") << "2026-11-27T10:30:00+01:00" << qint64(1795771800000);
        QTest::newRow("negative offset") << "2026-11-27T04:30:00-05:00" << qint64(1795771800000);
        QTest::newRow("date only") << "2026-11-27" << qint64(1795737600000);
        QTest::newRow("leap day") << "2028-02-29T00:00:00Z" << qint64(1835395200000);
    }
    void times() {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        QCOMPARE(api::parseTime(text.toStdString()), std::optional<std::int64_t>(ms));
    }

    void badTimes() {
        for (const char* t : {"", "2026-11-27T09:30:00", "2026-02-30", "2026-13-01T00:00:00Z", "2026-11-27T24:00:00Z",
                              "yesterday", "2026-11-27T09:30:00.Z", "2026-11-27T09:30:00Zjunk", "1795771800123"})
            QVERIFY2(!api::parseTime(t), t);
    }

    void formatParsesBack() {
        std::mt19937_64 rng(7);
        for (int i = 0; i < 2000; ++i) {
            const std::int64_t ms = std::int64_t(rng() % 4'000'000'000'000ULL);
            const auto text = api::formatTime(ms);
            QCOMPARE(api::parseTime(text), std::optional<std::int64_t>(ms));
            QCOMPARE(text.size(), std::size_t(24));
        }
        QCOMPARE(api::formatTime(std::int64_t(1795771800123)), std::string("2026-11-27T09:30:00.123Z"));
    }

    void diffs() {
        QCOMPARE(policy::unifiedDiff("a\nb\n", "a\nb\n", "x", "y"), std::string());
        const std::string before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        const std::string after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n";
        const std::string expected = "--- v1\n+++ v2\n"
                                     "@@ -2,9 +2,10 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n 10\n+11\n";
        QCOMPARE(policy::unifiedDiff(before, after, "v1", "v2"), expected); // as diff -u prints it
        // Changes more than six lines apart are separate hunks.
        const std::string far = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
        const std::string farAfter = "x\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ny\n";
        QCOMPARE(policy::unifiedDiff(far, farAfter, "a", "b"),
                 std::string("--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+y\n"));
        QCOMPARE(policy::unifiedDiff("", "x\n", "a", "b"), std::string("--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n"));
        QCOMPARE(policy::unifiedDiff("x\n", "", "a", "b"), std::string("--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n"));
    }

    void mergeLines() {
        const std::string base = "a\nb\nc\nd\ne\nf\n";
        // Changes to different lines: both kept.
        QCOMPARE(policy::mergeLines(base, "A\nb\nc\nd\ne\nf\n", "a\nb\nc\nd\ne\nF\n").value_or("none"),
                 std::string("A\nb\nc\nd\ne\nF\n"));
        // An insertion on one side, a removal far away on the other.
        QCOMPARE(policy::mergeLines(base, "a\nb\nnew\nc\nd\ne\nf\n", "a\nb\nc\nd\nf\n").value_or("none"),
                 std::string("a\nb\nnew\nc\nd\nf\n"));
        // The same change on both sides counts once.
        QCOMPARE(policy::mergeLines(base, "a\nB\nc\nd\ne\nf\n", "a\nB\nc\nd\ne\nf\n").value_or("none"),
                 std::string("a\nB\nc\nd\ne\nf\n"));
        // The same line changed differently, neighbouring lines, or two insertions at one place: refused.
        QVERIFY(!policy::mergeLines(base, "a\nX\nc\nd\ne\nf\n", "a\nY\nc\nd\ne\nf\n"));
        QVERIFY(!policy::mergeLines(base, "a\nX\nc\nd\ne\nf\n", "a\nb\nY\nd\ne\nf\n"));
        QVERIFY(!policy::mergeLines(base, "a\nx\nb\nc\nd\ne\nf\n", "a\ny\nb\nc\nd\ne\nf\n"));
        // Nothing changed on one side: the other side's text.
        QCOMPARE(policy::mergeLines(base, base, "q\n").value_or("none"), std::string("q\n"));
        QCOMPARE(policy::mergeLines(base, "", base).value_or("none"), std::string());
    }

    void diffReconstructsTheNewText() {
        // Applying the diff's lines (context and +) in order gives the new text back, for random edits.
        std::mt19937 rng(11);
        for (int round = 0; round < 200; ++round) {
            std::string a, b;
            const int n = int(rng() % 40);
            for (int i = 0; i < n; ++i) {
                const std::string line = "line " + std::to_string(rng() % 12) + "\n";
                a += line;
                const int edit = int(rng() % 6);
                if (edit == 0)
                    continue; // removed
                if (edit == 1)
                    b += "new " + std::to_string(rng() % 5) + "\n";
                b += line;
            }
            const auto diff = policy::unifiedDiff(a, b, "a", "b", 1'000'000); // one hunk with all context
            if (a == b) {
                QVERIFY(diff.empty());
                continue;
            }
            std::string rebuiltA, rebuiltB;
            std::size_t pos = diff.find("@@", 0);
            pos = diff.find('\n', pos) + 1;
            while (pos < diff.size()) {
                const auto nl = diff.find('\n', pos);
                const std::string line = diff.substr(pos + 1, nl - pos - 1) + "\n";
                if (diff[pos] != '+')
                    rebuiltA += line;
                if (diff[pos] != '-')
                    rebuiltB += line;
                pos = nl + 1;
            }
            QCOMPARE(rebuiltA, a);
            QCOMPARE(rebuiltB, b);
        }
    }

    void linkLocalHosts() {
        for (const char* h : {"169.254.169.254", "169.254.0.1", "[fe80::1]", "fe80::abcd", "metadata.google.internal",
                              "METADATA.GOOGLE.INTERNAL.", "[::ffff:169.254.169.254]", "fd00:ec2::254"})
            QVERIFY2(policy::isLinkLocalOrMetadataHost(h), h);
        for (const char* h : {"api.openai.com", "127.0.0.1", "10.0.0.1", "[::1]", "fe80.example.com", "169.25.0.1", "feed::1"})
            QVERIFY2(!policy::isLinkLocalOrMetadataHost(h), h);
    }

    void forecast() {
        const budgets::Period month{0, 30LL * 86'400'000};
        // A tenth of the month gone, $10 spent: $100 by the end.
        QCOMPARE(budgets::forecastAtPeriodEnd(Money::fromDollars(10), month, 3LL * 86'400'000).micros,
                 Money::fromDollars(100).micros);
        // Less than an hour in: no extrapolation.
        QCOMPARE(budgets::forecastAtPeriodEnd(Money::fromDollars(1), month, 60'000).micros, Money::fromDollars(1).micros);
        // Period over: what was spent.
        QCOMPARE(budgets::forecastAtPeriodEnd(Money::fromDollars(7), month, 40LL * 86'400'000).micros,
                 Money::fromDollars(7).micros);
        // Huge amounts do not overflow.
        QVERIFY(budgets::forecastAtPeriodEnd(Money(INT64_MAX / 2), month, 2LL * 3'600'000).micros > 0);
    }
};

QTEST_APPLESS_MAIN(TestApiShapes)
#include "tst_api_shapes.moc"
