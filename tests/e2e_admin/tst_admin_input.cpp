// Bad input to the admin API (docs/admin-api.md, "Conventions"): malformed JSON, wrong types,
// unknown and missing fields, an oversized body, a wrong content type, SQL in every filter,
// damaged cursors and limits, bad times, unknown paths, wrong methods, endpoints on link-local
// or metadata addresses (refused unless gatehoused.yaml allows them), plain HTTP to the HTTPS
// port. Every refusal is {"error": {"type", "message"}} with X-Request-Id, and nothing changes:
// cleanup() checks after every test that the policy version is the one the suite started with
// and that the gateway still runs.
#include "admin_fixture.h"

#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace gh::test;

namespace {

const QString kMockSecret = QStringLiteral("sk-input-mock-Vb62Hs0Pq");

const char* const kInjections[] = {
    "' OR 1=1 --",
    "\"; DROP TABLE requests; --",
    "x') UNION SELECT id, secret_hash FROM admin_tokens --",
};

QByteArray compact(const QJsonObject& o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

} // namespace

class TestAdminInput : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void malformedJson_data();
    void malformedJson();
    void wrongTypes_data();
    void wrongTypes();
    void unknownFields_data();
    void unknownFields();
    void missingFields_data();
    void missingFields();
    void nothingWasCreated();
    void oversizeBody_data();
    void oversizeBody();
    void wrongContentType_data();
    void wrongContentType();
    void jsonWithCharsetIsAccepted();
    void sqlInFilters_data();
    void sqlInFilters();
    void dataIntactAfterInjection();
    void badCursor_data();
    void badCursor();
    void badLimit_data();
    void badLimit();
    void badTime_data();
    void badTime();
    void unknownFilter();
    void unknownPath_data();
    void unknownPath();
    void wrongMethod_data();
    void wrongMethod();
    void linkLocalEndpointIsRefused_data();
    void linkLocalEndpointIsRefused();
    void linkLocalEndpointIsAcceptedWhenAllowed();
    void plainHttpToTheHttpsPort();
    void garbageToTheHttpsPort();

private:
    // Runs one body-carrying call of a data row: "{key}" in the path is the suite's key id, PUT
    // /policy and POST /policy/rollback get the running If-Match.
    HttpResult send(const QString& method, QString path, const QByteArray& body, const QStringList& headers = {});
    QMap<QString, int> counts(); // listing -> items

    AdminFixture fx_;
    qint64 initialVersion_ = 0;
    QString keyId_;
    QMap<QString, int> initialCounts_;
};

void TestAdminInput::initTestCase() {
    QVERIFY(fx_.start("scheduler_interval_seconds: 1\n", {{"mock-key", kMockSecret}}));
    initialVersion_ = fx_.policyVersion();
    QVERIFY(initialVersion_ > 0);
    const HttpResult key = fx_.gateway.adminJson("POST", "/keys", {{"identity", "input-owner"}, {"team", "web"}});
    QVERIFY2(key.status == 201, qPrintable(describe(key)));
    keyId_ = key.json().value("key").toObject().value("id").toString();
    for (int i = 0; i < 3; ++i) {
        const HttpResult r = chat(fx_.gateway, i % 2 ? fx_.webKey : fx_.dataKey, "mock-good", {"X-Gatehouse-Session: input-session"});
        QVERIFY2(r.status == 200, qPrintable(describe(r)));
    }
    initialCounts_ = counts();
    QVERIFY2(initialCounts_.value("/requests") == 3, qPrintable(QString::number(initialCounts_.value("/requests"))));
}

void TestAdminInput::cleanup() {
    const QString problem = fx_.survivalProblem();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(fx_.policyVersion(), initialVersion_);
}

void TestAdminInput::cleanupTestCase() {
    if (fx_.gatewayRunning())
        QCOMPARE(fx_.gateway.stop(), 0);
}

