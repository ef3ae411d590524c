#pragma once
// The console's client of the admin API (docs/admin-api.md): asynchronous over
// QNetworkAccessManager, speaking the core/api shapes the gateway itself writes, so the two
// sides cannot drift. Every call takes a context object and a callback: the callback runs on the
// GUI thread when the answer is in, and never after the context is destroyed (a closed dialog
// does not receive a late answer). Nothing blocks: the UI keeps painting while a call waits.
//
// TLS: the gateway's certificate is verified, never ignored. A profile either trusts the system's
// CAs (a gateway with a CA-issued certificate) or pins one self-signed certificate, which then is
// the only CA this client trusts, and whose SHA-256 fingerprint must match on every answer.
#include "api/shapes.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSslCertificate>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <variant>

class QNetworkAccessManager;
class QNetworkReply;

namespace gh::console {

// Why a call failed, in words a person can act on (message), plus what a screen needs to react
// (kind, status, the API's error type and its extra members such as current_version).
struct ApiError {
    enum class Kind {
        Network,            // connection refused, timeout, DNS: the gateway is not reachable
        Tls,                // the certificate could not be verified (not the pinned one, expired, wrong host)
        CertificateChanged, // the gateway presents a certificate other than the pinned one
        Http,               // the gateway answered with an error (status, type, message)
        BadAnswer,          // the answer was not what the API documents
        Cancelled           // the client was reconfigured (setAccess) while the call waited
    };
    Kind kind = Kind::Network;
    int status = 0;    // HTTP status; 0 when there was no answer
    QString type;      // the API's error type ("precondition_failed", "invalid_policy", ...)
    QString message;   // one or two sentences for the person at the console
    QString field;     // the request field the error is about, when the API names one
    api::Error detail; // the whole error object (current_version, diagnostics) for Http errors
};

template <class T> class ApiResult {
public:
    ApiResult(T value) : v_(std::move(value)) {}
    ApiResult(ApiError error) : v_(std::move(error)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T& value() const { return std::get<0>(v_); }
    T& value() { return std::get<0>(v_); }
    const ApiError& error() const { return std::get<1>(v_); }

private:
    std::variant<T, ApiError> v_;
};

template <class T> using Done = std::function<void(const ApiResult<T>&)>;

// An answer before it is read as a shape: for calls the typed methods do not cover.
struct RawAnswer {
    int status = 0;
    QByteArray body;
    QByteArray etag; // the ETag header, when there is one
    QString call;    // "GET /policy", for messages
};

// Reads a shape from an answer the way the console reads every answer: leniently (members a
// newer gateway added are skipped), a missing required member being a BadAnswer.
template <class T> struct ShapeReader {
    static std::optional<T> read(std::string_view text, api::ReadError& error) {
        return api::fromJsonText<T>(text, error, api::Unknown::Skip);
    }
};
template <class T> struct ShapeReader<api::Page<T>> {
    static std::optional<api::Page<T>> read(std::string_view text, api::ReadError& error) {
        boost::system::error_code ec;
        const api::json::value j = api::json::parse(text, ec);
        if (ec) {
            error = {"", "the body is not valid JSON (" + ec.message() + ")"};
            return std::nullopt;
        }
        return api::pageFromJson<T>(j, error);
    }
};
// "The gateway's answer to GET /x was not what the API documents (...)".
ApiError badAnswer(const RawAnswer& answer, const api::ReadError& error);
template <class T> ApiResult<T> readAnswer(const ApiResult<RawAnswer>& raw) {
    if (!raw)
        return raw.error();
    api::ReadError error;
    const QByteArray& body = raw.value().body;
    auto shape = ShapeReader<T>::read(std::string_view(body.constData(), std::size_t(body.size())), error);
    if (!shape)
        return badAnswer(raw.value(), error);
    return std::move(*shape);
}

// Where the console talks to, and how it trusts the answer.
struct ServerAccess {
    QString origin;                             // "https://127.0.0.1:8443" (scheme, host, port; no path)
    QString token;                              // bearer token; never logged, never put in a URL
    QSslCertificate pinned = QSslCertificate(); // null: verify against the system's CAs
    bool isPinned() const { return !pinned.isNull(); }
};

// A policy version as the editor needs it: GET /policy and GET /policy/versions/{n}.
// (api::PolicyVersion carries yaml and etag.)

class AdminClient : public QObject {
    Q_OBJECT
public:
    explicit AdminClient(QObject* parent = nullptr);
    ~AdminClient() override;

    using Headers = QList<QPair<QByteArray, QByteArray>>;

    // Calls still waiting end with ApiError::Kind::Cancelled. Connections made under the old
    // access are dropped, so the next call verifies the certificate again.
    void setAccess(const ServerAccess& access);
    const ServerAccess& access() const { return access_; }
    int pending() const { return pending_; }
    // How long a call may take (0: the default of 30 s); replay() uses the replay timeout (120 s).
    void setTimeouts(int requestMs, int replayMs);
    // The role of the token, from the last successful whoAmI (for 403 messages); empty before.
    QString role() const { return role_; }

    void whoAmI(QObject* context, Done<api::WhoAmI> done);
    void status(QObject* context, Done<api::Status> done);
    // The running version with its yaml and etag.
    void currentPolicy(QObject* context, Done<api::PolicyVersion> done);
    // Newest first; `cursor` empty for the first page.
    void policyVersions(QObject* context, const QString& cursor, int limit, Done<api::Page<api::PolicyVersion>> done);
    void policyVersion(QObject* context, std::int64_t version, Done<api::PolicyVersion> done);
    // PUT /policy with If-Match: `etag` ("\"7\""). 412 → ApiError{type "precondition_failed",
    // detail.current_version}; 422 → type "invalid_policy", detail.diagnostics.
    void applyPolicy(QObject* context, const QString& yaml, const QString& comment, const QString& etag,
                     Done<api::PolicyVersion> done);
    void rollbackPolicy(QObject* context, std::int64_t version, const QString& comment, const QString& etag,
                        Done<api::PolicyVersion> done);
    // POST /policy/replay: the draft over the requests recorded in [from, to).
    void replay(QObject* context, const api::ReplayRequest& request, Done<api::Replay> done);
    void validatePolicy(QObject* context, const QString& yaml, Done<api::Validation> done);
    void simulate(QObject* context, const api::Simulate& request, Done<api::Simulation> done);
    // `to` < 0: the running version.
    void policyDiff(QObject* context, std::int64_t from, std::int64_t to, Done<api::PolicyDiff> done);
    void endpoints(QObject* context, Done<api::Page<api::EndpointShape>> done);
    void budgets(QObject* context, Done<api::Page<api::BudgetShape>> done);

    // Any resource of docs/admin-api.md: `pathAndQuery` is under /admin/v1 ("/keys?team=web";
    // build queries with withQuery()). The answer is read as T (api::Page<X> for lists).
    template <class T> void get(QObject* context, const QString& pathAndQuery, Done<T> done, int timeoutMs = 0) {
        request(context, "GET", pathAndQuery, QByteArray(), {}, timeoutMs,
                [done = std::move(done)](const ApiResult<RawAnswer>& raw) { done(readAnswer<T>(raw)); });
    }
    // POST/PUT/DELETE with a shape as the JSON body (api::toJsonText).
    template <class T, class Body>
    void send(QObject* context, const QByteArray& method, const QString& pathAndQuery, const Body& body, Done<T> done,
              const Headers& headers = {}, int timeoutMs = 0) {
        const std::string text = api::toJsonText(body);
        request(context, method, pathAndQuery, QByteArray(text.data(), qsizetype(text.size())), headers, timeoutMs,
                [done = std::move(done)](const ApiResult<RawAnswer>& raw) { done(readAnswer<T>(raw)); });
    }
    // The building block of every call. `jsonBody` null: no body. `timeoutMs` 0: the default.
    void request(QObject* context, const QByteArray& method, const QString& pathAndQuery, const QByteArray& jsonBody,
                 const Headers& headers, int timeoutMs, std::function<void(const ApiResult<RawAnswer>&)> done);

    // "/policy/versions" + {{"limit", "10"}, {"cursor", c}} → "/policy/versions?limit=10&cursor=…"
    // (values percent-encoded; empty values left out).
    static QString withQuery(const QString& path, const QList<QPair<QString, QString>>& query);

signals:
    void pendingChanged(int pending);
    // A call met a certificate other than the pinned one (the connection was refused).
    void certificateChanged(const QString& pinnedFingerprint, const QString& presentedFingerprint);

private:
    struct Call;
    void finished(QNetworkReply* reply);
    ApiResult<RawAnswer> answerOf(QNetworkReply* reply, Call& call);
    ApiError networkError(QNetworkReply* reply, const Call& call);
    ApiError httpError(const RawAnswer& answer);
    void setPending(int pending);

    ServerAccess access_;
    QNetworkAccessManager* network_ = nullptr;
    int pending_ = 0;
    int requestTimeoutMs_ = 30'000;
    int replayTimeoutMs_ = 120'000;
    QString role_;
    std::unordered_map<QNetworkReply*, std::unique_ptr<Call>> calls_;
};

} // namespace gh::console

Q_DECLARE_METATYPE(gh::console::ServerAccess)
Q_DECLARE_METATYPE(gh::api::WhoAmI)
