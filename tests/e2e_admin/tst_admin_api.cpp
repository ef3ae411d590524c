// The admin API's behaviour, end to end (docs/admin-api.md): the route policy (current,
// versions, validate, simulate, diff, apply with If-Match, rollback, two editors at once, a
// request in flight during an apply), provider credentials (add, rotate, schedule, revoke, and
// what the upstream then receives), gateway keys (issue, rotate with grace, idempotent rotate,
// revoke, as the data path sees them), admin tokens, requests and sessions (filters, cursor
// pages), reports, budgets with their threshold alert (alert list, audit chain, signed webhook),
// metrics, the audit chain (list, verify online and offline) and a change refused because the
// audit chain cannot record it.
#include "admin_fixture.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QTest>

#include <sqlite3.h>

#include <algorithm>
#include <memory>

using namespace gh::test;

namespace {

const QString kMockSecret = QStringLiteral("sk-api-mock-Qe83vLx0pT");
const QString kWebhookSecret = QStringLiteral("whsec-api-signing-7Hc2Wq9Lm4");
const QString kRotatingFirst = QStringLiteral("sk-api-rotating-first-J5s8Kd2Vn");
const QString kRotatingSecond = QStringLiteral("sk-api-rotating-second-P3x7Rb1Ye");
const QString kRevocableSecret = QStringLiteral("sk-api-revocable-M6t4Gz8Qa");

// One mock-pricey call: 4 x $1000/M + 4 x $2000/M.
constexpr qint64 kPriceyCallMicros = 12'000;

QByteArray compact(const QJsonObject& o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }
QString text(const QJsonValue& v) { return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)); }

// A rule that denies `model`, to put first in the policy.
QString denyRule(const QString& id, const QString& model) {
    return "  - id: " + id + "\n    when: {model: " + model + "}\n    deny: " + id + " says no\n";
}

