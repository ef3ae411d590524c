// The console's admin API client against a real gatehoused: the typed calls (whoami, status,
// the policy with its etag, version pages, apply with If-Match, rollback), errors as messages a
// person can act on (401, 412, 422, nothing listening, a timeout), the certificate pin (a changed
// certificate is refused before the token is sent; unpinned, a self-signed gateway fails TLS),
// and the asynchronous contract (no callback for a destroyed context, Cancelled on setAccess,
// the event loop keeps running while a call waits).
#include "console_testing.h"

#include "crypto/certificate.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace gh;
using namespace gh::test;
using console::AdminClient;
using console::ApiError;

namespace {

// A TCP listener that accepts and never says a word: a TLS handshake with it waits forever.
class SilentServer : public QTcpServer {
public:
    bool start() { return listen(QHostAddress::LocalHost, 0); }
    QString origin() const { return QStringLiteral("https://127.0.0.1:%1").arg(serverPort()); }

protected:
    void incomingConnection(qintptr handle) override {
        auto* socket = new QTcpSocket(this);
        socket->setSocketDescriptor(handle);
        connect(socket, &QTcpSocket::readyRead, socket, [socket] { received += socket->readAll(); });
    }

public:
    static inline QByteArray received;
};

// A port nothing listens on (bound, then released).
quint16 closedPort() {
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

int auditCount(Gateway& gw, const QString& action) {
    const HttpResult r = gw.admin("GET", "/audit?limit=1000&action=" + action);
    return r.status == 200 ? int(r.json().value("items").toArray().size()) : -1;
}

QString changedPolicy(const QString& yaml, const QString& task) {
    QString out = yaml;
    out.replace(QStringLiteral("tasks: [docs, chat, codegen"), QStringLiteral("tasks: [docs, chat, codegen, ") + task);
    return out;
}

} // namespace

class TestAdminClient : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void whoAmIAndStatus();
    void currentPolicyHasYamlAndEtag();
    void applyWithTheRightEtagMakesANewVersion();
    void staleEtagIsPreconditionFailedWithCurrentVersion();
    void invalidPolicyIs422WithDiagnostics();
    void rollbackMakesANewVersion();
    void versionsPageByCursor();
    void replayRunsTheDraftOverRecordedTraffic();
    void wrongTokenIs401WithAnActionableMessage();
    void nothingListeningNamesTheUrl();
    void changedCertificateIsRefusedBeforeTheTokenIsSent();
    void unpinnedSelfSignedGatewayFailsTls();
    void destroyedContextGetsNoCallback();
    void setAccessCancelsPendingCalls();
    void eventLoopRunsWhileACallWaitsAndTimesOut();
    void pendingChangedCountsCalls();
    void cleanup();

private:
    ConsoleGateway gw_;
    std::unique_ptr<AdminClient> client_;
};

void TestAdminClient::initTestCase() {
    QVERIFY(gw_.start());
    client_ = std::make_unique<AdminClient>();
    client_->setAccess(gw_.access());
    QVERIFY(!client_->access().pinned.isNull());
}

void TestAdminClient::cleanup() {
    QVERIFY2(gw_.gateway.process().isRunning(), gw_.gateway.process().stderrText().right(1500).constData());
    QTRY_COMPARE(client_->pending(), 0);
}

void TestAdminClient::whoAmIAndStatus() {
    Answer<api::WhoAmI> who;
    client_->whoAmI(this, who.done());
    QVERIFY(who.wait());
    QVERIFY2(who.ok(), who.problem().constData());
    QCOMPARE(who.value().role, std::string("admin"));
    QCOMPARE(client_->role(), QStringLiteral("admin"));

    Answer<api::Status> status;
    client_->status(this, status.done());
    QVERIFY(status.wait());
    QVERIFY2(status.ok(), status.problem().constData());
    QVERIFY(status.value().policy_version >= 1);
    QVERIFY(!status.value().admin_listen.empty());
}

