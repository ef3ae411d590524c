// End-to-end budgets: gatehoused in front of mock-upstream, with prices chosen so that one
// request costs a known, large share of a small limit. Fifty requests at once must not
// overspend a blocking budget by more than one request; a downgrading budget re-routes to its
// cheaper target instead of refusing; spend survives a restart.
#include "support/e2e.h"

#include <QCoreApplication>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sqlite3.h>

#include <cerrno>
#include <latch>
#include <thread>
#include <vector>

using namespace gh::test;

namespace {

// The mock's usage is deterministic: "hi" from the user is 1 word + 3 = 4 prompt tokens, and
// the reply "mock reply to: hi" is 4 completion tokens. With the prices below one pricey call
// costs 4 x $1000/M + 4 x $2000/M = $0.012 exactly, one cheap call 4 x $1/M + 4 x $2/M = $0.000012.
constexpr qint64 kPriceyCostMicros = 4 * 1000 + 4 * 2000;
constexpr qint64 kCheapCostMicros = 4 * 1 + 4 * 2;
constexpr qint64 kBlockLimitMicros = 250'000;  // $0.25: about 20 pricey calls
constexpr qint64 kDowngradeLimitMicros = 50'000; // $0.05: about 4 pricey calls
constexpr int kConcurrent = 50;

const char* const kPolicy = R"(version: 1
unknown_repository: internal
credentials: [mock-key]
endpoints:
  - id: mock
    kind: openai
    base_url: {{MOCK}}
    class: enterprise
    credential: mock-key
    models:
      mock-pricey: {input: 1000, output: 2000}
  - id: cheap
    kind: openai
    base_url: {{MOCK}}
    class: enterprise
    credential: mock-key
    models:
      mock-cheap: {input: 1, output: 2}
routes:
  - id: everything-pricey
    route: [mock/mock-pricey]
budgets:
  - {id: block-cap, scope: "team:blockers", period: month, limit_usd: 0.25, at_limit: block}
  - {id: down-cap, scope: "team:downgraders", period: month, limit_usd: 0.05, at_limit: downgrade,
     downgrade_to: [cheap/mock-cheap]}
)";

const QByteArray kChatBody = R"({"model":"mock-pricey","max_tokens":8,"messages":[{"role":"user","content":"hi"}]})";
const QByteArray kMessagesBody = R"({"model":"mock-pricey","max_tokens":8,"messages":[{"role":"user","content":"hi"}]})";

struct Reply {
    int status = 0;
    std::map<QString, QString> headers; // lower-case names
    QByteArray body;
    QString error; // set when the exchange itself failed
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString header(const QString& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? QString() : it->second;
    }
};

// One HTTP/1.1 exchange on a fresh connection (Connection: close), blocking. Thread-safe: no Qt
// event loop, no QProcess, so fifty of these can run at once.
Reply exchange(quint16 port, const QByteArray& request, std::latch* start = nullptr) {
    Reply r;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool connected = fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    if (start)
        start->arrive_and_wait(); // everyone connected: send together
    if (!connected) {
        r.error = QStringLiteral("connect: %1").arg(errno);
        if (fd >= 0)
            ::close(fd);
        return r;
    }
    for (qsizetype done = 0; done < request.size();) {
        const ssize_t n = ::send(fd, request.constData() + done, std::size_t(request.size() - done), MSG_NOSIGNAL);
        if (n <= 0) {
            r.error = QStringLiteral("send: %1").arg(errno);
            ::close(fd);
            return r;
        }
        done += n;
    }
    QByteArray in;
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 30'000) <= 0) {
            r.error = QStringLiteral("no answer within 30 s");
            break;
        }
        char buffer[16384];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            break;
        in.append(buffer, qsizetype(n));
    }
    ::close(fd);
    const qsizetype end = in.indexOf("\r\n\r\n");
    if (end < 0) {
        if (r.error.isEmpty())
            r.error = "no complete response: " + QString::fromLatin1(in.left(200));
        return r;
    }
    const QList<QByteArray> lines = in.left(end).split('\n');
    r.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            r.headers[QString::fromLatin1(line.left(colon)).toLower()] = QString::fromLatin1(line.mid(colon + 1).trimmed());
    }
    r.body = in.mid(end + 4);
    return r;
}

