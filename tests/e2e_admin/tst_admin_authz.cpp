// The admin API's authorization matrix (docs/admin-api.md, "Roles"): every endpoint, called
// with a valid request against real ids, by a token of every role, by no token, a malformed
// one, a revoked one and an expired one. A role that may call an endpoint never gets 401/403
// (it gets 2xx, or the operation's own 4xx such as 404 or 409); a role that may not gets 403
// `forbidden`; without a valid token it is 401 `unauthenticated` (GET /health excepted). The
// viewer never receives a member named like a secret. Refusals land in the audit chain as
// `access.denied` and `auth.failed`.
#include "admin_fixture.h"

#include <QTest>

#include <algorithm>
#include <map>

using namespace gh::test;

namespace {

// Least role of each operation (the "role" column of the spec).
enum class Least { None, Viewer, PolicyEditor, Security, Admin };

struct Operation {
    const char* name; // also the data row's prefix
    Least least;
    bool expect404 = false; // the allowed answer is the operation's own 404 (claim: nothing pending)
};

const Operation kOperations[] = {
    {"GET /health", Least::None},
    {"GET /whoami", Least::Viewer},
    {"GET /status", Least::Viewer},
    {"GET /metrics", Least::Viewer},
    {"GET /metrics (root)", Least::Viewer},
    {"GET /policy", Least::Viewer},
    {"GET /policy/versions", Least::Viewer},
    {"GET /policy/versions/{n}", Least::Viewer},
    {"POST /policy/validate", Least::Viewer},
    {"POST /policy/simulate", Least::Viewer},
    {"POST /policy/replay", Least::Viewer},
    {"GET /policy/diff", Least::Viewer},
    {"PUT /policy", Least::PolicyEditor},
    {"POST /policy/rollback", Least::PolicyEditor},
    {"GET /endpoints", Least::Viewer},
    {"GET /teams", Least::Viewer},
    {"GET /identities", Least::Viewer},
    {"GET /budgets", Least::Viewer},
    {"GET /credentials", Least::Viewer},
    {"GET /credentials/{id}", Least::Viewer},
    {"POST /credentials", Least::Security},
    {"POST /credentials/{id}/rotate", Least::Security},
    {"PUT /credentials/{id}/schedule", Least::Security},
    {"POST /credentials/{id}/revoke", Least::Security},
    {"GET /keys", Least::Viewer},
    {"GET /keys/{id}", Least::Viewer},
    {"POST /keys", Least::Security},
    {"POST /keys/{id}/rotate", Least::Security},
    {"PUT /keys/{id}/schedule", Least::Security},
    {"POST /keys/{id}/revoke", Least::Security},
    {"POST /keys/{id}/claim", Least::Security, true},
    {"GET /tokens", Least::Admin},
    {"POST /tokens", Least::Admin},
    {"POST /tokens/{id}/revoke", Least::Admin},
    {"GET /requests", Least::Viewer},
    {"GET /requests/{id}", Least::Viewer},
    {"GET /sessions", Least::Viewer},
    {"GET /reports/spend", Least::Viewer},
    {"GET /reports/dataflow", Least::Viewer},
    {"GET /reports/denials", Least::Viewer},
    {"GET /alerts", Least::Viewer},
    {"GET /audit", Least::Security},
    {"GET /audit/verify", Least::Security},
};

const char* const kRoles[] = {"admin", "policy-editor", "security", "viewer"};
const char* const kBadCallers[] = {"none", "malformed", "revoked", "expired"};

bool roleMayCall(const QString& role, Least least) {
    switch (least) {
    case Least::None:
    case Least::Viewer: return true;
    case Least::PolicyEditor: return role == "admin" || role == "policy-editor";
    case Least::Security: return role == "admin" || role == "security";
    case Least::Admin: return role == "admin";
    }
    return false;
}

const QString kMockSecret = QStringLiteral("sk-authz-mock-Zr41qP0c8uXm");
const QString kTargetSecret = QStringLiteral("sk-authz-target-4hQ2vY9aLb");

QByteArray compact(const QJsonObject& o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

} // namespace

class TestAdminAuthz : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void badTokensAreReallyBad();
    void matrix_data();
    void matrix();
    void everyOperationWasCovered();
    void refusalsAreAudited();

private:
    struct Request {
        QString method;
        QString url; // absolute
        QByteArray body;
    };
    Request request(const QString& operation, const QString& caller);
    QString tokenOf(const QString& caller) const;
    QString createToken(const QString& name, const QString& role, const QString& expiresAt = {}, QString* id = nullptr);