void TestAdminClient::currentPolicyHasYamlAndEtag() {
    Answer<api::PolicyVersion> policy;
    client_->currentPolicy(this, policy.done());
    QVERIFY(policy.wait());
    QVERIFY2(policy.ok(), policy.problem().constData());
    QVERIFY(policy.value().yaml.has_value());
    QVERIFY(policy.value().yaml->find("endpoints:") != std::string::npos);
    QCOMPARE(policy.value().etag, "\"" + std::to_string(policy.value().version) + "\"");
}

void TestAdminClient::applyWithTheRightEtagMakesANewVersion() {
    Answer<api::PolicyVersion> current;
    client_->currentPolicy(this, current.done());
    QVERIFY(current.wait() && current.ok());

    Answer<api::PolicyVersion> applied;
    client_->applyPolicy(this, changedPolicy(QString::fromStdString(*current.value().yaml), QStringLiteral("review")),
                         QStringLiteral("add the review task"), QString::fromStdString(current.value().etag),
                         applied.done());
    QVERIFY(applied.wait());
    QVERIFY2(applied.ok(), applied.problem().constData());
    QCOMPARE(applied.value().version, current.value().version + 1);
    QCOMPARE(applied.value().source, std::string("api"));
    QCOMPARE(applied.value().comment, std::string("add the review task"));
    QCOMPARE(applied.value().author.empty(), false);
}

void TestAdminClient::staleEtagIsPreconditionFailedWithCurrentVersion() {
    Answer<api::PolicyVersion> current;
    client_->currentPolicy(this, current.done());
    QVERIFY(current.wait() && current.ok());

    Answer<api::PolicyVersion> stale;
    client_->applyPolicy(this, changedPolicy(QString::fromStdString(*current.value().yaml), QStringLiteral("test")),
                         QStringLiteral("stale"), QStringLiteral("\"1\""), stale.done());
    QVERIFY(stale.wait());
    QVERIFY(!stale.ok());
    QCOMPARE(stale.error().kind, ApiError::Kind::Http);
    QCOMPARE(stale.error().status, 412);
    QCOMPARE(stale.error().type, QStringLiteral("precondition_failed"));
    QVERIFY(stale.error().detail.current_version.has_value());
    QCOMPARE(*stale.error().detail.current_version, current.value().version);
    QVERIFY(!stale.error().message.isEmpty());
}

void TestAdminClient::invalidPolicyIs422WithDiagnostics() {
    Answer<api::PolicyVersion> current;
    client_->currentPolicy(this, current.done());
    QVERIFY(current.wait() && current.ok());

    Answer<api::PolicyVersion> invalid;
    client_->applyPolicy(this, QStringLiteral("version: 1\nroutes:\n  - id: broken\n    route: [nowhere/none]\n"),
                         QStringLiteral("broken"), QString::fromStdString(current.value().etag), invalid.done());
    QVERIFY(invalid.wait());
    QVERIFY(!invalid.ok());
    QCOMPARE(invalid.error().status, 422);
    QCOMPARE(invalid.error().type, QStringLiteral("invalid_policy"));
    QVERIFY(invalid.error().detail.diagnostics.has_value());
    QVERIFY(!invalid.error().detail.diagnostics->empty());
}

void TestAdminClient::rollbackMakesANewVersion() {
    Answer<api::PolicyVersion> current;
    client_->currentPolicy(this, current.done());
    QVERIFY(current.wait() && current.ok());
    QVERIFY(current.value().version >= 2);

    Answer<api::PolicyVersion> rolledBack;
    client_->rollbackPolicy(this, 1, QStringLiteral("back to the first"), QString::fromStdString(current.value().etag),
                            rolledBack.done());
    QVERIFY(rolledBack.wait());
    QVERIFY2(rolledBack.ok(), rolledBack.problem().constData());
    QCOMPARE(rolledBack.value().version, current.value().version + 1);
    QCOMPARE(rolledBack.value().source, std::string("rollback"));
    QCOMPARE(rolledBack.value().rolled_back_from.value_or(-1), std::int64_t(1));
}

