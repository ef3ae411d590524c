#include "e2e.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QThread>

#include <sqlite3.h>

#include <csignal>

namespace gh::test {

QString gatehousedPath() { return qEnvironmentVariable("GATEHOUSED"); }
QString mockUpstreamPath() { return qEnvironmentVariable("MOCK_UPSTREAM"); }

HttpResult curl(const QStringList& args, int timeoutMs) {
    QProcess p;
    p.start(QStringLiteral("curl"), QStringList{"-sS", "-i", "--max-time", QString::number(timeoutMs / 1000)} + args);
    HttpResult r;
    if (!p.waitForFinished(timeoutMs + 5000)) {
        p.kill();
        return r;
    }
    r.curlExit = p.exitCode();
    QByteArray out = p.readAllStandardOutput();
    // Skip interim responses (100 Continue) and take the last header block.
    for (;;) {
        const int end = out.indexOf("\r\n\r\n");
        if (end < 0)
            break;
        const QByteArray head = out.left(end);
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        const int status = statusLine.value(1).toInt();
        out = out.mid(end + 4);
        if (status == 100)
            continue;
        r.status = status;
        for (int i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const int colon = line.indexOf(':');
            if (colon > 0)
                r.headers[QString::fromLatin1(line.left(colon)).toLower()] = QString::fromUtf8(line.mid(colon + 1).trimmed());
        }
        break;
    }
    r.body = out;
    return r;
}

HttpResult postJson(const QString& url, const QJsonObject& body, const QStringList& headers, int timeoutMs) {
    QStringList args{"-X", "POST", "-H", "content-type: application/json"};
    for (const QString& h : headers)
        args << "-H" << h;
    args << "--data-binary" << QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact)) << url;
    return curl(args, timeoutMs);
}