    AdminFixture fx_;
    std::map<QString, QString> tokens_;   // caller -> secret
    std::map<QString, QString> tokenIds_; // caller -> token id
    QStringList secrets_;                 // every secret this suite knows: none may reach a viewer
    QString expiredAt_;
    QString ifMatch_; // the If-Match header of the current matrix row, if any
    QString expiredProblem_; // why the expired token cannot be tested, if it cannot
    qint64 initialVersion_ = 0;
    QString requestId_;
    QString targetCredential_ = QStringLiteral("authz-target");
    QString revocableCredential_ = QStringLiteral("authz-revocable");
    QString keyId_, revocableKeyId_, revocableTokenId_;
    int forbidden_ = 0;       // 403s the matrix received
    int unauthenticated_ = 0; // 401s the matrix received
    QSet<QString> covered_;
};

QString TestAdminAuthz::createToken(const QString& name, const QString& role, const QString& expiresAt, QString* id) {
    QJsonObject body{{"name", name}, {"role", role}};
    if (!expiresAt.isEmpty())
        body["expires_at"] = expiresAt;
    const HttpResult r = fx_.gateway.adminJson("POST", "/tokens", body);
    if (r.status != 201) {
        qWarning("POST /tokens %s: %s", qPrintable(role), qPrintable(describe(r)));
        return {};
    }
    const QJsonObject o = r.json();
    if (id)
        *id = o.value("token").toObject().value("id").toString();
    const QString secret = o.value("secret").toString();
    secrets_ << secret;
    return secret;
}

void TestAdminAuthz::initTestCase() {
    QVERIFY(fx_.start("scheduler_interval_seconds: 1\n", {{"mock-key", kMockSecret}}));
    secrets_ << kMockSecret << kTargetSecret << fx_.webKey << fx_.dataKey << fx_.spendersKey << fx_.gateway.adminToken();

    const HttpResult policy = fx_.gateway.admin("GET", "/policy");
    QVERIFY2(policy.status == 200, qPrintable(describe(policy)));
    initialVersion_ = policy.json().value("version").toInteger();
    QVERIFY(initialVersion_ > 0);

    // The expired token first: its clock runs while the rest is set up.
    // (A failure here fails only the rows of the expired token, not the whole suite.)
    expiredAt_ = rfc3339(2000);
    tokens_["expired"] = createToken("authz-expired", "admin", expiredAt_);
    if (tokens_["expired"].isEmpty()) {
        expiredProblem_ = "POST /tokens with expires_at 2 s ahead failed (see the warning above)";
    } else if (QDateTime::currentDateTimeUtc().msecsTo(parseTime(expiredAt_)) > 300) {
        const HttpResult early = fx_.gateway.admin("GET", "/whoami", {}, {}, tokens_["expired"]);
        if (early.status != 200)
            expiredProblem_ = "a token that expires in 2 s, right after its creation: " + describe(early);
    }
    for (const char* role : kRoles) {
        QString id;
        tokens_[role] = createToken(QStringLiteral("authz-") + role, role, {}, &id);
        QVERIFY2(!tokens_[role].isEmpty(), role);
        tokenIds_[role] = id;
    }
    QString revokedId;
    tokens_["revoked"] = createToken("authz-revoked", "admin", {}, &revokedId);
    QVERIFY(!tokens_["revoked"].isEmpty());
    QCOMPARE(fx_.gateway.admin("GET", "/whoami", {}, {}, tokens_["revoked"]).status, 200);
    const HttpResult revoke = fx_.gateway.admin("POST", "/tokens/" + revokedId + "/revoke");
    QVERIFY2(revoke.status == 200, qPrintable(describe(revoke)));
    tokens_["malformed"] = QStringLiteral("gha_this-is-not-a-token-3Fq9");
    tokens_["none"] = QString();
    createToken("authz-revoke-target", "viewer", {}, &revocableTokenId_);
    QVERIFY(!revocableTokenId_.isEmpty());

    // Real ids for the operations on one resource.
    for (const QString& id : {targetCredential_, revocableCredential_}) {
        const HttpResult r = fx_.gateway.adminJson("POST", "/credentials", {{"id", id}, {"secret", kTargetSecret}});
        QVERIFY2(r.status == 201, qPrintable("POST /credentials " + id + ": " + describe(r)));
    }
    for (QString* id : {&keyId_, &revocableKeyId_}) {
        const HttpResult r = fx_.gateway.adminJson("POST", "/keys", {{"identity", "authz-owner"}, {"team", "web"}});
        QVERIFY2(r.status == 201, qPrintable("POST /keys: " + describe(r)));
        *id = r.json().value("key").toObject().value("id").toString();
        secrets_ << r.json().value("secret").toString();
        QVERIFY(!id->isEmpty());
    }

    // One recorded request, for GET /requests/{id}.
    const HttpResult data = chat(fx_.gateway, fx_.webKey, "mock-good", {"X-Gatehouse-Session: authz-session"});
    QVERIFY2(data.status == 200, qPrintable(describe(data)));
    requestId_ = data.header("x-gatehouse-request-id");
    QVERIFY(!requestId_.isEmpty());
}

