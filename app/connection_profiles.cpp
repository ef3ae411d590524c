#include "app/connection_profiles.h"

#include "app/certificate_trust.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QUrl>

#include <algorithm>

namespace gh::console {

namespace {
const QString kGroup = QStringLiteral("profiles");

QString translate(const char* text) {
    return QCoreApplication::translate("gh::console::ConnectionProfiles", text);
}
} // namespace

QString tokenSourceKey(TokenSource source) {
    switch (source) {
    case TokenSource::Keychain:
        return QStringLiteral("keychain");
    case TokenSource::Session:
        return QStringLiteral("session");
    case TokenSource::WorkspaceFile:
        return QStringLiteral("file");
    }
    return QStringLiteral("keychain");
}

std::optional<TokenSource> tokenSourceFromKey(const QString& key) {
    for (TokenSource s : {TokenSource::Keychain, TokenSource::Session, TokenSource::WorkspaceFile})
        if (tokenSourceKey(s) == key)
            return s;
    return std::nullopt;
}

QSslCertificate ConnectionProfile::pinnedCertificate() const {
    if (pinnedPem.isEmpty())
        return QSslCertificate();
    return QSslCertificate(pinnedPem, QSsl::Pem);
}

void ConnectionProfile::pin(const QSslCertificate& certificate) {
    pinnedPem = certificate.isNull() ? QByteArray() : certificate.toPem();
    pinnedFingerprint = sha256Fingerprint(certificate);
}

QString normalizeOrigin(const QString& text, QString* error) {
    const auto fail = [error](const QString& message) {
        if (error)
            *error = message;
        return QString();
    };
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return fail(translate("Enter the gateway's admin URL, e.g. https://127.0.0.1:8443."));
    QUrl url(trimmed.contains(QLatin1String("://")) ? trimmed : QStringLiteral("https://") + trimmed, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return fail(translate("'%1' is not a URL: enter the admin URL, e.g. https://127.0.0.1:8443.").arg(trimmed));
    if (url.scheme() != QLatin1String("https"))
        return fail(
            translate("The admin API is served over HTTPS only: use https:// instead of %1://.").arg(url.scheme()));
    const QString path = url.path();
    if (!(path.isEmpty() || path == QLatin1String("/") || path == QLatin1String("/admin/v1") ||
          path == QLatin1String("/admin/v1/")))
        return fail(
            translate("The admin URL names a gateway, not a page: use https://HOST:PORT (without %1).").arg(path));
    if (url.hasQuery() || url.hasFragment() || !url.userInfo().isEmpty())
        return fail(translate("The admin URL must be just https://HOST:PORT (no user, query or fragment)."));
    if (error)
        error->clear();
    return url.adjusted(QUrl::RemovePath).toString(QUrl::FullyEncoded);
}

QList<ConnectionProfile> ConnectionProfiles::all() const {
    QSettings& s = settings_.store();
    QList<ConnectionProfile> profiles;
    s.beginGroup(kGroup);
    const QStringList ids = s.childGroups();
    s.endGroup();
    for (const QString& id : ids)
        if (auto p = find(id))
            profiles.append(*p);
    std::sort(profiles.begin(), profiles.end(), [](const ConnectionProfile& a, const ConnectionProfile& b) {
        return a.displayName().localeAwareCompare(b.displayName()) < 0;
    });
    return profiles;
}

std::optional<ConnectionProfile> ConnectionProfiles::find(const QString& id) const {
    if (id.isEmpty())
        return std::nullopt;
    QSettings& s = settings_.store();
    s.beginGroup(kGroup + QLatin1Char('/') + id);
    std::optional<ConnectionProfile> result;
    if (s.contains(QStringLiteral("origin"))) {
        ConnectionProfile p;
        p.id = id;
        p.name = s.value(QStringLiteral("name")).toString();
        p.origin = s.value(QStringLiteral("origin")).toString();
        p.tokenSource =
            tokenSourceFromKey(s.value(QStringLiteral("tokenSource")).toString()).value_or(TokenSource::Keychain);
        p.tokenFile = s.value(QStringLiteral("tokenFile")).toString();
        p.pinnedPem = s.value(QStringLiteral("pinnedCertificate")).toByteArray();
        p.pinnedFingerprint = s.value(QStringLiteral("pinnedFingerprint")).toString();
        // The fingerprint is recomputed from the certificate: the certificate is what is trusted.
        if (!p.pinnedPem.isEmpty())
            p.pinnedFingerprint = sha256Fingerprint(p.pinnedCertificate());
        result = p;
    }
    s.endGroup();
    return result;
}

std::optional<ConnectionProfile> ConnectionProfiles::findByOrigin(const QString& origin) const {
    for (const ConnectionProfile& p : all())
        if (p.origin == origin)
            return p;
    return std::nullopt;
}

QString ConnectionProfiles::newId() {
    return QStringLiteral("p-") + QString::number(QRandomGenerator::global()->generate64(), 16);
}

QString ConnectionProfiles::save(ConnectionProfile profile) {
    if (profile.id.isEmpty())
        profile.id = newId();
    QSettings& s = settings_.store();
    s.beginGroup(kGroup + QLatin1Char('/') + profile.id);
    s.setValue(QStringLiteral("name"), profile.name);
    s.setValue(QStringLiteral("origin"), profile.origin);
    s.setValue(QStringLiteral("tokenSource"), tokenSourceKey(profile.tokenSource));
    s.setValue(QStringLiteral("tokenFile"), profile.tokenFile);
    // PEM is ASCII; stored as text so that the settings file stays readable.
    s.setValue(QStringLiteral("pinnedCertificate"), QString::fromLatin1(profile.pinnedPem));
    s.setValue(QStringLiteral("pinnedFingerprint"), profile.pinnedFingerprint);
    s.endGroup();
    s.sync();
    return profile.id;
}

void ConnectionProfiles::remove(const QString& id) {
    if (id.isEmpty())
        return;
    QSettings& s = settings_.store();
    s.remove(kGroup + QLatin1Char('/') + id);
    if (lastUsedId() == id)
        settings_.reset(settings::lastProfile);
    s.sync();
}

} // namespace gh::console
