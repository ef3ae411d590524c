// End-to-end robustness of gatehoused: malformed and hostile input, failing upstreams, clients
// that leave, signals. Each case must be answered cleanly (the right status, an error in the
// caller's own format) and the gateway must go on serving: cleanup() sends a normal request
// after every test function. Real processes on loopback: mock-upstream, gatehoused, curl, and
// raw sockets for what curl cannot do (slowloris, hanging up mid-stream, huge bodies).
#include "support/e2e.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <functional>
#include <thread>
#include <vector>

using namespace gh::test;

// No raw string literals in this file: moc's tokenizer does not know them, and a "/*" inside one
// (as in ENDPOINT/* targets) hides the test class from it.
namespace {

// Distinctive secrets, so that a leak anywhere is found by a plain search.
const QString kOpenAISecret = QStringLiteral("sk-provider-OPENAI-7f3c9e21a4b8d6e5c4");
const QString kAnthropicSecret = QStringLiteral("sk-ant-provider-ANTHROPIC-51d0c8e7f2a9");
constexpr int kUpstreamTimeoutSeconds = 2; // lowered from the harness's 5 to keep the suite short
constexpr int kHeaderTimeoutSeconds = 3;   // what the harness writes into gatehoused.yaml

// Prices per million tokens; the mock's usage is deterministic (words + 3 per message in, the
// reply's words out), so every cost here is exact.
const char* const kPolicy =
    "version: 1\n"
    "unknown_repository: internal\n"
    "credentials: [openai-mock-key, anthropic-mock-key]\n"
    "endpoints:\n"
    "  - id: mock\n"
    "    kind: openai\n"
    "    base_url: {{MOCK}}\n"
    "    class: enterprise\n"
    "    credential: openai-mock-key\n"
    "    models:\n"
    "      mock-good: {input: 2.00, output: 8.00}\n"
    "      mock-slow-stream: {input: 2.00, output: 8.00}\n"
    "      mock-reset: {input: 2.00, output: 8.00}\n"
    "      mock-reset-mid-stream: {input: 2.00, output: 8.00}\n"
    "      mock-hang: {input: 2.00, output: 8.00}\n"
    "  - id: backup\n"
    "    kind: openai\n"
    "    base_url: {{MOCK}}\n"
    "    class: enterprise\n"
    "    credential: openai-mock-key\n"
    "    models:\n"
    "      backup-good: {input: 1.00, output: 4.00}\n"
    "  - id: claude\n"
    "    kind: anthropic\n"
    "    base_url: {{MOCK}}\n"
    "    class: enterprise\n"
    "    credential: anthropic-mock-key\n"
    "    models:\n"
    "      claude-mock: {input: 3.00, output: 15.00}\n"
    "      claude-slow-stream: {input: 3.00, output: 15.00}\n"
    "      claude-reset-mid-stream: {input: 3.00, output: 15.00}\n"
    "routes:\n"
    "%1  - id: reset-then-backup\n"
    "    when: {model: mock-reset-fallback}\n"
    "    route: [mock/mock-reset, backup/backup-good]\n"
    "  - id: to-claude\n"
    "    when: {model: \"claude-*\"}\n"
    "    route: [\"claude/*\"]\n"
    "  - id: to-mock\n"
    "    route: [%2]\n";

QString policy(const QString& firstRules = {}, const QString& catchAll = QStringLiteral("\"mock/*\"")) {
    return QString::fromLatin1(kPolicy).arg(firstRules, catchAll);
}

QByteArray chatBody(const QString& model, bool stream = false, const QString& text = QStringLiteral("hello there")) {
    QJsonObject body{{"model", model},
                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", text}}}},
                     {"max_tokens", 64}};
    if (stream)
        body["stream"] = true;
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray messagesBody(const QString& model, bool stream = false, const QString& text = QStringLiteral("hello there")) {
    QJsonObject body{{"model", model},
                     {"max_tokens", 64},
                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", text}}}}};
    if (stream)
        body["stream"] = true;
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// "" when `r` is an error of `status` in the OpenAI format whose message mentions `mentions`;
// otherwise what is wrong.
QString openAIErrorProblem(const HttpResult& r, int status, const QString& mentions = {}) {
    const QString where = QStringLiteral(" (status %1, body %2)").arg(r.status).arg(QString::fromUtf8(r.body.left(600)));
    if (r.status != status)
        return QStringLiteral("expected HTTP %1").arg(status) + where;
    if (!r.header("content-type").startsWith("application/json"))
        return "expected a JSON error, content-type is '" + r.header("content-type") + "'" + where;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(r.body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return "the body is not a JSON object" + where;
    const QJsonObject error = doc.object().value("error").toObject();
    if (error.isEmpty() || !error.value("message").isString() || error.value("message").toString().isEmpty() ||
        !error.value("type").isString())
        return "not an OpenAI error {\"error\": {\"message\", \"type\", ...}}" + where;
    if (doc.object().contains("type"))
        return "an Anthropic-shaped error to an OpenAI caller" + where;
    if (!mentions.isEmpty() && !error.value("message").toString().contains(mentions, Qt::CaseInsensitive))
        return "the message does not mention '" + mentions + "'" + where;
    return {};
}

QString anthropicErrorProblem(const HttpResult& r, int status, const QString& mentions = {}) {
    const QString where = QStringLiteral(" (status %1, body %2)").arg(r.status).arg(QString::fromUtf8(r.body.left(600)));
    if (r.status != status)
        return QStringLiteral("expected HTTP %1").arg(status) + where;
    if (!r.header("content-type").startsWith("application/json"))
        return "expected a JSON error, content-type is '" + r.header("content-type") + "'" + where;
    const QJsonObject body = QJsonDocument::fromJson(r.body).object();
    const QJsonObject error = body.value("error").toObject();
    if (body.value("type").toString() != "error" || !error.value("type").isString() ||
        error.value("message").toString().isEmpty())
        return "not an Anthropic error {\"type\": \"error\", \"error\": {\"type\", \"message\"}}" + where;
    if (!mentions.isEmpty() && !error.value("message").toString().contains(mentions, Qt::CaseInsensitive))
        return "the message does not mention '" + mentions + "'" + where;
    return {};
}

QString errorProblem(bool anthropic, const HttpResult& r, int status, const QString& mentions = {}) {
    return anthropic ? anthropicErrorProblem(r, status, mentions) : openAIErrorProblem(r, status, mentions);
}

// ---- raw sockets: for the clients curl cannot play ----

class RawSocket {
public:
    RawSocket() = default;
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;
    ~RawSocket() { close(); }

    bool connectTo(quint16 port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0)
            return false;
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return ::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    }
    // False once the peer is gone (EPIPE, ECONNRESET).
    bool send(const QByteArray& data) {
        qsizetype done = 0;
        while (done < data.size()) {
            const ssize_t n = ::send(fd_, data.constData() + done, std::size_t(data.size() - done), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            done += n;
        }
        return true;
    }
    // What arrives within `ms` (returns on the first bytes); `closed` is set on EOF or error.
    QByteArray readSome(int ms, bool* closed) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0)
            return {};
        char buffer[65536];
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) {
            *closed = true;
            return {};
        }
        return QByteArray(buffer, qsizetype(n));
    }
    QByteArray readUntil(const std::function<bool(const QByteArray&)>& done, int ms, bool* closedOut = nullptr) {
        QDeadlineTimer deadline(ms);
        QByteArray all;
        bool closed = false;
        while (!closed && !done(all) && !deadline.hasExpired())
            all += readSome(int(std::max<qint64>(1, deadline.remainingTime())), &closed);
        if (closedOut)
            *closedOut = closed;
        return all;
    }
    QByteArray readToEnd(int ms, bool* closed = nullptr) {
        return readUntil([](const QByteArray&) { return false; }, ms, closed);
    }
    void close() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    int fd() const { return fd_; }

private:
    int fd_ = -1;
};

struct RawResponse {
    int status = 0;
    std::map<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;                          // chunked bodies decoded
};

RawResponse parseRaw(const QByteArray& data) {
    RawResponse r;
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return r;
    const QList<QByteArray> lines = data.left(end).split('\n');
    r.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            r.headers[line.left(colon).toLower()] = line.mid(colon + 1).trimmed();
    }
    QByteArray rest = data.mid(end + 4);
    if (r.headers["transfer-encoding"].toLower() != "chunked") {
        r.body = rest;
        return r;
    }
    for (;;) {
        const qsizetype eol = rest.indexOf("\r\n");
        if (eol < 0)
            break;
        bool ok = false;
        const qsizetype size = rest.left(eol).trimmed().toLongLong(&ok, 16);
        if (!ok || size == 0)
            break;
        r.body += rest.mid(eol + 2, size);
        rest = rest.mid(eol + 2 + size + 2);
    }
    return r;
}

HttpResult toHttpResult(const RawResponse& raw) {
    HttpResult r;
    r.curlExit = 0;
    r.status = raw.status;
    for (const auto& [name, value] : raw.headers)
        r.headers[QString::fromLatin1(name)] = QString::fromLatin1(value);
    r.body = raw.body;
    return r;
}

// The JSON payloads of the "data:" lines of an SSE stream ("[DONE]" included as text).
QList<QByteArray> sseData(const QByteArray& stream) {
    QList<QByteArray> out;
    for (const QByteArray& line : stream.split('\n'))
        if (line.startsWith("data:"))
            out << line.mid(5).trimmed();
    return out;
}

// kill(2) on a running child only: a pid of 0 would signal this test's whole process group.
bool signalProcess(QProcess& p, int signal) {
    const qint64 pid = p.processId();
    return p.state() == QProcess::Running && pid > 0 && ::kill(pid_t(pid), signal) == 0;
}

QStringList sseEventNames(const QByteArray& stream) {
    QStringList out;
    for (const QByteArray& line : stream.split('\n'))
        if (line.startsWith("event:"))
            out << QString::fromUtf8(line.mid(6).trimmed());
    return out;
}

} // namespace

