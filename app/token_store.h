#pragma once
// Where a connection profile's admin token is kept. Never in the settings file: in the operating
// system's keychain (QtKeychain, insecure fallback off), or, where there is no keychain (a bare
// server, CI), in memory for this run only, which the console says. A local workspace's 0600
// token file can be read instead. Tests inject a MemoryTokenStore.
//
// Keychain jobs are asynchronous (a desktop keychain may even ask the person to unlock it), so
// every operation takes a context and a callback; the callback never runs after the context is
// destroyed, and never inside the call itself.
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <optional>

namespace gh::console {

struct TokenOutcome {
    enum class Status {
        Ok,       // read: `token` holds it; write/remove: done
        NotFound, // read: nothing stored for this profile
        Failed    // `message` says why
    };
    Status status = Status::Ok;
    QString token;
    bool sessionOnly = false; // the token is (or was read from) memory for this run only
    QString message;
    bool ok() const { return status == Status::Ok; }
};
using TokenDone = std::function<void(const TokenOutcome&)>;

class TokenStore : public QObject {
    Q_OBJECT
public:
    enum class Availability {
        Unknown,    // not yet found out (KeychainTokenStore before its first job)
        Available,  // tokens are kept across runs
        SessionOnly // no keychain: tokens are kept in memory for this run only
    };

    using QObject::QObject;

    void read(const QString& profileId, QObject* context, TokenDone done);
    // The token kept for this session only (a profile whose source is "session"): the keychain
    // is not consulted, so an old keychain entry of the profile is never used behind its back.
    void readSession(const QString& profileId, QObject* context, TokenDone done);
    void write(const QString& profileId, const QString& token, QObject* context, TokenDone done);
    void remove(const QString& profileId, QObject* context, TokenDone done);

    // Keeps the token in memory for this run only (the "session" token source, or when there
    // is no keychain); read() finds it first.
    void keepForSession(const QString& profileId, const QString& token) { session_.insert(profileId, token); }
    void forgetForSession(const QString& profileId) { session_.remove(profileId); }

    virtual Availability availability() const = 0;
    // One sentence for the connection dialog; empty while nothing needs saying.
    QString availabilityText() const;

signals:
    void availabilityChanged(gh::console::TokenStore::Availability availability);

protected:
    // The persistent store's part: `done` may run synchronously here; the base class defers it.
    virtual void readStored(const QString& profileId, TokenDone done) = 0;
    virtual void writeStored(const QString& profileId, const QString& token, TokenDone done) = 0;
    virtual void removeStored(const QString& profileId, TokenDone done) = 0;
    // Runs `done(outcome)` from the event loop, unless `context` is gone by then.
    void deliver(QObject* context, const TokenDone& done, const TokenOutcome& outcome);

private:
    QHash<QString, QString> session_;
};

// The operating system's keychain, service "gatehouse", key = profile id.
class KeychainTokenStore : public TokenStore {
    Q_OBJECT
public:
    explicit KeychainTokenStore(QObject* parent = nullptr);

    Availability availability() const override { return availability_; }
    // Finds out whether a keychain answers (a read of an entry that does not exist), so that the
    // dialog can say so before the person types a token. `done` may be empty.
    void checkAvailability(QObject* context, std::function<void(Availability)> done);
    // How long a keychain job may take before the keychain is taken to be absent (a D-Bus
    // service that never answers).
    void setJobTimeout(int ms) { jobTimeoutMs_ = ms; }

protected:
    void readStored(const QString& profileId, TokenDone done) override;
    void writeStored(const QString& profileId, const QString& token, TokenDone done) override;
    void removeStored(const QString& profileId, TokenDone done) override;

private:
    enum class Op { Read, Write, Remove };
    void run(Op op, const QString& profileId, const QString& token, TokenDone done);
    void setAvailability(Availability availability);

    Availability availability_ = Availability::Unknown;
    int jobTimeoutMs_ = 10'000;
};

// In memory: for tests, and as what a keychain-less machine amounts to (mode SessionOnly).
class MemoryTokenStore : public TokenStore {
    Q_OBJECT
public:
    enum class Mode { Persistent, SessionOnly };
    explicit MemoryTokenStore(Mode mode = Mode::Persistent, QObject* parent = nullptr);

    Availability availability() const override {
        return mode_ == Mode::Persistent ? Availability::Available : Availability::SessionOnly;
    }
    // What is stored "persistently", for tests.
    std::optional<QString> stored(const QString& profileId) const;
    int writes() const { return writes_; }

protected:
    void readStored(const QString& profileId, TokenDone done) override;
    void writeStored(const QString& profileId, const QString& token, TokenDone done) override;
    void removeStored(const QString& profileId, TokenDone done) override;

private:
    Mode mode_;
    QHash<QString, QString> tokens_;
    int writes_ = 0;
};

// A workspace's token file (WORKSPACE/admin.token, as `gatehoused init` writes it): the token,
// or an error a person can act on. A file that group or others may read is refused: the token in
// it must be taken as leaked, and a console that used it would teach that this is fine.
struct TokenFileResult {
    QString token;
    QString error;
    bool ok() const { return error.isEmpty(); }
};
TokenFileResult readWorkspaceTokenFile(const QString& path);

} // namespace gh::console