QMap<QString, int> TestAdminInput::counts() {
    QMap<QString, int> out;
    for (const QString listing : {"/requests", "/sessions", "/tokens", "/credentials", "/keys", "/policy/versions"}) {
        QString problem;
        const QJsonArray items = walkPages(fx_.gateway, listing, 1000, &problem);
        out[listing] = problem.isEmpty() ? int(items.size()) : -1;
    }
    return out;
}

HttpResult TestAdminInput::send(const QString& method, QString path, const QByteArray& body, const QStringList& headers) {
    path.replace("{key}", keyId_);
    QStringList all = headers;
    if ((method == "PUT" && path == "/policy") || path == "/policy/rollback")
        all << "If-Match: " + fx_.gateway.admin("GET", "/policy").header("etag");
    AdminCall call = fx_.gateway.adminCall(method, path, body, all);
    call.sendBody = true;
    const HttpResult r = adminCurl(call);
    fx_.gateway.process().drain();
    return r;
}

// ---- bodies ----

void TestAdminInput::malformedJson_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("tokens truncated") << "POST" << "/tokens" << QByteArray("{\"name\": \"x\", \"role\": ");
    QTest::newRow("credentials form-encoded") << "POST" << "/credentials" << QByteArray("id=x&secret=y");
    QTest::newRow("validate trailing junk") << "POST" << "/policy/validate" << QByteArray("{\"yaml\": \"version: 1\"}} junk");
    QTest::newRow("apply an array") << "PUT" << "/policy" << QByteArray("[1, 2]");
    QTest::newRow("keys empty body") << "POST" << "/keys" << QByteArray();
    QTest::newRow("simulate invalid utf-8") << "POST" << "/policy/simulate" << QByteArray("{\"request\": {\"team\": \"\xff\xfe\"}}");
    QTest::newRow("rotate a string") << "POST" << "/keys/{key}/rotate" << QByteArray("\"grace\"");
    QTest::newRow("tokens nested too deep") << "POST" << "/tokens" << (QByteArray(5000, '[') + QByteArray(5000, ']'));
}