class TestE2eRobustness : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void invalidJson_data();
    void invalidJson();
    void malformedRequests_data();
    void malformedRequests();
    void hugeBodyIsRefusedBeforeItIsRead();
    void hugeChunkedBodyIsCutOff();
    void slowlorisHeadersAreCutOffWhileOthersAreServed();
    void slowBodyIsCutOff();
    void clientHangingUpMidStreamIsRecordedAsCancelled();
    void upstreamResetFallsBackToTheNextTarget();
    void upstreamResetWithoutFallback_data();
    void upstreamResetWithoutFallback();
    void upstreamResetMidStream_data();
    void upstreamResetMidStream();
    void upstreamHang_data();
    void upstreamHang();
    void unknownPath_data();
    void unknownPath();
    void wrongMethod_data();
    void wrongMethod();
    void missingOrInvalidKey_data();
    void missingOrInvalidKey();
    void sigtermDrainsAStreamInFlight();
    void sighupRefusesABrokenPolicy();
    void sighupAppliesAValidPolicy();
    void noSecretInLogOrDatabase();

private:
    HttpResult post(const QString& path, const QByteArray& body, bool stream = false, int timeoutMs = 30'000,
                    const QString& key = QStringLiteral("<default>"), Gateway* gateway = nullptr);
    QJsonObject record(const QString& requestId, int waitMs = 3000);
    QByteArray gatewayLog(); // everything gatehoused wrote to stderr so far
    QString normalRequestProblem();
    qint64 lastMockSeq(); // sequence number of the newest request the mock received

    MockUpstream mock_;
    Gateway gw_;
    QString key_;
    QByteArray otherLogs_;       // logs of gateways started by single tests
    QStringList triedSecrets_;   // wrong keys sent by the tests: never to be echoed
};


