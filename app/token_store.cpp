#include "app/token_store.h"

#include <qt6keychain/keychain.h>

#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include <memory>

namespace gh::console {

namespace {
const QString kService = QStringLiteral("gatehouse");
} // namespace

// ---- TokenStore ----------------------------------------------------------------------------

void TokenStore::deliver(QObject* context, const TokenDone& done, const TokenOutcome& outcome) {
    // Posted to the context: a destroyed context drops the call, and the caller never sees its
    // callback run inside its own call.
    QMetaObject::invokeMethod(
        context ? context : this, [done, outcome] { done(outcome); }, Qt::QueuedConnection);
}

void TokenStore::read(const QString& profileId, QObject* context, TokenDone done) {
    const QPointer<QObject> guard(context);
    if (const auto it = session_.constFind(profileId); it != session_.constEnd()) {
        deliver(context, done, {TokenOutcome::Status::Ok, *it, true, {}});
        return;
    }
    if (availability() == Availability::SessionOnly) {
        deliver(context, done, {TokenOutcome::Status::NotFound, {}, true, {}});
        return;
    }
    readStored(profileId, [this, guard, hasContext = context != nullptr, done](const TokenOutcome& outcome) {
        if (hasContext && !guard)
            return;
        deliver(guard, done, outcome);
    });
}

void TokenStore::readSession(const QString& profileId, QObject* context, TokenDone done) {
    const auto it = session_.constFind(profileId);
    deliver(context, done,
            it != session_.constEnd() ? TokenOutcome{TokenOutcome::Status::Ok, *it, true, {}}
                                      : TokenOutcome{TokenOutcome::Status::NotFound, {}, true, {}});
}

void TokenStore::write(const QString& profileId, const QString& token, QObject* context, TokenDone done) {
    if (availability() == Availability::SessionOnly) {
        keepForSession(profileId, token);
        deliver(context, done, {TokenOutcome::Status::Ok, {}, true, {}});
        return;
    }
    const QPointer<QObject> guard(context);
    writeStored(profileId, token,
                [this, guard, hasContext = context != nullptr, done, profileId, token](const TokenOutcome& outcome) {
                    TokenOutcome result = outcome;
                    if (outcome.ok()) {
                        forgetForSession(profileId);
                    } else if (availability() == Availability::SessionOnly) {
                        // The keychain turned out to be absent: this run still has the token.
                        keepForSession(profileId, token);
                        result = {TokenOutcome::Status::Ok, {}, true, {}};
                    }
                    if (hasContext && !guard)
                        return;
                    deliver(guard, done, result);
                });
}

void TokenStore::remove(const QString& profileId, QObject* context, TokenDone done) {
    forgetForSession(profileId);
    if (availability() == Availability::SessionOnly) {
        deliver(context, done, {TokenOutcome::Status::Ok, {}, true, {}});
        return;
    }
    const QPointer<QObject> guard(context);
    removeStored(profileId, [this, guard, hasContext = context != nullptr, done](const TokenOutcome& outcome) {
        if (hasContext && !guard)
            return;
        TokenOutcome result = outcome;
        if (outcome.status == TokenOutcome::Status::NotFound || availability() == Availability::SessionOnly)
            result = {TokenOutcome::Status::Ok, {}, availability() == Availability::SessionOnly, {}};
        deliver(guard, done, result);
    });
}

QString TokenStore::availabilityText() const {
    if (availability() == Availability::SessionOnly)
        return tr("No keychain is available on this machine: the token is kept for this session only.");
    return {};
}

// ---- KeychainTokenStore --------------------------------------------------------------------

KeychainTokenStore::KeychainTokenStore(QObject* parent) : TokenStore(parent) {}

void KeychainTokenStore::setAvailability(Availability availability) {
    if (availability_ == availability)
        return;
    availability_ = availability;
    emit availabilityChanged(availability);
}

void KeychainTokenStore::checkAvailability(QObject* context, std::function<void(Availability)> done) {
    const QPointer<QObject> guard(context);
    // Reading an entry nobody writes: "not found" means a keychain answered.
    run(Op::Read, QStringLiteral("gatehouse-keychain-check"), {},
        [this, guard, hasContext = context != nullptr, done](const TokenOutcome&) {
            if (done && !(hasContext && !guard))
                done(availability_);
        });
}

void KeychainTokenStore::readStored(const QString& profileId, TokenDone done) {
    run(Op::Read, profileId, {}, std::move(done));
}

void KeychainTokenStore::writeStored(const QString& profileId, const QString& token, TokenDone done) {
    run(Op::Write, profileId, token, std::move(done));
}

void KeychainTokenStore::removeStored(const QString& profileId, TokenDone done) {
    run(Op::Remove, profileId, {}, std::move(done));
}

void KeychainTokenStore::run(Op op, const QString& profileId, const QString& token, TokenDone done) {
    QKeychain::Job* job = nullptr;
    switch (op) {
    case Op::Read:
        job = new QKeychain::ReadPasswordJob(kService);
        break;
    case Op::Write: {
        auto* write = new QKeychain::WritePasswordJob(kService);
        write->setTextData(token);
        job = write;
        break;
    }
    case Op::Remove:
        job = new QKeychain::DeletePasswordJob(kService);
        break;
    }
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain-text file instead of a keychain
    job->setKey(profileId);

    // Whichever comes first, the job's answer or the timeout, decides; the other is ignored.
    auto answered = std::make_shared<bool>(false);
    auto* timer = new QTimer(this);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, answered, timer, done] {
        timer->deleteLater();
        if (*answered)
            return;
        *answered = true;
        setAvailability(Availability::SessionOnly);
        done({TokenOutcome::Status::Failed,
              {},
              false,
              tr("The keychain did not answer within %1 seconds.").arg(jobTimeoutMs_ / 1000)});
    });
    connect(job, &QKeychain::Job::finished, this, [this, answered, timer, done, op](QKeychain::Job* finished) {
        if (*answered)
            return;
        *answered = true;
        timer->stop();
        timer->deleteLater();
        const QKeychain::Error error = finished->error();
        switch (error) {
        case QKeychain::NoError:
            setAvailability(Availability::Available);
            if (op == Op::Read)
                done({TokenOutcome::Status::Ok,
                      static_cast<QKeychain::ReadPasswordJob*>(finished)->textData(),
                      false,
                      {}});
            else
                done({TokenOutcome::Status::Ok, {}, false, {}});
            return;
        case QKeychain::EntryNotFound:
            setAvailability(Availability::Available);
            done({TokenOutcome::Status::NotFound, {}, false, {}});
            return;
        case QKeychain::AccessDeniedByUser:
        case QKeychain::AccessDenied:
            done({TokenOutcome::Status::Failed,
                  {},
                  false,
                  tr("The keychain refused access (%1): unlock it, or allow gatehouse to use it.")
                      .arg(finished->errorString())});
            return;
        case QKeychain::NoBackendAvailable:
        case QKeychain::NotImplemented:
        case QKeychain::CouldNotDeleteEntry:
        case QKeychain::OtherError:
            break;
        }
        // No Secret Service or KWallet on the session bus (or no session bus at all) ends up here
        // as NoBackendAvailable or as OtherError with a D-Bus message: either way no keychain
        // can keep the token.
        if (error != QKeychain::CouldNotDeleteEntry)
            setAvailability(Availability::SessionOnly);
        done({TokenOutcome::Status::Failed, {}, false, tr("The keychain failed: %1").arg(finished->errorString())});
    });
    timer->start(jobTimeoutMs_);
    job->start();
}