QByteArray chatRequest(const QString& key) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
           "Content-Type: application/json\r\nAuthorization: Bearer " + key.toLatin1() + "\r\nContent-Length: " +
           QByteArray::number(kChatBody.size()) + "\r\n\r\n" + kChatBody;
}

QByteArray messagesRequest(const QString& key) {
    return "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
           "x-api-key: " + key.toLatin1() + "\r\nanthropic-version: 2023-06-01\r\nContent-Length: " +
           QByteArray::number(kMessagesBody.size()) + "\r\n\r\n" + kMessagesBody;
}

// Micro-dollars charged to `budget` by one record (its `charges` column).
qint64 chargedTo(const QJsonObject& row, const QString& budget) {
    qint64 sum = 0;
    const QJsonArray charges = QJsonDocument::fromJson(row.value("charges").toString().toUtf8()).array();
    for (const auto& c : charges)
        if (c.toArray().at(0).toString() == budget)
            sum += c.toArray().at(2).toInteger();
    return sum;
}

struct Spend {
    qint64 total = 0;   // micro-dollars charged to the budget by all records
    qint64 maxCall = 0; // the largest single charge
    int calls = 0;      // records charged
};

Spend spendOf(const QJsonArray& rows, const QString& budget) {
    Spend s;
    for (const auto& v : rows) {
        const qint64 c = chargedTo(v.toObject(), budget);
        if (c > 0) {
            s.total += c;
            s.maxCall = std::max(s.maxCall, c);
            ++s.calls;
        }
    }
    return s;
}

