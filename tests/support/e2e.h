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
HttpResult curl(const QStringList& args, int timeoutMs = 30'000);

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
    // SIGTERM, then wait; returns the exit code (-1 on a crash or timeout).
    int terminate(int timeoutMs = 15'000);
    void kill();
    QByteArray stderrText();
    QProcess& process() { return *process_; }

private:
    std::unique_ptr<QProcess> process_;
    QString readyLine_;
    QByteArray stderr_;
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

class Gateway {
public:
    Gateway();
    QString dir() const { return workspace_.path(); }
    // The gatehoused workspace inside dir(): gatehoused.yaml, policy.yaml, the databases.
    QString workspace() const { return workspace_.filePath("ws"); }
    // `gatehoused init` into a fresh temporary directory, then a config suited to tests
    // (port 0, short timeouts).
    bool init(const QString& extraConfig = {});
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
    // Runs `gatehoused ARGS`, returns exit code; out/err captured.
    int run(const QStringList& args, const QByteArray& input = {}, QByteArray* out = nullptr, QByteArray* err = nullptr);

private:
    QTemporaryDir workspace_;
    ChildProcess process_;
};

// Rows of requests.db, newest last, as JSON objects keyed by column name.
QJsonArray recordedRequests(const QString& requestsDb);
// The row with this request_id (x-gatehouse-request-id); empty when there is none.
QJsonObject recordedRequest(const QString& requestsDb, const QString& requestId);

} // namespace gh::test