// ---- MemoryTokenStore ----------------------------------------------------------------------

MemoryTokenStore::MemoryTokenStore(Mode mode, QObject* parent) : TokenStore(parent), mode_(mode) {}

std::optional<QString> MemoryTokenStore::stored(const QString& profileId) const {
    const auto it = tokens_.constFind(profileId);
    if (it == tokens_.constEnd())
        return std::nullopt;
    return *it;
}

void MemoryTokenStore::readStored(const QString& profileId, TokenDone done) {
    const auto it = tokens_.constFind(profileId);
    if (it == tokens_.constEnd())
        done({TokenOutcome::Status::NotFound, {}, false, {}});
    else
        done({TokenOutcome::Status::Ok, *it, false, {}});
}

void MemoryTokenStore::writeStored(const QString& profileId, const QString& token, TokenDone done) {
    tokens_.insert(profileId, token);
    ++writes_;
    done({TokenOutcome::Status::Ok, {}, false, {}});
}

void MemoryTokenStore::removeStored(const QString& profileId, TokenDone done) {
    const bool found = tokens_.remove(profileId) > 0;
    done({found ? TokenOutcome::Status::Ok : TokenOutcome::Status::NotFound, {}, false, {}});
}

// ---- the workspace's token file --------------------------------------------------------------

TokenFileResult readWorkspaceTokenFile(const QString& path) {
    const QFileInfo info(path);
    if (!info.exists())
        return {{},
                TokenStore::tr("The token file %1 does not exist: `gatehoused init` writes it as "
                               "WORKSPACE/admin.token.")
                    .arg(path)};
    if (!info.isFile())
        return {{}, TokenStore::tr("%1 is not a file: give the workspace's admin.token.").arg(path)};
    const QFileDevice::Permissions shared = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                                            QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    const QFileDevice::Permissions permissions = info.permissions();
    if (permissions & shared) {
        int mode = 0;
        const std::pair<QFileDevice::Permission, int> bits[] = {
            {QFileDevice::ReadOwner, 0400}, {QFileDevice::WriteOwner, 0200}, {QFileDevice::ExeOwner, 0100},
            {QFileDevice::ReadGroup, 040},  {QFileDevice::WriteGroup, 020},  {QFileDevice::ExeGroup, 010},
            {QFileDevice::ReadOther, 04},   {QFileDevice::WriteOther, 02},   {QFileDevice::ExeOther, 01}};
        for (const auto& [bit, value] : bits)
            if (permissions & bit)
                mode |= value;
        return {{},
                TokenStore::tr("%1 may be read or changed by other users (mode %2): a token file must be "
                               "private (0600, as `gatehoused init` writes it). Run `chmod 600 %1`, and as "
                               "others may have read the token, ask an admin to revoke it and issue a new one.")
                    .arg(path, QString::number(mode, 8).rightJustified(4, QLatin1Char('0')))};
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {{}, TokenStore::tr("Cannot read the token file %1: %2").arg(path, file.errorString())};
    const QByteArray text = file.read(64 * 1024);
    const QString token = QString::fromUtf8(text.split('\n').value(0)).trimmed();
    if (token.isEmpty())
        return {{},
                TokenStore::tr("The token file %1 is empty: it should hold the admin token (gha_…) that "
                               "`gatehoused init` or POST /admin/v1/tokens gave.")
                    .arg(path)};
    return {token, {}};
}

} // namespace gh::console