void TestE2eRobustness::initTestCase() {
    QVERIFY2(!gatehousedPath().isEmpty() && !mockUpstreamPath().isEmpty(), "GATEHOUSED and MOCK_UPSTREAM must be set");
    QVERIFY(mock_.start());
    QVERIFY(gw_.init());
    // The harness sets upstream_timeout_seconds: 5; a shorter one keeps the hang cases quick.
    {
        QFile config(gw_.dir() + "/ws/gatehoused.yaml");
        QVERIFY(config.open(QIODevice::ReadOnly));
        QByteArray text = config.readAll();
        config.close();
        QVERIFY2(text.contains("upstream_timeout_seconds: 5\n"), text.constData());
        text.replace("upstream_timeout_seconds: 5\n",
                     "upstream_timeout_seconds: " + QByteArray::number(kUpstreamTimeoutSeconds) + "\n");
        QVERIFY(text.contains("header_timeout_seconds: " + QByteArray::number(kHeaderTimeoutSeconds)));
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(text);
    }
    gw_.writePolicy(policy(), mock_.url());
    QVERIFY(gw_.setCredential("openai-mock-key", kOpenAISecret));
    QVERIFY(gw_.setCredential("anthropic-mock-key", kAnthropicSecret));
    key_ = gw_.issueKey("alice", "web");
    QVERIFY(key_.startsWith("ghk_"));
    QVERIFY(gw_.start());
    const QString problem = normalRequestProblem();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestE2eRobustness::cleanup() {
    // Whatever the test did, the gateway still serves a normal request.
    const QString problem = normalRequestProblem();
    QProcess& server = gw_.process().process();
    if (!problem.isEmpty() && (server.state() != QProcess::Running || server.waitForFinished(2000))) {
        const QByteArray log = gatewayLog();
        const bool crashed = server.exitStatus() == QProcess::CrashExit;
        const int code = server.exitCode();
        // Start it again on the same workspace, so that one crash does not fail every later test.
        const bool restarted = gw_.start();
        QFAIL(qPrintable(QStringLiteral("gatehoused died during this test (%1 %2); the end of its log:\n%3%4")
                             .arg(crashed ? "crashed, signal" : "exited, code")
                             .arg(code)
                             .arg(QString::fromUtf8(log.right(800)))
                             .arg(restarted ? "" : "\n(and it could not be restarted)")));
    }
    QVERIFY2(problem.isEmpty(), qPrintable("after this test a normal request failed: " + problem));
}

void TestE2eRobustness::cleanupTestCase() {
    if (gw_.process().process().state() == QProcess::Running)
        QCOMPARE(gw_.stop(), 0);
}

HttpResult TestE2eRobustness::post(const QString& path, const QByteArray& body, bool stream, int timeoutMs,
                                   const QString& key, Gateway* gateway) {
    Gateway& gw = gateway ? *gateway : gw_;
    const QString secret = key == "<default>" ? key_ : key;
    QStringList args{"-X", "POST", gw.url() + path, "-H", "content-type: application/json", "--data-binary", QString::fromUtf8(body)};
    if (path == "/v1/messages") {
        args << "-H" << "anthropic-version: 2023-06-01";
        if (!secret.isEmpty())
            args << "-H" << "x-api-key: " + secret;
    } else if (!secret.isEmpty()) {
        args << "-H" << "authorization: Bearer " + secret;
    }
    if (stream)
        args << "-N";
    return curl(args, timeoutMs);
}

QJsonObject TestE2eRobustness::record(const QString& requestId, int waitMs) {
    QDeadlineTimer deadline(waitMs);
    for (;;) {
        const QJsonArray rows = recordedRequests(gw_.requestsDb());
        for (const auto& row : rows)
            if (row.toObject().value("request_id").toString() == requestId)
                return row.toObject();
        if (deadline.hasExpired())
            return {};
        QThread::msleep(100);
    }
}

qint64 TestE2eRobustness::lastMockSeq() {
    const QJsonArray journal = mock_.requests();
    return journal.isEmpty() ? 0 : journal.last().toObject().value("seq").toInteger();
}

QByteArray TestE2eRobustness::gatewayLog() {
    // QProcess reads the pipe from the event loop: let it, so the pipe never fills up either.
    for (int i = 0; i < 5; ++i)
        QCoreApplication::processEvents();
    return gw_.process().stderrText();
}

QString TestE2eRobustness::normalRequestProblem() {
    const HttpResult r = post("/v1/chat/completions", chatBody("mock-good"), false, 10'000);
    gatewayLog();
    if (r.status != 200)
        return QStringLiteral("status %1 (curl exit %2): %3").arg(r.status).arg(r.curlExit).arg(QString::fromUtf8(r.body.left(400)));
    const QString content = r.json().value("choices").toArray().at(0).toObject().value("message").toObject().value("content").toString();
    if (!content.startsWith("mock reply to: hello there"))
        return "unexpected reply: " + QString::fromUtf8(r.body.left(400));
    return {};
}

// ---- malformed requests ----

void TestE2eRobustness::invalidJson_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("openai truncated") << "/v1/chat/completions" << QByteArray("{\"model\": \"mock-good\", \"messages\": [");
    QTest::newRow("anthropic truncated") << "/v1/messages" << QByteArray("{\"model\": \"mock-good\", \"max_tokens\": 5, \"messages\": [");
    QTest::newRow("openai garbage") << "/v1/chat/completions" << QByteArray("model=mock-good&messages=hi");
    QTest::newRow("anthropic garbage") << "/v1/messages" << QByteArray("\x01\x02not json at all");
    QTest::newRow("openai trailing junk") << "/v1/chat/completions" << QByteArray("{\"model\": \"mock-good\"}} junk");
}

void TestE2eRobustness::invalidJson() {
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    const bool anthropic = path == "/v1/messages";
    const HttpResult r = post(path, body);
    const QString problem = errorProblem(anthropic, r, 400, "JSON");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(!r.header("x-gatehouse-request-id").isEmpty());
    const QJsonObject row = record(r.header("x-gatehouse-request-id"));
    QVERIFY2(!row.isEmpty(), "an authenticated request that was refused is still recorded");
    QCOMPARE(row.value("outcome").toString(), QStringLiteral("invalid"));
    QCOMPARE(row.value("http_status").toInt(), 400);
    QCOMPARE(row.value("cost_micros").toInteger(), 0);
}

void TestE2eRobustness::malformedRequests_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("openai missing model") << "/v1/chat/completions"
                                          << QByteArray("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}") << "model";
    QTest::newRow("anthropic missing model")
        << "/v1/messages" << QByteArray("{\"max_tokens\": 5, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}") << "model";
    QTest::newRow("openai model not a string")
        << "/v1/chat/completions" << QByteArray("{\"model\": 42, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}") << "model";
    QTest::newRow("openai messages not an array")
        << "/v1/chat/completions" << QByteArray("{\"model\": \"mock-good\", \"messages\": \"hi\"}") << "messages";
    QTest::newRow("anthropic messages not an array")
        << "/v1/messages" << QByteArray("{\"model\": \"mock-good\", \"max_tokens\": 5, \"messages\": {\"role\": \"user\"}}") << "messages";
    QTest::newRow("openai message not an object")
        << "/v1/chat/completions" << QByteArray("{\"model\": \"mock-good\", \"messages\": [7]}") << "messages";
    QTest::newRow("anthropic without max_tokens")
        << "/v1/messages" << QByteArray("{\"model\": \"mock-good\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}") << "max_tokens";
    QTest::newRow("anthropic max_tokens a string")
        << "/v1/messages" << QByteArray("{\"model\": \"mock-good\", \"max_tokens\": \"many\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")
        << "max_tokens";
    QTest::newRow("openai body an array") << "/v1/chat/completions" << QByteArray("[1, 2]") << "object";
    QTest::newRow("anthropic empty body") << "/v1/messages" << QByteArray("  ") << "empty";
}

