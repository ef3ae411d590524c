#include "app/certificate_trust.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QUrl>

namespace gh::console {

QString sha256Fingerprint(const QSslCertificate& certificate) {
    if (certificate.isNull())
        return {};
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

QString normalizedFingerprint(const QString& text) {
    QString hex = text;
    hex.remove(QRegularExpression(QStringLiteral("[\\s:]")));
    static const QRegularExpression allHex(QStringLiteral("^[0-9A-Fa-f]{64}$"));
    if (!allHex.match(hex).hasMatch())
        return {};
    return QString::fromLatin1(QByteArray::fromHex(hex.toLatin1()).toHex(':').toUpper());
}

std::optional<QSslCertificate> readCertificateFile(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = CertificateProbe::tr("Cannot read the certificate file %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
    if (certificates.isEmpty() || certificates.first().isNull()) {
        if (error)
            *error = CertificateProbe::tr("%1 holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the "
                                          "gateway's admin-cert.pem")
                         .arg(path);
        return std::nullopt;
    }
    return certificates.first();
}

std::optional<HostPort> hostPortOf(const QString& origin) {
    const QUrl url(origin, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("https") || url.host().isEmpty())
        return std::nullopt;
    return HostPort{url.host(), quint16(url.port(443))};
}

CertificateProbe::CertificateProbe(QObject* parent) : QObject(parent) {
    timeout_.setSingleShot(true);
    connect(&timeout_, &QTimer::timeout, this, [this] {
        finish(tr("%1 did not complete a TLS handshake within %2 seconds: is this the admin API's address "
                  "(admin_listen), and does a firewall let it through?")
                   .arg(result_.origin)
                   .arg(timeout_.interval() / 1000));
    });
}

CertificateProbe::~CertificateProbe() {
    if (socket_) {
        socket_->disconnect(this);
        socket_->abort();
    }
}

void CertificateProbe::start(const QString& origin, int timeoutMs) {
    abort();
    result_ = ProbeResult{};
    result_.origin = origin;
    sslErrorsText_.clear();
    const auto hostPort = hostPortOf(origin);
    if (!hostPort) {
        // Reported from the event loop, like every other outcome.
        QMetaObject::invokeMethod(
            this,
            [this, origin] {
                emitResult(tr("%1 is not an https:// address: the admin API is served over HTTPS only").arg(origin));
            },
            Qt::QueuedConnection);
        return;
    }
    socket_ = new QSslSocket(this);
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    socket_->setSslConfiguration(configuration);
    socket_->setPeerVerifyName(hostPort->host);

    // The handshake is never completed against errors (they are never ignored): the errors are
    // only recorded, together with the certificate the server presented, for the person to judge.
    connect(socket_, &QSslSocket::sslErrors, this, [this](const QList<QSslError>& errors) {
        QStringList texts;
        for (const QSslError& e : errors) {
            texts << e.errorString();
            if (result_.certificate.isNull() && !e.certificate().isNull())
                result_.certificate = e.certificate();
        }
        sslErrorsText_ = texts.join(QStringLiteral("; "));
        recordChain();
    });
    connect(socket_, &QSslSocket::encrypted, this, [this] {
        result_.trustedBySystem = true;
        recordChain();
        finish({});
    });
    connect(socket_, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (!result_.certificate.isNull()) {
            finish(sslErrorsText_.isEmpty() ? socket_->errorString() : sslErrorsText_);
            return;
        }
        switch (error) {
        case QAbstractSocket::ConnectionRefusedError:
            finish(tr("The gateway at %1 refused the connection: is gatehoused running, and is admin_listen this "
                      "address?")
                       .arg(result_.origin));
            break;
        case QAbstractSocket::HostNotFoundError:
            finish(tr("The host of %1 was not found: check the admin URL.").arg(result_.origin));
            break;
        case QAbstractSocket::SslHandshakeFailedError:
            finish(tr("%1 did not complete a TLS handshake (%2): is this the admin API's address rather than the "
                      "data path's?")
                       .arg(result_.origin, socket_->errorString()));
            break;
        default:
            finish(tr("Could not reach the gateway at %1: %2").arg(result_.origin, socket_->errorString()));
        }
    });
    timeout_.start(timeoutMs);
    socket_->connectToHostEncrypted(hostPort->host, hostPort->port);
}

void CertificateProbe::recordChain() {
    if (!socket_)
        return;
    const QList<QSslCertificate> chain = socket_->peerCertificateChain();
    if (!chain.isEmpty()) {
        result_.chain = chain;
        result_.certificate = chain.first();
    } else if (!socket_->peerCertificate().isNull()) {
        result_.certificate = socket_->peerCertificate();
        result_.chain = {result_.certificate};
    }
}

void CertificateProbe::abort() {
    if (!socket_)
        return;
    finish(tr("The check of %1's certificate was cancelled.").arg(result_.origin));
}

void CertificateProbe::finish(const QString& errorText) {
    if (!socket_)
        return;
    QSslSocket* socket = socket_;
    socket_ = nullptr;
    timeout_.stop();
    socket->disconnect(this);
    socket->abort(); // hang up: nothing but the handshake was ever sent
    socket->deleteLater();
    emitResult(errorText);
}

void CertificateProbe::emitResult(const QString& errorText) {
    result_.reachable = !result_.certificate.isNull();
    result_.fingerprint = sha256Fingerprint(result_.certificate);
    result_.errorText = errorText;
    emit finished(result_);
}

void CertificateProbe::probe(const QString& origin, QObject* context, std::function<void(const ProbeResult&)> done,
                             int timeoutMs) {
    auto* running = new CertificateProbe(context);
    connect(running, &CertificateProbe::finished, context ? context : running,
            [running, done = std::move(done)](const ProbeResult& result) {
                running->deleteLater();
                done(result);
            });
    running->start(origin, timeoutMs);
}

TrustDecision decideTrust(const QString& pinnedFingerprint, const ProbeResult& probe) {
    if (!probe.reachable)
        return TrustDecision::Unreachable;
    const QString pin = normalizedFingerprint(pinnedFingerprint);
    if (!pinnedFingerprint.isEmpty())
        return pin == probe.fingerprint ? TrustDecision::MatchesPin : TrustDecision::PinMismatch;
    return probe.trustedBySystem ? TrustDecision::TrustedBySystem : TrustDecision::UnknownSelfSigned;
}

} // namespace gh::console