// budget_spend, the table the gateway restores its ledger from.
qint64 storedSpend(const QString& db, const QString& budget) {
    sqlite3* h = nullptr;
    qint64 out = -1;
    if (sqlite3_open_v2(db.toUtf8().constData(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(h, "SELECT COALESCE(SUM(spent_micros), 0) FROM budget_spend WHERE budget_id = ?", -1, &st,
                               nullptr) == SQLITE_OK) {
            const QByteArray id = budget.toUtf8();
            sqlite3_bind_text(st, 1, id.constData(), int(id.size()), SQLITE_TRANSIENT);
            if (sqlite3_step(st) == SQLITE_ROW)
                out = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return out;
}

QString describe(const Reply& r) {
    return QStringLiteral("status %1%2: %3")
        .arg(r.status)
        .arg(r.error.isEmpty() ? QString() : " (" + r.error + ")")
        .arg(QString::fromUtf8(r.body.left(400)));
}

} // namespace

class TestE2eBudget : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void fiftyConcurrentRequestsOverspendByAtMostOneRequest();
    void exhaustedBlockingBudgetRefusesInEachFormat();
    void downgradingBudgetServesTheCheaperTarget();
    void spendSurvivesARestart();

private:
    QJsonObject recordOf(const QJsonArray& rows, const QString& requestId) const;
    void drainLog();

    MockUpstream mock_;
    Gateway gw_;
    QString blockKey_, downKey_;
};

void TestE2eBudget::initTestCase() {
    QVERIFY2(!gatehousedPath().isEmpty() && !mockUpstreamPath().isEmpty(), "GATEHOUSED and MOCK_UPSTREAM must be set");
    // Every upstream call takes 300 ms, so that all fifty requests are in flight together.
    QVERIFY(mock_.start({"--latency-ms", "300"}));
    QVERIFY(gw_.init());
    gw_.writePolicy(QString::fromLatin1(kPolicy), mock_.url());
    QVERIFY(gw_.setCredential("mock-key", "sk-budget-suite-provider-secret-0042"));
    blockKey_ = gw_.issueKey("carol", "blockers");
    downKey_ = gw_.issueKey("dave", "downgraders");
    QVERIFY(!blockKey_.isEmpty() && !downKey_.isEmpty());
    QVERIFY(gw_.start());
}

void TestE2eBudget::cleanupTestCase() {
    if (gw_.process().process().state() == QProcess::Running)
        QCOMPARE(gw_.stop(), 0);
}

QJsonObject TestE2eBudget::recordOf(const QJsonArray& rows, const QString& requestId) const {
    for (const auto& v : rows)
        if (v.toObject().value("request_id").toString() == requestId)
            return v.toObject();
    return {};
}

void TestE2eBudget::drainLog() {
    for (int i = 0; i < 5; ++i)
        QCoreApplication::processEvents(); // QProcess empties gatehoused's stderr pipe here
    gw_.process().stderrText();
}

void TestE2eBudget::fiftyConcurrentRequestsOverspendByAtMostOneRequest() {
    const quint16 port = gw_.process().port();
    std::vector<Reply> replies(kConcurrent);
    {
        std::latch start(kConcurrent);
        std::vector<std::thread> threads;
        for (int i = 0; i < kConcurrent; ++i)
            threads.emplace_back([&, i] { replies[std::size_t(i)] = exchange(port, chatRequest(blockKey_), &start); });
        for (auto& t : threads)
            t.join();
    }
    drainLog();

    int served = 0;
    int blocked = 0;
    for (const Reply& r : replies) {
        QVERIFY2(r.error.isEmpty(), qPrintable(describe(r)));
        if (r.status == 200) {
            ++served;
            QCOMPARE(r.header("x-gatehouse-served-by"), QStringLiteral("mock/mock-pricey"));
            continue;
        }
        QVERIFY2(r.status == 402, qPrintable("neither served nor refused for the budget: " + describe(r)));
        ++blocked;
        const QJsonObject error = r.json().value("error").toObject();
        QCOMPARE(error.value("code").toString(), QStringLiteral("insufficient_quota"));
        QVERIFY2(error.value("message").toString().contains("'block-cap'"),
                 qPrintable("the refusal does not name the budget: " + describe(r)));
    }
    QCOMPARE(served + blocked, kConcurrent);
    // Worst-case reservations let through only a few of fifty concurrent calls ...
    QVERIFY2(served >= 1, "the budget refused everything although nothing was spent");
    QVERIFY2(blocked >= 1, qPrintable(QStringLiteral("all %1 concurrent requests were served: the hard limit of $0.25 "
                                                     "held nothing back (each costs $0.012)")
                                          .arg(kConcurrent)));

    // ... and every one of the fifty is on record, with what it cost.
    const QJsonArray rows = recordedRequests(gw_.requestsDb());
    for (const Reply& r : replies) {
        const QJsonObject row = recordOf(rows, r.header("x-gatehouse-request-id"));
        QVERIFY2(!row.isEmpty(), qPrintable("no record for " + r.header("x-gatehouse-request-id")));
        if (r.status == 200) {
            QCOMPARE(row.value("outcome").toString(), QStringLiteral("ok"));
            QCOMPARE(row.value("cost_micros").toInteger(), kPriceyCostMicros);
            QCOMPARE(chargedTo(row, "block-cap"), kPriceyCostMicros);
        } else {
            QCOMPARE(row.value("outcome").toString(), QStringLiteral("budget_blocked"));
            QCOMPARE(row.value("decision").toString(), QStringLiteral("blocked"));
            QCOMPARE(row.value("http_status").toInt(), 402);
            QCOMPARE(row.value("cost_micros").toInteger(), 0);
            QCOMPARE(chargedTo(row, "block-cap"), 0);
        }
    }
    const Spend spend = spendOf(rows, "block-cap");
    qInfo("first wave: %d served, %d refused; spend %lld of %lld micro-dollars", served, blocked, spend.total,
          kBlockLimitMicros);
    QCOMPARE(spend.calls, served);
    QVERIFY2(spend.total <= kBlockLimitMicros + spend.maxCall,
             qPrintable(QStringLiteral("recorded spend %1 micro-dollars exceeds the limit %2 by more than one request (%3)")
                            .arg(spend.total)
                            .arg(kBlockLimitMicros)
                            .arg(spend.maxCall)));

    // A second wave, with the budget now partly spent: the same bound holds.
    {
        std::latch start(kConcurrent);
        std::vector<std::thread> threads;
        for (int i = 0; i < kConcurrent; ++i)
            threads.emplace_back([&, i] { replies[std::size_t(i)] = exchange(port, chatRequest(blockKey_), &start); });
        for (auto& t : threads)
            t.join();
    }
    drainLog();
    for (const Reply& r : replies)
        QVERIFY2(r.status == 200 || r.status == 402, qPrintable(describe(r)));
    const Spend after = spendOf(recordedRequests(gw_.requestsDb()), "block-cap");
    qInfo("second wave: %d served; spend %lld of %lld micro-dollars",
          int(std::count_if(replies.begin(), replies.end(), [](const Reply& r) { return r.status == 200; })), after.total,
          kBlockLimitMicros);
    QVERIFY2(after.total <= kBlockLimitMicros + after.maxCall,
             qPrintable(QStringLiteral("after the second wave: spend %1 exceeds the limit %2 by more than one request (%3)")
                            .arg(after.total)
                            .arg(kBlockLimitMicros)
                            .arg(after.maxCall)));
    QCOMPARE(storedSpend(gw_.requestsDb(), "block-cap"), after.total);
}

void TestE2eBudget::exhaustedBlockingBudgetRefusesInEachFormat() {
    // Spend the rest one call at a time: calls are served until the limit is reached, then refused.
    const quint16 port = gw_.process().port();
    Reply last;
    int sequential = 0;
    for (; sequential < 40; ++sequential) {
        last = exchange(port, chatRequest(blockKey_));
        QVERIFY2(last.status == 200 || last.status == 402, qPrintable(describe(last)));
        if (last.status == 402)
            break;
    }
    QCOMPARE(last.status, 402);
    drainLog();
    const Spend spend = spendOf(recordedRequests(gw_.requestsDb()), "block-cap");
    qInfo("%d more served one at a time; spend %lld of %lld micro-dollars", sequential, spend.total, kBlockLimitMicros);
    QVERIFY2(spend.total >= kBlockLimitMicros,
             qPrintable(QStringLiteral("refused at %1 of %2 micro-dollars: with nothing in flight the budget blocks "
                                       "only once the limit is reached")
                            .arg(spend.total)
                            .arg(kBlockLimitMicros)));
    QVERIFY2(spend.total <= kBlockLimitMicros + spend.maxCall,
             qPrintable(QStringLiteral("spend %1 exceeds the limit %2 by more than one request").arg(spend.total).arg(kBlockLimitMicros)));

    // OpenAI callers get insufficient_quota, Anthropic callers billing_error; both name the budget.
    const QJsonObject openai = last.json().value("error").toObject();
    QCOMPARE(openai.value("code").toString(), QStringLiteral("insufficient_quota"));
    QVERIFY2(openai.value("message").toString().contains("'block-cap'"), qPrintable(describe(last)));
    QVERIFY2(openai.value("message").toString().contains("$0.25"), qPrintable("the limit is not stated: " + describe(last)));
    const Reply anthropic = exchange(port, messagesRequest(blockKey_));
    QCOMPARE(anthropic.status, 402);
    QCOMPARE(anthropic.json().value("type").toString(), QStringLiteral("error"));
    QCOMPARE(anthropic.json().value("error").toObject().value("type").toString(), QStringLiteral("billing_error"));
    QVERIFY2(anthropic.json().value("error").toObject().value("message").toString().contains("'block-cap'"),
             qPrintable(describe(anthropic)));
    // Nothing more was spent by the refusals.
    QCOMPARE(spendOf(recordedRequests(gw_.requestsDb()), "block-cap").total, spend.total);
}

void TestE2eBudget::downgradingBudgetServesTheCheaperTarget() {
    // The same traffic under a downgrading budget: served by the pricey model until the limit,
    // then by the downgrade target; never refused.
    const quint16 port = gw_.process().port();
    QStringList servedBy;
    QStringList requestIds;
    for (int i = 0; i < 20 && !servedBy.contains("cheap/mock-cheap"); ++i) {
        const Reply r = exchange(port, chatRequest(downKey_));
        QVERIFY2(r.status == 200, qPrintable("a downgrading budget must not refuse: " + describe(r)));
        servedBy << r.header("x-gatehouse-served-by");
        requestIds << r.header("x-gatehouse-request-id");
    }
    QVERIFY2(servedBy.contains("cheap/mock-cheap"), qPrintable("never downgraded: " + servedBy.join(", ")));
    const int switchAt = int(servedBy.indexOf("cheap/mock-cheap"));
    QVERIFY2(switchAt >= 1, "downgraded before anything was spent");
    for (int i = 0; i < switchAt; ++i)
        QCOMPARE(servedBy[i], QStringLiteral("mock/mock-pricey"));
    // With nothing in flight, the switch comes exactly when the spend reaches the limit.
    const qint64 spentBefore = qint64(switchAt) * kPriceyCostMicros;
    QVERIFY2(spentBefore >= kDowngradeLimitMicros && spentBefore - kPriceyCostMicros < kDowngradeLimitMicros,
             qPrintable(QStringLiteral("downgraded after %1 pricey calls (%2 micro-dollars; limit %3)")
                            .arg(switchAt)
                            .arg(spentBefore)
                            .arg(kDowngradeLimitMicros)));

    // Past the limit, concurrent requests all go to the cheaper target.
    std::vector<Reply> burst(10);
    {
        std::latch start(10);
        std::vector<std::thread> threads;
        for (int i = 0; i < 10; ++i)
            threads.emplace_back([&, i] { burst[std::size_t(i)] = exchange(port, chatRequest(downKey_), &start); });
        for (auto& t : threads)
            t.join();
    }
    drainLog();
    for (const Reply& r : burst) {
        QVERIFY2(r.status == 200, qPrintable(describe(r)));
        QCOMPARE(r.header("x-gatehouse-served-by"), QStringLiteral("cheap/mock-cheap"));
        requestIds << r.header("x-gatehouse-request-id");
    }

    // The records say the same: which model served, at which price, charged to the budget.
    const QJsonArray rows = recordedRequests(gw_.requestsDb());
    for (int i = 0; i < requestIds.size(); ++i) {
        const QJsonObject row = recordOf(rows, requestIds[i]);
        QVERIFY2(!row.isEmpty(), qPrintable("no record for " + requestIds[i]));
        QCOMPARE(row.value("outcome").toString(), QStringLiteral("ok"));
        QCOMPARE(row.value("requested_model").toString(), QStringLiteral("mock-pricey"));
        const bool downgraded = i >= switchAt;
        QCOMPARE(row.value("endpoint_id").toString(), downgraded ? QStringLiteral("cheap") : QStringLiteral("mock"));
        QCOMPARE(row.value("served_model").toString(), downgraded ? QStringLiteral("mock-cheap") : QStringLiteral("mock-pricey"));
        QCOMPARE(row.value("cost_micros").toInteger(), downgraded ? kCheapCostMicros : kPriceyCostMicros);
        QCOMPARE(chargedTo(row, "down-cap"), downgraded ? kCheapCostMicros : kPriceyCostMicros);
        QCOMPARE(chargedTo(row, "block-cap"), 0);
    }
    // The blocking budget, exhausted by the earlier tests, still refuses its own team meanwhile.
    QCOMPARE(exchange(port, chatRequest(blockKey_)).status, 402);
}

void TestE2eBudget::spendSurvivesARestart() {
    drainLog();
    const QJsonArray before = recordedRequests(gw_.requestsDb());
    const Spend block = spendOf(before, "block-cap");
    const Spend down = spendOf(before, "down-cap");
    QVERIFY2(block.total >= kBlockLimitMicros, "the earlier tests should have exhausted block-cap");
    QVERIFY2(down.total >= kDowngradeLimitMicros, "the earlier tests should have exhausted down-cap");
    QCOMPARE(storedSpend(gw_.requestsDb(), "block-cap"), block.total);
    QCOMPARE(storedSpend(gw_.requestsDb(), "down-cap"), down.total);

    QCOMPARE(gw_.stop(), 0);
    QVERIFY(gw_.start());
    const quint16 port = gw_.process().port();

    const Reply blocked = exchange(port, chatRequest(blockKey_));
    QVERIFY2(blocked.status == 402, qPrintable("block-cap forgot its spend across the restart: " + describe(blocked)));
    QVERIFY(blocked.json().value("error").toObject().value("message").toString().contains("'block-cap'"));
    const Reply downgraded = exchange(port, chatRequest(downKey_));
    QCOMPARE(downgraded.status, 200);
    QVERIFY2(downgraded.header("x-gatehouse-served-by") == "cheap/mock-cheap",
             qPrintable("down-cap forgot its spend across the restart: served by " + downgraded.header("x-gatehouse-served-by")));
    drainLog();
    // Nothing was lost or double-counted by the restart.
    const QJsonArray after = recordedRequests(gw_.requestsDb());
    QCOMPARE(spendOf(after, "block-cap").total, block.total);
    QCOMPARE(spendOf(after, "down-cap").total, down.total + kCheapCostMicros);
    QCOMPARE(storedSpend(gw_.requestsDb(), "down-cap"), down.total + kCheapCostMicros);
}

QTEST_GUILESS_MAIN(TestE2eBudget)
#include "tst_e2e_budget.moc"