QList<SseEvent> parseSse(const QByteArray& body) {
    QList<SseEvent> events;
    QByteArray text = body;
    text.replace("\r\n", "\n");
    SseEvent current;
    bool hasData = false;
    const auto flush = [&] {
        if (hasData || !current.event.isEmpty())
            events.append(current);
        current = SseEvent{};
        hasData = false;
    };
    for (const QByteArray& line : text.split('\n')) {
        if (line.isEmpty()) {
            flush();
            continue;
        }
        if (line.startsWith(':'))
            continue;
        const int colon = line.indexOf(':');
        const QByteArray field = colon < 0 ? line : line.left(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        if (field == "event") {
            current.event = QString::fromUtf8(value);
        } else if (field == "data") {
            if (hasData)
                current.data += '\n';
            current.data += value;
            hasData = true;
        }
    }
    flush();
    return events;
}

NodeResult runNode(const QString& script, const QStringList& args, const QStringList& extraEnv, int timeoutMs) {
    NodeResult r;
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    for (const auto& kv : extraEnv)
        env.insert(kv.section('=', 0, 0), kv.section('=', 1));
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(QFileInfo(script).absolutePath());
    p.start(QStringLiteral("node"), QStringList{script} + args);
    if (!p.waitForStarted(10'000))
        return r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

ChildProcess::~ChildProcess() { kill(); }

bool ChildProcess::start(const QString& program, const QStringList& args, const QString& readyPrefix, int timeoutMs,
                         const QStringList& extraEnv) {
    process_ = std::make_unique<QProcess>();
    auto env = QProcessEnvironment::systemEnvironment();
    for (const auto& kv : extraEnv)
        env.insert(kv.section('=', 0, 0), kv.section('=', 1));
    process_->setProcessEnvironment(env);
    process_->start(program, args);
    if (!process_->waitForStarted(timeoutMs))
        return false;
    QDeadlineTimer deadline(timeoutMs);
    QByteArray buffered;
    while (!deadline.hasExpired()) {
        if (!process_->waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
            if (process_->state() != QProcess::Running)
                break;
        buffered += process_->readAllStandardOutput();
        stderr_ += process_->readAllStandardError();
        for (const QByteArray& line : buffered.split('\n'))
            if (line.startsWith(readyPrefix.toUtf8())) {
                readyLine_ = QString::fromUtf8(line.trimmed());
                return true;
            }
    }
    stderr_ += process_->readAllStandardError();
    qWarning("%s did not become ready: %s", qPrintable(program), stderr_.constData());
    return false;
}

quint16 ChildProcess::port() const {
    static const QRegularExpression re(QStringLiteral(":(\\d+)\\s*$"));
    return quint16(re.match(readyLine_).captured(1).toUInt());
}

int ChildProcess::terminate(int timeoutMs) {
    if (!process_ || process_->state() == QProcess::NotRunning)
        return process_ ? process_->exitCode() : -1;
    ::kill(pid_t(process_->processId()), SIGTERM);
    if (!process_->waitForFinished(timeoutMs)) {
        process_->kill();
        process_->waitForFinished(5000);
        return -1;
    }
    stderr_ += process_->readAllStandardError();
    return process_->exitStatus() == QProcess::NormalExit ? process_->exitCode() : -1;
}

void ChildProcess::kill() {
    if (process_ && process_->state() != QProcess::NotRunning) {
        process_->kill();
        process_->waitForFinished(5000);
    }
}

QByteArray ChildProcess::stderrText() {
    if (process_)
        stderr_ += process_->readAllStandardError();
    return stderr_;
}

bool MockUpstream::start(const QStringList& extraArgs) {
    return process_.start(mockUpstreamPath(), QStringList{"--port", "0"} + extraArgs, QStringLiteral("listening on"));
}

QJsonArray MockUpstream::requests() {
    const auto r = curl({url() + "/mock/requests"});
    return QJsonDocument::fromJson(r.body).array();
}

void MockUpstream::clearRequests() { curl({"-X", "DELETE", url() + "/mock/requests"}); }

Gateway::Gateway() { workspace_.setAutoRemove(true); }

int Gateway::run(const QStringList& args, const QByteArray& input, QByteArray* out, QByteArray* err) {
    QProcess p;
    p.start(gatehousedPath(), args);
    p.waitForStarted();
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(30'000))
        return -1;
    if (out)
        *out = p.readAllStandardOutput();
    if (err)
        *err = p.readAllStandardError();
    return p.exitCode();
}

bool Gateway::init(const QString& extraConfig) {
    const QString dir = workspace_.filePath("ws");
    QByteArray err;
    if (run({"init", dir}, {}, nullptr, &err) != 0) {
        qWarning("gatehoused init failed: %s", err.constData());
        return false;
    }
    QFile config(dir + "/gatehoused.yaml");
    if (!config.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    config.write("listen: 127.0.0.1:0\nthreads: 2\nupstream_timeout_seconds: 5\nheader_timeout_seconds: 3\n");
    config.write(extraConfig.toUtf8());
    return true;
}

void Gateway::writePolicy(QString yaml, const QString& mockUrl) {
    QFile f(workspace_.filePath("ws/policy.yaml"));
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(yaml.replace(QStringLiteral("{{MOCK}}"), mockUrl).toUtf8());
}

bool Gateway::setCredential(const QString& id, const QString& secret) {
    return run({"credential", "set", workspace_.filePath("ws"), id}, secret.toUtf8() + "\n") == 0;
}

QString Gateway::issueKey(const QString& identity, const QString& team, const QString& repos) {
    QStringList args{"key", "issue", workspace_.filePath("ws"), "--identity", identity, "--team", team};
    if (!repos.isEmpty())
        args << "--repos" << repos;
    QByteArray out;
    if (run(args, {}, &out) != 0)
        return {};
    static const QRegularExpression re(QStringLiteral("secret:\\s+(\\S+)"));
    return re.match(QString::fromUtf8(out)).captured(1);
}

bool Gateway::start() {
    return process_.start(gatehousedPath(), {"serve", workspace_.filePath("ws")}, QStringLiteral("listening on"));
}

QJsonArray recordedRequests(const QString& requestsDb) {
    QJsonArray rows;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(requestsDb.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return rows;
    }
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT * FROM requests ORDER BY rowid", -1, &stmt, nullptr);
    while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
        QJsonObject row;
        for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
            const QString name = QString::fromUtf8(sqlite3_column_name(stmt, c));
            switch (sqlite3_column_type(stmt, c)) {
            case SQLITE_INTEGER: row[name] = qint64(sqlite3_column_int64(stmt, c)); break;
            case SQLITE_FLOAT: row[name] = sqlite3_column_double(stmt, c); break;
            case SQLITE_NULL: row[name] = QJsonValue::Null; break;
            default: row[name] = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)));
            }
        }
        rows.append(row);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
}

QJsonObject recordedRequest(const QString& requestsDb, const QString& requestId) {
    const QJsonArray rows = recordedRequests(requestsDb);
    for (const auto& row : rows)
        if (row.toObject().value("request_id").toString() == requestId)
            return row.toObject();
    return {};
}

} // namespace gh::test