void TestE2eRobustness::malformedRequests() {
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);
    const bool anthropic = path == "/v1/messages";
    const qint64 before = lastMockSeq();
    const HttpResult r = post(path, body);
    const QString problem = errorProblem(anthropic, r, 400, mentions);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(lastMockSeq(), before); // nothing was forwarded
    const QJsonObject row = record(r.header("x-gatehouse-request-id"));
    QVERIFY(!row.isEmpty());
    QCOMPARE(row.value("outcome").toString(), QStringLiteral("invalid"));
}

// ---- oversized and slow clients ----

void TestE2eRobustness::hugeBodyIsRefusedBeforeItIsRead() {
    // A 20 MB body is announced; the gateway must answer 413 from the header alone, without
    // waiting for (or reading) the body, which this client never sends.
    RawSocket s;
    QVERIFY(s.connectTo(gw_.process().port()));
    const QByteArray head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            "Authorization: Bearer " + key_.toLatin1() + "\r\nContent-Length: 20971520\r\n\r\n";
    QVERIFY(s.send(head + "{\"model\": \"mock-good\", \"messages\": [{\"role\": \"user\", \"content\": \""));
    QElapsedTimer t;
    t.start();
    bool closed = false;
    const QByteArray reply = s.readToEnd(5000, &closed);
    QVERIFY2(closed, "the connection should be closed after the 413");
    QVERIFY2(t.elapsed() < 2000, qPrintable(QStringLiteral("the 413 took %1 ms").arg(t.elapsed())));
    const QString problem = openAIErrorProblem(toHttpResult(parseRaw(reply)), 413, "limit");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestE2eRobustness::hugeChunkedBodyIsCutOff() {
    // The same without a Content-Length: 20 MB in chunks. The gateway stops reading at its
    // limit (8 MB) and answers 413; the client never gets to send all of it.
    RawSocket s;
    QVERIFY(s.connectTo(gw_.process().port()));
    const int small = 64 * 1024;
    QVERIFY(::setsockopt(s.fd(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
    const QByteArray head = "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            "x-api-key: " + key_.toLatin1() + "\r\nanthropic-version: 2023-06-01\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n";
    QVERIFY(s.send(head));
    QByteArray reply;
    std::atomic<bool> done{false};
    std::thread reader([&] {
        bool closed = false;
        reply = s.readToEnd(30'000, &closed);
        done = true;
    });
    const QByteArray piece(256 * 1024, 'a');
    const QByteArray chunk = QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    qint64 sent = 0;
    const qint64 total = 20LL << 20;
    QElapsedTimer t;
    t.start();
    while (sent < total && !done && t.elapsed() < 30'000) {
        if (!s.send(chunk))
            break;
        sent += piece.size();
    }
    if (sent >= total)
        s.send("0\r\n\r\n");
    reader.join();
    QVERIFY2(sent < total, qPrintable(QStringLiteral("the gateway read all %1 bytes of an oversized body").arg(sent)));
    const HttpResult r = toHttpResult(parseRaw(reply));
    // A protocol-level refusal: the caller's format is not known yet, so OpenAI's shape is fine too.
    const bool ok = openAIErrorProblem(r, 413).isEmpty() || anthropicErrorProblem(r, 413).isEmpty();
    QVERIFY2(ok, qPrintable(openAIErrorProblem(r, 413)));
}

void TestE2eRobustness::slowlorisHeadersAreCutOffWhileOthersAreServed() {
    // Ten clients send their request headers one byte a second. Each must be cut off about
    // header_timeout_seconds after its first byte, and a normal client is served meanwhile.
    QByteArray head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "X-Gatehouse-Repo: acme/widgets\r\nX-Slow: ";
    head += QByteArray(200, 'z'); // far more bytes than the test has seconds
    constexpr int kClients = 10;
    std::vector<std::unique_ptr<RawSocket>> sockets;
    for (int i = 0; i < kClients; ++i) {
        sockets.push_back(std::make_unique<RawSocket>());
        QVERIFY(sockets.back()->connectTo(gw_.process().port()));
    }
    std::vector<qint64> cutAt(kClients, -1);
    QElapsedTimer t;
    t.start();
    const qint64 giveUpMs = (kHeaderTimeoutSeconds + 5) * 1000;
    bool othersChecked = false;
    QString othersProblem;
    qint64 othersMs = 0;
    for (int second = 0; t.elapsed() < giveUpMs; ++second) {
        for (int i = 0; i < kClients; ++i)
            if (cutAt[i] < 0 && !sockets[i]->send(head.mid(second, 1)))
                cutAt[i] = t.elapsed();
        if (second == 1 && !othersChecked) {
            QElapsedTimer n;
            n.start();
            othersProblem = normalRequestProblem();
            othersMs = n.elapsed();
            othersChecked = true;
        }
        // Until the next byte is due, watch for the gateway closing (or answering 408).
        const qint64 nextByte = qint64(second + 1) * 1000;
        while (t.elapsed() < nextByte) {
            std::vector<pollfd> fds;
            std::vector<int> which;
            for (int i = 0; i < kClients; ++i)
                if (cutAt[i] < 0) {
                    fds.push_back({sockets[i]->fd(), POLLIN, 0});
                    which.push_back(i);
                }
            if (fds.empty())
                break;
            if (::poll(fds.data(), fds.size(), int(std::max<qint64>(1, nextByte - t.elapsed()))) <= 0)
                continue;
            for (std::size_t k = 0; k < fds.size(); ++k)
                if (fds[k].revents != 0)
                    cutAt[std::size_t(which[k])] = t.elapsed();
        }
        if (std::all_of(cutAt.begin(), cutAt.end(), [](qint64 ms) { return ms >= 0; }))
            break;
    }
    QVERIFY(othersChecked);
    QVERIFY2(othersProblem.isEmpty(), qPrintable("a normal client was not served during the slowloris: " + othersProblem));
    QVERIFY2(othersMs < 3000, qPrintable(QStringLiteral("a normal request took %1 ms during the slowloris").arg(othersMs)));
    for (int i = 0; i < kClients; ++i) {
        QVERIFY2(cutAt[i] >= 0, qPrintable(QStringLiteral("slowloris client %1 was still connected after %2 s of "
                                                         "one header byte a second (header_timeout_seconds is %3)")
                                               .arg(i)
                                               .arg(giveUpMs / 1000)
                                               .arg(kHeaderTimeoutSeconds)));
        QVERIFY2(cutAt[i] >= (kHeaderTimeoutSeconds - 1) * 1000 && cutAt[i] <= (kHeaderTimeoutSeconds + 2) * 1000,
                 qPrintable(QStringLiteral("slowloris client %1 cut off after %2 ms, expected about %3 s")
                                .arg(i)
                                .arg(cutAt[i])
                                .arg(kHeaderTimeoutSeconds)));
    }
}

void TestE2eRobustness::slowBodyIsCutOff() {
    // Complete headers, then the body one byte a second: 408 (or a close) once
    // header_timeout_seconds have passed since the request began.
    RawSocket s;
    QVERIFY(s.connectTo(gw_.process().port()));
    const QByteArray body = chatBody("mock-good");
    QVERIFY(s.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Authorization: Bearer " + key_.toLatin1() + "\r\nContent-Length: " +
                   QByteArray::number(body.size()) + "\r\n\r\n"));
    QElapsedTimer t;
    t.start();
    QByteArray reply;
    bool closed = false;
    for (int i = 0; i < body.size() && !closed && t.elapsed() < (kHeaderTimeoutSeconds + 5) * 1000; ++i) {
        if (!s.send(body.mid(i, 1)))
            closed = true;
        QDeadlineTimer second(1000);
        while (!closed && !second.hasExpired())
            reply += s.readSome(int(std::max<qint64>(1, second.remainingTime())), &closed);
    }
    const qint64 cut = t.elapsed();
    QVERIFY2(closed, qPrintable(QStringLiteral("a body sent one byte a second was still accepted after %1 ms").arg(cut)));
    QVERIFY2(cut >= (kHeaderTimeoutSeconds - 1) * 1000 && cut <= (kHeaderTimeoutSeconds + 2) * 1000,
             qPrintable(QStringLiteral("cut off after %1 ms, expected about %2 s").arg(cut).arg(kHeaderTimeoutSeconds)));
    if (!reply.isEmpty()) {
        const QString problem = openAIErrorProblem(toHttpResult(parseRaw(reply)), 408);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
}

void TestE2eRobustness::clientHangingUpMidStreamIsRecordedAsCancelled() {
    // Two callers (one per format) read the first events of a slow stream and hang up. The
    // records must say cancelled, with the tokens and cost of the whole generation.
    struct Case {
        QByteArray path, model, extraHeaders;
        bool anthropic;
        int promptTokens; // the mock's count for "please write a long story": 5 words + 3
        std::unique_ptr<RawSocket> socket;
        QString requestId;
    };
    std::vector<Case> cases;
    cases.push_back({"/v1/chat/completions", "mock-slow-stream", "Authorization: Bearer " + key_.toLatin1() + "\r\n", false, 8, nullptr, {}});
    cases.push_back({"/v1/messages", "claude-slow-stream",
                     "x-api-key: " + key_.toLatin1() + "\r\nanthropic-version: 2023-06-01\r\n", true, 8, nullptr, {}});
    for (auto& c : cases) {
        const QByteArray body = c.anthropic ? messagesBody(QString::fromLatin1(c.model), true, "please write a long story")
                                            : chatBody(QString::fromLatin1(c.model), true, "please write a long story");
        c.socket = std::make_unique<RawSocket>();
        QVERIFY(c.socket->connectTo(gw_.process().port()));
        QVERIFY(c.socket->send("POST " + c.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                               c.extraHeaders + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body));
    }
    for (auto& c : cases) {
        const QByteArray got = c.socket->readUntil(
            [](const QByteArray& d) {
                const qsizetype end = d.indexOf("\r\n\r\n");
                return end >= 0 && d.indexOf("data:", end) >= 0;
            },
            10'000);
        const RawResponse head = parseRaw(got);
        QCOMPARE(head.status, 200);
        QVERIFY(head.headers.at("content-type").startsWith("text/event-stream"));
        c.requestId = QString::fromLatin1(head.headers.at("x-gatehouse-request-id"));
        QVERIFY(!c.requestId.isEmpty());
        c.socket->close(); // hang up after the first event
    }
    // The slow stream takes a few seconds more upstream; the gateway keeps reading it for usage.
    for (auto& c : cases) {
        const QJsonObject row = record(c.requestId, 20'000);
        QVERIFY2(!row.isEmpty(), qPrintable("no record for " + c.requestId));
        QCOMPARE(row.value("outcome").toString(), QStringLiteral("cancelled"));
        QCOMPARE(row.value("decision").toString(), QStringLiteral("routed"));
        QVERIFY2(row.value("input_tokens").toInteger() >= c.promptTokens,
                 qPrintable(QStringLiteral("input tokens %1 < %2").arg(row.value("input_tokens").toInteger()).arg(c.promptTokens)));
        QVERIFY2(row.value("output_tokens").toInteger() > 0, "a cancelled stream still bills its output");
        QVERIFY2(row.value("cost_micros").toInteger() > 0, "a cancelled stream must not be recorded as $0");
    }
}

// ---- failing upstreams ----

void TestE2eRobustness::upstreamResetFallsBackToTheNextTarget() {
    const HttpResult r = post("/v1/chat/completions", chatBody("mock-reset-fallback"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("x-gatehouse-served-by"), QStringLiteral("backup/backup-good"));
    QCOMPARE(r.header("x-gatehouse-route"), QStringLiteral("reset-then-backup"));
    const QJsonObject row = record(r.header("x-gatehouse-request-id"));
    QCOMPARE(row.value("outcome").toString(), QStringLiteral("ok"));
    QCOMPARE(row.value("fallback").toInt(), 1);
    QCOMPARE(row.value("endpoint_id").toString(), QStringLiteral("backup"));
    QCOMPARE(row.value("served_model").toString(), QStringLiteral("backup-good"));
    // backup-good: 2 words + 3 in at $1/M, "mock reply to: hello there" = 5 words out at $4/M.
    QCOMPARE(row.value("input_tokens").toInteger(), 5);
    QCOMPARE(row.value("output_tokens").toInteger(), 5);
    QCOMPARE(row.value("cost_micros").toInteger(), 5 * 1 + 5 * 4);
}

void TestE2eRobustness::upstreamResetWithoutFallback_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("stream");
    QTest::newRow("openai") << "/v1/chat/completions" << false;
    QTest::newRow("openai stream") << "/v1/chat/completions" << true;
    QTest::newRow("anthropic") << "/v1/messages" << false;
    QTest::newRow("anthropic stream") << "/v1/messages" << true;
}

void TestE2eRobustness::upstreamResetWithoutFallback() {
    QFETCH(QString, path);
    QFETCH(bool, stream);
    const bool anthropic = path == "/v1/messages";
    const HttpResult r = post(path, anthropic ? messagesBody("mock-reset", stream) : chatBody("mock-reset", stream), stream);
    // Nothing was sent yet when the upstream reset: a plain JSON error, not an event stream.
    const QString problem = errorProblem(anthropic, r, 502, "mock");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QJsonObject row = record(r.header("x-gatehouse-request-id"));
    QVERIFY(!row.isEmpty());
    QCOMPARE(row.value("outcome").toString(), QStringLiteral("upstream_error"));
    QCOMPARE(row.value("http_status").toInt(), 502);
}

void TestE2eRobustness::upstreamResetMidStream_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("model");
    QTest::newRow("openai caller, openai upstream") << "/v1/chat/completions" << "mock-reset-mid-stream";
    QTest::newRow("openai caller, anthropic upstream") << "/v1/chat/completions" << "claude-reset-mid-stream";
    QTest::newRow("anthropic caller, anthropic upstream") << "/v1/messages" << "claude-reset-mid-stream";
    QTest::newRow("anthropic caller, openai upstream") << "/v1/messages" << "mock-reset-mid-stream";
}

void TestE2eRobustness::upstreamResetMidStream() {
    QFETCH(QString, path);
    QFETCH(QString, model);
    const bool anthropic = path == "/v1/messages";
    const HttpResult r = post(path, anthropic ? messagesBody(model, true) : chatBody(model, true), true);
    QCOMPARE(r.status, 200); // the stream had begun
    QVERIFY(r.header("content-type").startsWith("text/event-stream"));
    const QList<QByteArray> data = sseData(r.body);
    QVERIFY2(!data.isEmpty(), r.body.constData());
    if (anthropic) {
        const QStringList events = sseEventNames(r.body);
        QVERIFY2(events.contains("error"), qPrintable("no error event in: " + QString::fromUtf8(r.body)));
        QVERIFY2(!events.contains("message_stop"), "a cut stream must not look complete");
        const QJsonObject error = QJsonDocument::fromJson(data.last()).object();
        QCOMPARE(error.value("type").toString(), QStringLiteral("error"));
        QVERIFY(!error.value("error").toObject().value("message").toString().isEmpty());
    } else {
        QVERIFY2(!data.contains("[DONE]"), qPrintable("a cut stream must not end with [DONE]: " + QString::fromUtf8(r.body)));
        const QJsonObject error = QJsonDocument::fromJson(data.last()).object().value("error").toObject();
        QVERIFY2(!error.value("message").toString().isEmpty(),
                 qPrintable("the last event should be an OpenAI error: " + QString::fromUtf8(r.body)));
    }
    const QJsonObject row = record(r.header("x-gatehouse-request-id"));
    QVERIFY(!row.isEmpty());
    QCOMPARE(row.value("outcome").toString(), QStringLiteral("upstream_error"));
    QVERIFY2(row.value("cost_micros").toInteger() > 0, "what the provider generated before the cut is billed");
    QVERIFY(row.value("input_tokens").toInteger() > 0);
}

void TestE2eRobustness::upstreamHang_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("stream");
    QTest::newRow("openai") << "/v1/chat/completions" << false;
    QTest::newRow("anthropic stream") << "/v1/messages" << true;
}

void TestE2eRobustness::upstreamHang() {
    QFETCH(QString, path);
    QFETCH(bool, stream);
    const bool anthropic = path == "/v1/messages";
    QElapsedTimer t;
    t.start();
    const HttpResult r = post(path, anthropic ? messagesBody("mock-hang", stream) : chatBody("mock-hang", stream), stream, 20'000);
    const qint64 ms = t.elapsed();
    QVERIFY2(ms >= kUpstreamTimeoutSeconds * 1000 - 500 && ms <= (kUpstreamTimeoutSeconds + 3) * 1000,
             qPrintable(QStringLiteral("the error came after %1 ms; upstream_timeout_seconds is %2").arg(ms).arg(kUpstreamTimeoutSeconds)));
    QVERIFY2(r.status == 502 || r.status == 504, qPrintable(QStringLiteral("status %1").arg(r.status)));
    const QString problem = errorProblem(anthropic, r, r.status);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QJsonObject row = record(r.header("x-gatehouse-request-id"));
    QVERIFY(!row.isEmpty());
    QCOMPARE(row.value("outcome").toString(), QStringLiteral("upstream_error"));
}

// ---- protocol errors ----

void TestE2eRobustness::unknownPath_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("GET /") << "GET" << "/";
    QTest::newRow("POST /v1/completions") << "POST" << "/v1/completions";
    QTest::newRow("GET /v2/models") << "GET" << "/v2/models";
    QTest::newRow("POST /v1/chat/completions/extra") << "POST" << "/v1/chat/completions/extra";
}

void TestE2eRobustness::unknownPath() {
    QFETCH(QString, method);
    QFETCH(QString, path);
    const HttpResult r = curl({"-X", method, gw_.url() + path, "-H", "authorization: Bearer " + key_, "-H",
                               "content-type: application/json", "--data-binary", QString::fromUtf8(chatBody("mock-good"))});
    const QString problem = openAIErrorProblem(r, 404, path);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestE2eRobustness::wrongMethod_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("GET /v1/chat/completions") << "GET" << "/v1/chat/completions";
    QTest::newRow("PUT /v1/chat/completions") << "PUT" << "/v1/chat/completions";
    QTest::newRow("DELETE /v1/messages") << "DELETE" << "/v1/messages";
    QTest::newRow("POST /v1/models") << "POST" << "/v1/models";
}

void TestE2eRobustness::wrongMethod() {
    QFETCH(QString, method);
    QFETCH(QString, path);
    const bool anthropic = path == "/v1/messages";
    QStringList args{"-X", method, gw_.url() + path, "-H", "authorization: Bearer " + key_};
    if (anthropic)
        args << "-H" << "anthropic-version: 2023-06-01";
    const HttpResult r = curl(args);
    const QString problem = errorProblem(anthropic, r, 405, method);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestE2eRobustness::missingOrInvalidKey_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("which");
    for (const QString& path : {QStringLiteral("/v1/chat/completions"), QStringLiteral("/v1/messages")})
        for (const QString& which : {QStringLiteral("missing"), QStringLiteral("bogus"), QStringLiteral("tampered")})
            QTest::addRow("%s %s", qPrintable(path), qPrintable(which)) << path << which;
}

void TestE2eRobustness::missingOrInvalidKey() {
    QFETCH(QString, path);
    QFETCH(QString, which);
    const bool anthropic = path == "/v1/messages";
    QString secret;
    if (which == "bogus")
        secret = QStringLiteral("ghk_BOGUSbogusBOGUS0123456789abcdefABCDEFxyz");
    else if (which == "tampered")
        secret = key_.left(key_.size() - 3) + (key_.endsWith("AAA") ? "BBB" : "AAA");
    if (!secret.isEmpty())
        triedSecrets_ << secret;
    const qint64 before = lastMockSeq();
    const HttpResult r = post(path, anthropic ? messagesBody("mock-good") : chatBody("mock-good"), false, 10'000, secret);
    const QString problem = errorProblem(anthropic, r, 401, which == "missing" ? "key" : QString());
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    if (anthropic)
        QCOMPARE(r.json().value("error").toObject().value("type").toString(), QStringLiteral("authentication_error"));
    QCOMPARE(lastMockSeq(), before);
    QString everything = QString::fromUtf8(r.body);
    for (const auto& [name, value] : r.headers)
        everything += name + ": " + value + "\n";
    QVERIFY2(!everything.contains(key_), "the real key secret is echoed");
    if (!secret.isEmpty()) {
        QVERIFY2(!everything.contains(secret), "the caller's secret is echoed");
        QVERIFY2(!everything.contains(secret.mid(4, 20)), "part of the caller's secret is echoed");
    }
}

// ---- signals ----

void TestE2eRobustness::sigtermDrainsAStreamInFlight() {
    // A gateway of its own: this one is stopped.
    Gateway gw;
    QVERIFY(gw.init());
    gw.writePolicy(policy(), mock_.url());
    QVERIFY(gw.setCredential("openai-mock-key", kOpenAISecret));
    QVERIFY(gw.setCredential("anthropic-mock-key", kAnthropicSecret));
    const QString key = gw.issueKey("bob", "web");
    QVERIFY(!key.isEmpty());
    QVERIFY(gw.start());

    QTemporaryFile headers;
    QVERIFY(headers.open());
    QProcess client;
    client.start("curl", {"-sS", "-N", "--max-time", "30", "-D", headers.fileName(), "-X", "POST", gw.url() + "/v1/chat/completions",
                          "-H", "content-type: application/json", "-H", "authorization: Bearer " + key, "--data-binary",
                          QString::fromUtf8(chatBody("mock-slow-stream", true))});
    QVERIFY(client.waitForStarted());
    QByteArray streamed;
    QDeadlineTimer firstEvent(10'000);
    while (!streamed.contains("data:") && !firstEvent.hasExpired() && client.state() == QProcess::Running) {
        client.waitForReadyRead(200);
        streamed += client.readAllStandardOutput();
    }
    QVERIFY2(streamed.contains("data:"), "the stream did not start");
    QVERIFY2(!streamed.contains("[DONE]"), "the stream should still be running when SIGTERM arrives");

    QProcess& server = gw.process().process();
    QElapsedTimer t;
    t.start();
    QVERIFY(signalProcess(server, SIGTERM));
    QVERIFY(client.waitForFinished(20'000));
    streamed += client.readAllStandardOutput();
    QVERIFY2(server.waitForFinished(20'000), "gatehoused did not exit after SIGTERM");
    const qint64 exitMs = t.elapsed();
    otherLogs_ += gw.process().stderrText();
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
    QVERIFY2(exitMs < 15'000, qPrintable(QStringLiteral("draining took %1 ms").arg(exitMs)));

    QCOMPARE(client.exitCode(), 0);
    const QList<QByteArray> data = sseData(streamed);
    QVERIFY2(!data.isEmpty() && data.last() == "[DONE]", qPrintable("the stream was cut by SIGTERM: " + QString::fromUtf8(streamed)));
    QString text;
    for (const QByteArray& d : data)
        for (const auto& choice : QJsonDocument::fromJson(d).object().value("choices").toArray())
            text += choice.toObject().value("delta").toObject().value("content").toString();
    QCOMPARE(text, QStringLiteral("mock reply to: hello there"));

    QFile h(headers.fileName());
    QVERIFY(h.open(QIODevice::ReadOnly));
    static const QRegularExpression idRe(QStringLiteral("x-gatehouse-request-id:\\s*(\\S+)"),
                                         QRegularExpression::CaseInsensitiveOption);
    const QString requestId = idRe.match(QString::fromLatin1(h.readAll())).captured(1);
    QVERIFY(!requestId.isEmpty());
    QJsonObject row;
    for (const auto& v : recordedRequests(gw.requestsDb()))
        if (v.toObject().value("request_id").toString() == requestId)
            row = v.toObject();
    QVERIFY2(!row.isEmpty(), "the drained request is not on disk");
    QCOMPARE(row.value("outcome").toString(), QStringLiteral("ok"));
    QCOMPARE(row.value("output_tokens").toInteger(), 5);
    QCOMPARE(row.value("cost_micros").toInteger(), 5 * 2 + 5 * 8);
}

void TestE2eRobustness::sighupRefusesABrokenPolicy() {
    // A policy that routes to an endpoint that does not exist: refused, the old one stays.
    gatewayLog();
    const qsizetype logBefore = gw_.process().stderrText().size();
    gw_.writePolicy(policy("  - id: broken-rule\n    when: {model: mock-good}\n    route: [nowhere/mock-good]\n"), mock_.url());
    QVERIFY(signalProcess(gw_.process().process(), SIGHUP));
    QByteArray log;
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        log = gatewayLog().mid(logBefore);
        if (log.contains("policy reload"))
            break;
        QThread::msleep(50);
    }
    QVERIFY2(log.contains("policy reload refused"), qPrintable("the log after SIGHUP: " + QString::fromUtf8(log)));
    QVERIFY2(log.contains("nowhere"), qPrintable("the log does not say what is wrong: " + QString::fromUtf8(log)));
    QVERIFY2(log.contains("policy.yaml"), qPrintable("the log does not name the file: " + QString::fromUtf8(log)));
    const HttpResult health = curl({gw_.url() + "/healthz"});
    QCOMPARE(health.json().value("policy_version").toInt(), 1);
    const HttpResult r = post("/v1/chat/completions", chatBody("mock-good"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("x-gatehouse-route"), QStringLiteral("to-mock"));
    QCOMPARE(r.header("x-gatehouse-served-by"), QStringLiteral("mock/mock-good"));
}

void TestE2eRobustness::sighupAppliesAValidPolicy() {
    const int versionBefore = curl({gw_.url() + "/healthz"}).json().value("policy_version").toInt();
    gw_.writePolicy(policy("  - id: rerouted\n    when: {model: mock-good}\n    route: [backup/backup-good]\n"), mock_.url());
    QVERIFY(signalProcess(gw_.process().process(), SIGHUP));
    QTRY_COMPARE_WITH_TIMEOUT(curl({gw_.url() + "/healthz"}).json().value("policy_version").toInt(), versionBefore + 1, 5000);
    const HttpResult r = post("/v1/chat/completions", chatBody("mock-good"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("x-gatehouse-route"), QStringLiteral("rerouted"));
    QCOMPARE(r.header("x-gatehouse-served-by"), QStringLiteral("backup/backup-good"));
    const QJsonObject row = record(r.header("x-gatehouse-request-id"));
    QCOMPARE(row.value("rule_id").toString(), QStringLiteral("rerouted"));
    QCOMPARE(row.value("policy_version").toInt(), versionBefore + 1);
    QCOMPARE(row.value("endpoint_id").toString(), QStringLiteral("backup"));
    QVERIFY(gatewayLog().contains("policy reloaded"));

    // Back to the original routing for the tests that follow.
    gw_.writePolicy(policy(), mock_.url());
    QVERIFY(signalProcess(gw_.process().process(), SIGHUP));
    QTRY_COMPARE_WITH_TIMEOUT(curl({gw_.url() + "/healthz"}).json().value("policy_version").toInt(), versionBefore + 2, 5000);
    QCOMPARE(post("/v1/chat/completions", chatBody("mock-good")).header("x-gatehouse-served-by"), QStringLiteral("mock/mock-good"));
}

// ---- secrets ----

void TestE2eRobustness::noSecretInLogOrDatabase() {
    // The provider secrets do reach the providers (so they were in play) ...
    mock_.clearRequests();
    QCOMPARE(post("/v1/chat/completions", chatBody("mock-good")).status, 200);
    QCOMPARE(post("/v1/messages", messagesBody("claude-mock")).status, 200);
    const QByteArray journal = QJsonDocument(mock_.requests()).toJson();
    QVERIFY2(journal.contains("Bearer " + kOpenAISecret.toUtf8()), "the OpenAI credential was not sent to the provider");
    QVERIFY2(journal.contains(kAnthropicSecret.toUtf8()), "the Anthropic credential was not sent to the provider");

    // ... but appear nowhere the gateway writes.
    QByteArray log = gatewayLog() + otherLogs_;
    QVERIFY2(log.size() > 1000, "the gateway's log is suspiciously short");
    QStringList secrets{kOpenAISecret, kAnthropicSecret, key_};
    secrets += triedSecrets_;
    QStringList files;
    for (const char* name : {"requests.db", "requests.db-wal", "state.db", "state.db-wal", "gatehoused.yaml", "policy.yaml"})
        files << gw_.dir() + "/ws/" + QLatin1String(name);
    for (const QString& secret : secrets) {
        QVERIFY2(!log.contains(secret.toUtf8()), qPrintable("the gateway's log contains the secret " + secret.left(12) + "..."));
        for (const QString& path : files) {
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly))
                continue;
            QVERIFY2(!f.readAll().contains(secret.toUtf8()), qPrintable(path + " contains the secret " + secret.left(12) + "..."));
        }
    }
    QVERIFY2(QFile::exists(gw_.requestsDb()), "requests.db is missing");
}

QTEST_GUILESS_MAIN(TestE2eRobustness)
#include "tst_e2e_robustness.moc"
