#pragma once
// Shared by the console's suites: a real gatehoused with its admin API (and a mock upstream),
// the console's access to it (its admin token, its certificate pinned), an isolated settings
// file with the connection profiles over it, an in-memory token store, and a helper that waits
// for an asynchronous admin API answer while the event loop runs.
//
// No raw string literals here or in the suites: moc's tokenizer does not know them.
#include "app/admin_client.h"
#include "app/certificate_trust.h"
#include "app/connection_profiles.h"
#include "app/settings.h"
#include "app/token_store.h"
#include "support/e2e.h"

#include <QFile>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

namespace gh::test {

// The gateway's admin certificate (WORKSPACE/admin-cert.pem).
inline QSslCertificate gatewayCertificate(const Gateway& gw) {
    QFile f(gw.adminCertFile());
    if (!f.open(QIODevice::ReadOnly))
        return QSslCertificate();
    return QSslCertificate(f.readAll(), QSsl::Pem);
}

// The console's access to `gw`: its admin origin, its first admin token, its certificate pinned.
inline console::ServerAccess accessFor(const Gateway& gw) {
    return {gw.adminOrigin(), gw.adminToken(), gatewayCertificate(gw)};
}

// tests/e2e_admin/admin_policy.yaml for the mock at `mockUrl` (no extra routes).
inline QString consolePolicy(const QString& mockUrl) {
    QFile f(QStringLiteral(GATEHOUSE_SOURCE_DIR "/tests/e2e_admin/admin_policy.yaml"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    QString text = QString::fromUtf8(f.readAll());
    text.replace(QStringLiteral("{{ROUTES}}"), QString());
    text.replace(QStringLiteral("{{STRICT}}"), mockUrl);
    text.replace(QStringLiteral("{{MOCK}}"), mockUrl);
    return text;
}

// A mock upstream and a gatehoused with its admin API on a free port.
struct ConsoleGateway {
    MockUpstream mock;
    Gateway gateway;

    bool start() {
        if (gatehousedPath().isEmpty() || mockUpstreamPath().isEmpty()) {
            qWarning("GATEHOUSED and MOCK_UPSTREAM must name the built programs");
            return false;
        }
        if (!mock.start() || !gateway.init())
            return false;
        gateway.writePolicy(consolePolicy(mock.url()), mock.url());
        if (!gateway.start())
            return false;
        if (gateway.adminPort() == 0) {
            qWarning("gatehoused printed no admin listening line: %s",
                     qPrintable(gateway.process().startupLines().join('\n')));
            return false;
        }
        return true;
    }
    console::ServerAccess access() const { return accessFor(gateway); }
    // The fingerprint line `gatehoused init` printed ("AB:CD:..."); empty when absent.
    QString printedFingerprint() const {
        for (const QByteArray& line : gateway.initOutput().split('\n'))
            if (line.startsWith("admin API certificate fingerprint (sha256): "))
                return QString::fromUtf8(line.mid(line.indexOf(": ") + 2)).trimmed();
        return {};
    }
};

// Settings in a file of their own temporary directory, with the profiles over them.
struct IsolatedSettings {
    QTemporaryDir dir;
    std::unique_ptr<QSettings> store = console::Settings::openFile(dir.filePath("gatehouse.ini"));
    console::Settings settings{store.get()};
    console::ConnectionProfiles profiles{settings};

    QString path() const { return dir.filePath("gatehouse.ini"); }
    // The file's bytes as written to disk (synced first).
    QByteArray bytes() {
        store->sync();
        QFile f(path());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
};

// Collects one asynchronous answer: pass done() as the callback, then wait().
template <class T> struct Answer {
    std::optional<console::ApiResult<T>> result;
    int calls = 0;
    console::Done<T> done() {
        return [this](const console::ApiResult<T>& r) {
            ++calls;
            result.emplace(r);
        };
    }
    bool wait(int timeoutMs = 30'000) {
        return QTest::qWaitFor([this] { return result.has_value(); }, timeoutMs);
    }
    bool ok() const { return result && result->ok(); }
    const T& value() const { return result->value(); }
    const console::ApiError& error() const { return result->error(); }
    // For QVERIFY2: what went wrong, or "".
    QByteArray problem() const {
        if (!result)
            return "no answer";
        if (result->ok())
            return "";
        return QStringLiteral("kind %1, status %2, type %3: %4")
            .arg(int(result->error().kind))
            .arg(result->error().status)
            .arg(result->error().type, result->error().message)
            .toUtf8();
    }
};

} // namespace gh::test