void TestAdminClient::versionsPageByCursor() {
    QList<std::int64_t> seen;
    QString cursor;
    for (int page = 0; page < 20; ++page) {
        Answer<api::Page<api::PolicyVersion>> versions;
        client_->policyVersions(this, cursor, 1, versions.done());
        QVERIFY(versions.wait());
        QVERIFY2(versions.ok(), versions.problem().constData());
        QCOMPARE(versions.value().items.size(), std::size_t(1));
        QVERIFY(!versions.value().items.front().yaml.has_value()); // lists carry no yaml
        seen.append(versions.value().items.front().version);
        if (!versions.value().next_cursor)
            break;
        cursor = QString::fromStdString(*versions.value().next_cursor);
    }
    QVERIFY2(seen.size() >= 3, "apply and rollback made at least three versions");
    for (int i = 1; i < seen.size(); ++i)
        QVERIFY(seen[i] < seen[i - 1]); // newest first
    QCOMPARE(seen.last(), std::int64_t(1));

    Answer<api::PolicyVersion> first;
    client_->policyVersion(this, 1, first.done());
    QVERIFY(first.wait());
    QVERIFY2(first.ok(), first.problem().constData());
    QCOMPARE(first.value().version, std::int64_t(1));
    QVERIFY(first.value().yaml.has_value());
}

void TestAdminClient::replayRunsTheDraftOverRecordedTraffic() {
    Answer<api::PolicyVersion> current;
    client_->currentPolicy(this, current.done());
    QVERIFY(current.wait() && current.ok());
    api::ReplayRequest request;
    request.yaml = *current.value().yaml;
    Answer<api::Replay> replay;
    client_->replay(this, request, replay.done());
    QVERIFY(replay.wait(130'000));
    QVERIFY2(replay.ok(), replay.problem().constData());
    QCOMPARE(replay.value().routed_differently, std::int64_t(0));
}

void TestAdminClient::wrongTokenIs401WithAnActionableMessage() {
    AdminClient client;
    console::ServerAccess access = gw_.access();
    access.token = QStringLiteral("gha_not-a-real-token-0000000000");
    client.setAccess(access);
    Answer<api::WhoAmI> who;
    client.whoAmI(this, who.done());
    QVERIFY(who.wait());
    QVERIFY(!who.ok());
    QCOMPARE(who.error().kind, ApiError::Kind::Http);
    QCOMPARE(who.error().status, 401);
    QVERIFY2(who.error().message.contains(QLatin1String("ask an admin for a new one")),
             qPrintable(who.error().message));
    QVERIFY(!who.error().message.contains(access.token));
}

void TestAdminClient::nothingListeningNamesTheUrl() {
    AdminClient client;
    const QString origin = QStringLiteral("https://127.0.0.1:%1").arg(closedPort());
    client.setAccess({origin, QStringLiteral("gha_x"), QSslCertificate()});
    Answer<api::WhoAmI> who;
    client.whoAmI(this, who.done());
    QVERIFY(who.wait());
    QVERIFY(!who.ok());
    QCOMPARE(who.error().kind, ApiError::Kind::Network);
    QVERIFY2(who.error().message.contains(origin), qPrintable(who.error().message));
    QVERIFY2(who.error().message.contains(QLatin1String("is gatehoused running")), qPrintable(who.error().message));
}

void TestAdminClient::changedCertificateIsRefusedBeforeTheTokenIsSent() {
    const auto other = crypto::generateSelfSigned({"localhost"}, {"127.0.0.1", "::1"}, 30);
    const QSslCertificate otherCertificate(QByteArray::fromStdString(other.certificatePem), QSsl::Pem);
    QVERIFY(!otherCertificate.isNull());

    // A token that would be an auth.failed audit entry if it ever reached the gateway.
    const int failedBefore = auditCount(gw_.gateway, QStringLiteral("auth.failed"));
    QVERIFY(failedBefore >= 0);
    AdminClient client;
    client.setAccess({gw_.gateway.adminOrigin(), QStringLiteral("gha_must-never-arrive-1111111111"), otherCertificate});
    QSignalSpy changed(&client, &AdminClient::certificateChanged);
    Answer<api::WhoAmI> who;
    client.whoAmI(this, who.done());
    QVERIFY(who.wait());
    QVERIFY(!who.ok());
    QCOMPARE(who.error().kind, ApiError::Kind::CertificateChanged);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).toString(), console::sha256Fingerprint(otherCertificate));
    QCOMPARE(changed.at(0).at(1).toString(), console::sha256Fingerprint(gatewayCertificate(gw_.gateway)));
    QVERIFY(who.error().message.contains(console::sha256Fingerprint(otherCertificate)));
    QVERIFY(who.error().message.contains(console::sha256Fingerprint(gatewayCertificate(gw_.gateway))));

    // The gateway never saw the token: no failed authentication was recorded.
    QTest::qWait(300);
    QCOMPARE(auditCount(gw_.gateway, QStringLiteral("auth.failed")), failedBefore);
}

