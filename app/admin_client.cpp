#include "app/admin_client.h"

#include "app/certificate_trust.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QSslError>
#include <QUrl>

namespace gh::console {

namespace {
QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}
} // namespace

struct AdminClient::Call {
    QPointer<QObject> context;
    bool hasContext = false;
    bool contextGone = false;     // aborted because the context was destroyed: no callback
    bool cancelled = false;       // aborted by setAccess()
    QString presentedFingerprint; // set when `encrypted` met a certificate other than the pinned one
    int timeoutMs = 0;
    QList<QSslError> sslErrors;
    QString what; // "GET /policy"
    std::function<void(const ApiResult<RawAnswer>&)> done;
    QMetaObject::Connection contextWatch;
};

ApiError badAnswer(const RawAnswer& answer, const api::ReadError& error) {
    ApiError e;
    e.kind = ApiError::Kind::BadAnswer;
    e.status = answer.status;
    e.message = AdminClient::tr("The gateway's answer to %1 was not what the admin API documents (%2): are the "
                                "console and gatehoused of matching versions?")
                    .arg(answer.call, fromStd(error.text()));
    return e;
}

AdminClient::AdminClient(QObject* parent) : QObject(parent), network_(new QNetworkAccessManager(this)) {
    // Answers are never cached, redirects never followed (a redirect could carry the token
    // elsewhere), and no cookies are kept.
    network_->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

AdminClient::~AdminClient() {
    // No callback runs after the client is gone: the replies die with the network manager.
    for (auto& [reply, call] : calls_) {
        reply->disconnect(this);
        disconnect(call->contextWatch);
        call->done = nullptr;
    }
}

void AdminClient::setTimeouts(int requestMs, int replayMs) {
    requestTimeoutMs_ = requestMs > 0 ? requestMs : 30'000;
    replayTimeoutMs_ = replayMs > 0 ? replayMs : 120'000;
}

void AdminClient::setPending(int pending) {
    if (pending_ == pending)
        return;
    pending_ = pending;
    emit pendingChanged(pending_);
}

void AdminClient::setAccess(const ServerAccess& access) {
    QList<QNetworkReply*> waiting;
    for (auto& [reply, call] : calls_) {
        call->cancelled = true;
        waiting.append(reply);
    }
    access_ = access;
    role_.clear();
    for (QNetworkReply* reply : waiting)
        reply->abort(); // finished() runs now and reports Cancelled
    // A kept-alive connection was verified under the old access: it must not serve the new one.
    network_->clearConnectionCache();
    network_->clearAccessCache();
}

QString AdminClient::withQuery(const QString& path, const QList<QPair<QString, QString>>& query) {
    QString out = path;
    QChar separator = path.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?');
    for (const auto& [name, value] : query) {
        if (value.isEmpty())
            continue;
        out += separator + QString::fromLatin1(QUrl::toPercentEncoding(name)) + QLatin1Char('=') +
               QString::fromLatin1(QUrl::toPercentEncoding(value));
        separator = QLatin1Char('&');
    }
    return out;
}

void AdminClient::request(QObject* context, const QByteArray& method, const QString& pathAndQuery,
                          const QByteArray& jsonBody, const Headers& headers, int timeoutMs,
                          std::function<void(const ApiResult<RawAnswer>&)> done) {
    auto call = std::make_unique<Call>();
    call->context = context;
    call->hasContext = context != nullptr;
    call->timeoutMs = timeoutMs > 0 ? timeoutMs : requestTimeoutMs_;
    call->what = QString::fromLatin1(method) + QLatin1Char(' ') + pathAndQuery.section(QLatin1Char('?'), 0, 0);
    call->done = std::move(done);

    QNetworkRequest request(QUrl(access_.origin + QStringLiteral("/admin/v1") + pathAndQuery));
    // The token goes in a header only: never in the URL, never in a message or a log line.
    if (!access_.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + access_.token.toUtf8());
    request.setRawHeader("Accept", "application/json");
    if (!jsonBody.isNull())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto& [name, value] : headers)
        request.setRawHeader(name, value);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setTransferTimeout(call->timeoutMs);

    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (access_.isPinned())
        tls.setCaCertificates({access_.pinned}); // the pinned certificate is the only CA; no system CAs
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    request.setSslConfiguration(tls);

    QNetworkReply* reply = jsonBody.isNull() && method == "GET"
                               ? network_->get(request)
                               : network_->sendCustomRequest(request, method, jsonBody);
    Call* raw = call.get();
    calls_.emplace(reply, std::move(call));
    setPending(pending_ + 1);

    connect(reply, &QNetworkReply::sslErrors, this, [raw](const QList<QSslError>& errors) {
        raw->sslErrors = errors; // recorded to explain the failure; never ignored
    });
    if (access_.isPinned()) {
        // Emitted after the handshake and before any byte of the request (QNetworkAccessManager
        // blocks its HTTP thread on it): the last moment to keep the token from a certificate
        // other than the pinned one.
        const QString pinned = sha256Fingerprint(access_.pinned);
        connect(reply, &QNetworkReply::encrypted, this, [raw, reply, pinned] {
            const QString presented = sha256Fingerprint(reply->sslConfiguration().peerCertificate());
            if (presented != pinned) {
                raw->presentedFingerprint = presented;
                reply->abort();
            }
        });
    }
    connect(reply, &QNetworkReply::finished, this, [this, reply] { finished(reply); });
    if (context && context != this)
        raw->contextWatch = connect(context, &QObject::destroyed, reply, [raw, reply] {
            raw->contextGone = true;
            reply->abort();
        });
}