void TestAdminInput::malformedJson() {
    QFETCH(QString, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    const HttpResult r = send(method, path, body);
    const QString problem = adminErrorProblem(r, 400, "invalid_request");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminInput::wrongTypes_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::newRow("token name a number") << "POST" << "/tokens" << compact({{"name", 5}, {"role", "viewer"}}) << "name";
    QTest::newRow("token role an array") << "POST" << "/tokens" << compact({{"name", "x"}, {"role", QJsonArray{"admin"}}}) << "role";
    QTest::newRow("token role unknown") << "POST" << "/tokens" << compact({{"name", "x"}, {"role", "superuser"}}) << "role";
    QTest::newRow("token expires_at not a time") << "POST" << "/tokens" << compact({{"name", "x"}, {"role", "viewer"}, {"expires_at", "tomorrow"}}) << "expires_at";
    QTest::newRow("credential secret a number") << "POST" << "/credentials" << compact({{"id", "x"}, {"secret", 42}}) << "secret";
    QTest::newRow("credential id an object") << "POST" << "/credentials" << compact({{"id", QJsonObject{}}, {"secret", "s-123456789"}}) << "id";
    QTest::newRow("key repositories a string") << "POST" << "/keys" << compact({{"identity", "x"}, {"team", "web"}, {"repositories", "acme/*"}}) << "repositories";
    QTest::newRow("key team null") << "POST" << "/keys" << compact({{"identity", "x"}, {"team", QJsonValue::Null}}) << "team";
    QTest::newRow("rotate grace a string") << "POST" << "/keys/{key}/rotate" << compact({{"grace_seconds", "soon"}}) << "grace_seconds";
    QTest::newRow("rotate grace negative") << "POST" << "/keys/{key}/rotate" << compact({{"grace_seconds", -5}}) << "grace_seconds";
    QTest::newRow("rotate grace fractional") << "POST" << "/keys/{key}/rotate" << compact({{"grace_seconds", 1.5}}) << "grace_seconds";
    QTest::newRow("schedule period a word") << "PUT" << "/credentials/mock-key/schedule"
                                            << compact({{"period_days", "monthly"}, {"grace_days", 1}, {"reminder_days", 1}}) << "period_days";
    QTest::newRow("schedule period negative") << "PUT" << "/keys/{key}/schedule"
                                              << compact({{"period_days", -30}, {"grace_days", 1}, {"reminder_days", 1}}) << "period_days";
    QTest::newRow("simulate request a string") << "POST" << "/policy/simulate" << compact({{"request", "web"}}) << "request";
    QTest::newRow("rollback version a word") << "POST" << "/policy/rollback" << compact({{"version", "one"}, {"comment", "x"}}) << "version";
    QTest::newRow("apply yaml a number") << "PUT" << "/policy" << compact({{"yaml", 7}, {"comment", "x"}}) << "yaml";
    QTest::newRow("validate yaml an array") << "POST" << "/policy/validate" << compact({{"yaml", QJsonArray{"version: 1"}}}) << "yaml";
}

void TestAdminInput::wrongTypes() {
    QFETCH(QString, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    const HttpResult r = send(method, path, body);
    const QString problem = adminErrorProblem(r, 400, "invalid_request", field, field);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminInput::unknownFields_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::newRow("token rol") << "POST" << "/tokens" << compact({{"name", "x"}, {"role", "viewer"}, {"rol", "admin"}}) << "rol";
    QTest::newRow("credential secrett") << "POST" << "/credentials" << compact({{"id", "x"}, {"secret", "s-123456789"}, {"secrett", "y"}}) << "secrett";
    QTest::newRow("key teams") << "POST" << "/keys" << compact({{"identity", "x"}, {"team", "web"}, {"teams", QJsonArray{"data"}}}) << "teams";
    QTest::newRow("validate strict") << "POST" << "/policy/validate" << compact({{"yaml", "version: 1\n"}, {"strict", true}}) << "strict";
    QTest::newRow("simulate modle") << "POST" << "/policy/simulate" << compact({{"request", QJsonObject{{"team", "web"}, {"modle", "x"}}}}) << "modle";
    QTest::newRow("apply force") << "PUT" << "/policy" << compact({{"yaml", "version: 1\n"}, {"comment", "x"}, {"force", true}}) << "force";
    QTest::newRow("rotate grace_second") << "POST" << "/keys/{key}/rotate" << compact({{"grace_second", 5}}) << "grace_second";
    QTest::newRow("schedule period") << "PUT" << "/keys/{key}/schedule" << compact({{"period", 30}}) << "period";
}

void TestAdminInput::unknownFields() {
    QFETCH(QString, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    const HttpResult r = send(method, path, body);
    const QString problem = adminErrorProblem(r, 400, "invalid_request", field);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QString named = r.json().value("error").toObject().value("field").toString();
    QVERIFY2(named.endsWith(field), qPrintable("field is '" + named + "': " + describe(r)));
}

void TestAdminInput::missingFields_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::newRow("token without role") << "POST" << "/tokens" << compact({{"name", "x"}}) << "role";
    QTest::newRow("token without name") << "POST" << "/tokens" << compact({{"role", "viewer"}}) << "name";
    QTest::newRow("credential without secret") << "POST" << "/credentials" << compact({{"id", "x"}}) << "secret";
    QTest::newRow("credential without id") << "POST" << "/credentials" << compact({{"secret", "s-123456789"}}) << "id";
    QTest::newRow("key without identity") << "POST" << "/keys" << compact({{"team", "web"}}) << "identity";
    QTest::newRow("key without team") << "POST" << "/keys" << compact({{"identity", "x"}}) << "team";
    QTest::newRow("rotate without secret") << "POST" << "/credentials/mock-key/rotate" << compact({}) << "secret";
    QTest::newRow("validate without yaml") << "POST" << "/policy/validate" << compact({}) << "yaml";
    QTest::newRow("simulate without request") << "POST" << "/policy/simulate" << compact({}) << "request";
    QTest::newRow("rollback without version") << "POST" << "/policy/rollback" << compact({{"comment", "x"}}) << "version";
    QTest::newRow("apply without yaml") << "PUT" << "/policy" << compact({{"comment", "x"}}) << "yaml";
}

void TestAdminInput::missingFields() {
    QFETCH(QString, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    const HttpResult r = send(method, path, body);
    const QString problem = adminErrorProblem(r, 400, "invalid_request", field, field);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminInput::nothingWasCreated() {
    const QMap<QString, int> now = counts();
    for (auto it = initialCounts_.begin(); it != initialCounts_.end(); ++it)
        QVERIFY2(now.value(it.key()) == it.value(),
                 qPrintable(QStringLiteral("%1: %2 items before the bad bodies, %3 after").arg(it.key()).arg(it.value()).arg(now.value(it.key()))));
    // The key the rotate rows aimed at was never rotated.
    const HttpResult key = fx_.gateway.admin("GET", "/keys/" + keyId_);
    QVERIFY2(key.json().value("previous_valid_until").isNull(), qPrintable(describe(key)));
    const HttpResult credential = fx_.gateway.admin("GET", "/credentials/mock-key");
    QVERIFY2(credential.json().value("schedule").isNull(), qPrintable(describe(credential)));
}

void TestAdminInput::oversizeBody_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("validate") << "POST" << "/policy/validate";
    QTest::newRow("apply") << "PUT" << "/policy";
    QTest::newRow("credentials") << "POST" << "/credentials";
}

void TestAdminInput::oversizeBody() {
    QFETCH(QString, method);
    QFETCH(QString, path);
    // 5 MiB of valid JSON: only its size is wrong.
    const QByteArray yaml = "# " + QByteArray(5 * 1024 * 1024, 'x') + "\nversion: 1\n";
    const QByteArray body = path == "/credentials" ? compact({{"id", "huge"}, {"secret", QString::fromLatin1(yaml)}})
                                                   : compact({{"yaml", QString::fromLatin1(yaml)}, {"comment", "huge"}});
    const HttpResult r = send(method, path, body);
    const QString problem = adminErrorProblem(r, 413, "payload_too_large");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminInput::wrongContentType_data() {
    QTest::addColumn<QString>("contentType");
    QTest::newRow("text/plain") << "Content-Type: text/plain";
    QTest::newRow("form") << "Content-Type: application/x-www-form-urlencoded";
    QTest::newRow("yaml") << "Content-Type: application/yaml";
    QTest::newRow("none") << "Content-Type:";
}

void TestAdminInput::wrongContentType() {
    QFETCH(QString, contentType);
    const HttpResult r = send("POST", "/tokens", compact({{"name", "typed"}, {"role", "viewer"}}), {contentType});
    QString problem = adminErrorProblem(r, 415, "unsupported_media_type");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const HttpResult v = send("POST", "/policy/validate", compact({{"yaml", adminPolicy(fx_.mock.url())}}), {contentType});
    problem = adminErrorProblem(v, 415, "unsupported_media_type");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminInput::jsonWithCharsetIsAccepted() {
    const HttpResult r = send("POST", "/policy/validate", compact({{"yaml", adminPolicy(fx_.mock.url())}}),
                              {"Content-Type: application/json; charset=utf-8"});
    QVERIFY2(r.status == 200 && r.json().value("valid").toBool(), qPrintable(describe(r)));
}

// ---- query parameters ----

void TestAdminInput::sqlInFilters_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("parameter");
    QTest::addColumn<QString>("value");
    const QList<QPair<QString, QStringList>> filters{
        {"/requests", {"team", "identity", "repository", "task", "model", "provider", "status", "session", "key"}},
        {"/sessions", {"team", "identity", "repository", "task", "model", "provider", "status", "session", "key"}},
        {"/keys", {"identity", "team"}},
        {"/audit", {"actor", "action", "target"}},
        {"/alerts", {"kind"}},
    };
    for (const auto& [path, parameters] : filters)
        for (const QString& parameter : parameters)
            for (int i = 0; i < int(std::size(kInjections)); ++i)
                QTest::addRow("%s %s #%d", qPrintable(path), qPrintable(parameter), i) << path << parameter << QString(kInjections[i]);
}

void TestAdminInput::sqlInFilters() {
    QFETCH(QString, path);
    QFETCH(QString, parameter);
    QFETCH(QString, value);
    const HttpResult r = fx_.gateway.admin("GET", path + "?" + parameter + "=" + QString::fromLatin1(QUrl::toPercentEncoding(value)));
    if (r.status == 400) {
        const QString problem = adminErrorProblem(r, 400, "invalid_request");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        return;
    }
    QVERIFY2(r.status == 200, qPrintable(describe(r)));
    QVERIFY2(r.json().value("items").isArray(), qPrintable(describe(r)));
    QVERIFY2(r.json().value("items").toArray().isEmpty(), qPrintable("a filter with SQL in it matched rows: " + describe(r, 1500)));
}

void TestAdminInput::dataIntactAfterInjection() {
    const QMap<QString, int> now = counts();
    for (auto it = initialCounts_.begin(); it != initialCounts_.end(); ++it)
        QVERIFY2(now.value(it.key()) == it.value(),
                 qPrintable(QStringLiteral("%1: %2 items before, %3 after").arg(it.key()).arg(it.value()).arg(now.value(it.key()))));
    QCOMPARE(recordedRequests(fx_.gateway.requestsDb()).size(), initialCounts_.value("/requests"));
    const HttpResult verify = fx_.gateway.admin("GET", "/audit/verify");
    QVERIFY2(verify.json().value("ok").toBool(), qPrintable(describe(verify)));
    const HttpResult data = chat(fx_.gateway, fx_.webKey, "mock-good");
    QVERIFY2(data.status == 200, qPrintable(describe(data)));
    initialCounts_ = counts(); // one more request now
}

void TestAdminInput::badCursor_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("cursor");
    const QStringList damaged{"garbage", "AAAA", "eyJ0IjowfQ", QString(3000, 'Z'), "%00%01", "' OR 1=1 --"};
    for (const QString path : {"/requests", "/sessions", "/audit", "/credentials", "/keys", "/tokens", "/policy/versions", "/alerts"})
        for (int i = 0; i < damaged.size(); ++i)
            QTest::addRow("%s #%d", qPrintable(path), i) << path << damaged[i];
}

void TestAdminInput::badCursor() {
    QFETCH(QString, path);
    QFETCH(QString, cursor);
    const QString encoded = cursor.startsWith('%') ? cursor : QString::fromLatin1(QUrl::toPercentEncoding(cursor));
    const HttpResult r = fx_.gateway.admin("GET", path + "?cursor=" + encoded);
    const QString problem = adminErrorProblem(r, 400, "invalid_request", {}, "cursor");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminInput::badLimit_data() {
    QTest::addColumn<QString>("limit");
    for (const char* l : {"0", "1001", "-1", "abc", "1.5", "", "99999999999999999999", "1; DROP TABLE requests"})
        QTest::newRow(l[0] ? l : "empty") << QString(l);
}

void TestAdminInput::badLimit() {
    QFETCH(QString, limit);
    for (const QString path : {"/requests", "/audit", "/keys"}) {
        const HttpResult r = fx_.gateway.admin("GET", path + "?limit=" + QString::fromLatin1(QUrl::toPercentEncoding(limit)));
        const QString problem = adminErrorProblem(r, 400, "invalid_request", "limit", "limit");
        QVERIFY2(problem.isEmpty(), qPrintable(path + ": " + problem));
    }
}

void TestAdminInput::badTime_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("parameter");
    QTest::addColumn<QString>("value");
    const QStringList bad{"yesterday", "2026-13-45T25:61:00.000Z", "1700000000", "2026-01-01T00:00:00.000+25:00"};
    for (const QString path : {"/requests", "/sessions", "/audit", "/reports/spend", "/reports/dataflow", "/reports/denials"})
        for (const QString parameter : {"from", "to"})
            for (int i = 0; i < bad.size(); ++i)
                QTest::addRow("%s %s #%d", qPrintable(path), qPrintable(parameter), i) << path << parameter << bad[i];
}

void TestAdminInput::badTime() {
    QFETCH(QString, path);
    QFETCH(QString, parameter);
    QFETCH(QString, value);
    const HttpResult r = fx_.gateway.admin("GET", path + "?" + parameter + "=" + QString::fromLatin1(QUrl::toPercentEncoding(value)));
    const QString problem = adminErrorProblem(r, 400, "invalid_request", parameter, parameter);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminInput::unknownFilter() {
    // A misspelt filter must not silently return everything.
    const HttpResult r = fx_.gateway.admin("GET", "/requests?teem=web");
    const QString problem = adminErrorProblem(r, 400, "invalid_request", "teem", "teem");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// ---- paths and methods ----

void TestAdminInput::unknownPath_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path"); // from the origin
    QTest::newRow("GET /admin/v1/nope") << "GET" << "/admin/v1/nope";
    QTest::newRow("GET /admin/v1/policy/nope") << "GET" << "/admin/v1/policy/nope";
    QTest::newRow("GET /admin/v2/policy") << "GET" << "/admin/v2/policy";
    QTest::newRow("GET /nope") << "GET" << "/nope";
    QTest::newRow("GET /") << "GET" << "/";
    QTest::newRow("GET /admin/v1/credentials/x/y/z") << "GET" << "/admin/v1/credentials/x/y/z";
    QTest::newRow("POST /admin/v1/keys/{key}/explode") << "POST" << "/admin/v1/keys/{key}/explode";
    QTest::newRow("GET /admin/v1/credentials/no-such") << "GET" << "/admin/v1/credentials/no-such";
    QTest::newRow("GET /admin/v1/keys/no-such") << "GET" << "/admin/v1/keys/no-such";
    QTest::newRow("GET /admin/v1/../../etc/passwd") << "GET" << "/admin/v1/%2e%2e/%2e%2e/etc/passwd";
}

void TestAdminInput::unknownPath() {
    QFETCH(QString, method);
    QFETCH(QString, path);
    AdminCall call = fx_.gateway.adminCall(method, {});
    call.url = fx_.gateway.adminOrigin() + QString(path).replace("{key}", keyId_);
    if (method == "POST") {
        call.body = "{}";
        call.sendBody = true;
    }
    const HttpResult r = adminCurl(call);
    const QString problem = adminErrorProblem(r, 404, "not_found");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAdminInput::wrongMethod_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("DELETE /policy") << "DELETE" << "/policy";
    QTest::newRow("POST /requests") << "POST" << "/requests";
    QTest::newRow("GET /policy/validate") << "GET" << "/policy/validate";
    QTest::newRow("PATCH /tokens") << "PATCH" << "/tokens";
    QTest::newRow("PUT /credentials/mock-key") << "PUT" << "/credentials/mock-key";
    QTest::newRow("DELETE /keys/{key}") << "DELETE" << "/keys/{key}";
    QTest::newRow("GET /keys/{key}/rotate") << "GET" << "/keys/{key}/rotate";
    QTest::newRow("POST /health") << "POST" << "/health";
}

void TestAdminInput::wrongMethod() {
    QFETCH(QString, method);
    QFETCH(QString, path);
    AdminCall call = fx_.gateway.adminCall(method, QString(path).replace("{key}", keyId_));
    if (method != "GET" && method != "DELETE") {
        call.body = "{}";
        call.sendBody = true;
    }
    const HttpResult r = adminCurl(call);
    const QString problem = adminErrorProblem(r, 405, "method_not_allowed");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// ---- link-local endpoints ----

void TestAdminInput::linkLocalEndpointIsRefused_data() {
    QTest::addColumn<QString>("baseUrl");
    QTest::addColumn<QString>("named");
    QTest::newRow("169.254.169.254") << "http://169.254.169.254/v1" << "169.254.169.254";
    QTest::newRow("fe80::1") << "http://[fe80::1]/" << "fe80::1";
    QTest::newRow("metadata.google.internal") << "http://metadata.google.internal/" << "metadata.google.internal";
}

void TestAdminInput::linkLocalEndpointIsRefused() {
    QFETCH(QString, baseUrl);
    QFETCH(QString, named);
    const QString yaml = adminPolicy(fx_.mock.url(), {}, baseUrl);
    const HttpResult r = send("PUT", "/policy", compact({{"yaml", yaml}, {"comment", "metadata endpoint"}}));
    const QString problem = adminErrorProblem(r, 422, "invalid_policy");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY2(r.body.contains(named.toUtf8()), qPrintable("the refusal does not name " + named + ": " + describe(r)));
    const HttpResult v = send("POST", "/policy/validate", compact({{"yaml", yaml}}));
    QVERIFY2(v.status == 200 && !v.json().value("valid").toBool(true), qPrintable(describe(v)));
    QVERIFY2(v.body.contains(named.toUtf8()), qPrintable(describe(v)));
}

void TestAdminInput::linkLocalEndpointIsAcceptedWhenAllowed() {
    AdminFixture allowing;
    QVERIFY(allowing.start("allow_link_local_endpoints: true\n", {{"mock-key", kMockSecret}}));
    const qint64 version = allowing.policyVersion();
    const QString yaml = adminPolicy(allowing.mock.url(), {}, "http://169.254.169.254/v1");
    const HttpResult r = allowing.gateway.adminJson("PUT", "/policy", {{"yaml", yaml}, {"comment", "allowed here"}},
                                                    {"If-Match: " + allowing.gateway.admin("GET", "/policy").header("etag")});
    QVERIFY2(r.status == 200, qPrintable(describe(r)));
    QCOMPARE(allowing.policyVersion(), version + 1);
    QCOMPARE(allowing.gateway.stop(), 0);
}

// ---- transport ----

void TestAdminInput::plainHttpToTheHttpsPort() {
    const HttpResult r = curl({QStringLiteral("http://127.0.0.1:%1/admin/v1/health").arg(fx_.gateway.adminPort())}, 10'000);
    QVERIFY2(r.status < 200 || r.status >= 300, qPrintable("plain HTTP was served: " + describe(r)));
    QVERIFY2(!r.body.contains("\"ok\""), qPrintable(describe(r)));
    const HttpResult tokenOverHttp = curl({"-H", "Authorization: Bearer gha_plaintext-probe",
                                           QStringLiteral("http://127.0.0.1:%1/admin/v1/policy").arg(fx_.gateway.adminPort())}, 10'000);
    QVERIFY2(tokenOverHttp.status != 200, qPrintable(describe(tokenOverHttp)));
    const HttpResult health = fx_.gateway.admin("GET", "/health", {}, {}, QString());
    QVERIFY2(health.status == 200, qPrintable("HTTPS after plain HTTP: " + describe(health)));
}

void TestAdminInput::garbageToTheHttpsPort() {
    // Not even TLS: random bytes, then a half handshake and a hang-up. The listener drops them.
    for (const QByteArray& junk : {QByteArray("\x16\x03\x01\x00\x05hello", 10), QByteArray(4096, '\0'), QByteArray("GET / HTTP/1.0\r\n\r\n")}) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        QVERIFY(fd >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(fx_.gateway.adminPort());
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QVERIFY(::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0);
        ::send(fd, junk.constData(), std::size_t(junk.size()), MSG_NOSIGNAL);
        pollfd p{fd, POLLIN, 0};
        ::poll(&p, 1, 2000);
        char buffer[4096];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        const QByteArray reply = n > 0 ? QByteArray(buffer, qsizetype(n)) : QByteArray();
        ::close(fd);
        QVERIFY2(!reply.startsWith("HTTP/1.1 2"), qPrintable("garbage was answered: " + QString::fromLatin1(reply.left(200))));
    }
    const HttpResult health = fx_.gateway.admin("GET", "/health", {}, {}, QString());
    QVERIFY2(health.status == 200, qPrintable(describe(health)));
}

QTEST_GUILESS_MAIN(TestAdminInput)
#include "tst_admin_input.moc"