// A data-path request started in the background (a slow stream, say).
struct BackgroundChat {
    std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
    void start(Gateway& gw, const QString& key, const QString& model, bool stream) {
        QJsonObject body{{"model", model},
                         {"max_tokens", 8},
                         {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hi"}}}}};
        if (stream)
            body["stream"] = true;
        process->start("curl", {"-sS", "-i", "-N", "--max-time", "30", "-X", "POST", gw.url() + "/v1/chat/completions", "-H",
                                "content-type: application/json", "-K", "-", "--data-binary", QString::fromUtf8(compact(body))});
        process->waitForStarted(10'000);
        process->write("header = \"Authorization: Bearer " + key.toUtf8() + "\"\n");
        while (process->bytesToWrite() > 0 && process->waitForBytesWritten(10'000)) {
        }
        process->closeWriteChannel();
    }
    HttpResult wait() {
        HttpResult r;
        if (!process->waitForFinished(40'000) && process->state() != QProcess::NotRunning)
            return r;
        r = parseCurlOutput(process->readAllStandardOutput());
        r.curlExit = process->exitCode();
        return r;
    }
};

// Holds an exclusive write lock on a SQLite database until destroyed.
class SqliteLock {
public:
    explicit SqliteLock(const QString& file) {
        if (sqlite3_open_v2(file.toUtf8().constData(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
            return;
        sqlite3_busy_timeout(db_, 5000);
        char* error = nullptr;
        locked_ = sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, &error) == SQLITE_OK;
        if (error) {
            error_ = QString::fromUtf8(error);
            sqlite3_free(error);
        }
    }
    ~SqliteLock() {
        if (locked_)
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(db_);
    }
    bool locked() const { return locked_; }
    QString error() const { return error_; }

private:
    sqlite3* db_ = nullptr;
    bool locked_ = false;
    QString error_;
};

} // namespace

class TestAdminApi : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void initWroteCertificateAndToken();
    void statusAndWhoami();
    void endpointsTeamsIdentities();
    void configurationListsPage();
    void policyCurrentAndVersions();
    void validateReportsLineAndColumn();
    void simulateAllowedAndDenied();
    void applyWithoutIfMatchIsRefused();
    void applyWithStaleIfMatchChangesNothing();
    void applyInvalidPolicyChangesNothing();
    void applyTakesEffectAtOnceAndSparesRequestsInFlight();
    void diffBetweenVersions();
    void concurrentAppliesFromOneVersion();
    void rollback();
    void credentialAddAndRotateReachTheUpstream();
    void credentialSchedule();
    void concurrentCredentialAddsOneWins();
    void credentialDueSoonIsAlerted();
    void credentialRevokeStopsItsEndpoint();
    void gatewayKeyIssue();
    void gatewayKeyRotateWithGrace();
    void gatewayKeyRevokeStopsAtOnce();
    void adminTokensCreateAndRevoke();
    void requestsAndSessionsPages();
    void reports();
    void budgetThresholdAlertsOnce();
    void metrics();
    void auditListAndVerify();
    void auditFailureRefusesTheChange();

private:
    // PUT /policy from the running version; the answer.
    HttpResult apply(const QString& yaml, const QString& comment);
    QString etag();
    QJsonArray mockRequestsWith(const QString& authorization);

    AdminFixture fx_;
    HttpReceiver webhook_;
    qint64 initialVersion_ = 0;
    qint64 beforeApply_ = 0, afterApply_ = 0;
    QString erinKeyId_, erinSecret_, erinRotated_;
    QDateTime batchFrom_, batchTo_;
    QStringList batchIds_, webIds_, cheapIds_;
};

void TestAdminApi::initTestCase() {
    QVERIFY(webhook_.start());
    const QString config = "scheduler_interval_seconds: 1\nwebhook_url: " + webhook_.url("/hooks/gatehouse") +
                           "\nwebhook_signing_credential: webhook-signing\n";
    QVERIFY(fx_.start(config, {{"mock-key", kMockSecret}, {"webhook-signing", kWebhookSecret}}));
    initialVersion_ = fx_.policyVersion();
    QVERIFY(initialVersion_ > 0);
    const HttpResult r = chat(fx_.gateway, fx_.webKey, "mock-good");
    QVERIFY2(r.status == 200, qPrintable(describe(r)));
}

void TestAdminApi::cleanup() {
    const QString problem = fx_.survivalProblem();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminApi::cleanupTestCase() {
    if (fx_.gatewayRunning())
        QCOMPARE(fx_.gateway.stop(), 0);
}

QString TestAdminApi::etag() {
    const HttpResult r = fx_.gateway.admin("GET", "/policy");
    return r.header("etag");
}

HttpResult TestAdminApi::apply(const QString& yaml, const QString& comment) {
    return fx_.gateway.adminJson("PUT", "/policy", {{"yaml", yaml}, {"comment", comment}}, {"If-Match: " + etag()});
}

QJsonArray TestAdminApi::mockRequestsWith(const QString& authorization) {
    QJsonArray out;
    for (const auto& v : fx_.mock.requests())
        if (v.toObject().value("headers").toObject().value("authorization").toString() == authorization)
            out.append(v);
    return out;
}

// ---- workspace, health, status ----

void TestAdminApi::initWroteCertificateAndToken() {
    // init printed the SHA-256 fingerprint of the certificate the listener serves.
    QFile pem(fx_.gateway.adminCertFile());
    QVERIFY(pem.open(QIODevice::ReadOnly));
    const QByteArray text = pem.readAll();
    const qsizetype begin = text.indexOf("-----BEGIN CERTIFICATE-----");
    const qsizetype end = text.indexOf("-----END CERTIFICATE-----");
    QVERIFY2(begin >= 0 && end > begin, text.constData());
    const QByteArray der = QByteArray::fromBase64(text.mid(begin + 27, end - begin - 27).simplified().replace(" ", ""));
    const QByteArray fingerprint = QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex(':').toUpper();
    const QByteArray printed = fx_.gateway.initOutput().toUpper();
    QVERIFY2(printed.contains("SHA256") || printed.contains("SHA-256"), fx_.gateway.initOutput().constData());
    QVERIFY2(printed.contains(fingerprint), qPrintable("init did not print " + QString::fromLatin1(fingerprint) + ":\n" +
                                                       QString::fromUtf8(fx_.gateway.initOutput())));
    // The secrets are the owner's alone.
    for (const QString& name : {QStringLiteral("admin.token"), QStringLiteral("admin-key.pem")}) {
        const QFile::Permissions p = QFile::permissions(fx_.gateway.workspace() + "/" + name);
        QVERIFY2(p != QFile::Permissions(), qPrintable(name + " is missing"));
        QVERIFY2(!(p & (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther)),
                 qPrintable(name + " is readable by others"));
    }
    QVERIFY(fx_.gateway.adminToken().startsWith("gha_"));
}

void TestAdminApi::statusAndWhoami() {
    const HttpResult health = fx_.gateway.admin("GET", "/health", {}, {}, QString());
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value("status").toString(), QStringLiteral("ok"));

    const HttpResult status = fx_.gateway.admin("GET", "/status");
    QVERIFY2(okProblem(status).isEmpty(), qPrintable(okProblem(status)));
    const QJsonObject s = status.json();
    QCOMPARE(s.value("policy_version").toInteger(), initialVersion_);
    QVERIFY2(s.value("admin_listen").toString().contains(QString::number(fx_.gateway.adminPort())), qPrintable(describe(status)));
    QVERIFY2(s.value("data_listen").toString().contains(QString::number(fx_.gateway.process().port())), qPrintable(describe(status)));
    QVERIFY(!s.value("version").toString().isEmpty());
    QVERIFY(parseTime(s.value("started_at").toString()).isValid());
    QVERIFY(s.value("in_flight").isDouble());

    const HttpResult who = fx_.gateway.admin("GET", "/whoami");
    QVERIFY2(okProblem(who).isEmpty(), qPrintable(okProblem(who)));
    QCOMPARE(who.json().value("role").toString(), QStringLiteral("admin"));
    QVERIFY(!who.json().value("id").toString().isEmpty());
    QVERIFY(!status.header("x-request-id").isEmpty());
    QVERIFY(status.header("x-request-id") != who.header("x-request-id"));
}

void TestAdminApi::endpointsTeamsIdentities() {
    // One page each (configurationListsPage checks the paging).
    auto items = [&](const QString& path, QString* problem) {
        const HttpResult r = fx_.gateway.admin("GET", path);
        if (r.status != 200 || !r.json().value("items").isArray())
            *problem = "GET " + path + ": " + describe(r);
        return r.json().value("items").toArray();
    };
    QString problem;
    const QJsonArray endpoints = items("/endpoints", &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QMap<QString, QJsonObject> byId;
    for (const auto& v : endpoints)
        byId[v.toObject().value("id").toString()] = v.toObject();
    QCOMPARE(QStringList(byId.keys()), QStringList({"mock", "revocable", "rotating", "strict"}));
    const QJsonObject mock = byId["mock"];
    QCOMPARE(mock.value("kind").toString(), QStringLiteral("openai"));
    QCOMPARE(mock.value("base_url").toString(), fx_.mock.url());
    QCOMPARE(mock.value("region").toString(), QStringLiteral("eu-west"));
    QCOMPARE(mock.value("data_terms").toObject().value("retention_days").toInteger(-1), 0);
    QCOMPARE(mock.value("data_terms").toObject().value("training_opt_out").toBool(), true);
    const QJsonObject credential = mock.value("credential").toObject();
    QCOMPARE(credential.value("id").toString(), QStringLiteral("mock-key"));
    QVERIFY2(!credential.value("fingerprint").toString().isEmpty(), qPrintable(text(mock)));
    QCOMPARE(credential.value("state").toString(), QStringLiteral("ok"));
    QVERIFY2(byId["rotating"].value("credential").toObject().value("fingerprint").isNull(),
             qPrintable("a credential without a secret yet has a fingerprint: " + text(byId["rotating"])));
    QVERIFY2(byId["rotating"].value("data_terms").isNull(), qPrintable(text(byId["rotating"])));
    QSet<QString> models;
    for (const auto& m : mock.value("models").toArray()) {
        const QJsonObject model = m.toObject();
        models.insert(model.value("name").toString());
        if (model.value("name").toString() == "mock-good") {
            QVERIFY2(model.value("input_per_mtok_usd").toString().toDouble() == 2.0, qPrintable(text(model)));
            QVERIFY2(model.value("output_per_mtok_usd").toString().toDouble() == 8.0, qPrintable(text(model)));
        }
    }
    QVERIFY2(models.contains("mock-good") && models.contains("mock-pricey") && models.size() == 5, qPrintable(text(mock)));
    QVERIFY(!QJsonDocument(endpoints).toJson().contains(kMockSecret.toUtf8()));

    const QJsonArray teams = items("/teams", &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QMap<QString, QJsonObject> team;
    for (const auto& v : teams)
        team[v.toObject().value("id").toString()] = v.toObject();
    QVERIFY2(team.contains("web") && team.contains("data") && team.contains("spenders"), qPrintable(QStringList(team.keys()).join(", ")));
    QCOMPARE(team["web"].value("name").toString(), QStringLiteral("Web"));
    QVERIFY2(team["web"].value("identities").toArray().contains(QJsonValue("alice")), qPrintable(text(team["web"])));
    QVERIFY2(team["web"].value("keys").toInteger() >= 1, qPrintable(text(team["web"])));
    QVERIFY2(team["spenders"].value("budgets").toArray().contains(QJsonValue("spenders-monthly")), qPrintable(text(team["spenders"])));

    const QJsonArray identities = items("/identities", &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    bool dana = false;
    for (const auto& v : identities) {
        const QJsonObject i = v.toObject();
        if (i.value("identity").toString() == "dana") {
            dana = true;
            QCOMPARE(i.value("team").toString(), QStringLiteral("data"));
            QCOMPARE(i.value("keys").toArray().size(), 1);
            QCOMPARE(i.value("active_keys").toInteger(), 1);
        }
    }
    QVERIFY2(dana, qPrintable(QString::fromUtf8(QJsonDocument(identities).toJson(QJsonDocument::Compact))));
    QVERIFY2(mock.value("endpoint_class").toString() == "enterprise", qPrintable(text(mock)));
}

void TestAdminApi::configurationListsPage() {
    // "Every list pages by cursor": limit= and cursor= as everywhere else.
    for (const QString path : {"/endpoints", "/teams", "/identities", "/budgets"}) {
        QString problem;
        const QJsonArray all = walkPages(fx_.gateway, path, 1, &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(all.size() >= 1, qPrintable(path));
    }
}

// ---- policy ----

void TestAdminApi::policyCurrentAndVersions() {
    const HttpResult r = fx_.gateway.admin("GET", "/policy");
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    const QJsonObject p = r.json();
    QCOMPARE(p.value("version").toInteger(), initialVersion_);
    const QString tag = QStringLiteral("\"%1\"").arg(initialVersion_);
    QCOMPARE(r.header("etag"), tag);
    QCOMPARE(p.value("etag").toString(), tag);
    QVERIFY2(p.value("yaml").toString().contains("everything-else"), qPrintable(describe(r)));
    QVERIFY2(QRegularExpression("^[0-9a-f]{64}$").match(p.value("sha256").toString()).hasMatch(), qPrintable(describe(r)));
    QVERIFY(QStringList({"init", "file", "api", "rollback"}).contains(p.value("source").toString()));
    QVERIFY(parseTime(p.value("created_at").toString()).isValid());

    QString problem;
    const QJsonArray versions = walkPages(fx_.gateway, "/policy/versions", 100, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(!versions.isEmpty());
    QCOMPARE(versions.first().toObject().value("version").toInteger(), initialVersion_);
    for (qsizetype i = 1; i < versions.size(); ++i)
        QVERIFY2(versions[i - 1].toObject().value("version").toInteger() > versions[i].toObject().value("version").toInteger(),
                 "versions are not newest first");
    QVERIFY2(!versions.first().toObject().contains("yaml"), "a page of versions carries yaml");

    const HttpResult one = fx_.gateway.admin("GET", QStringLiteral("/policy/versions/%1").arg(initialVersion_));
    QVERIFY2(okProblem(one).isEmpty(), qPrintable(okProblem(one)));
    QCOMPARE(one.json().value("yaml").toString(), p.value("yaml").toString());
    QCOMPARE(one.json().value("sha256").toString(), p.value("sha256").toString());
    const QString missing = adminErrorProblem(fx_.gateway.admin("GET", "/policy/versions/99999"), 404, "not_found");
    QVERIFY2(missing.isEmpty(), qPrintable(missing));
}

void TestAdminApi::validateReportsLineAndColumn() {
    // Broken YAML: the flow sequence on line 6 is never closed.
    const QString broken = "version: 1\nunknown_repository: internal\nendpoints:\n  - id: a\n    kind: openai\n"
                           "    base_url: [http, unclosed\nroutes:\n  - id: all\n    route: [a/m]\n";
    HttpResult r = fx_.gateway.adminJson("POST", "/policy/validate", {{"yaml", broken}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("valid").toBool(true), false);
    QJsonArray diagnostics = r.json().value("diagnostics").toArray();
    QVERIFY2(!diagnostics.isEmpty(), qPrintable(describe(r)));
    QJsonObject d = diagnostics.first().toObject();
    QCOMPARE(d.value("severity").toString(), QStringLiteral("error"));
    QVERIFY2(d.value("line").toInteger() >= 6 && d.value("line").toInteger() <= 9, qPrintable(describe(r)));
    QVERIFY2(d.value("column").toInteger() >= 1, qPrintable(describe(r)));
    QVERIFY(!d.value("message").toString().isEmpty());

    // Valid YAML, invalid policy: a route to an endpoint that does not exist, on a known line.
    const QString ghost = adminPolicy(fx_.mock.url(), "  - id: ghost\n    route: [nowhere/none]\n");
    const int ghostLine = int(ghost.left(ghost.indexOf("nowhere/none")).count('\n')) + 1;
    r = fx_.gateway.adminJson("POST", "/policy/validate", {{"yaml", ghost}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("valid").toBool(true), false);
    diagnostics = r.json().value("diagnostics").toArray();
    bool found = false;
    for (const auto& v : diagnostics) {
        d = v.toObject();
        if (d.value("severity").toString() == "error" && d.value("message").toString().contains("nowhere")) {
            found = true;
            QVERIFY2(d.value("line").toInteger() >= ghostLine - 1 && d.value("line").toInteger() <= ghostLine,
                     qPrintable(QStringLiteral("expected line %1: ").arg(ghostLine) + describe(r)));
            QVERIFY2(d.value("column").toInteger() >= 1, qPrintable(describe(r)));
        }
    }
    QVERIFY2(found, qPrintable("no error names the endpoint 'nowhere': " + describe(r)));

    r = fx_.gateway.adminJson("POST", "/policy/validate", {{"yaml", adminPolicy(fx_.mock.url())}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QVERIFY2(r.json().value("valid").toBool(), qPrintable(describe(r)));
    for (const auto& v : r.json().value("diagnostics").toArray())
        QVERIFY2(v.toObject().value("severity").toString() != "error", qPrintable(describe(r)));
    QCOMPARE(fx_.policyVersion(), initialVersion_); // validating changes nothing
}

void TestAdminApi::simulateAllowedAndDenied() {
    const QJsonObject allowedRequest{{"team", "web"}, {"identity", "alice"}, {"repository", "acme/widgets"}, {"model", "mock-good"}};
    HttpResult r = fx_.gateway.adminJson("POST", "/policy/simulate", {{"request", allowedRequest}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QJsonObject decision = r.json().value("decision").toObject();
    QCOMPARE(r.json().value("policy_version").toInteger(), initialVersion_);
    QVERIFY2(decision.value("allowed").toBool(), qPrintable(describe(r)));
    QCOMPARE(decision.value("rule").toString(), QStringLiteral("everything-else"));
    const QJsonObject target = decision.value("targets").toArray().first().toObject();
    QCOMPARE(target.value("endpoint").toString(), QStringLiteral("mock"));
    QCOMPARE(target.value("model").toString(), QStringLiteral("mock-good"));
    QCOMPARE(target.value("provider").toString(), QStringLiteral("openai"));
    QCOMPARE(target.value("endpoint_class").toString(), QStringLiteral("enterprise"));
    QCOMPARE(target.value("region").toString(), QStringLiteral("eu-west"));
    QVERIFY2(!r.json().value("trace").toArray().isEmpty(), qPrintable(describe(r)));

    QJsonObject deniedRequest = allowedRequest;
    deniedRequest["model"] = "legacy-3";
    r = fx_.gateway.adminJson("POST", "/policy/simulate", {{"request", deniedRequest}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    decision = r.json().value("decision").toObject();
    QVERIFY2(!decision.value("allowed").toBool(true) && decision.value("rule").toString() == "no-legacy",
             qPrintable("model legacy-3 should be denied by no-legacy: " + describe(r, 1500)));
    QVERIFY2(decision.value("reason").toString().contains("retired"), qPrintable(describe(r)));
    const QJsonArray trace = r.json().value("trace").toArray();
    QVERIFY2(!trace.isEmpty(), qPrintable(describe(r)));
    bool traced = false;
    for (const auto& step : trace)
        traced = traced || step.toObject().value("rule").toString() == "no-legacy";
    QVERIFY2(traced, qPrintable("the trace does not mention the deciding rule: " + describe(r)));

    // A draft decides for itself and has no version.
    r = fx_.gateway.adminJson("POST", "/policy/simulate",
                              {{"request", allowedRequest}, {"yaml", adminPolicy(fx_.mock.url(), denyRule("draft-deny", "mock-good"))}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QVERIFY2(r.json().value("policy_version").isNull(), qPrintable(describe(r)));
    QCOMPARE(r.json().value("decision").toObject().value("allowed").toBool(true), false);
    QCOMPARE(r.json().value("decision").toObject().value("rule").toString(), QStringLiteral("draft-deny"));

    r = fx_.gateway.adminJson("POST", "/policy/simulate", {{"request", allowedRequest}, {"version", initialVersion_}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("policy_version").toInteger(), initialVersion_);
    QVERIFY(r.json().value("decision").toObject().value("allowed").toBool());
}

void TestAdminApi::applyWithoutIfMatchIsRefused() {
    const HttpResult r = fx_.gateway.adminJson("PUT", "/policy", {{"yaml", adminPolicy(fx_.mock.url(), denyRule("x", "mock-x"))}, {"comment", "no if-match"}});
    const QString problem = adminErrorProblem(r, 428, "precondition_required");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(fx_.policyVersion(), initialVersion_);
}

void TestAdminApi::applyWithStaleIfMatchChangesNothing() {
    const HttpResult r = fx_.gateway.adminJson("PUT", "/policy", {{"yaml", adminPolicy(fx_.mock.url(), denyRule("x", "mock-x"))}, {"comment", "stale"}},
                                               {QStringLiteral("If-Match: \"%1\"").arg(initialVersion_ + 100)});
    const QString problem = adminErrorProblem(r, 412, "precondition_failed");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(r.json().value("error").toObject().value("current_version").toInteger(), initialVersion_);
    QCOMPARE(fx_.policyVersion(), initialVersion_);
}

void TestAdminApi::applyInvalidPolicyChangesNothing() {
    HttpResult r = apply(adminPolicy(fx_.mock.url(), "  - id: ghost\n    route: [nowhere/none]\n"), "invalid");
    QString problem = adminErrorProblem(r, 422, "invalid_policy");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(!r.json().value("error").toObject().value("diagnostics").toArray().isEmpty(), qPrintable(describe(r)));
    r = apply("version: 1\nroutes: [\n", "broken yaml");
    problem = adminErrorProblem(r, 422, "invalid_policy");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QJsonObject first = r.json().value("error").toObject().value("diagnostics").toArray().first().toObject();
    QVERIFY2(first.value("line").toInteger() >= 1, qPrintable(describe(r)));
    QCOMPARE(fx_.policyVersion(), initialVersion_);
    // The data path still runs the old policy.
    const HttpResult data = chat(fx_.gateway, fx_.webKey, "mock-good");
    QVERIFY2(data.status == 200, qPrintable(describe(data)));
}

void TestAdminApi::applyTakesEffectAtOnceAndSparesRequestsInFlight() {
    HttpResult before = chat(fx_.gateway, fx_.webKey, "mock-denied-later");
    QVERIFY2(before.status == 200, qPrintable(describe(before)));

    // A slow stream (500 ms between events) is under way when the new version is applied.
    const qint64 seenBefore = fx_.mock.requests().size();
    BackgroundChat slow;
    slow.start(fx_.gateway, fx_.webKey, "mock-slow-stream", true);
    QDeadlineTimer arrived(5000);
    bool upstreamHasIt = false;
    while (!arrived.hasExpired() && !upstreamHasIt) {
        const QJsonArray journal = fx_.mock.requests();
        for (qsizetype i = std::min<qsizetype>(seenBefore, journal.size()); i < journal.size() && !upstreamHasIt; ++i)
            upstreamHasIt = journal[i].toObject().value("body").toObject().value("model").toString() == "mock-slow-stream";
        if (!upstreamHasIt)
            QThread::msleep(50);
    }
    QVERIFY2(upstreamHasIt, "the slow stream never reached the mock");

    beforeApply_ = fx_.policyVersion();
    const HttpResult applied = apply(adminPolicy(fx_.mock.url(), denyRule("deny-later", "mock-denied-later")), "deny mock-denied-later");
    QVERIFY2(okProblem(applied).isEmpty(), qPrintable(okProblem(applied)));
    const QJsonObject v = applied.json();
    afterApply_ = v.value("version").toInteger();
    QCOMPARE(afterApply_, beforeApply_ + 1);
    QCOMPARE(v.value("source").toString(), QStringLiteral("api"));
    QCOMPARE(v.value("comment").toString(), QStringLiteral("deny mock-denied-later"));
    QCOMPARE(v.value("role").toString(), QStringLiteral("admin"));
    QVERIFY(!v.value("author").toString().isEmpty());
    QCOMPARE(v.value("etag").toString(), QStringLiteral("\"%1\"").arg(afterApply_));
    QVERIFY(slow.process->state() == QProcess::Running); // still streaming: the apply did not wait for it

    // The data path decides with the new version at once.
    const HttpResult after = chat(fx_.gateway, fx_.webKey, "mock-denied-later");
    QVERIFY2(after.status == 403, qPrintable("right after the apply: " + describe(after)));
    QVERIFY2(after.body.contains("deny-later says no"), qPrintable(describe(after)));
    QCOMPARE(fx_.policyVersion(), afterApply_);
    QCOMPARE(fx_.gateway.admin("GET", "/status").json().value("policy_version").toInteger(), afterApply_);
    // The policy file holds the new version too.
    QFile file(fx_.gateway.workspace() + "/policy.yaml");
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY2(file.readAll().contains("deny-later"), "policy.yaml does not hold the applied version");

    // The stream in flight finished, whole, on the version it started with.
    const HttpResult stream = slow.wait();
    QVERIFY2(stream.status == 200 && stream.curlExit == 0, qPrintable(describe(stream)));
    QVERIFY2(stream.body.contains("[DONE]"), qPrintable("the stream was cut: " + describe(stream, 3000)));
    const QString id = stream.header("x-gatehouse-request-id");
    QVERIFY(!id.isEmpty());
    const HttpResult record = fx_.gateway.admin("GET", "/requests/" + id);
    QVERIFY2(okProblem(record).isEmpty(), qPrintable(okProblem(record)));
    QCOMPARE(record.json().value("policy_version").toInteger(), beforeApply_);
    QCOMPARE(record.json().value("http_status").toInteger(), 200);
    const HttpResult deniedRecord = fx_.gateway.admin("GET", "/requests/" + after.header("x-gatehouse-request-id"));
    QVERIFY2(okProblem(deniedRecord).isEmpty(), qPrintable(okProblem(deniedRecord)));
    QCOMPARE(deniedRecord.json().value("policy_version").toInteger(), afterApply_);
    QCOMPARE(deniedRecord.json().value("rule").toString(), QStringLiteral("deny-later"));
}

void TestAdminApi::diffBetweenVersions() {
    QVERIFY2(afterApply_ > 0, "needs applyTakesEffectAtOnceAndSparesRequestsInFlight");
    HttpResult r = fx_.gateway.admin("GET", QStringLiteral("/policy/diff?from=%1&to=%2").arg(beforeApply_).arg(afterApply_));
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("from").toInteger(), beforeApply_);
    QCOMPARE(r.json().value("to").toInteger(), afterApply_);
    const QString diff = r.json().value("diff").toString();
    bool added = false;
    for (const QString& line : diff.split('\n'))
        added = added || (line.startsWith('+') && line.contains("deny-later"));
    QVERIFY2(added, qPrintable("no added line names the new rule: " + diff));
    r = fx_.gateway.admin("GET", QStringLiteral("/policy/diff?from=%1").arg(beforeApply_));
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("to").toInteger(), fx_.policyVersion());
    QCOMPARE(r.json().value("diff").toString(), diff);
}

void TestAdminApi::concurrentAppliesFromOneVersion() {
    const qint64 from = fx_.policyVersion();
    const QString tag = etag();
    const QString yamlA = adminPolicy(fx_.mock.url(), denyRule("deny-later", "mock-denied-later") + denyRule("editor-a", "mock-a"));
    const QString yamlB = adminPolicy(fx_.mock.url(), denyRule("deny-later", "mock-denied-later") + denyRule("editor-b", "mock-b"));
    AsyncAdminCurl a(fx_.gateway.adminCall("PUT", "/policy", compact({{"yaml", yamlA}, {"comment", "editor a"}}), {"If-Match: " + tag}));
    AsyncAdminCurl b(fx_.gateway.adminCall("PUT", "/policy", compact({{"yaml", yamlB}, {"comment", "editor b"}}), {"If-Match: " + tag}));
    const HttpResult ra = a.wait();
    const HttpResult rb = b.wait();
    QList<int> statuses{ra.status, rb.status};
    std::sort(statuses.begin(), statuses.end());
    QVERIFY2(statuses == QList<int>({200, 412}), qPrintable("a: " + describe(ra) + "\nb: " + describe(rb)));
    const HttpResult& loser = ra.status == 412 ? ra : rb;
    const QString problem = adminErrorProblem(loser, 412, "precondition_failed");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(fx_.policyVersion(), from + 1);
    const QString winner = ra.status == 200 ? "editor-a" : "editor-b";
    QVERIFY(fx_.gateway.admin("GET", "/policy").json().value("yaml").toString().contains(winner));
}

void TestAdminApi::rollback() {
    HttpResult r = fx_.gateway.adminJson("POST", "/policy/rollback", {{"version", initialVersion_}, {"comment", "no if-match"}});
    QString problem = adminErrorProblem(r, 428, "precondition_required");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    const qint64 from = fx_.policyVersion();
    r = fx_.gateway.adminJson("POST", "/policy/rollback", {{"version", initialVersion_}, {"comment", "back to the start"}},
                              {"If-Match: " + etag()});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    const QJsonObject v = r.json();
    QCOMPARE(v.value("version").toInteger(), from + 1);
    QCOMPARE(v.value("source").toString(), QStringLiteral("rollback"));
    QVERIFY2(!v.value("rolled_back_from").isNull() && v.contains("rolled_back_from"), qPrintable(describe(r)));
    const HttpResult initial = fx_.gateway.admin("GET", QStringLiteral("/policy/versions/%1").arg(initialVersion_));
    QCOMPARE(v.value("sha256").toString(), initial.json().value("sha256").toString());
    QCOMPARE(fx_.policyVersion(), from + 1);
    const HttpResult data = chat(fx_.gateway, fx_.webKey, "mock-denied-later");
    QVERIFY2(data.status == 200, qPrintable("after the rollback: " + describe(data)));

    r = fx_.gateway.adminJson("POST", "/policy/rollback", {{"version", 99999}, {"comment", "nowhere"}}, {"If-Match: " + etag()});
    problem = adminErrorProblem(r, 404, "not_found");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// ---- credentials ----

void TestAdminApi::credentialAddAndRotateReachTheUpstream() {
    HttpResult r = fx_.gateway.adminJson("POST", "/credentials", {{"id", "rotating-key"}, {"secret", kRotatingFirst}});
    QVERIFY2(okProblem(r, 201).isEmpty(), qPrintable(okProblem(r, 201)));
    QVERIFY(!r.body.contains(kRotatingFirst.toUtf8()));
    const QString first = r.json().value("fingerprint").toString();
    QCOMPARE(r.json().value("id").toString(), QStringLiteral("rotating-key"));
    QCOMPARE(r.json().value("state").toString(), QStringLiteral("ok"));
    QVERIFY(!first.isEmpty());
    QVERIFY2(r.json().value("used_by").toArray().contains(QJsonValue("rotating")), qPrintable(describe(r)));

    r = fx_.gateway.adminJson("POST", "/credentials", {{"id", "rotating-key"}, {"secret", kRotatingSecond}});
    QString problem = adminErrorProblem(r, 409, "conflict");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    HttpResult data = chat(fx_.gateway, fx_.webKey, "rotating-model");
    QVERIFY2(data.status == 200, qPrintable(describe(data)));
    QCOMPARE(mockRequestsWith("Bearer " + kRotatingFirst).size(), 1);

    r = fx_.gateway.adminJson("POST", "/credentials/rotating-key/rotate", {{"secret", kRotatingSecond}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QVERIFY(!r.body.contains(kRotatingSecond.toUtf8()));
    const QString second = r.json().value("fingerprint").toString();
    QCOMPARE(r.json().value("id").toString(), QStringLiteral("rotating-key"));
    QVERIFY2(!second.isEmpty() && second != first, qPrintable(describe(r)));

    data = chat(fx_.gateway, fx_.webKey, "rotating-model");
    QVERIFY2(data.status == 200, qPrintable(describe(data)));
    QCOMPARE(mockRequestsWith("Bearer " + kRotatingSecond).size(), 1);
    QCOMPARE(mockRequestsWith("Bearer " + kRotatingFirst).size(), 1); // the old secret was not used again

    r = fx_.gateway.admin("GET", "/credentials/rotating-key");
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("fingerprint").toString(), second);
    const QJsonArray history = r.json().value("history").toArray();
    bool listed = false;
    for (const auto& h : history)
        listed = listed || h.toObject().value("fingerprint").toString() == second;
    QVERIFY2(listed, qPrintable("the history does not list the rotation: " + describe(r)));

    QString pageProblem;
    const QJsonArray all = walkPages(fx_.gateway, "/credentials", 2, &pageProblem);
    QVERIFY2(pageProblem.isEmpty(), qPrintable(pageProblem));
    QSet<QString> ids;
    for (const auto& c : all) {
        QVERIFY2(!c.toObject().contains("history"), "a list of credentials carries history");
        QVERIFY2(!ids.contains(c.toObject().value("id").toString()), "a credential listed twice");
        ids.insert(c.toObject().value("id").toString());
    }
    QVERIFY(ids.contains("rotating-key") && ids.contains("mock-key"));

    r = fx_.gateway.adminJson("POST", "/credentials/no-such-credential/rotate", {{"secret", "sk-whatever-123456"}});
    problem = adminErrorProblem(r, 404, "not_found");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminApi::concurrentCredentialAddsOneWins() {
    // Eight callers add the same new credential at once: one 201, seven 409, one history row.
    std::vector<std::unique_ptr<AsyncAdminCurl>> calls;
    for (int i = 0; i < 8; ++i)
        calls.push_back(std::make_unique<AsyncAdminCurl>(fx_.gateway.adminCall(
            "POST", "/credentials", compact({{"id", "raced-key"}, {"secret", QStringLiteral("sk-race-%1").arg(i)}}))));
    QList<int> statuses;
    for (auto& c : calls)
        statuses.append(c->wait().status);
    std::sort(statuses.begin(), statuses.end());
    QCOMPARE(statuses, QList<int>({201, 409, 409, 409, 409, 409, 409, 409}));
    const HttpResult r = fx_.gateway.admin("GET", "/credentials/raced-key");
    QCOMPARE(r.json().value("history").toArray().size(), 1);
}

void TestAdminApi::credentialSchedule() {
    HttpResult r = fx_.gateway.adminJson("PUT", "/credentials/rotating-key/schedule",
                                         {{"period_days", 30}, {"grace_days", 3}, {"reminder_days", 7}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    const QJsonObject schedule = r.json().value("schedule").toObject();
    QCOMPARE(schedule.value("period_days").toInteger(), 30);
    QCOMPARE(schedule.value("grace_days").toInteger(), 3);
    QCOMPARE(schedule.value("reminder_days").toInteger(), 7);
    const QDateTime due = parseTime(r.json().value("next_due").toString());
    QVERIFY2(due.isValid(), qPrintable(describe(r)));
    const qint64 days = QDateTime::currentDateTimeUtc().daysTo(due);
    QVERIFY2(days >= 29 && days <= 30, qPrintable(describe(r)));
    QCOMPARE(r.json().value("state").toString(), QStringLiteral("ok"));

    r = fx_.gateway.adminJson("PUT", "/credentials/rotating-key/schedule", {{"schedule", QJsonValue::Null}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QVERIFY2(r.json().value("schedule").isNull(), qPrintable(describe(r)));
    QVERIFY2(r.json().value("next_due").isNull(), qPrintable(describe(r)));

    // The same fields inside {"schedule": {...}}.
    r = fx_.gateway.adminJson("PUT", "/credentials/rotating-key/schedule",
                              {{"schedule", QJsonObject{{"period_days", 60}, {"grace_days", 2}, {"reminder_days", 5}}}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("schedule").toObject().value("period_days").toInteger(), 60);
    r = fx_.gateway.adminJson("PUT", "/credentials/rotating-key/schedule", {{"schedule", QJsonValue::Null}});
    QVERIFY2(okProblem(r).isEmpty() && r.json().value("schedule").isNull(), qPrintable(describe(r)));
}

void TestAdminApi::credentialDueSoonIsAlerted() {
    // Reminders start a day before a one-day period ends: that is now.
    HttpResult r = fx_.gateway.adminJson("PUT", "/credentials/rotating-key/schedule",
                                         {{"period_days", 1}, {"grace_days", 1}, {"reminder_days", 1}});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("state").toString(), QStringLiteral("due_soon"));
    // The scheduler (every second here) raises the alert.
    QDeadlineTimer deadline(5000);
    QJsonArray alerts;
    while (!deadline.hasExpired()) {
        QString problem;
        alerts = QJsonArray();
        for (const auto& a : walkPages(fx_.gateway, "/alerts?kind=credential.", 100, &problem))
            if (a.toObject().value("kind").toString() == "credential.due_soon" &&
                a.toObject().value("subject").toString().contains("rotating-key"))
                alerts.append(a);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        if (!alerts.isEmpty())
            break;
        QThread::msleep(250);
    }
    QVERIFY2(alerts.size() == 1, qPrintable(QStringLiteral("%1 credential.due_soon alerts for rotating-key within 5 s").arg(alerts.size())));
    // Back to a calm schedule (credentialSchedule checks the forms of this call).
    fx_.gateway.adminJson("PUT", "/credentials/rotating-key/schedule", {{"period_days", 90}, {"grace_days", 7}, {"reminder_days", 7}});
}

void TestAdminApi::credentialRevokeStopsItsEndpoint() {
    HttpResult r = fx_.gateway.adminJson("POST", "/credentials", {{"id", "revocable-key"}, {"secret", kRevocableSecret}});
    QVERIFY2(okProblem(r, 201).isEmpty(), qPrintable(okProblem(r, 201)));
    HttpResult data = chat(fx_.gateway, fx_.webKey, "revocable-model");
    QVERIFY2(data.status == 200, qPrintable(describe(data)));
    QCOMPARE(mockRequestsWith("Bearer " + kRevocableSecret).size(), 1);

    r = fx_.gateway.admin("POST", "/credentials/revocable-key/revoke");
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("state").toString(), QStringLiteral("revoked"));
    QVERIFY2(parseTime(r.json().value("revoked_at").toString()).isValid(), qPrintable(describe(r)));

    data = chat(fx_.gateway, fx_.webKey, "revocable-model");
    QVERIFY2(data.status >= 400 && data.status != 500, qPrintable("a request routed to a revoked credential: " + describe(data)));
    const QString message = data.json().value("error").toObject().value("message").toString();
    QVERIFY2(message.contains("revoked", Qt::CaseInsensitive) && message.contains("rotate", Qt::CaseInsensitive),
             qPrintable("the message should say the credential is revoked and an admin must rotate it: " + describe(data)));
    QCOMPARE(mockRequestsWith("Bearer " + kRevocableSecret).size(), 1); // nothing more went upstream
    // Other endpoints go on.
    data = chat(fx_.gateway, fx_.webKey, "mock-good");
    QVERIFY2(data.status == 200, qPrintable(describe(data)));
}

// ---- gateway keys ----

void TestAdminApi::gatewayKeyIssue() {
    HttpResult r = fx_.gateway.adminJson("POST", "/keys", {{"identity", "erin"}, {"team", "web"}});
    QVERIFY2(okProblem(r, 201).isEmpty(), qPrintable(okProblem(r, 201)));
    const QJsonObject key = r.json().value("key").toObject();
    erinKeyId_ = key.value("id").toString();
    erinSecret_ = r.json().value("secret").toString();
    QVERIFY(!erinKeyId_.isEmpty());
    QVERIFY2(erinSecret_.startsWith("ghk_"), qPrintable(describe(r)));
    QCOMPARE(key.value("identity").toString(), QStringLiteral("erin"));
    QCOMPARE(key.value("team").toString(), QStringLiteral("web"));
    QVERIFY(!key.value("prefix").toString().isEmpty() && erinSecret_.startsWith(key.value("prefix").toString()));

    const HttpResult data = chat(fx_.gateway, erinSecret_, "mock-good");
    QVERIFY2(data.status == 200, qPrintable(describe(data)));

    r = fx_.gateway.admin("GET", "/keys/" + erinKeyId_);
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QVERIFY(!r.body.contains(erinSecret_.toUtf8()));
    QCOMPARE(r.json().value("id").toString(), erinKeyId_);
    QCOMPARE(r.json().value("state").toString(), QStringLiteral("ok"));

    QString problem;
    const QJsonArray erins = walkPages(fx_.gateway, "/keys?identity=erin", 100, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(erins.size(), 1);
    const QJsonArray web = walkPages(fx_.gateway, "/keys?team=web", 1, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    for (const auto& k : web)
        QCOMPARE(k.toObject().value("team").toString(), QStringLiteral("web"));
    QVERIFY(web.size() >= 2); // alice's and erin's
}

void TestAdminApi::gatewayKeyRotateWithGrace() {
    QVERIFY2(!erinKeyId_.isEmpty(), "needs gatewayKeyIssue");
    const QString path = "/keys/" + erinKeyId_ + "/rotate";
    const QString idempotency = "Idempotency-Key: rotate-erin-" + QString::number(QDateTime::currentMSecsSinceEpoch());
    HttpResult r = fx_.gateway.adminJson("POST", path, {{"grace_seconds", 1}}, {idempotency});
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    erinRotated_ = r.json().value("secret").toString();
    QVERIFY2(erinRotated_.startsWith("ghk_") && erinRotated_ != erinSecret_, qPrintable(describe(r)));
    QCOMPARE(r.json().value("key").toObject().value("id").toString(), erinKeyId_);
    const QDateTime graceEnd = parseTime(r.json().value("previous_valid_until").toString());
    QVERIFY2(graceEnd.isValid(), qPrintable(describe(r)));
    QVERIFY2(std::abs(QDateTime::currentDateTimeUtc().msecsTo(graceEnd)) < 3000, qPrintable(describe(r)));

    // Both secrets work during the grace second (on a machine too busy to ask within it, the
    // first check proves nothing and is left out).
    const bool inGrace = QDateTime::currentDateTimeUtc().msecsTo(graceEnd) > 300;
    HttpResult data = chat(fx_.gateway, erinSecret_, "mock-good");
    if (inGrace)
        QVERIFY2(data.status == 200, qPrintable("the previous secret within its grace: " + describe(data)));
    else
        qWarning("too slow to check the previous secret within its grace second");
    data = chat(fx_.gateway, erinRotated_, "mock-good");
    QVERIFY2(data.status == 200, qPrintable("the new secret: " + describe(data)));

    // The same Idempotency-Key and body: the same answer, not a second rotation.
    const HttpResult replay = fx_.gateway.adminJson("POST", path, {{"grace_seconds", 1}}, {idempotency});
    QVERIFY2(okProblem(replay).isEmpty(), qPrintable(okProblem(replay)));
    QCOMPARE(replay.json().value("secret").toString(), erinRotated_);
    QCOMPARE(replay.header("idempotent-replayed"), QStringLiteral("true"));
    QVERIFY2(r.header("idempotent-replayed") != "true", "the first answer is no replay");
    // The same key with another body: a conflict.
    const HttpResult clash = fx_.gateway.adminJson("POST", path, {{"grace_seconds", 5}}, {idempotency});
    const QString problem = adminErrorProblem(clash, 409, "conflict");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    // After the grace period only the new secret works.
    const qint64 wait = QDateTime::currentDateTimeUtc().msecsTo(graceEnd) + 1200;
    if (wait > 0)
        QThread::msleep(ulong(wait));
    data = chat(fx_.gateway, erinSecret_, "mock-good");
    QVERIFY2(data.status == 401, qPrintable("the previous secret after its grace: " + describe(data)));
    data = chat(fx_.gateway, erinRotated_, "mock-good");
    QVERIFY2(data.status == 200, qPrintable(describe(data)));
    r = fx_.gateway.admin("GET", "/keys/" + erinKeyId_);
    QVERIFY(!r.body.contains(erinRotated_.toUtf8()));
}

void TestAdminApi::gatewayKeyRevokeStopsAtOnce() {
    QVERIFY2(!erinRotated_.isEmpty(), "needs gatewayKeyRotateWithGrace");
    const HttpResult r = fx_.gateway.admin("POST", "/keys/" + erinKeyId_ + "/revoke");
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("state").toString(), QStringLiteral("revoked"));
    QVERIFY(parseTime(r.json().value("revoked_at").toString()).isValid());
    const HttpResult data = chat(fx_.gateway, erinRotated_, "mock-good");
    QVERIFY2(data.status == 401, qPrintable("a revoked key: " + describe(data)));
    const HttpResult claim = fx_.gateway.admin("POST", "/keys/" + erinKeyId_ + "/claim");
    const QString problem = adminErrorProblem(claim, 404, "not_found");
    QVERIFY2(problem.isEmpty(), qPrintable("claim with nothing pending: " + problem));
}

// ---- admin tokens ----

void TestAdminApi::adminTokensCreateAndRevoke() {
    HttpResult r = fx_.gateway.adminJson("POST", "/tokens", {{"name", "ci-reader"}, {"role", "viewer"}});
    QVERIFY2(okProblem(r, 201).isEmpty(), qPrintable(okProblem(r, 201)));
    const QString secret = r.json().value("secret").toString();
    const QJsonObject token = r.json().value("token").toObject();
    QVERIFY2(secret.startsWith("gha_"), qPrintable(describe(r)));
    QCOMPARE(token.value("role").toString(), QStringLiteral("viewer"));
    QCOMPARE(token.value("name").toString(), QStringLiteral("ci-reader"));
    const QString id = token.value("id").toString();

    HttpResult who = fx_.gateway.admin("GET", "/whoami", {}, {}, secret);
    QVERIFY2(okProblem(who).isEmpty(), qPrintable(okProblem(who)));
    QCOMPARE(who.json().value("id").toString(), id);
    QCOMPARE(who.json().value("role").toString(), QStringLiteral("viewer"));
    QCOMPARE(who.json().value("name").toString(), QStringLiteral("ci-reader"));

    QString problem;
    const QJsonArray tokens = walkPages(fx_.gateway, "/tokens", 100, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    bool listed = false;
    for (const auto& t : tokens)
        listed = listed || t.toObject().value("id").toString() == id;
    QVERIFY(listed);
    QVERIFY(!QJsonDocument(tokens).toJson().contains(secret.toUtf8()));

    r = fx_.gateway.admin("POST", "/tokens/" + id + "/revoke");
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QVERIFY(parseTime(r.json().value("revoked_at").toString()).isValid());
    who = fx_.gateway.admin("GET", "/whoami", {}, {}, secret);
    problem = adminErrorProblem(who, 401, "unauthenticated");
    QVERIFY2(problem.isEmpty(), qPrintable("a revoked token: " + problem));

    // A token cannot revoke itself.
    const QString self = fx_.gateway.admin("GET", "/whoami").json().value("id").toString();
    r = fx_.gateway.admin("POST", "/tokens/" + self + "/revoke");
    QVERIFY2(r.status >= 400 && r.status < 500, qPrintable("a token revoking itself: " + describe(r)));
    QVERIFY(!r.json().value("error").toObject().value("message").toString().isEmpty());
    QCOMPARE(fx_.gateway.admin("GET", "/whoami").status, 200);
}

// ---- requests, sessions, reports ----

void TestAdminApi::requestsAndSessionsPages() {
    batchFrom_ = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < 30; ++i) {
        const bool web = i % 2 == 0;
        const QString model = i % 3 == 0 ? "mock-cheap" : "mock-good";
        const HttpResult r = chat(fx_.gateway, web ? fx_.webKey : fx_.dataKey, model,
                                  {web ? "X-Gatehouse-Session: api-web-session" : "X-Gatehouse-Session: api-data-session"});
        QVERIFY2(r.status == 200, qPrintable(describe(r)));
        const QString id = r.header("x-gatehouse-request-id");
        QVERIFY(!id.isEmpty());
        batchIds_ << id;
        if (web)
            webIds_ << id;
        if (model == "mock-cheap")
            cheapIds_ << id;
    }
    batchTo_ = QDateTime::currentDateTimeUtc().addMSecs(1);
    const QString range = "from=" + rfc3339(batchFrom_) + "&to=" + rfc3339(batchTo_);

    auto idsOf = [](const QJsonArray& items) {
        QStringList ids;
        for (const auto& v : items)
            ids << v.toObject().value("request_id").toString();
        return ids;
    };
    auto sameSet = [](QStringList a, QStringList b) {
        a.sort();
        b.sort();
        return a == b;
    };

    QString problem;
    int pages = 0;
    const QJsonArray all = walkPages(fx_.gateway, "/requests?" + range, 7, &problem, &pages);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QStringList ids = idsOf(all);
    QCOMPARE(ids.size(), 30);
    QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), 30); // each exactly once
    QVERIFY(sameSet(ids, batchIds_));
    QCOMPARE(pages, 5);
    for (qsizetype i = 1; i < all.size(); ++i)
        QVERIFY2(parseTime(all[i - 1].toObject().value("time").toString()) >= parseTime(all[i].toObject().value("time").toString()),
                 "requests are not newest first");

    QJsonArray page = walkPages(fx_.gateway, "/requests?team=web&" + range, 7, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(sameSet(idsOf(page), webIds_));
    for (const auto& v : page)
        QCOMPARE(v.toObject().value("team").toString(), QStringLiteral("web"));
    page = walkPages(fx_.gateway, "/requests?model=mock-cheap&" + range, 7, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(sameSet(idsOf(page), cheapIds_));
    page = walkPages(fx_.gateway, "/requests?session=api-web-session&" + range, 4, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(sameSet(idsOf(page), webIds_));
    page = walkPages(fx_.gateway, "/requests?identity=dana&model=mock-cheap&" + range, 7, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(page.size(), 5); // i = 3, 9, 15, 21, 27
    page = walkPages(fx_.gateway, "/requests?provider=openai&status=ok&" + range, 10, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(page.size(), 30);

    const HttpResult one = fx_.gateway.admin("GET", "/requests/" + webIds_.first());
    QVERIFY2(okProblem(one).isEmpty(), qPrintable(okProblem(one)));
    const QJsonObject rec = one.json();
    QCOMPARE(rec.value("request_id").toString(), webIds_.first());
    QCOMPARE(rec.value("team").toString(), QStringLiteral("web"));
    QCOMPARE(rec.value("identity").toString(), QStringLiteral("alice"));
    QCOMPARE(rec.value("session_id").toString(), QStringLiteral("api-web-session"));
    QCOMPARE(rec.value("requested_model").toString(), QStringLiteral("mock-cheap"));
    QCOMPARE(rec.value("endpoint").toString(), QStringLiteral("mock"));
    QCOMPARE(rec.value("input_tokens").toInteger(), 4);
    QCOMPARE(rec.value("output_tokens").toInteger(), 4);
    // 4 x $0.10/M + 4 x $0.20/M = 1.2 micro-dollars, rounded up.
    QCOMPARE(rec.value("cost_micros").toInteger(), 2);
    QVERIFY2(rec.value("cost_usd").toString() == "0.000002", qPrintable(describe(one)));
    const QString missing = adminErrorProblem(fx_.gateway.admin("GET", "/requests/no-such-request"), 404, "not_found");
    QVERIFY2(missing.isEmpty(), qPrintable(missing));

    const QJsonArray sessions = walkPages(fx_.gateway, "/sessions?" + range, 1, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QMap<QString, QJsonObject> byId;
    for (const auto& v : sessions) {
        const QString id = v.toObject().value("session_id").toString();
        QVERIFY2(!byId.contains(id), qPrintable("session listed twice: " + id));
        byId[id] = v.toObject();
    }
    QVERIFY2(byId.contains("api-web-session") && byId.contains("api-data-session"), qPrintable(QStringList(byId.keys()).join(", ")));
    QCOMPARE(byId["api-web-session"].value("requests").toInteger(), 15);
    QCOMPARE(byId["api-data-session"].value("requests").toInteger(), 15);
    QCOMPARE(byId["api-web-session"].value("team").toString(), QStringLiteral("web"));
    QCOMPARE(byId["api-data-session"].value("identity").toString(), QStringLiteral("dana"));
}

void TestAdminApi::reports() {
    QVERIFY2(!batchIds_.isEmpty(), "needs requestsAndSessionsPages");
    // One denial of team data.
    const HttpResult denied = chat(fx_.gateway, fx_.dataKey, "legacy-3");
    QVERIFY2(denied.status == 403, qPrintable(describe(denied)));

    const QString range = "&from=" + rfc3339(batchFrom_) + "&to=" + rfc3339(QDateTime::currentDateTimeUtc().addSecs(1));
    HttpResult spend = fx_.gateway.admin("GET", "/reports/spend?by=team,provider&bucket=day" + range);
    QVERIFY2(okProblem(spend).isEmpty(), qPrintable(okProblem(spend)));
    QJsonObject report = spend.json();
    QCOMPARE(report.value("bucket").toString(), QStringLiteral("day"));
    QCOMPARE(report.value("by").toArray(), QJsonArray({"team", "provider"}));
    // The range is widened to whole hours.
    const QDateTime from = parseTime(report.value("from").toString());
    const QDateTime to = parseTime(report.value("to").toString());
    QVERIFY2(from.isValid() && to.isValid() && from <= batchFrom_ && to > batchFrom_, qPrintable(describe(spend)));
    QVERIFY2(from.time().minute() == 0 && from.time().second() == 0 && to.time().minute() == 0, qPrintable(describe(spend)));

    // The report's totals agree with the request records of the same range.
    QString problem;
    const QJsonArray records = walkPages(fx_.gateway, "/requests?from=" + rfc3339(from) + "&to=" + rfc3339(to), 1000, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QMap<QString, qint64> recordCost;
    for (const auto& v : records)
        recordCost[v.toObject().value("team").toString()] += v.toObject().value("cost_micros").toInteger();
    QMap<QString, qint64> reportCost;
    QMap<QString, qint64> reportDenials;
    bool webOpenai = false;
    for (const auto& v : report.value("rows").toArray()) {
        const QJsonObject row = v.toObject();
        const QJsonObject keys = row.value("keys").toObject();
        QVERIFY2(keys.contains("team") && keys.contains("provider"), qPrintable(text(row)));
        QVERIFY2(parseTime(row.value("bucket_start").toString()).isValid(), qPrintable(text(row)));
        reportCost[keys.value("team").toString()] += row.value("cost_micros").toInteger();
        reportDenials[keys.value("team").toString()] += row.value("denials").toInteger();
        webOpenai = webOpenai || (keys.value("team").toString() == "web" && keys.value("provider").toString() == "openai" &&
                                  row.value("requests").toInteger() >= 15);
    }
    QVERIFY2(webOpenai, qPrintable("no row for team web, provider openai with its 15 requests: " + describe(spend, 3000)));
    QCOMPARE(reportCost.value("web"), recordCost.value("web"));
    QCOMPARE(reportCost.value("data"), recordCost.value("data"));
    QVERIFY(reportCost.value("data") > 0);
    QVERIFY2(reportDenials.value("data") >= 1, qPrintable(describe(spend, 3000)));

    spend = fx_.gateway.admin("GET", "/reports/spend?by=model" + range);
    QVERIFY2(okProblem(spend).isEmpty(), qPrintable(okProblem(spend)));
    QVERIFY2(spend.json().value("bucket").isNull(), qPrintable(describe(spend)));
    for (const auto& v : spend.json().value("rows").toArray())
        QVERIFY2(v.toObject().value("bucket_start").isNull(), qPrintable(describe(spend)));

    const HttpResult flow = fx_.gateway.admin("GET", "/reports/dataflow?" + range.mid(1));
    QVERIFY2(okProblem(flow).isEmpty(), qPrintable(okProblem(flow)));
    bool internalToEnterprise = false;
    for (const auto& v : flow.json().value("rows").toArray()) {
        const QJsonObject row = v.toObject();
        internalToEnterprise = internalToEnterprise ||
                               (row.value("sensitivity").toString() == "internal" && row.value("endpoint_class").toString() == "enterprise" &&
                                row.value("provider").toString() == "openai" && row.value("requests").toInteger() >= 30);
    }
    QVERIFY2(internalToEnterprise, qPrintable("no flow internal -> enterprise/openai with 30 requests: " + describe(flow, 3000)));

    const HttpResult denials = fx_.gateway.admin("GET", "/reports/denials?by=team&bucket=day" + range);
    QVERIFY2(okProblem(denials).isEmpty(), qPrintable(okProblem(denials)));
    bool dataDenied = false;
    for (const auto& v : denials.json().value("rows").toArray()) {
        const QJsonObject row = v.toObject();
        QVERIFY2(row.value("denials").toInteger() > 0, qPrintable("a denials row without denials: " + text(row)));
        dataDenied = dataDenied || (row.value("keys").toObject().value("team").toString() == "data");
    }
    QVERIFY2(dataDenied, qPrintable(describe(denials, 3000)));
}

// ---- budgets, alerts, webhooks ----

void TestAdminApi::budgetThresholdAlertsOnce() {
    auto thresholdAlerts = [&](QString* problem) {
        QJsonArray out;
        for (const auto& a : walkPages(fx_.gateway, "/alerts?kind=budget.", 100, problem))
            if (a.toObject().value("kind").toString() == "budget.threshold" &&
                a.toObject().value("subject").toString().contains("spenders-monthly"))
                out.append(a);
        return out;
    };
    auto deliveries = [&] {
        QList<HttpReceiver::Received> out;
        for (const auto& d : webhook_.received())
            if (d.header("x-gatehouse-event") == "budget.threshold")
                out << d;
        return out;
    };

    // Five calls of $0.012 against a $0.10 limit with a 50 % alert: the fifth crosses it.
    for (int i = 0; i < 5; ++i) {
        const HttpResult r = chat(fx_.gateway, fx_.spendersKey, "mock-pricey");
        QVERIFY2(r.status == 200, qPrintable(describe(r)));
    }
    QString problem;
    QJsonArray alerts;
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired() && (alerts.isEmpty() || deliveries().isEmpty())) {
        QThread::msleep(200);
        alerts = thresholdAlerts(&problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    QCOMPARE(alerts.size(), 1);
    const QJsonObject alert = alerts.first().toObject();
    QCOMPARE(alert.value("threshold").toInteger(), 50);
    QVERIFY(parseTime(alert.value("time").toString()).isValid());

    // Two more calls stay under the limit and cross nothing new: still one alert.
    for (int i = 0; i < 2; ++i) {
        const HttpResult r = chat(fx_.gateway, fx_.spendersKey, "mock-pricey");
        QVERIFY2(r.status == 200, qPrintable(describe(r)));
    }
    QThread::msleep(2000);
    alerts = thresholdAlerts(&problem);
    QCOMPARE(alerts.size(), 1);

    // The audit chain has it.
    const QJsonArray audit = walkPages(fx_.gateway, "/audit?action=budget.threshold", 100, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    int entries = 0;
    for (const auto& e : audit)
        entries += e.toObject().value("target").toString().contains("spenders-monthly") ? 1 : 0;
    QCOMPARE(entries, 1);

    // The webhook got it once, signed with the sealed signing credential.
    const QList<HttpReceiver::Received> posted = deliveries();
    QSet<QByteArray> ids;
    for (const auto& d : posted)
        ids.insert(d.header("x-gatehouse-delivery"));
    QVERIFY2(ids.size() == 1, qPrintable(QStringLiteral("%1 deliveries of budget.threshold (%2 POSTs)").arg(ids.size()).arg(posted.size())));
    const HttpReceiver::Received& d = posted.first();
    QCOMPARE(d.method, QByteArray("POST"));
    QCOMPARE(d.target, QByteArray("/hooks/gatehouse"));
    QVERIFY(d.header("content-type").startsWith("application/json"));
    const QByteArray timestamp = d.header("x-gatehouse-timestamp");
    QVERIFY2(!timestamp.isEmpty(), "no X-Gatehouse-Timestamp");
    const QByteArray expected = "sha256=" + QMessageAuthenticationCode::hash(timestamp + "." + d.body, kWebhookSecret.toUtf8(),
                                                                              QCryptographicHash::Sha256).toHex();
    QCOMPARE(d.header("x-gatehouse-signature"), expected);
    const QJsonObject body = QJsonDocument::fromJson(d.body).object();
    QCOMPARE(body.value("kind").toString(), QStringLiteral("budget.threshold"));
    QVERIFY2(body.value("subject").toString().contains("spenders-monthly"), d.body.constData());
    QVERIFY(parseTime(body.value("time").toString()).isValid());
    QVERIFY(body.contains("detail"));
    QVERIFY(!d.body.contains(kWebhookSecret.toUtf8()));

    // GET /budgets: spend, forecast, the alert fired.
    const HttpResult budgets = fx_.gateway.admin("GET", "/budgets");
    QVERIFY2(okProblem(budgets).isEmpty(), qPrintable(okProblem(budgets)));
    QJsonObject b;
    for (const auto& v : budgets.json().value("items").toArray())
        if (v.toObject().value("id").toString() == "spenders-monthly")
            b = v.toObject();
    QVERIFY2(!b.isEmpty(), qPrintable(describe(budgets)));
    QCOMPARE(b.value("scope").toString(), QStringLiteral("team:spenders"));
    QCOMPARE(b.value("period").toString(), QStringLiteral("month"));
    QCOMPARE(b.value("limit_micros").toInteger(), 100'000);
    QCOMPARE(b.value("limit_usd").toString(), QStringLiteral("0.100000"));
    QCOMPARE(b.value("spent_micros").toInteger(), 7 * kPriceyCallMicros);
    QCOMPARE(b.value("spent_usd").toString(), QStringLiteral("0.084000"));
    QCOMPARE(b.value("reserved_micros").toInteger(), 0);
    QVERIFY2(std::abs(b.value("used_ratio").toDouble() - 0.84) < 0.001, qPrintable(text(b)));
    QVERIFY2(b.value("forecast_micros").toInteger() >= 7 * kPriceyCallMicros, qPrintable(text(b)));
    QVERIFY2(b.value("forecast_ratio").toDouble() >= 0.84, qPrintable(text(b)));
    QCOMPARE(b.value("thresholds").toArray(), QJsonArray({50}));
    QCOMPARE(b.value("alerts_fired").toArray(), QJsonArray({50}));
    QCOMPARE(b.value("at_limit").toString(), QStringLiteral("block"));
    QVERIFY(parseTime(b.value("period_start").toString()) < parseTime(b.value("period_end").toString()));
}

// ---- metrics, audit ----

void TestAdminApi::metrics() {
    for (const QString& url : {fx_.gateway.adminUrl() + "/metrics", fx_.gateway.adminOrigin() + "/metrics"}) {
        AdminCall call = fx_.gateway.adminCall("GET", "/metrics");
        call.url = url;
        const HttpResult r = adminCurl(call);
        QVERIFY2(r.status == 200, qPrintable(url + ": " + describe(r)));
        QVERIFY2(r.header("content-type").startsWith("text/plain"), qPrintable(r.header("content-type")));
        static const QRegularExpression sample(
            "^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
            "(-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|\\+Inf|-Inf)( -?[0-9]+)?$");
        QSet<QString> names;
        double requestsTotal = 0;
        for (const QByteArray& raw : r.body.split('\n')) {
            const QString line = QString::fromUtf8(raw);
            if (line.isEmpty())
                continue;
            if (line.startsWith('#')) {
                QVERIFY2(line.startsWith("# HELP ") || line.startsWith("# TYPE "), qPrintable("bad comment line: " + line));
                continue;
            }
            QVERIFY2(sample.match(line).hasMatch(), qPrintable("not a Prometheus sample: " + line));
            const QString name = line.section(QRegularExpression("[{ ]"), 0, 0);
            names.insert(name);
            if (name == "gatehouse_requests_total")
                requestsTotal += line.section(' ', -1).toDouble();
        }
        for (const char* expected : {"gatehouse_requests_total", "gatehouse_policy_version", "gatehouse_in_flight_requests",
                                     "gatehouse_request_duration_seconds_bucket", "gatehouse_spend_usd_total",
                                     "gatehouse_budget_limit_usd"})
            QVERIFY2(names.contains(expected), qPrintable(QString("no ") + expected + " in:\n" + QString::fromUtf8(r.body.left(3000))));
        QVERIFY2(requestsTotal >= 30, qPrintable(QStringLiteral("gatehouse_requests_total sums to %1").arg(requestsTotal)));
    }
}

void TestAdminApi::auditListAndVerify() {
    QString problem;
    const QJsonArray entries = walkPages(fx_.gateway, "/audit", 50, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QSet<QString> actions;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject e = entries[i].toObject();
        actions.insert(e.value("action").toString());
        QVERIFY2(!e.value("hash").toString().isEmpty(), qPrintable(text(e)));
        if (i > 0)
            QVERIFY2(entries[i - 1].toObject().value("seq").toInteger() > e.value("seq").toInteger(), "audit is not newest first");
    }
    for (const char* action : {"policy.apply", "policy.rollback", "credential.add", "credential.rotate", "credential.schedule",
                               "credential.revoke", "key.issue", "key.rotate", "key.revoke", "token.create", "token.revoke",
                               "budget.threshold"})
        QVERIFY2(actions.contains(action), qPrintable(QString("no ") + action + " entry; actions: " + QStringList(actions.values()).join(", ")));
    // The rotation's entry carries fingerprints, never the secret.
    const QByteArray all = QJsonDocument(entries).toJson();
    for (const QString& secret : {kMockSecret, kWebhookSecret, kRotatingFirst, kRotatingSecond, kRevocableSecret, erinSecret_, erinRotated_})
        QVERIFY2(secret.isEmpty() || !all.contains(secret.toUtf8()), "a secret is in the audit chain");
    QJsonArray rotations;
    for (const auto& e : walkPages(fx_.gateway, "/audit?action=credential.rotate", 10, &problem))
        if (e.toObject().value("target").toString().contains("rotating-key"))
            rotations.append(e);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(rotations.size(), 1);
    const QString current = fx_.gateway.admin("GET", "/credentials/rotating-key").json().value("fingerprint").toString();
    QVERIFY2(text(rotations.first()).contains(current), qPrintable("the rotation's entry does not carry the new fingerprint: " + text(rotations.first())));

    const HttpResult verify = fx_.gateway.admin("GET", "/audit/verify");
    QVERIFY2(okProblem(verify).isEmpty(), qPrintable(okProblem(verify)));
    QVERIFY2(verify.json().value("ok").toBool(), qPrintable(describe(verify)));
    QVERIFY2(verify.json().value("entries").toInteger() >= entries.size(), qPrintable(describe(verify)));
    QVERIFY(verify.json().value("first_bad_seq").isNull());

    QByteArray out, err;
    const int exit = fx_.gateway.run({"audit", "verify", fx_.gateway.workspace()}, {}, &out, &err);
    QVERIFY2(exit == 0, qPrintable(QStringLiteral("gatehoused audit verify exited %1: %2 %3").arg(exit).arg(QString::fromUtf8(out), QString::fromUtf8(err))));
}

void TestAdminApi::auditFailureRefusesTheChange() {
    const QString auditDb = fx_.gateway.workspace() + "/audit.db";
    QVERIFY2(QFile::exists(auditDb), qPrintable(auditDb + " does not exist"));
    const HttpResult before = fx_.gateway.admin("GET", "/policy");
    const qint64 version = before.json().value("version").toInteger();
    const QString yaml = adminPolicy(fx_.mock.url(), denyRule("unrecorded", "mock-unrecorded"));
    {
        SqliteLock lock(auditDb);
        QVERIFY2(lock.locked(), qPrintable("cannot lock audit.db: " + lock.error()));
        AdminCall call = fx_.gateway.adminCall("PUT", "/policy", compact({{"yaml", yaml}, {"comment", "cannot be recorded"}}),
                                               {"If-Match: " + before.header("etag")});
        call.timeoutMs = 60'000;
        const HttpResult r = adminCurl(call);
        fx_.gateway.process().drain();
        const QString problem = adminErrorProblem(r, 503, "audit_unavailable");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // Nothing changed, on the API or on the data path.
        QCOMPARE(fx_.gateway.admin("GET", "/policy").json().value("version").toInteger(), version);
        const HttpResult data = chat(fx_.gateway, fx_.webKey, "mock-unrecorded");
        QVERIFY2(data.status == 200, qPrintable("the refused policy is in force: " + describe(data)));
    }
    // With the chain writable again the same change goes through.
    const HttpResult r = apply(yaml, "recorded");
    QVERIFY2(okProblem(r).isEmpty(), qPrintable(okProblem(r)));
    QCOMPARE(r.json().value("version").toInteger(), version + 1);
    const HttpResult verify = fx_.gateway.admin("GET", "/audit/verify");
    QVERIFY2(verify.json().value("ok").toBool(), qPrintable(describe(verify)));
}

QTEST_GUILESS_MAIN(TestAdminApi)
#include "tst_admin_api.moc"