void AdminClient::finished(QNetworkReply* reply) {
    auto node = calls_.extract(reply);
    if (node.empty())
        return;
    std::unique_ptr<Call> call = std::move(node.mapped());
    reply->disconnect(this);
    disconnect(call->contextWatch);
    reply->deleteLater();
    ApiResult<RawAnswer> result = answerOf(reply, *call);
    setPending(pending_ - 1);
    if (!call->done || call->contextGone || (call->hasContext && !call->context))
        return;
    call->done(result);
}

ApiResult<RawAnswer> AdminClient::answerOf(QNetworkReply* reply, Call& call) {
    RawAnswer answer;
    answer.call = call.what;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->isOpen()) // an aborted reply is closed
        answer.body = reply->readAll();
    answer.etag = reply->rawHeader("ETag");

    if (call.cancelled) {
        ApiError e;
        e.kind = ApiError::Kind::Cancelled;
        e.message = tr("%1 was cancelled: the console changed its connection while it waited.").arg(call.what);
        return e;
    }
    const QString pinned = sha256Fingerprint(access_.pinned);
    QString presented = call.presentedFingerprint;
    if (access_.isPinned() && presented.isEmpty() && reply->error() == QNetworkReply::SslHandshakeFailedError) {
        // Verification against the pinned certificate failed: was another certificate presented
        // (changed), or the pinned one with a problem of its own (expired, wrong host name)?
        for (const QSslError& e : call.sslErrors)
            if (!e.certificate().isNull()) {
                presented = sha256Fingerprint(e.certificate());
                break;
            }
        if (presented.isEmpty())
            presented = sha256Fingerprint(reply->sslConfiguration().peerCertificate());
        if (presented == pinned)
            presented.clear();
    }
    if (access_.isPinned() && presented.isEmpty() && answer.status > 0) {
        const QString answered = sha256Fingerprint(reply->sslConfiguration().peerCertificate());
        if (!answered.isEmpty() && answered != pinned)
            presented = answered;
    }
    if (!presented.isEmpty()) {
        emit certificateChanged(pinned, presented);
        ApiError e;
        e.kind = ApiError::Kind::CertificateChanged;
        e.message = tr("The gateway at %1 presented a certificate other than the pinned one, so the console did not "
                       "send anything to it.\nPinned:    %2\nPresented: %3\nIf the gateway's certificate was replaced "
                       "on purpose, forget the pinned certificate in the connection dialog and compare the new "
                       "fingerprint with the one its administrator gives you; otherwise someone may be "
                       "intercepting the connection.")
                        .arg(access_.origin, pinned, presented);
        return e;
    }
    if (answer.status == 0)
        return networkError(reply, call);
    if (answer.status >= 200 && answer.status < 300)
        return answer;
    return httpError(answer);
}