void TestAdminAuthz::cleanup() {
    const QString problem = fx_.survivalProblem();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminAuthz::cleanupTestCase() {
    if (fx_.gatewayRunning())
        QCOMPARE(fx_.gateway.stop(), 0);
}

QString TestAdminAuthz::tokenOf(const QString& caller) const {
    const auto it = tokens_.find(caller);
    return it == tokens_.end() ? QString() : it->second;
}

void TestAdminAuthz::badTokensAreReallyBad() {
    // The expired token worked before its time (initTestCase checked that); the matrix only
    // starts once it has run out.
    const QDateTime expires = parseTime(expiredAt_);
    QVERIFY(expires.isValid());
    const qint64 wait = QDateTime::currentDateTimeUtc().msecsTo(expires) + 600;
    if (wait > 0)
        QThread::msleep(ulong(wait));
    for (const QString caller : {"malformed", "revoked", "expired"}) {
        if (caller == "expired" && !expiredProblem_.isEmpty())
            continue;
        const HttpResult r = fx_.gateway.admin("GET", "/whoami", {}, {}, tokenOf(caller));
        const QString problem = adminErrorProblem(r, 401, "unauthenticated");
        QVERIFY2(problem.isEmpty(), qPrintable(caller + ": " + problem));
    }
    for (const char* role : kRoles) {
        const HttpResult r = fx_.gateway.admin("GET", "/whoami", {}, {}, tokenOf(role));
        QVERIFY2(r.status == 200, qPrintable(QString(role) + ": " + describe(r)));
        QCOMPARE(r.json().value("role").toString(), QString(role));
        QCOMPARE(r.json().value("id").toString(), tokenIds_[role]);
    }
    QVERIFY2(expiredProblem_.isEmpty(), qPrintable(expiredProblem_));
}

TestAdminAuthz::Request TestAdminAuthz::request(const QString& operation, const QString& caller) {
    const QString base = fx_.gateway.adminUrl();
    const QString tag = QString(caller).replace('-', '_');
    Request r;
    r.method = operation.section(' ', 0, 0);
    QString path = operation.section(' ', 1, 1);
    if (operation == "GET /metrics (root)") {
        r.url = fx_.gateway.adminOrigin() + "/metrics";
        return r;
    }
    if (operation == "GET /policy/versions/{n}") {
        path = QStringLiteral("/policy/versions/%1").arg(initialVersion_);
    } else if (operation == "POST /policy/validate") {
        r.body = compact({{"yaml", adminPolicy(fx_.mock.url())}});
    } else if (operation == "POST /policy/simulate") {
        r.body = compact({{"request", QJsonObject{{"team", "web"}, {"identity", "alice"}, {"repository", "acme/widgets"},
                                                  {"model", "mock-good"}}}});
    } else if (operation == "POST /policy/replay") {
        r.body = compact({{"yaml", adminPolicy(fx_.mock.url())}, {"sample_limit", 5}});
    } else if (operation == "GET /policy/diff") {
        path = QStringLiteral("/policy/diff?from=%1").arg(initialVersion_);
    } else if (operation == "PUT /policy" || operation == "POST /policy/rollback") {
        // A real change from the running version, so an allowed role really gets it done.
        const HttpResult current = fx_.gateway.admin("GET", "/policy");
        const QJsonObject version = current.json();
        r.method = operation.startsWith("PUT") ? "PUT" : "POST";
        if (operation.startsWith("PUT"))
            r.body = compact({{"yaml", version.value("yaml").toString()}, {"comment", "authz matrix, " + caller}});
        else
            r.body = compact({{"version", initialVersion_}, {"comment", "authz matrix, " + caller}});
        ifMatch_ = current.header("etag");
        if (ifMatch_.isEmpty())
            ifMatch_ = QStringLiteral("\"%1\"").arg(version.value("version").toInteger());
    } else if (operation == "GET /credentials/{id}") {
        path = "/credentials/" + targetCredential_;
    } else if (operation == "POST /credentials") {
        r.body = compact({{"id", "authz-new-" + tag}, {"secret", kTargetSecret}});
    } else if (operation == "POST /credentials/{id}/rotate") {
        path = "/credentials/" + targetCredential_ + "/rotate";
        r.body = compact({{"secret", kTargetSecret + "-" + tag}});
        secrets_ << kTargetSecret + "-" + tag;
    } else if (operation == "PUT /credentials/{id}/schedule") {
        path = "/credentials/" + targetCredential_ + "/schedule";
        r.body = compact({{"period_days", 90}, {"grace_days", 7}, {"reminder_days", 14}});
    } else if (operation == "POST /credentials/{id}/revoke") {
        path = "/credentials/" + revocableCredential_ + "/revoke";
    } else if (operation == "GET /keys/{id}") {
        path = "/keys/" + keyId_;
    } else if (operation == "POST /keys") {
        r.body = compact({{"identity", "authz-" + tag}, {"team", "web"}});
    } else if (operation == "POST /keys/{id}/rotate") {
        path = "/keys/" + keyId_ + "/rotate";
        r.body = compact({{"grace_seconds", 60}});
    } else if (operation == "PUT /keys/{id}/schedule") {
        path = "/keys/" + keyId_ + "/schedule";
        r.body = compact({{"period_days", 30}, {"grace_days", 1}, {"reminder_days", 5}});
    } else if (operation == "POST /keys/{id}/revoke") {
        path = "/keys/" + revocableKeyId_ + "/revoke";
    } else if (operation == "POST /keys/{id}/claim") {
        path = "/keys/" + keyId_ + "/claim";
    } else if (operation == "POST /tokens") {
        r.body = compact({{"name", "authz-new-" + tag}, {"role", "viewer"}});
    } else if (operation == "POST /tokens/{id}/revoke") {
        path = "/tokens/" + revocableTokenId_ + "/revoke";
    } else if (operation == "GET /requests/{id}") {
        path = "/requests/" + requestId_;
    } else if (operation == "GET /reports/spend") {
        path += "?by=team,provider&bucket=day";
    } else if (operation == "GET /reports/denials") {
        path += "?by=team&bucket=day";
    }
    r.url = base + path;
    return r;
}

void TestAdminAuthz::matrix_data() {
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("caller");
    QTest::addColumn<int>("least");
    QTest::addColumn<bool>("expect404");
    for (const Operation& op : kOperations) {
        for (const char* role : kRoles)
            QTest::addRow("%s as %s", op.name, role) << QString(op.name) << QString(role) << int(op.least) << op.expect404;
        for (const char* bad : kBadCallers)
            QTest::addRow("%s as %s", op.name, bad) << QString(op.name) << QString(bad) << int(op.least) << op.expect404;
    }
}

void TestAdminAuthz::matrix() {
    QFETCH(QString, operation);
    QFETCH(QString, caller);
    QFETCH(int, least);
    QFETCH(bool, expect404);
    covered_.insert(operation);
    ifMatch_.clear();
    if (caller == "expired" && !expiredProblem_.isEmpty())
        QFAIL(qPrintable(expiredProblem_));
    const Request req = request(operation, caller);
    AdminCall call;
    call.method = req.method;
    call.url = req.url;
    call.caCert = fx_.gateway.adminCertFile();
    call.token = tokenOf(caller);
    call.body = req.body;
    call.sendBody = !req.body.isEmpty();
    if (!ifMatch_.isEmpty())
        call.headers << "If-Match: " + ifMatch_;
    const HttpResult r = adminCurl(call);
    fx_.gateway.process().drain();
    const QString what = req.method + " " + req.url.mid(fx_.gateway.adminOrigin().size()) + " as " + caller;

    QVERIFY2(r.curlExit == 0, qPrintable(what + ": curl failed: " + describe(r)));
    QVERIFY2(!r.header("x-request-id").isEmpty(), qPrintable(what + ": no X-Request-Id: " + describe(r)));
    const bool isRole = std::find_if(std::begin(kRoles), std::end(kRoles), [&](const char* role) { return caller == role; }) != std::end(kRoles);
    const Least leastRole = Least(least);

    if (leastRole == Least::None) {
        QVERIFY2(r.status == 200, qPrintable(what + ": GET /health needs no token: " + describe(r)));
        QCOMPARE(r.json().value("status").toString(), QStringLiteral("ok"));
        return;
    }
    if (!isRole) {
        ++unauthenticated_;
        const QString problem = adminErrorProblem(r, 401, "unauthenticated");
        QVERIFY2(problem.isEmpty(), qPrintable(what + ": " + problem));
        return;
    }
    if (!roleMayCall(caller, leastRole)) {
        ++forbidden_;
        const QString problem = adminErrorProblem(r, 403, "forbidden");
        QVERIFY2(problem.isEmpty(), qPrintable(what + ": " + problem));
        return;
    }
    // Allowed: never 401/403, never a server error.
    QVERIFY2(r.status != 401 && r.status != 403, qPrintable(what + ": an allowed role was refused: " + describe(r)));
    QVERIFY2(r.status < 500, qPrintable(what + ": " + describe(r)));
    if (expect404) {
        const QString problem = adminErrorProblem(r, 404, "not_found");
        QVERIFY2(problem.isEmpty(), qPrintable(what + " (nothing pending): " + problem));
    } else if (operation == "POST /credentials/{id}/revoke" || operation == "POST /tokens/{id}/revoke" ||
               operation == "POST /keys/{id}/revoke") {
        // The first allowed role revokes it; revoking again may be a 2xx or a 409.
        QVERIFY2((r.status >= 200 && r.status < 300) || r.status == 409, qPrintable(what + ": " + describe(r)));
    } else {
        QVERIFY2(r.status >= 200 && r.status < 300, qPrintable(what + ": " + describe(r)));
    }
    if (r.status >= 400) {
        const QString type = r.json().value("error").toObject().value("type").toString();
        QVERIFY2(!type.isEmpty(), qPrintable(what + ": an error without a type: " + describe(r)));
    }

    if (caller == "viewer") {
        // No secret reaches a viewer: no member named like one (pending_secret is a flag), and no
        // secret this suite knows anywhere in the body.
        QList<QPair<QString, QJsonValue>> members;
        collectMembers(QJsonDocument::fromJson(r.body).object(), members);
        for (const auto& [name, value] : members)
            QVERIFY2(!name.contains("secret", Qt::CaseInsensitive) || value.isBool(),
                     qPrintable(what + ": the viewer got a member '" + name + "': " + describe(r)));
        for (const QString& secret : secrets_)
            QVERIFY2(secret.isEmpty() || !r.body.contains(secret.toUtf8()),
                     qPrintable(what + ": the viewer got a secret: " + describe(r)));
    }
}

void TestAdminAuthz::everyOperationWasCovered() {
    for (const Operation& op : kOperations)
        QVERIFY2(covered_.contains(op.name), op.name);
}

void TestAdminAuthz::refusalsAreAudited() {
    QVERIFY2(forbidden_ > 0 && unauthenticated_ > 0, "the matrix ran no refused call");
    QString problem;
    const QJsonArray denied = walkPages(fx_.gateway, "/audit?action=access.denied", 1000, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(denied.size() >= forbidden_,
             qPrintable(QStringLiteral("%1 calls got 403, the audit has %2 access.denied entries").arg(forbidden_).arg(denied.size())));
    bool viewerNamed = false;
    for (const auto& v : denied) {
        const QJsonObject e = v.toObject();
        QCOMPARE(e.value("action").toString(), QStringLiteral("access.denied"));
        if (e.value("actor").toString().contains(tokenIds_["viewer"]) && e.value("role").toString() == "viewer")
            viewerNamed = true;
    }
    QVERIFY2(viewerNamed, qPrintable("no access.denied entry names the viewer token " + tokenIds_["viewer"] +
                                     " with role viewer; first entry: " +
                                     QString::fromUtf8(QJsonDocument(denied.first().toObject()).toJson(QJsonDocument::Compact))));

    const QJsonArray failed = walkPages(fx_.gateway, "/audit?action=auth.failed", 1000, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(!failed.isEmpty(), qPrintable(QStringLiteral("%1 calls got 401, the audit has no auth.failed entry").arg(unauthenticated_)));
    for (const auto& v : failed)
        QCOMPARE(v.toObject().value("action").toString(), QStringLiteral("auth.failed"));
    // Neither holds a secret that was presented.
    const QByteArray text = QJsonDocument(denied).toJson() + QJsonDocument(failed).toJson();
    for (const QString& secret : secrets_ + QStringList{tokenOf("malformed")})
        QVERIFY2(secret.isEmpty() || !text.contains(secret.toUtf8()), "a token or secret reached the audit chain");
}

QTEST_GUILESS_MAIN(TestAdminAuthz)
#include "tst_admin_authz.moc"