void TestAdminClient::unpinnedSelfSignedGatewayFailsTls() {
    AdminClient client;
    console::ServerAccess access = gw_.access();
    access.pinned = QSslCertificate();
    client.setAccess(access);
    Answer<api::WhoAmI> who;
    client.whoAmI(this, who.done());
    QVERIFY(who.wait());
    QVERIFY(!who.ok());
    QCOMPARE(who.error().kind, ApiError::Kind::Tls);
    QVERIFY2(who.error().message.contains(access.origin), qPrintable(who.error().message));
}

void TestAdminClient::destroyedContextGetsNoCallback() {
    auto* context = new QObject;
    int calls = 0;
    client_->whoAmI(context, [&calls](const console::ApiResult<api::WhoAmI>&) { ++calls; });
    client_->status(context, [&calls](const console::ApiResult<api::Status>&) { ++calls; });
    QCOMPARE(client_->pending(), 2);
    delete context;
    QTRY_COMPARE(client_->pending(), 0);
    QTest::qWait(200);
    QCOMPARE(calls, 0);

    // The client still works for others.
    Answer<api::WhoAmI> who;
    client_->whoAmI(this, who.done());
    QVERIFY(who.wait());
    QVERIFY2(who.ok(), who.problem().constData());
}

void TestAdminClient::setAccessCancelsPendingCalls() {
    SilentServer silent;
    QVERIFY(silent.start());
    AdminClient client;
    client.setAccess({silent.origin(), QStringLiteral("gha_x"), gatewayCertificate(gw_.gateway)});
    Answer<api::WhoAmI> who;
    client.whoAmI(this, who.done());
    QTest::qWait(100);
    QCOMPARE(client.pending(), 1);
    client.setAccess(gw_.access());
    QVERIFY(who.wait(2000));
    QCOMPARE(who.error().kind, ApiError::Kind::Cancelled);
    QCOMPARE(client.pending(), 0);
}

void TestAdminClient::eventLoopRunsWhileACallWaitsAndTimesOut() {
    SilentServer silent;
    QVERIFY(silent.start());
    SilentServer::received.clear();
    AdminClient client;
    client.setTimeouts(1500, 1500);
    client.setAccess(
        {silent.origin(), QStringLiteral("gha_secret-for-silent-222222"), gatewayCertificate(gw_.gateway)});
    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start(10);
    Answer<api::WhoAmI> who;
    client.whoAmI(this, who.done());
    QVERIFY(who.wait(20'000));
    ticker.stop();
    QVERIFY2(ticks >= 20, qPrintable(QStringLiteral("the timer ticked %1 times while the call waited").arg(ticks)));
    QVERIFY(!who.ok());
    QCOMPARE(who.error().kind, ApiError::Kind::Network);
    QVERIFY2(who.error().message.contains(QLatin1String("did not answer")), qPrintable(who.error().message));
    // Only a ClientHello was sent, never the token.
    QVERIFY(!SilentServer::received.contains("gha_secret-for-silent"));
}

void TestAdminClient::pendingChangedCountsCalls() {
    QSignalSpy pending(client_.get(), &AdminClient::pendingChanged);
    Answer<api::WhoAmI> a;
    Answer<api::Status> b;
    client_->whoAmI(this, a.done());
    client_->status(this, b.done());
    QVERIFY(a.wait() && b.wait());
    QTRY_COMPARE(client_->pending(), 0);
    QVERIFY(pending.size() >= 4);
    QCOMPARE(pending.at(0).at(0).toInt(), 1);
    QCOMPARE(pending.at(1).at(0).toInt(), 2);
    QCOMPARE(pending.last().at(0).toInt(), 0);
}

QTEST_MAIN(TestAdminClient)
#include "tst_admin_client.moc"