ApiError AdminClient::networkError(QNetworkReply* reply, const Call& call) {
    ApiError e;
    e.kind = ApiError::Kind::Network;
    const QString origin = access_.origin;
    switch (reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
        e.message = tr("The gateway at %1 refused the connection: is gatehoused running, and is admin_listen this "
                       "address?")
                        .arg(origin);
        break;
    case QNetworkReply::HostNotFoundError:
        e.message = tr("The host of %1 was not found: check the admin URL.").arg(origin);
        break;
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // setTransferTimeout aborts this way
        e.message = tr("The gateway at %1 did not answer %2 within %3 seconds: it may be busy or unreachable. Try "
                       "again; if it persists, check the network and gatehoused's log.")
                        .arg(origin, call.what)
                        .arg(call.timeoutMs / 1000);
        break;
    case QNetworkReply::RemoteHostClosedError:
        e.message = tr("The gateway at %1 closed the connection without answering: is this the admin API's "
                       "address (admin_listen) rather than the data path's?")
                        .arg(origin);
        break;
    case QNetworkReply::SslHandshakeFailedError: {
        e.kind = ApiError::Kind::Tls;
        QStringList problems;
        for (const QSslError& error : call.sslErrors)
            problems << error.errorString();
        if (problems.isEmpty())
            problems << reply->errorString();
        problems.removeDuplicates();
        if (access_.isPinned())
            e.message = tr("The pinned certificate of %1 is not valid for this connection (%2): check the admin "
                           "URL's host name and the certificate's expiry.")
                            .arg(origin, problems.join(QStringLiteral("; ")));
        else
            e.message = tr("The certificate of %1 could not be verified (%2). A gateway with the self-signed "
                           "certificate of `gatehoused init` must be pinned: connect through the connection "
                           "dialog and compare its fingerprint, or start gatehouse with --certificate "
                           "WORKSPACE/admin-cert.pem.")
                            .arg(origin, problems.join(QStringLiteral("; ")));
        break;
    }
    default:
        e.message = tr("Could not reach the gateway at %1: %2").arg(origin, reply->errorString());
    }
    return e;
}

ApiError AdminClient::httpError(const RawAnswer& answer) {
    ApiError e;
    e.kind = ApiError::Kind::Http;
    e.status = answer.status;
    api::ReadError readError;
    const auto body = api::fromJsonText<api::ErrorBody>(
        std::string_view(answer.body.constData(), std::size_t(answer.body.size())), readError, api::Unknown::Skip);
    if (body) {
        e.detail = body->error;
        e.type = fromStd(body->error.type);
        e.field = fromStd(body->error.field.value_or(std::string()));
    }
    const QString apiMessage = body ? fromStd(body->error.message) : QString();
    switch (answer.status) {
    case 401:
        e.message = tr("The token was not accepted (401): it may be revoked or expired; ask an admin for a new one.");
        break;
    case 403:
        e.message = tr("This token's role (%1) may not do this (403): %2 Ask an admin for a token with a role "
                       "that may.")
                        .arg(role_.isEmpty() ? tr("unknown") : role_, apiMessage);
        break;
    default:
        if (!apiMessage.isEmpty())
            e.message =
                answer.status >= 500
                    ? tr("The gateway could not do %1 (%2): %3").arg(answer.call).arg(answer.status).arg(apiMessage)
                    : apiMessage;
        else
            e.message = tr("The gateway at %1 answered %2 with HTTP %3 and no error description: is this the "
                           "admin API's address?")
                            .arg(access_.origin, answer.call)
                            .arg(answer.status);
    }
    return e;
}

