// Secrets never come back out (DESIGN Principle 4, docs/admin-api.md "No role ever reads a
// secret back"). Distinctive canaries are pushed through every door: credential add and rotate,
// the webhook signing credential, gateway key issue and rotate, admin token creation, upstream
// calls that fail (a 401 from an upstream that wants another key, a 500), bad requests that carry
// a canary in a body field, a wrong gateway key, a wrong admin token, a token put in a URL. Then
// no canary may appear in any admin API answer after its one intended appearance (for a gateway
// key or admin token: the answer that issued it; for a provider secret: none), in a webhook
// delivery, in gatehoused's stdout or stderr, or in any file of the workspace (the databases,
// their -wal and -shm files, policy.yaml, gatehoused.yaml, ...), as text or hex.
#include "admin_fixture.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QTest>

using namespace gh::test;

namespace {

QString randomTag() {
    return QString::number(QRandomGenerator::global()->generate64(), 16).rightJustified(16, '0');
}

QByteArray compact(const QJsonObject& o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

const QString kMockSecret = QStringLiteral("sk-canary-suite-mock-Lw3Rt8Yc");
const QString kStrictExpects = QStringLiteral("sk-strict-wants-this-key-00000000");

} // namespace

class TestAdminCanary : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void pushSecretsThroughEveryDoor();
    void noCanaryInApiAnswers();
    void noCanaryInWebhookDeliveries();
    void noCanaryInGatewayOutput();
    void noCanaryInWorkspaceFiles();

private:
    struct Canary {
        QString name;
        QString value;
    };
    // The canaries `text` holds, in any of the forms a leak could take; "" when none.
    QString leaks(const QByteArray& text, const QString& where) const;
    QString canary(const QString& name, const QString& prefix);
    HttpResult adminNoLeak(const QString& method, const QString& path, const QByteArray& body = {}, const QStringList& headers = {});

    AdminFixture fx_;
    MockUpstream strict_;
    HttpReceiver webhook_;
    QList<Canary> canaries_;
    QStringList problems_; // leaks found while pushing
    QString webhookSecret_;
    QString keyId_, tokenId_;
    QStringList requestIds_;
};

QString TestAdminCanary::canary(const QString& name, const QString& prefix) {
    const QString value = prefix + "-CANARY-" + name + "-" + randomTag();
    canaries_.append({name, value});
    return value;
}

QString TestAdminCanary::leaks(const QByteArray& text, const QString& where) const {
    QStringList found;
    for (const Canary& c : canaries_) {
        const QByteArray raw = c.value.toUtf8();
        // A canary is long and random: its distinctive tail alone is enough to count as a leak.
        const QByteArray tail = raw.right(24);
        if (text.contains(raw) || text.contains(tail))
            found << c.name + " (text)";
        else if (text.contains(raw.toHex()) || text.contains(raw.toHex().toUpper()))
            found << c.name + " (hex)";
        else if (text.contains(raw.toBase64()) || text.contains(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)))
            found << c.name + " (base64)";
    }
    return found.isEmpty() ? QString() : where + ": " + found.join(", ");
}

HttpResult TestAdminCanary::adminNoLeak(const QString& method, const QString& path, const QByteArray& body, const QStringList& headers) {
    const HttpResult r = fx_.gateway.admin(method, path, body, headers);
    const QString leak = leaks(r.body + QByteArray::number(r.status), method + " " + path);
    if (!leak.isEmpty())
        problems_ << leak + "\n   " + describe(r, 400);
    for (const auto& [name, value] : r.headers) {
        const QString headerLeak = leaks(value.toUtf8(), method + " " + path + " header " + name);
        if (!headerLeak.isEmpty())
            problems_ << headerLeak;
    }
    return r;
}

void TestAdminCanary::initTestCase() {
    QVERIFY2(strict_.start({"--require-key", kStrictExpects}), "the strict mock did not start");
    QVERIFY(webhook_.start());
    webhookSecret_ = canary("webhook-signing", "whsec");
    const QString config = "scheduler_interval_seconds: 1\nwebhook_url: " + webhook_.url("/hooks/canary") +
                           "\nwebhook_signing_credential: webhook-signing\n";
    QVERIFY(fx_.start(config, {{"mock-key", kMockSecret}, {"webhook-signing", webhookSecret_}}, {}, strict_.url()));
}

