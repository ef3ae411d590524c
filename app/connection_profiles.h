#pragma once
// Connection profiles: which gateway the console talks to and how it trusts it. Kept in the
// settings (public data only: the admin URL, where the token comes from, and the pinned
// certificate with its fingerprint); the token itself is never written there (token_store.h).
#include "app/settings.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QSslCertificate>
#include <QString>

#include <optional>

namespace gh::console {

enum class TokenSource {
    Keychain,     // the operating system's keychain (session-only when there is none)
    Session,      // typed in, kept for this run only
    WorkspaceFile // read from a local workspace's 0600 admin.token on every connect
};
QString tokenSourceKey(TokenSource source); // "keychain" | "session" | "file"
std::optional<TokenSource> tokenSourceFromKey(const QString& key);

struct ConnectionProfile {
    QString id;     // stable, made once ("p-" + random hex); the keychain key
    QString name;   // what the person calls it ("staging gateway")
    QString origin; // "https://127.0.0.1:8443"
    TokenSource tokenSource = TokenSource::Keychain;
    QString tokenFile;    // for TokenSource::WorkspaceFile
    QByteArray pinnedPem; // the pinned certificate; empty: trust the system's CAs
    QString pinnedFingerprint;

    bool isPinned() const { return !pinnedPem.isEmpty(); }
    QSslCertificate pinnedCertificate() const;
    // Pins `certificate` (or, for a null one, removes the pin).
    void pin(const QSslCertificate& certificate);
    QString displayName() const { return name.isEmpty() ? origin : name; }
};

// "https://host:8443", "https://host:8443/", "https://host:8443/admin/v1" → "https://host:8443";
// empty and `error` set for anything else (http://, no host, a query...).
QString normalizeOrigin(const QString& url, QString* error = nullptr);

class ConnectionProfiles {
public:
    explicit ConnectionProfiles(Settings& settings) : settings_(settings) {}

    // In the order of their names.
    QList<ConnectionProfile> all() const;
    std::optional<ConnectionProfile> find(const QString& id) const;
    std::optional<ConnectionProfile> findByOrigin(const QString& origin) const;
    // Inserts or replaces by id; an empty id gets a new one. Returns the id.
    QString save(ConnectionProfile profile);
    void remove(const QString& id);

    QString lastUsedId() const { return settings_.value(settings::lastProfile); }
    void setLastUsed(const QString& id) { settings_.setValue(settings::lastProfile, id); }

    static QString newId();

private:
    Settings& settings_;
};

} // namespace gh::console

Q_DECLARE_METATYPE(gh::console::ConnectionProfile)
