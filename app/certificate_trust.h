#pragma once
// Trust on first use for the admin API's certificate. `gatehoused init` makes a self-signed
// certificate and prints its SHA-256 fingerprint; the console shows the fingerprint it is
// presented on first connection, the person compares the two, and from then on the profile pins
// that certificate: a different one is refused with a warning, never silently accepted.
//
// The probe only runs the TLS handshake and hangs up: no application data, hence no token, ever
// reaches a server whose certificate has not been checked.
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QString>
#include <QTimer>

#include <functional>
#include <optional>

class QSslSocket;

namespace gh::console {

// SHA-256 of the DER certificate as upper-case hex pairs joined by ':' (95 characters), as
// `gatehoused init` and `openssl x509 -fingerprint -sha256` print it. Empty for a null certificate.
QString sha256Fingerprint(const QSslCertificate& certificate);
// The same fingerprint written in any case, with or without colons or spaces → canonical form;
// empty when `text` is not 32 bytes of hex.
QString normalizedFingerprint(const QString& text);

// The first certificate of a PEM file (`--certificate FILE`, WORKSPACE/admin-cert.pem).
std::optional<QSslCertificate> readCertificateFile(const QString& path, QString* error);

// "https://host:port" → host and port (443 when the URL names none).
struct HostPort {
    QString host;
    quint16 port = 0;
};
std::optional<HostPort> hostPortOf(const QString& origin);

struct ProbeResult {
    QString origin;
    bool reachable = false;                          // a TLS server answered and presented a certificate
    QSslCertificate certificate = QSslCertificate(); // the server's certificate (the chain's first)
    QList<QSslCertificate> chain;
    QString fingerprint;          // sha256Fingerprint(certificate)
    bool trustedBySystem = false; // verified against the system's CAs, host name included
    QString errorText;            // why it is not trusted by the system, or why it was unreachable
};

// One probe: connect, handshake, hang up. Emits finished() exactly once (also on a timeout or
// abort()), then may be deleted.
class CertificateProbe : public QObject {
    Q_OBJECT
public:
    explicit CertificateProbe(QObject* parent = nullptr);
    ~CertificateProbe() override;

    void start(const QString& origin, int timeoutMs = 15'000);
    void abort();
    bool isRunning() const { return socket_ != nullptr; }

    // Convenience: a probe owned by `context` whose result goes to `done` (not run if `context`
    // is destroyed first).
    static void probe(const QString& origin, QObject* context, std::function<void(const ProbeResult&)> done,
                      int timeoutMs = 15'000);

signals:
    void finished(const gh::console::ProbeResult& result);

private:
    void finish(const QString& errorText);
    void emitResult(const QString& errorText);
    void recordChain();

    QSslSocket* socket_ = nullptr;
    QTimer timeout_;
    ProbeResult result_;
    QString sslErrorsText_;
};

enum class TrustDecision {
    TrustedBySystem,   // no pin, and a CA the system trusts vouches for it: connect
    MatchesPin,        // the pinned certificate: connect
    UnknownSelfSigned, // no pin and not trusted by the system: show the fingerprint and ask
    PinMismatch,       // pinned, and another certificate is presented: refuse, show both
    Unreachable        // no TLS server answered: show errorText
};
// `pinnedFingerprint` empty: the profile pins nothing.
TrustDecision decideTrust(const QString& pinnedFingerprint, const ProbeResult& probe);

} // namespace gh::console

Q_DECLARE_METATYPE(gh::console::ProbeResult)