void TestAdminCanary::cleanup() {
    if (QString(QTest::currentTestFunction()) == "noCanaryInWorkspaceFiles")
        return; // stopped the gateway on purpose
    const QString problem = fx_.survivalProblem();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminCanary::cleanupTestCase() {
    if (fx_.gatewayRunning())
        fx_.gateway.stop();
}

void TestAdminCanary::pushSecretsThroughEveryDoor() {
    // Provider credentials: added and rotated; one of them works upstream, one is refused there.
    const QString added = canary("credential-added", "sk");
    const QString rotated = canary("credential-rotated", "sk");
    const QString working = canary("credential-working", "sk");
    HttpResult r = adminNoLeak("POST", "/credentials", compact({{"id", "canary-key"}, {"secret", added}}));
    QVERIFY2(r.status == 201, qPrintable(describe(r)));
    r = adminNoLeak("POST", "/credentials/canary-key/rotate", compact({{"secret", rotated}}));
    QVERIFY2(r.status == 200, qPrintable(describe(r)));
    r = adminNoLeak("POST", "/credentials", compact({{"id", "rotating-key"}, {"secret", working}}));
    QVERIFY2(r.status == 201, qPrintable(describe(r)));
    r = adminNoLeak("PUT", "/credentials/canary-key/schedule", compact({{"period_days", 30}, {"grace_days", 2}, {"reminder_days", 5}}));
    QVERIFY2(r.status == 200, qPrintable(describe(r)));

    HttpResult data = chat(fx_.gateway, fx_.webKey, "rotating-model");
    QVERIFY2(data.status == 200, qPrintable(describe(data)));
    requestIds_ << data.header("x-gatehouse-request-id");
    bool usedUpstream = false;
    for (const auto& v : fx_.mock.requests())
        usedUpstream = usedUpstream || v.toObject().value("headers").toObject().value("authorization").toString() == "Bearer " + working;
    QVERIFY2(usedUpstream, "the working credential never reached the upstream");

    // The strict upstream wants another key: it answers 401 and quotes (a redacted form of) the
    // one it got; then a 500.
    for (const QString model : {"strict-model", "strict-fail-500"}) {
        data = chat(fx_.gateway, fx_.webKey, model);
        QVERIFY2(data.status >= 400, qPrintable(describe(data)));
        requestIds_ << data.header("x-gatehouse-request-id");
        const QString leak = leaks(data.body, "data path answer for " + model);
        if (!leak.isEmpty())
            problems_ << leak + "\n   " + describe(data, 400);
    }
    bool sentUpstream = false;
    for (const auto& v : strict_.requests())
        sentUpstream = sentUpstream || v.toObject().value("headers").toObject().value("authorization").toString() == "Bearer " + rotated;
    QVERIFY2(sentUpstream, "the rotated credential never reached the strict upstream");

    // Bad requests that carry a canary in a body field.
    const QString inBadId = canary("secret-with-bad-id", "sk");
    const QString inUnknownField = canary("secret-with-unknown-field", "sk");
    const QString inWrongType = canary("secret-of-wrong-type", "sk");
    const QString inMissing = canary("secret-for-missing-credential", "sk");
    const QString inBadRotate = canary("secret-in-bad-rotate", "sk");
    const QString inBadJson = canary("secret-in-broken-json", "sk");
    const QString inUnknownValue = canary("secret-as-unknown-value", "sk");
    const QList<QPair<QString, QByteArray>> bad{
        {"/credentials", compact({{"id", "not a valid id / at all"}, {"secret", inBadId}})},
        {"/credentials", compact({{"id", "fresh-id"}, {"secret", inUnknownField}, {"extra", true}})},
        {"/credentials", compact({{"id", "typed-id"}, {"secret", QJsonArray{inWrongType}}})},
        {"/credentials/no-such-credential/rotate", compact({{"secret", inMissing}})},
        {"/credentials/canary-key/rotate", compact({{"secret", inBadRotate}, {"grace", 5}})},
        {"/credentials", "{\"id\": \"broken\", \"secret\": \"" + inBadJson.toUtf8() + "\""},
        {"/credentials", compact({{"id", "other-id"}, {"secret", "sk-fine-but-unused-0000"}, {"note", inUnknownValue}})},
    };
    for (const auto& [path, body] : bad) {
        r = adminNoLeak("POST", path, body);
        QVERIFY2(r.status >= 400 && r.status < 500, qPrintable(path + ": " + describe(r)));
    }

    // A wrong gateway key on the data path, a wrong admin token, a token in a URL.
    const QString wrongKey = canary("wrong-gateway-key", "ghk");
    data = chat(fx_.gateway, wrongKey, "mock-good");
    QVERIFY2(data.status == 401, qPrintable(describe(data)));
    if (const QString leak = leaks(data.body, "data path answer to a wrong key"); !leak.isEmpty())
        problems_ << leak;
    const QString wrongToken = canary("wrong-admin-token", "gha");
    r = fx_.gateway.admin("GET", "/policy", {}, {}, wrongToken);
    QVERIFY2(r.status == 401, qPrintable(describe(r)));
    if (const QString leak = leaks(r.body, "admin answer to a wrong token"); !leak.isEmpty())
        problems_ << leak;
    const QString inUrl = canary("token-in-url", "gha");
    r = fx_.gateway.admin("GET", "/whoami?access_token=" + inUrl, {}, {}, QString());
    QVERIFY2(r.status == 401 || r.status == 400, qPrintable(describe(r)));
    if (const QString leak = leaks(r.body, "admin answer to a token in the URL"); !leak.isEmpty())
        problems_ << leak;

    // Gateway keys: the issuing answers are the secrets' one intended appearance.
    r = fx_.gateway.adminJson("POST", "/keys", {{"identity", "canary-owner"}, {"team", "web"}});
    QVERIFY2(r.status == 201, qPrintable(describe(r)));
    keyId_ = r.json().value("key").toObject().value("id").toString();
    const QString issued = r.json().value("secret").toString();
    QVERIFY(!issued.isEmpty());
    r = fx_.gateway.adminJson("POST", "/keys/" + keyId_ + "/rotate", {{"grace_seconds", 60}}, {"Idempotency-Key: canary-rotate"});
    QVERIFY2(r.status == 200, qPrintable(describe(r)));
    const QString rotatedKey = r.json().value("secret").toString();
    QVERIFY(!rotatedKey.isEmpty() && rotatedKey != issued);
    canaries_.append({"gateway-key-issued", issued});
    canaries_.append({"gateway-key-rotated", rotatedKey});
    for (const QString& key : {issued, rotatedKey}) {
        data = chat(fx_.gateway, key, "mock-good");
        QVERIFY2(data.status == 200, qPrintable(describe(data)));
    }
    // Replaying the rotation repeats its answer (the intended appearance), nothing else.
    r = fx_.gateway.adminJson("POST", "/keys/" + keyId_ + "/rotate", {{"grace_seconds", 60}}, {"Idempotency-Key: canary-rotate"});
    QVERIFY2(r.status == 200 && r.json().value("secret").toString() == rotatedKey, qPrintable(describe(r)));

    // An admin token: shown once.
    r = fx_.gateway.adminJson("POST", "/tokens", {{"name", "canary-reader"}, {"role", "security"}});
    QVERIFY2(r.status == 201, qPrintable(describe(r)));
    tokenId_ = r.json().value("token").toObject().value("id").toString();
    const QString token = r.json().value("secret").toString();
    QVERIFY(!token.isEmpty());
    canaries_.append({"admin-token", token});
    r = fx_.gateway.admin("GET", "/whoami", {}, {}, token);
    QVERIFY2(r.status == 200, qPrintable(describe(r)));
    if (const QString leak = leaks(r.body, "GET /whoami with the new token"); !leak.isEmpty())
        problems_ << leak;

    // A budget alert, so the signing secret signs a webhook delivery.
    for (int i = 0; i < 5; ++i) {
        data = chat(fx_.gateway, fx_.spendersKey, "mock-pricey");
        QVERIFY2(data.status == 200, qPrintable(describe(data)));
    }
    QDeadlineTimer deadline(6000);
    while (webhook_.received().isEmpty() && !deadline.hasExpired())
        QThread::msleep(100);
    QVERIFY2(!webhook_.received().isEmpty(), "no webhook delivery within 6 s of the budget threshold");

    // Revocations write audit entries too.
    r = adminNoLeak("POST", "/credentials/canary-key/revoke");
    QVERIFY2(r.status == 200, qPrintable(describe(r)));
    r = adminNoLeak("POST", "/tokens/" + tokenId_ + "/revoke");
    QVERIFY2(r.status == 200, qPrintable(describe(r)));

    QVERIFY2(problems_.isEmpty(), qPrintable("canaries came back in answers:\n" + problems_.join('\n')));
}

void TestAdminCanary::noCanaryInApiAnswers() {
    problems_.clear();
    QStringList paths{"/health", "/whoami", "/status", "/metrics", "/policy", "/endpoints", "/teams", "/identities",
                      "/budgets", "/credentials/canary-key", "/credentials/rotating-key", "/credentials/webhook-signing",
                      "/credentials/mock-key", "/keys/" + keyId_, "/audit/verify", "/reports/spend?by=team,provider,model&bucket=hour",
                      "/reports/dataflow", "/reports/denials?by=team", "/policy/diff?from=1"};
    for (const QString& id : requestIds_)
        if (!id.isEmpty())
            paths << "/requests/" + id;
    for (const QString& path : paths)
        adminNoLeak("GET", path);
    for (const QString& listing : {QStringLiteral("/credentials"), QStringLiteral("/keys"), QStringLiteral("/tokens"),
                                   QStringLiteral("/audit"), QStringLiteral("/alerts"), QStringLiteral("/requests"),
                                   QStringLiteral("/sessions"), QStringLiteral("/policy/versions")}) {
        QString problem;
        const QJsonArray items = walkPages(fx_.gateway, listing, 1000, &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        if (const QString leak = leaks(QJsonDocument(items).toJson(QJsonDocument::Compact), "GET " + listing); !leak.isEmpty())
            problems_ << leak;
    }
    // The audit chain's entries for the credentials carry fingerprints instead.
    QString problem;
    QJsonArray entries;
    for (const auto& e : walkPages(fx_.gateway, "/audit", 1000, &problem))
        if (e.toObject().value("target").toString().contains("canary-key"))
            entries.append(e);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(entries.size() >= 3, qPrintable(QStringLiteral("%1 audit entries for canary-key (add, rotate, schedule, revoke)").arg(entries.size())));
    QVERIFY2(problems_.isEmpty(), qPrintable("canaries in admin API answers:\n" + problems_.join('\n')));
}

void TestAdminCanary::noCanaryInWebhookDeliveries() {
    const auto deliveries = webhook_.received();
    QVERIFY(!deliveries.isEmpty());
    QStringList found;
    for (const auto& d : deliveries) {
        QByteArray all = d.method + " " + d.target + "\n" + d.body;
        for (const auto& [name, value] : d.headers)
            all += "\n" + name + ": " + value;
        if (const QString leak = leaks(all, "webhook delivery " + d.header("x-gatehouse-delivery")); !leak.isEmpty())
            found << leak;
        // Signed with the canary secret: it was used, not shown.
        const QByteArray expected = "sha256=" + QMessageAuthenticationCode::hash(d.header("x-gatehouse-timestamp") + "." + d.body,
                                                                                  webhookSecret_.toUtf8(), QCryptographicHash::Sha256).toHex();
        QCOMPARE(d.header("x-gatehouse-signature"), expected);
    }
    QVERIFY2(found.isEmpty(), qPrintable(found.join('\n')));
}

void TestAdminCanary::noCanaryInGatewayOutput() {
    fx_.gateway.process().drain();
    const QByteArray err = fx_.gateway.process().stderrText();
    const QByteArray out = fx_.gateway.process().stdoutText();
    QVERIFY2(!err.isEmpty(), "gatehoused logged nothing at all: the scan would prove nothing");
    QString leak = leaks(err, "gatehoused stderr");
    QVERIFY2(leak.isEmpty(), qPrintable(leak));
    leak = leaks(out, "gatehoused stdout");
    QVERIFY2(leak.isEmpty(), qPrintable(leak));
}

void TestAdminCanary::noCanaryInWorkspaceFiles() {
    // Stopped first: a clean stop checkpoints the WAL; the files are read raw either way.
    const QStringList before = [&] {
        QStringList found;
        QDirIterator it(fx_.gateway.dir(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            if (f.open(QIODevice::ReadOnly))
                if (const QString leak = leaks(f.readAll(), path); !leak.isEmpty())
                    found << leak + " (while running)";
        }
        return found;
    }();
    QCOMPARE(fx_.gateway.stop(), 0);
    QStringList found = before;
    QStringList scanned;
    QDirIterator it(fx_.gateway.dir(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable("cannot read " + path));
        scanned << QFileInfo(path).fileName();
        if (const QString leak = leaks(f.readAll(), path); !leak.isEmpty())
            found << leak;
    }
    for (const char* expected : {"state.db", "requests.db", "audit.db", "policy.yaml", "gatehoused.yaml"})
        QVERIFY2(scanned.contains(expected), qPrintable(QString(expected) + " was not there to scan: " + scanned.join(", ")));
    const QString logLeak = leaks(fx_.gateway.process().stderrText() + fx_.gateway.process().stdoutText(), "gatehoused output until its stop");
    if (!logLeak.isEmpty())
        found << logLeak;
    QVERIFY2(found.isEmpty(), qPrintable("canaries at rest:\n" + found.join('\n')));
}

QTEST_GUILESS_MAIN(TestAdminCanary)
#include "tst_admin_canary.moc"
