#pragma once
// Shared by the admin API suites: the policy (admin_policy.yaml), a mock upstream and a
// gatehoused with its admin API on a free port, gateway keys for three teams, and helpers to
// check errors, walk cursor pages and call the data path.
//
// No raw string literals in the suites or here: moc's tokenizer does not know them.
#include "support/e2e.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

namespace gh::test {

// A file of tests/e2e_admin, read from the source tree.
inline QString adminFixtureFile(const QString& name) {
    QFile f(QStringLiteral(GATEHOUSE_SOURCE_DIR "/tests/e2e_admin/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    return QString::fromUtf8(f.readAll());
}

// admin_policy.yaml with the mock's URL, the strict mock's URL (defaults to the mock) and rules
// to put first (YAML list items indented by two spaces).
inline QString adminPolicy(const QString& mockUrl, const QString& extraRoutes = {}, const QString& strictUrl = {}) {
    QString text = adminFixtureFile(QStringLiteral("admin_policy.yaml"));
    text.replace(QStringLiteral("{{ROUTES}}"), extraRoutes);
    text.replace(QStringLiteral("{{STRICT}}"), strictUrl.isEmpty() ? mockUrl : strictUrl);
    text.replace(QStringLiteral("{{MOCK}}"), mockUrl);
    return text;
}

// RFC 3339 UTC with milliseconds, `offsetMs` from now.
inline QString rfc3339(qint64 offsetMs = 0) {
    return QDateTime::currentDateTimeUtc().addMSecs(offsetMs).toString(Qt::ISODateWithMs);
}
inline QString rfc3339(const QDateTime& t) { return t.toUTC().toString(Qt::ISODateWithMs); }
inline QDateTime parseTime(const QString& text) { return QDateTime::fromString(text, Qt::ISODateWithMs); }

inline QString describe(const HttpResult& r, int max = 700) {
    return QStringLiteral("HTTP %1 (curl exit %2): %3").arg(r.status).arg(r.curlExit).arg(QString::fromUtf8(r.body.left(max)));
}

// "" when `r` is an admin API error of this status and type (and `field`, and a message that
// mentions `mentions`), with X-Request-Id; otherwise what is wrong.
inline QString adminErrorProblem(const HttpResult& r, int status, const QString& type, const QString& mentions = {},
                                 const QString& field = {}) {
    const QString where = QStringLiteral(" (got %1)").arg(describe(r));
    if (r.status != status)
        return QStringLiteral("expected HTTP %1 %2").arg(status).arg(type) + where;
    if (!r.header("content-type").startsWith(QLatin1String("application/json")))
        return "expected a JSON error, content-type is '" + r.header("content-type") + "'" + where;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(r.body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return "the body is not a JSON object" + where;
    const QJsonObject error = doc.object().value("error").toObject();
    if (error.isEmpty() || !error.value("type").isString() || !error.value("message").isString() ||
        error.value("message").toString().trimmed().isEmpty())
        return "not an error {\"error\": {\"type\", \"message\"}}" + where;
    if (error.value("type").toString() != type)
        return "error type '" + error.value("type").toString() + "', expected '" + type + "'" + where;
    if (!mentions.isEmpty() && !error.value("message").toString().contains(mentions, Qt::CaseInsensitive))
        return "the message does not mention '" + mentions + "'" + where;
    if (!field.isEmpty() && error.value("field").toString() != field)
        return "field is '" + error.value("field").toString() + "', expected '" + field + "'" + where;
    if (r.header("x-request-id").isEmpty())
        return "no X-Request-Id header" + where;
    return {};
}

// "" when `r` is a 2xx JSON object answer; otherwise what is wrong.
inline QString okProblem(const HttpResult& r, int status = 200) {
    if (r.status != status)
        return QStringLiteral("expected HTTP %1, got %2").arg(status).arg(describe(r));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(r.body, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return "the body is not a JSON object: " + describe(r);
    return {};
}

// Every item of a listing, following next_cursor with `limit`; `pathAndQuery` is under
// /admin/v1 and may carry filters. `pages` counts the pages read. Empty `problem` when fine.
inline QJsonArray walkPages(Gateway& gw, const QString& pathAndQuery, int limit, QString* problem, int* pages = nullptr,
                            const QString& token = QStringLiteral("<admin>")) {
    QJsonArray all;
    QString cursor;
    QSet<QString> seenCursors;
    if (pages)
        *pages = 0;
    for (int guard = 0; guard < 10'000; ++guard) {
        QString path = pathAndQuery + (pathAndQuery.contains('?') ? "&" : "?") + QStringLiteral("limit=%1").arg(limit);
        if (!cursor.isEmpty())
            path += "&cursor=" + QString::fromLatin1(QUrl::toPercentEncoding(cursor));
        const HttpResult r = gw.admin("GET", path, {}, {}, token);
        if (r.status != 200) {
            *problem = "GET " + path + ": " + describe(r);
            return all;
        }
        if (pages)
            ++*pages;
        const QJsonObject page = r.json();
        if (!page.value("items").isArray() || !page.contains("next_cursor")) {
            *problem = "GET " + path + ": not a page {\"items\", \"next_cursor\"}: " + describe(r);
            return all;
        }
        const QJsonArray items = page.value("items").toArray();
        if (items.size() > limit) {
            *problem = QStringLiteral("GET %1: %2 items on a page of limit %3").arg(path).arg(items.size()).arg(limit);
            return all;
        }
        for (const auto& item : items)
            all.append(item);
        if (page.value("next_cursor").isNull())
            return all;
        cursor = page.value("next_cursor").toString();
        if (cursor.isEmpty() || seenCursors.contains(cursor)) {
            *problem = "GET " + path + ": next_cursor is empty or repeats: " + describe(r);
            return all;
        }
        seenCursors.insert(cursor);
    }
    *problem = "more than 10000 pages";
    return all;
}

// The names of every member of every object inside `v`, with their values.
inline void collectMembers(const QJsonValue& v, QList<QPair<QString, QJsonValue>>& out) {
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            out.append({it.key(), it.value()});
            collectMembers(it.value(), out);
        }
    } else if (v.isArray()) {
        for (const auto& item : v.toArray())
            collectMembers(item, out);
    }
}

// A chat completion on the data path: "hi" to `model` with the gateway key `key`.
inline HttpResult chat(Gateway& gw, const QString& key, const QString& model, const QStringList& extraHeaders = {},
                       bool stream = false, int timeoutMs = 30'000) {
    QJsonObject body{{"model", model},
                     {"max_tokens", 8},
                     {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", "hi"}}}}};
    if (stream)
        body["stream"] = true;
    QStringList args{"-X", "POST", gw.url() + "/v1/chat/completions", "-H", "content-type: application/json"};
    QByteArray input;
    if (!key.isEmpty()) {
        // Like the admin token, the key goes through curl's standard input, not its argv.
        args << "-K" << "-";
        input = "header = \"Authorization: Bearer " + key.toUtf8() + "\"\n";
    }
    for (const QString& h : extraHeaders)
        args << "-H" << h;
    if (stream)
        args << "-N";
    args << "--data-binary" << QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact));
    const HttpResult r = curl(args, timeoutMs, input);
    gw.process().drain();
    return r;
}

// A mock upstream, a gatehoused running admin_policy.yaml with its admin API, and gateway keys.
struct AdminFixture {
    MockUpstream mock;
    Gateway gateway;
    QString webKey;      // identity alice, team web
    QString dataKey;     // identity dana, team data
    QString spendersKey; // identity sam, team spenders

    // `credentials`: id -> secret, set with `gatehoused credential set` before the start.
    bool start(const QString& extraConfig = {}, const QList<QPair<QString, QString>>& credentials = {},
               const QString& extraRoutes = {}, const QString& strictUrl = {}) {
        if (gatehousedPath().isEmpty() || mockUpstreamPath().isEmpty()) {
            qWarning("GATEHOUSED and MOCK_UPSTREAM must name the built programs");
            return false;
        }
        if (!mock.start() || !gateway.init(extraConfig))
            return false;
        gateway.writePolicy(adminPolicy(mock.url(), extraRoutes, strictUrl), mock.url());
        for (const auto& [id, secret] : credentials)
            if (!gateway.setCredential(id, secret)) {
                qWarning("gatehoused credential set %s failed", qPrintable(id));
                return false;
            }
        webKey = gateway.issueKey("alice", "web");
        dataKey = gateway.issueKey("dana", "data");
        spendersKey = gateway.issueKey("sam", "spenders");
        if (webKey.isEmpty() || dataKey.isEmpty() || spendersKey.isEmpty()) {
            qWarning("gatehoused key issue failed");
            return false;
        }
        if (!gateway.start())
            return false;
        if (gateway.adminPort() == 0) {
            qWarning("gatehoused printed no 'admin listening on https://HOST:PORT' line; its output: %s",
                     qPrintable(gateway.process().startupLines().join('\n')));
            return false;
        }
        return true;
    }

    bool gatewayRunning() { return gateway.process().isRunning(); }

    // After each test: a gateway that died fails that test (with the end of its log) and is
    // started again on the same workspace, so that one crash does not fail every later test.
    QString survivalProblem() {
        if (gatewayRunning())
            return {};
        const QByteArray log = gateway.process().stderrText().right(1500);
        const bool restarted = gateway.start();
        return QStringLiteral("gatehoused died during this test (%1); the end of its log:\n%2")
            .arg(restarted ? QStringLiteral("restarted for the next tests") : QStringLiteral("restart failed"),
                 QString::fromUtf8(log));
    }

    // The running policy version (GET /policy with the admin token); -1 on failure.
    qint64 policyVersion() {
        const HttpResult r = gateway.admin("GET", "/policy");
        return r.status == 200 ? r.json().value("version").toInteger(-1) : -1;
    }
};

} // namespace gh::test