// ---- the typed calls -------------------------------------------------------------------------

void AdminClient::whoAmI(QObject* context, Done<api::WhoAmI> done) {
    get<api::WhoAmI>(context, QStringLiteral("/whoami"),
                     [this, done = std::move(done)](const ApiResult<api::WhoAmI>& r) {
                         if (r)
                             role_ = fromStd(r.value().role);
                         done(r);
                     });
}

void AdminClient::status(QObject* context, Done<api::Status> done) {
    get<api::Status>(context, QStringLiteral("/status"), std::move(done));
}

void AdminClient::currentPolicy(QObject* context, Done<api::PolicyVersion> done) {
    get<api::PolicyVersion>(context, QStringLiteral("/policy"), std::move(done));
}

void AdminClient::policyVersions(QObject* context, const QString& cursor, int limit,
                                 Done<api::Page<api::PolicyVersion>> done) {
    get<api::Page<api::PolicyVersion>>(
        context,
        withQuery(QStringLiteral("/policy/versions"),
                  {{QStringLiteral("limit"), limit > 0 ? QString::number(limit) : QString()},
                   {QStringLiteral("cursor"), cursor}}),
        std::move(done));
}

void AdminClient::policyVersion(QObject* context, std::int64_t version, Done<api::PolicyVersion> done) {
    get<api::PolicyVersion>(context, QStringLiteral("/policy/versions/%1").arg(version), std::move(done));
}

void AdminClient::applyPolicy(QObject* context, const QString& yaml, const QString& comment, const QString& etag,
                              Done<api::PolicyVersion> done) {
    send<api::PolicyVersion>(context, "PUT", QStringLiteral("/policy"),
                             api::ApplyPolicy{yaml.toStdString(), comment.toStdString()}, std::move(done),
                             {{"If-Match", etag.toUtf8()}});
}

void AdminClient::rollbackPolicy(QObject* context, std::int64_t version, const QString& comment, const QString& etag,
                                 Done<api::PolicyVersion> done) {
    send<api::PolicyVersion>(context, "POST", QStringLiteral("/policy/rollback"),
                             api::RollbackPolicy{version, comment.toStdString()}, std::move(done),
                             {{"If-Match", etag.toUtf8()}});
}

void AdminClient::replay(QObject* context, const api::ReplayRequest& request, Done<api::Replay> done) {
    send<api::Replay>(context, "POST", QStringLiteral("/policy/replay"), request, std::move(done), {},
                      replayTimeoutMs_);
}

void AdminClient::validatePolicy(QObject* context, const QString& yaml, Done<api::Validation> done) {
    send<api::Validation>(context, "POST", QStringLiteral("/policy/validate"), api::PolicyText{yaml.toStdString()},
                          std::move(done));
}

void AdminClient::simulate(QObject* context, const api::Simulate& request, Done<api::Simulation> done) {
    send<api::Simulation>(context, "POST", QStringLiteral("/policy/simulate"), request, std::move(done));
}

void AdminClient::policyDiff(QObject* context, std::int64_t from, std::int64_t to, Done<api::PolicyDiff> done) {
    get<api::PolicyDiff>(
        context,
        withQuery(QStringLiteral("/policy/diff"), {{QStringLiteral("from"), QString::number(from)},
                                                   {QStringLiteral("to"), to >= 0 ? QString::number(to) : QString()}}),
        std::move(done));
}

void AdminClient::endpoints(QObject* context, Done<api::Page<api::EndpointShape>> done) {
    get<api::Page<api::EndpointShape>>(context, QStringLiteral("/endpoints"), std::move(done));
}

void AdminClient::budgets(QObject* context, Done<api::Page<api::BudgetShape>> done) {
    get<api::Page<api::BudgetShape>>(context, QStringLiteral("/budgets"), std::move(done));
}

} // namespace gh::console
