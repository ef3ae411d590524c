#include "e2e.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QThread>

#include <sqlite3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

namespace gh::test {

QString gatehousedPath() { return qEnvironmentVariable("GATEHOUSED"); }
QString mockUpstreamPath() { return qEnvironmentVariable("MOCK_UPSTREAM"); }

HttpResult parseCurlOutput(QByteArray out) {
    HttpResult r;
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
        if (status >= 100 && status < 200)
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

HttpResult curl(const QStringList& args, int timeoutMs, const QByteArray& input) {
    QProcess p;
    p.start(QStringLiteral("curl"), QStringList{"-sS", "-i", "--max-time", QString::number(std::max(1, timeoutMs / 1000))} + args);
    if (!input.isEmpty() && p.waitForStarted(10'000))
        p.write(input);
    p.closeWriteChannel();
    HttpResult r;
    if (!p.waitForFinished(timeoutMs + 5000)) {
        p.kill();
        p.waitForFinished(5000);
        return r;
    }
    const int exit = p.exitCode();
    r = parseCurlOutput(p.readAllStandardOutput());
    r.curlExit = exit;
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
    if (process_)
        drain(); // keep what an earlier run wrote
    process_ = std::make_unique<QProcess>();
    readyLine_.clear();
    startupLines_.clear();
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
        const QByteArray out = process_->readAllStandardOutput();
        stdout_ += out;
        buffered += out;
        stderr_ += process_->readAllStandardError();
        // Complete lines only: a line still being written must not be taken for the ready line.
        for (qsizetype eol = buffered.indexOf('\n'); eol >= 0; eol = buffered.indexOf('\n')) {
            const QString line = QString::fromUtf8(buffered.left(eol).trimmed());
            buffered.remove(0, eol + 1);
            startupLines_ << line;
            if (line.startsWith(readyPrefix)) {
                readyLine_ = line;
                return true;
            }
        }
    }
    stderr_ += process_->readAllStandardError();
    qWarning("%s did not become ready: %s", qPrintable(program), stderr_.constData());
    return false;
}

QString ChildProcess::startupLine(const QString& prefix) const {
    for (const QString& line : startupLines_)
        if (line.startsWith(prefix))
            return line;
    return {};
}

void ChildProcess::drain() {
    if (!process_)
        return;
    if (QCoreApplication::instance())
        for (int i = 0; i < 5; ++i)
            QCoreApplication::processEvents();
    stderr_ += process_->readAllStandardError();
    stdout_ += process_->readAllStandardOutput();
}

bool ChildProcess::isRunning() {
    return process_ && process_->state() == QProcess::Running && !process_->waitForFinished(1);
}

QByteArray ChildProcess::stdoutText() {
    if (process_)
        stdout_ += process_->readAllStandardOutput();
    return stdout_;
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
    stdout_ += process_->readAllStandardOutput();
    return process_->exitStatus() == QProcess::NormalExit ? process_->exitCode() : -1;
}

void ChildProcess::kill() {
    if (process_ && process_->state() != QProcess::NotRunning) {
        process_->kill();
        process_->waitForFinished(5000);
        stderr_ += process_->readAllStandardError();
        stdout_ += process_->readAllStandardOutput();
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
    if (run({"init", dir}, {}, &initOutput_, &err) != 0) {
        qWarning("gatehoused init failed: %s", err.constData());
        return false;
    }
    QFile config(dir + "/gatehoused.yaml");
    if (!config.open(QIODevice::ReadWrite))
        return false;
    // A gatehoused with an admin API listens on 8443 by default: tests running side by side
    // would collide, so every harness gateway takes a free port.
    const bool hasAdminApi = config.readAll().contains("admin_listen") || QFile::exists(dir + "/admin-cert.pem");
    config.resize(0);
    config.seek(0);
    config.write("listen: 127.0.0.1:0\nthreads: 2\nupstream_timeout_seconds: 5\nheader_timeout_seconds: 3\n");
    if (hasAdminApi && !extraConfig.contains(QStringLiteral("admin_listen")))
        config.write("admin_listen: 127.0.0.1:0\n");
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

quint16 Gateway::adminPort() const {
    static const QRegularExpression re(QStringLiteral("https://\\S*:(\\d+)/?\\s*$"));
    return quint16(re.match(process_.startupLine(QStringLiteral("admin listening on"))).captured(1).toUInt());
}

QString Gateway::adminOrigin() const {
    const quint16 port = adminPort();
    return port ? QStringLiteral("https://127.0.0.1:%1").arg(port) : QString();
}

QString Gateway::adminUrl() const {
    const QString origin = adminOrigin();
    return origin.isEmpty() ? QString() : origin + QStringLiteral("/admin/v1");
}

QString Gateway::adminToken() const {
    QFile f(workspace_.filePath("ws/admin.token"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll().trimmed());
}

AdminCall Gateway::adminCall(const QString& method, const QString& path, const QByteArray& body,
                             const QStringList& headers, const QString& token) const {
    AdminCall call;
    call.method = method;
    call.url = adminUrl() + path;
    call.caCert = adminCertFile();
    call.token = token == QLatin1String("<admin>") ? adminToken() : token;
    call.body = body;
    call.sendBody = !body.isEmpty();
    call.headers = headers;
    return call;
}

HttpResult Gateway::admin(const QString& method, const QString& path, const QByteArray& body, const QStringList& headers,
                          const QString& token) {
    const HttpResult r = adminCurl(adminCall(method, path, body, headers, token));
    process_.drain();
    return r;
}

HttpResult Gateway::adminJson(const QString& method, const QString& path, const QJsonObject& body,
                              const QStringList& headers, const QString& token) {
    return admin(method, path, QJsonDocument(body).toJson(QJsonDocument::Compact), headers, token);
}

namespace {

// A value for a curl config file: double-quoted, with backslashes and quotes escaped.
QByteArray curlConfigQuoted(const QString& value) {
    QByteArray v = value.toUtf8();
    v.replace('\\', "\\\\");
    v.replace('"', "\\\"");
    v.replace('\n', "\\n");
    v.replace('\r', "\\r");
    return '"' + v + '"';
}

// curl's arguments and standard input for an admin call; the body is written to `bodyFile`.
QStringList adminCurlArgs(const AdminCall& call, QTemporaryFile& bodyFile, QByteArray& input) {
    QStringList args{"-sS", "-i", "--max-time", QString::number(std::max(1, call.timeoutMs / 1000)), "--cacert",
                     call.caCert, "-X", call.method, "-K", "-"};
    if (!call.token.isEmpty())
        input = "header = " + curlConfigQuoted(QStringLiteral("Authorization: Bearer ") + call.token) + "\n";
    bool hasContentType = false;
    for (const QString& h : call.headers) {
        if (h.startsWith(QLatin1String("content-type:"), Qt::CaseInsensitive))
            hasContentType = true;
        args << "-H" << h;
    }
    if (call.sendBody || !call.body.isEmpty()) {
        if (!hasContentType)
            args << "-H" << "Content-Type: application/json";
        bodyFile.open();
        bodyFile.write(call.body);
        bodyFile.flush();
        args << "--data-binary" << "@" + bodyFile.fileName();
    }
    args << call.url;
    return args;
}

} // namespace

HttpResult adminCurl(const AdminCall& call) {
    AsyncAdminCurl running(call);
    return running.wait();
}

AsyncAdminCurl::AsyncAdminCurl(const AdminCall& call)
    : call_(call), process_(std::make_unique<QProcess>()), bodyFile_(std::make_unique<QTemporaryFile>()) {
    QByteArray input;
    const QStringList args = adminCurlArgs(call_, *bodyFile_, input);
    process_->start(QStringLiteral("curl"), args);
    if (process_->waitForStarted(10'000) && !input.isEmpty()) {
        // Written now, not when wait() runs: several calls may be under way at once.
        process_->write(input);
        while (process_->bytesToWrite() > 0 && process_->waitForBytesWritten(10'000)) {
        }
    }
    process_->closeWriteChannel();
}

AsyncAdminCurl::~AsyncAdminCurl() {
    if (process_->state() != QProcess::NotRunning) {
        process_->kill();
        process_->waitForFinished(5000);
    }
}

HttpResult AsyncAdminCurl::wait() {
    HttpResult r;
    if (!process_->waitForFinished(call_.timeoutMs + 5000) && process_->state() != QProcess::NotRunning) {
        process_->kill();
        process_->waitForFinished(5000);
        return r;
    }
    const int exit = process_->exitStatus() == QProcess::NormalExit ? process_->exitCode() : -1;
    r = parseCurlOutput(process_->readAllStandardOutput());
    r.curlExit = exit;
    return r;
}

// ---- HttpReceiver ----

struct HttpReceiver::Impl {
    int listenFd = -1;
    int status = 200;
    std::thread thread;
    std::atomic<bool> stopping{false};
    mutable std::mutex mutex;
    QList<Received> received;

    void run() {
        while (!stopping) {
            pollfd p{listenFd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0)
                continue;
            const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) {
                serve(fd);
                ::close(fd);
            }
        }
    }

    // Reads what arrives within the deadline; false on EOF, error or timeout.
    static bool readMore(int fd, QByteArray& into, QDeadlineTimer& deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, int(std::max<qint64>(1, deadline.remainingTime()))) <= 0)
            return false;
        char buffer[65536];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            return false;
        into.append(buffer, qsizetype(n));
        return true;
    }

    void serve(int fd) {
        QDeadlineTimer deadline(10'000);
        QByteArray in;
        qsizetype end = -1;
        while ((end = in.indexOf("\r\n\r\n")) < 0)
            if (!readMore(fd, in, deadline))
                return;
        Received r;
        const QList<QByteArray> lines = in.left(end).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        r.method = requestLine.value(0);
        r.target = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                r.headers[line.left(colon).toLower()] = line.mid(colon + 1).trimmed();
        }
        QByteArray rest = in.mid(end + 4);
        if (r.header("transfer-encoding").toLower().contains("chunked")) {
            for (;;) {
                const qsizetype eol = rest.indexOf("\r\n");
                if (eol < 0) {
                    if (!readMore(fd, rest, deadline))
                        return;
                    continue;
                }
                bool ok = false;
                const qsizetype size = rest.left(eol).trimmed().toLongLong(&ok, 16);
                if (!ok)
                    return;
                if (size == 0)
                    break;
                while (rest.size() < eol + 2 + size + 2)
                    if (!readMore(fd, rest, deadline))
                        return;
                r.body += rest.mid(eol + 2, size);
                rest = rest.mid(eol + 2 + size + 2);
            }
        } else {
            const qsizetype length = r.header("content-length").toLongLong();
            while (rest.size() < length)
                if (!readMore(fd, rest, deadline))
                    return;
            r.body = rest.left(length);
        }
        {
            std::lock_guard lock(mutex);
            received.append(r);
        }
        const QByteArray reply = "HTTP/1.1 " + QByteArray::number(status) +
                                 " Whatever\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        ::send(fd, reply.constData(), std::size_t(reply.size()), MSG_NOSIGNAL);
        ::shutdown(fd, SHUT_WR);
    }
};

HttpReceiver::HttpReceiver() : impl_(std::make_unique<Impl>()) {}

HttpReceiver::~HttpReceiver() { stop(); }

bool HttpReceiver::start(int status) {
    impl_->status = status;
    impl_->listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (impl_->listenFd < 0)
        return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = 0;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(impl_->listenFd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || ::listen(impl_->listenFd, 64) != 0 ||
        ::getsockname(impl_->listenFd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        return false;
    port_ = ntohs(a.sin_port);
    impl_->thread = std::thread([this] { impl_->run(); });
    return true;
}

void HttpReceiver::stop() {
    if (!impl_)
        return;
    impl_->stopping = true;
    if (impl_->thread.joinable())
        impl_->thread.join();
    if (impl_->listenFd >= 0)
        ::close(impl_->listenFd);
    impl_->listenFd = -1;
}

QList<HttpReceiver::Received> HttpReceiver::received() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->received;
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
