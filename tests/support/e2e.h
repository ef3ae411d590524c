#pragma once
// End-to-end harness: real processes on free loopback ports. A mock upstream that speaks the
// providers' wire formats, a gatehoused workspace made with `gatehoused init`, and clients run
// as processes (curl, node with the official SDKs).
#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTemporaryFile>

#include <map>
#include <memory>

namespace gh::test {

// Paths of the built programs, set by CMake in each e2e suite's environment.
QString gatehousedPath();
QString mockUpstreamPath();

struct HttpResult {
    int curlExit = -1;
    int status = 0;
    std::map<QString, QString> headers; // lower-case names
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString header(const QString& name) const {
        auto it = headers.find(name.toLower());
        return it == headers.end() ? QString() : it->second;
    }
};

// curl with the given arguments plus -sS -i; the status, headers and body are split out.
// `input`, when given, is written to curl's standard input (for `-K -` or `--data-binary @-`).
HttpResult curl(const QStringList& args, int timeoutMs = 30'000, const QByteArray& input = {});
// Splits the output of `curl -i` into status, headers and body (interim 1xx answers skipped).
HttpResult parseCurlOutput(QByteArray out);

// POST `body` as JSON to `url` with extra request headers ("Name: value").
HttpResult postJson(const QString& url, const QJsonObject& body, const QStringList& headers = {},
                    int timeoutMs = 30'000);

// One server-sent event of a streamed response.
struct SseEvent {
    QString event;   // the "event:" field; empty when absent
    QByteArray data; // the "data:" lines joined with '\n'
    QJsonObject json() const { return QJsonDocument::fromJson(data).object(); }
};
// The events of an SSE body, in order (comments and blank events skipped).
QList<SseEvent> parseSse(const QByteArray& body);

// A client script run with node; stdout is expected to be one JSON document.
struct NodeResult {
    int exitCode = -1; // -1: did not start or timed out
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};
// Runs `node SCRIPT ARGS` in the script's directory with extra environment "NAME=value" entries.
NodeResult runNode(const QString& script, const QStringList& args, const QStringList& extraEnv = {},
                   int timeoutMs = 30'000);

// A line-oriented process: waits for a line on stdout that starts with a prefix.
class ChildProcess {
public:
    ~ChildProcess();
    bool start(const QString& program, const QStringList& args, const QString& readyPrefix, int timeoutMs = 20'000,
               const QStringList& extraEnv = {});
    QString readyLine() const { return readyLine_; }
    quint16 port() const; // from "listening on HOST:PORT"
    // Every complete stdout line read up to and including the ready line (of the last start()).
    QStringList startupLines() const { return startupLines_; }
    // The first startup line that starts with `prefix`; empty when there is none.
    QString startupLine(const QString& prefix) const;
    // SIGTERM, then wait; returns the exit code (-1 on a crash or timeout).
    int terminate(int timeoutMs = 15'000);
    void kill();
    QByteArray stderrText();
    // Everything the process wrote to stdout so far, over all starts.
    QByteArray stdoutText();
    // Lets QProcess empty the child's pipes (it reads them from the event loop), so that a chatty
    // child never blocks on a full pipe while the test waits for something else.
    void drain();
    // Started and not exited (noticing an exit that happened while no event loop ran).
    bool isRunning();
    QProcess& process() { return *process_; }

private:
    std::unique_ptr<QProcess> process_;
    QString readyLine_;
    QStringList startupLines_;
    QByteArray stderr_;
    QByteArray stdout_;
};

class MockUpstream {
public:
    bool start(const QStringList& extraArgs = {});
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(process_.port()); }
    quint16 port() const { return process_.port(); }
    QJsonArray requests();   // what it received (GET /mock/requests)
    void clearRequests();    // DELETE /mock/requests
    ChildProcess& process() { return process_; }

private:
    ChildProcess process_;
};

// One call of the admin API over HTTPS with curl. The bearer token never appears on curl's
// command line (other users can read argv): it is passed in a curl config on standard input.
// The body, when there is one, goes through a private temporary file (it may be larger than an
// argument may be).
struct AdminCall {
    QString method = QStringLiteral("GET");
    QString url;           // https://127.0.0.1:PORT/admin/v1/...
    QString caCert;        // --cacert
    QString token;         // empty: no Authorization header
    QByteArray body;       // sent when non-empty or when sendBody is set
    bool sendBody = false; // send `body` even when it is empty
    QStringList headers;   // "Name: value"; a content-type here replaces application/json
    int timeoutMs = 30'000;
};
HttpResult adminCurl(const AdminCall& call);

// The same, started in the background: several can run at once (start them, then wait()).
class AsyncAdminCurl {
public:
    explicit AsyncAdminCurl(const AdminCall& call);
    ~AsyncAdminCurl();
    HttpResult wait();

private:
    AdminCall call_;
    std::unique_ptr<QProcess> process_;
    std::unique_ptr<QTemporaryFile> bodyFile_;
};

// A blocking HTTP/1.1 receiver on a free loopback port, on its own thread (so it answers while
// the test blocks on curl): it keeps each request (method, target, headers, exact body bytes)
// and answers `status` with an empty JSON object. For webhook deliveries.
class HttpReceiver {
public:
    struct Received {
        QByteArray method;
        QByteArray target;
        std::map<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
        QByteArray header(const QByteArray& name) const {
            auto it = headers.find(name.toLower());
            return it == headers.end() ? QByteArray() : it->second;
        }
    };
    HttpReceiver();
    ~HttpReceiver();
    bool start(int status = 200);
    void stop();
    quint16 port() const { return port_; }
    QString url(const QString& path = {}) const { return QStringLiteral("http://127.0.0.1:%1").arg(port_) + path; }
    QList<Received> received() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    quint16 port_ = 0;
};

class Gateway {
public:
    Gateway();
    QString dir() const { return workspace_.path(); }
    // The gatehoused workspace inside dir(): gatehoused.yaml, policy.yaml, the databases.
    QString workspace() const { return workspace_.filePath("ws"); }
    // `gatehoused init` into a fresh temporary directory, then a config suited to tests
    // (port 0, short timeouts; when this gatehoused has an admin API, admin_listen on a free
    // port unless extraConfig sets it).
    bool init(const QString& extraConfig = {});
    // What `gatehoused init` printed (its stdout).
    QByteArray initOutput() const { return initOutput_; }
    // Writes policy.yaml; "{{MOCK}}" stands for the mock upstream's base URL.
    void writePolicy(QString yaml, const QString& mockUrl);
    bool setCredential(const QString& id, const QString& secret);
    // A new gateway key's secret (empty on failure).
    QString issueKey(const QString& identity, const QString& team, const QString& repos = {});
    bool start();
    int stop() { return process_.terminate(); }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(process_.port()); }
    ChildProcess& process() { return process_; }
    QString requestsDb() const { return workspace_.filePath("ws/requests.db"); }

    // ---- the admin API ----
    // From the "admin listening on https://HOST:PORT" line of the last start(); 0 when absent.
    quint16 adminPort() const;
    // "https://127.0.0.1:PORT/admin/v1" (empty when the gateway printed no admin line).
    QString adminUrl() const;
    // "https://127.0.0.1:PORT"
    QString adminOrigin() const;
    QString adminCertFile() const { return workspace_.filePath("ws/admin-cert.pem"); }
    // The first admin token, from WORKSPACE/admin.token.
    QString adminToken() const;
    // A call of the admin API: `path` is under /admin/v1 ("/policy"); `token` "<admin>" means
    // adminToken(), an empty one sends no Authorization header.
    AdminCall adminCall(const QString& method, const QString& path, const QByteArray& body = {},
                        const QStringList& headers = {}, const QString& token = QStringLiteral("<admin>")) const;
    HttpResult admin(const QString& method, const QString& path, const QByteArray& body = {},
                     const QStringList& headers = {}, const QString& token = QStringLiteral("<admin>"));
    HttpResult adminJson(const QString& method, const QString& path, const QJsonObject& body,
                         const QStringList& headers = {}, const QString& token = QStringLiteral("<admin>"));
    // Runs `gatehoused ARGS`, returns exit code; out/err captured.
    int run(const QStringList& args, const QByteArray& input = {}, QByteArray* out = nullptr, QByteArray* err = nullptr);

private:
    QTemporaryDir workspace_;
    ChildProcess process_;
    QByteArray initOutput_;
};

// Rows of requests.db, newest last, as JSON objects keyed by column name.
QJsonArray recordedRequests(const QString& requestsDb);
// The row with this request_id (x-gatehouse-request-id); empty when there is none.
QJsonObject recordedRequest(const QString& requestsDb, const QString& requestId);

} // namespace gh::test
