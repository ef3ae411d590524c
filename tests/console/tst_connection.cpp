// Connecting the console: profiles in an isolated settings file (the token never in it), token
// stores (memory, session-only, the keychain's availability), the workspace's 0600 token file,
// the certificate probe against a real gatehoused (its fingerprint is the one `gatehoused init`
// printed), the trust decision, and the connection dialog driven as a person would: trust on
// first use, the pin on the next connect, a changed certificate refused with both fingerprints.
#include "console_testing.h"

#include "app/connect_dialog.h"
#include "app/dialogs.h"
#include "crypto/certificate.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTcpServer>
#include <QTest>

using namespace gh;
using namespace gh::test;
using namespace gh::console;

namespace {

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes,
                  QFileDevice::Permissions permissions) {
    const QString path = dir.filePath(name);
    QFile f(path);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(bytes);
    f.close();
    QFile::setPermissions(path, permissions);
    return path;
}

const QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

QSslCertificate otherCertificate() {
    const auto other = crypto::generateSelfSigned({"localhost"}, {"127.0.0.1", "::1"}, 30);
    return QSslCertificate(QByteArray::fromStdString(other.certificatePem), QSsl::Pem);
}

TokenOutcome waitToken(const std::function<void(TokenDone)>& start) {
    std::optional<TokenOutcome> outcome;
    start([&outcome](const TokenOutcome& o) { outcome = o; });
    if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, 20'000))
        return {TokenOutcome::Status::Failed, {}, false, QStringLiteral("no answer")};
    return *outcome;
}

template <class T> T* child(QWidget* parent, const char* name) {
    T* w = parent->findChild<T*>(QLatin1String(name));
    if (!w)
        qFatal("no widget named %s", name);
    return w;
}

} // namespace

class TestConnection : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void profilesRoundTripAndTheTokenIsNeverInTheFile();
    void originsAreNormalised();
    void memoryTokenStore();
    void sessionOnlyStoreSaysSo();
    void keychainAvailabilityIsFoundOut();
    void workspaceTokenFileMustBePrivate();
    void probeShowsTheFingerprintInitPrinted();
    void trustDecisions();
    void dialogTrustsOnFirstUse();
    void dialogUsesThePinOnTheNextConnect();
    void dialogRefusesAChangedCertificate();
    void dialogSaysWhenThereIsNoKeychain();
    void dialogReadsAWorkspaceTokenFile();
    void commandLineAccessPinsTheNamedCertificate();
    void sessionProfileNeverReadsTheKeychain();

private:
    ConsoleGateway gw_;
    IsolatedSettings settings_; // shared by the dialog tests, in order
    MemoryTokenStore tokens_;
};

void TestConnection::initTestCase() {
    QVERIFY(gw_.start());
}

void TestConnection::cleanup() {
    Dialogs::reset();
}

void TestConnection::profilesRoundTripAndTheTokenIsNeverInTheFile() {
    IsolatedSettings s;
    const QString token = gw_.gateway.adminToken();
    QVERIFY(!token.isEmpty());

    ConnectionProfile p;
    p.name = QStringLiteral("staging");
    p.origin = gw_.gateway.adminOrigin();
    p.tokenSource = TokenSource::WorkspaceFile;
    p.tokenFile = gw_.gateway.workspace() + QStringLiteral("/admin.token");
    p.pin(gatewayCertificate(gw_.gateway));
    const QString id = s.profiles.save(p);
    QVERIFY(!id.isEmpty());
    s.profiles.setLastUsed(id);

    ConnectionProfile second;
    second.name = QStringLiteral("another");
    second.origin = QStringLiteral("https://gateway.example:8443");
    s.profiles.save(second);

    // A fresh reader of the same file sees the same profiles.
    auto reopened = Settings::openFile(s.path());
    Settings settings(reopened.get());
    ConnectionProfiles profiles(settings);
    QCOMPARE(profiles.all().size(), 2);
    QCOMPARE(profiles.lastUsedId(), id);
    const auto back = profiles.find(id);
    QVERIFY(back);
    QCOMPARE(back->name, p.name);
    QCOMPARE(back->origin, p.origin);
    QCOMPARE(back->tokenSource, TokenSource::WorkspaceFile);
    QCOMPARE(back->tokenFile, p.tokenFile);
    QCOMPARE(back->pinnedCertificate(), gatewayCertificate(gw_.gateway));
    QCOMPARE(back->pinnedFingerprint, gw_.printedFingerprint());
    QCOMPARE(profiles.findByOrigin(p.origin)->id, id);

    QVERIFY(!s.bytes().contains(token.toUtf8()));

    profiles.remove(id);
    QVERIFY(!profiles.find(id));
    QVERIFY(profiles.lastUsedId().isEmpty());

    // Typed settings: the default until set.
    QCOMPARE(settings.value(settings::requestTimeoutSeconds), 30);
    settings.setValue(settings::requestTimeoutSeconds, 45);
    QCOMPARE(settings.value(settings::requestTimeoutSeconds), 45);
}

void TestConnection::originsAreNormalised() {
    QString error;
    QCOMPARE(normalizeOrigin(QStringLiteral("https://127.0.0.1:8443/admin/v1"), &error),
             QStringLiteral("https://127.0.0.1:8443"));
    QCOMPARE(normalizeOrigin(QStringLiteral(" https://gw.example:8443/ ")), QStringLiteral("https://gw.example:8443"));
    QCOMPARE(normalizeOrigin(QStringLiteral("localhost:8443")), QStringLiteral("https://localhost:8443"));
    QCOMPARE(normalizeOrigin(QStringLiteral("https://[::1]:8443")), QStringLiteral("https://[::1]:8443"));
    QVERIFY(normalizeOrigin(QStringLiteral("http://127.0.0.1:8443"), &error).isEmpty());
    QVERIFY2(error.contains(QLatin1String("HTTPS only")), qPrintable(error));
    QVERIFY(normalizeOrigin(QStringLiteral("https://127.0.0.1:8443/v1/chat"), &error).isEmpty());
    QVERIFY(normalizeOrigin(QString(), &error).isEmpty());
}

void TestConnection::memoryTokenStore() {
    MemoryTokenStore store;
    QCOMPARE(store.availability(), TokenStore::Availability::Available);
    QVERIFY(store.availabilityText().isEmpty());
    QCOMPARE(waitToken([&](TokenDone d) { store.read(QStringLiteral("p-1"), this, d); }).status,
             TokenOutcome::Status::NotFound);

    // Callbacks never run inside the call.
    bool ran = false;
    store.write(QStringLiteral("p-1"), QStringLiteral("gha_one"), this, [&ran](const TokenOutcome&) { ran = true; });
    QVERIFY(!ran);
    QTRY_VERIFY(ran);
    QCOMPARE(store.stored(QStringLiteral("p-1")).value_or(QString()), QStringLiteral("gha_one"));

    const TokenOutcome read = waitToken([&](TokenDone d) { store.read(QStringLiteral("p-1"), this, d); });
    QVERIFY(read.ok());
    QCOMPARE(read.token, QStringLiteral("gha_one"));
    QVERIFY(!read.sessionOnly);

    QVERIFY(waitToken([&](TokenDone d) { store.remove(QStringLiteral("p-1"), this, d); }).ok());
    QVERIFY(!store.stored(QStringLiteral("p-1")));

    // A destroyed context gets no callback.
    auto* context = new QObject;
    int calls = 0;
    store.read(QStringLiteral("p-1"), context, [&calls](const TokenOutcome&) { ++calls; });
    delete context;
    QTest::qWait(50);
    QCOMPARE(calls, 0);
}

void TestConnection::sessionOnlyStoreSaysSo() {
    MemoryTokenStore store(MemoryTokenStore::Mode::SessionOnly);
    QCOMPARE(store.availability(), TokenStore::Availability::SessionOnly);
    QVERIFY2(store.availabilityText().contains(QLatin1String("for this session only")),
             qPrintable(store.availabilityText()));
    const TokenOutcome written =
        waitToken([&](TokenDone d) { store.write(QStringLiteral("p-2"), QStringLiteral("gha_two"), this, d); });
    QVERIFY(written.ok());
    QVERIFY(written.sessionOnly);
    QVERIFY(!store.stored(QStringLiteral("p-2"))); // nothing persistent
    const TokenOutcome read = waitToken([&](TokenDone d) { store.read(QStringLiteral("p-2"), this, d); });
    QCOMPARE(read.token, QStringLiteral("gha_two"));
    QVERIFY(read.sessionOnly);
}

void TestConnection::keychainAvailabilityIsFoundOut() {
    // Reads an entry nobody writes: it never stores anything in the person's keychain.
    KeychainTokenStore store;
    store.setJobTimeout(8000);
    QCOMPARE(store.availability(), TokenStore::Availability::Unknown);
    std::optional<TokenStore::Availability> found;
    store.checkAvailability(this, [&found](TokenStore::Availability a) { found = a; });
    QTRY_VERIFY_WITH_TIMEOUT(found.has_value(), 15'000);
    QVERIFY(*found != TokenStore::Availability::Unknown);
    qInfo("keychain on this machine: %s",
          *found == TokenStore::Availability::Available ? "available" : "none (session only)");
    if (*found == TokenStore::Availability::SessionOnly)
        QVERIFY(store.availabilityText().contains(QLatin1String("No keychain")));
}

void TestConnection::workspaceTokenFileMustBePrivate() {
    QTemporaryDir dir;
    const QString good = writeFile(dir, QStringLiteral("good.token"), "gha_private\n", kOwnerOnly);
    const TokenFileResult ok = readWorkspaceTokenFile(good);
    QVERIFY2(ok.ok(), qPrintable(ok.error));
    QCOMPARE(ok.token, QStringLiteral("gha_private"));

    const QString shared = writeFile(dir, QStringLiteral("shared.token"), "gha_shared\n",
                                     kOwnerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    const TokenFileResult refused = readWorkspaceTokenFile(shared);
    QVERIFY(!refused.ok());
    QVERIFY(refused.token.isEmpty());
    QVERIFY2(refused.error.contains(QLatin1String("0644")), qPrintable(refused.error));
    QVERIFY2(refused.error.contains(QLatin1String("chmod 600")), qPrintable(refused.error));

    QVERIFY(!readWorkspaceTokenFile(dir.filePath(QStringLiteral("missing.token"))).ok());
    const QString empty = writeFile(dir, QStringLiteral("empty.token"), "\n", kOwnerOnly);
    QVERIFY(!readWorkspaceTokenFile(empty).ok());

    // The workspace's own file, as `gatehoused init` wrote it.
    const TokenFileResult workspace = readWorkspaceTokenFile(gw_.gateway.workspace() + QStringLiteral("/admin.token"));
    QVERIFY2(workspace.ok(), qPrintable(workspace.error));
    QCOMPARE(workspace.token, gw_.gateway.adminToken());
}

void TestConnection::probeShowsTheFingerprintInitPrinted() {
    const QString printed = gw_.printedFingerprint();
    QCOMPARE(printed.size(), 95);
    std::optional<ProbeResult> result;
    CertificateProbe::probe(gw_.gateway.adminOrigin(), this, [&result](const ProbeResult& r) { result = r; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 20'000);
    QVERIFY2(result->reachable, qPrintable(result->errorText));
    QCOMPARE(result->fingerprint, printed);
    QCOMPARE(sha256Fingerprint(gatewayCertificate(gw_.gateway)), printed);
    QVERIFY(!result->trustedBySystem);
    QVERIFY(!result->errorText.isEmpty()); // why the system does not trust it (self-signed)

    std::optional<ProbeResult> closed;
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    const quint16 port = server.serverPort();
    server.close();
    const QString origin = QStringLiteral("https://127.0.0.1:%1").arg(port);
    CertificateProbe::probe(origin, this, [&closed](const ProbeResult& r) { closed = r; });
    QTRY_VERIFY_WITH_TIMEOUT(closed.has_value(), 20'000);
    QVERIFY(!closed->reachable);
    QVERIFY2(closed->errorText.contains(origin), qPrintable(closed->errorText));
}

void TestConnection::trustDecisions() {
    ProbeResult selfSigned;
    selfSigned.reachable = true;
    selfSigned.certificate = gatewayCertificate(gw_.gateway);
    selfSigned.fingerprint = sha256Fingerprint(selfSigned.certificate);
    QCOMPARE(decideTrust({}, selfSigned), TrustDecision::UnknownSelfSigned);
    QCOMPARE(decideTrust(selfSigned.fingerprint, selfSigned), TrustDecision::MatchesPin);
    QCOMPARE(decideTrust(selfSigned.fingerprint.toLower().remove(QLatin1Char(':')), selfSigned),
             TrustDecision::MatchesPin);
    QCOMPARE(decideTrust(sha256Fingerprint(otherCertificate()), selfSigned), TrustDecision::PinMismatch);
    ProbeResult system = selfSigned;
    system.trustedBySystem = true;
    QCOMPARE(decideTrust({}, system), TrustDecision::TrustedBySystem);
    QCOMPARE(decideTrust(sha256Fingerprint(otherCertificate()), system), TrustDecision::PinMismatch);
    QCOMPARE(decideTrust({}, ProbeResult{}), TrustDecision::Unreachable);
}

void TestConnection::dialogTrustsOnFirstUse() {
    ConnectDialog dialog(settings_.profiles, tokens_);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy connected(&dialog, &ConnectDialog::connected);
    auto* pages = child<QStackedWidget>(&dialog, "connectPages");
    const QString token = gw_.gateway.adminToken();

    QTest::keyClicks(child<QLineEdit>(&dialog, "profileNameEdit"), QStringLiteral("test gateway"));
    QTest::keyClicks(child<QLineEdit>(&dialog, "adminUrlEdit"), gw_.gateway.adminOrigin());
    QTest::keyClicks(child<QLineEdit>(&dialog, "tokenEdit"), token);
    QCOMPARE(child<QLineEdit>(&dialog, "tokenEdit")->echoMode(), QLineEdit::Password);
    auto* connectButton = child<QPushButton>(&dialog, "connectButton");
    QTest::mouseClick(connectButton, Qt::LeftButton);
    QVERIFY(!connectButton->isEnabled()); // busy while it waits

    QTRY_COMPARE_WITH_TIMEOUT(pages->currentWidget()->objectName(), QStringLiteral("trustPage"), 20'000);
    QCOMPARE(child<QLabel>(&dialog, "fingerprintLabel")->text(), gw_.printedFingerprint());
    QVERIFY(child<QLabel>(&dialog, "trustExplanationLabel")->text().contains(QLatin1String("gatehoused init")));
    QCOMPARE(connected.size(), 0);

    QTest::mouseClick(child<QPushButton>(&dialog, "trustButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 20'000);
    const auto profile = connected.at(0).at(0).value<ConnectionProfile>();
    const auto access = connected.at(0).at(1).value<ServerAccess>();
    const auto who = connected.at(0).at(2).value<api::WhoAmI>();
    QCOMPARE(who.role, std::string("admin"));
    QCOMPARE(profile.name, QStringLiteral("test gateway"));
    QCOMPARE(profile.pinnedFingerprint, gw_.printedFingerprint());
    QCOMPARE(access.pinned, gatewayCertificate(gw_.gateway));
    QCOMPARE(access.token, token);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));

    // Stored: the profile with its pin in the settings, the token in the token store only.
    const auto saved = settings_.profiles.find(profile.id);
    QVERIFY(saved);
    QCOMPARE(saved->pinnedFingerprint, gw_.printedFingerprint());
    QCOMPARE(settings_.profiles.lastUsedId(), profile.id);
    QCOMPARE(tokens_.stored(profile.id).value_or(QString()), token);
    const QByteArray file = settings_.bytes();
    QVERIFY(file.contains(gw_.printedFingerprint().toUtf8()));
    QVERIFY(!file.contains(token.toUtf8()));
}

void TestConnection::dialogUsesThePinOnTheNextConnect() {
    ConnectDialog dialog(settings_.profiles, tokens_);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy connected(&dialog, &ConnectDialog::connected);
    auto* pages = child<QStackedWidget>(&dialog, "connectPages");
    bool askedToTrust = false;
    connect(pages, &QStackedWidget::currentChanged, this,
            [&askedToTrust, pages](int) { askedToTrust |= pages->currentWidget()->objectName() == "trustPage"; });

    // The last used profile is preselected; its token comes from the store.
    QCOMPARE(child<QComboBox>(&dialog, "profileCombo")->currentText(), QStringLiteral("test gateway"));
    QCOMPARE(child<QLineEdit>(&dialog, "adminUrlEdit")->text(), gw_.gateway.adminOrigin());
    QVERIFY(child<QLineEdit>(&dialog, "tokenEdit")->text().isEmpty());
    QVERIFY(child<QLabel>(&dialog, "pinnedFingerprintLabel")->text().contains(gw_.printedFingerprint()));
    const int writes = tokens_.writes();
    QTest::mouseClick(child<QPushButton>(&dialog, "connectButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 20'000);
    QVERIFY(!askedToTrust);
    QCOMPARE(connected.at(0).at(2).value<api::WhoAmI>().role, std::string("admin"));
    QCOMPARE(tokens_.writes(), writes); // the stored token was used, not stored again
}

void TestConnection::dialogRefusesAChangedCertificate() {
    // The profile pins another certificate than the one the gateway presents.
    auto profile = settings_.profiles.find(settings_.profiles.lastUsedId());
    QVERIFY(profile);
    const QSslCertificate other = otherCertificate();
    profile->pin(other);
    settings_.profiles.save(*profile);

    ConnectDialog dialog(settings_.profiles, tokens_);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy connected(&dialog, &ConnectDialog::connected);
    QTest::mouseClick(child<QPushButton>(&dialog, "connectButton"), Qt::LeftButton);
    auto* message = child<QLabel>(&dialog, "messageLabel");
    QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(QLatin1String("Refused")), 20'000);
    QVERIFY(message->isVisible());
    QVERIFY2(message->text().contains(sha256Fingerprint(other)), qPrintable(message->text()));
    QVERIFY2(message->text().contains(gw_.printedFingerprint()), qPrintable(message->text()));
    QCOMPARE(child<QStackedWidget>(&dialog, "connectPages")->currentWidget()->objectName(), QStringLiteral("formPage"));
    QTest::qWait(300);
    QCOMPARE(connected.size(), 0);
    QVERIFY(child<QPushButton>(&dialog, "connectButton")->isEnabled());

    // Forgetting the pin needs an explicit yes.
    auto* forget = child<QPushButton>(&dialog, "forgetPinButton");
    QVERIFY(forget->isVisible());
    Dialogs::setNextAnswer(QMessageBox::Cancel);
    QTest::mouseClick(forget, Qt::LeftButton);
    QVERIFY(settings_.profiles.find(profile->id)->isPinned());
    Dialogs::setNextAnswer(QMessageBox::Ok);
    QTest::mouseClick(forget, Qt::LeftButton);
    QVERIFY(!settings_.profiles.find(profile->id)->isPinned());

    // Then the gateway's certificate is shown again to be compared and trusted.
    QTest::mouseClick(child<QPushButton>(&dialog, "connectButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(child<QStackedWidget>(&dialog, "connectPages")->currentWidget()->objectName(),
                              QStringLiteral("trustPage"), 20'000);
    QCOMPARE(child<QLabel>(&dialog, "fingerprintLabel")->text(), gw_.printedFingerprint());
    QTest::mouseClick(child<QPushButton>(&dialog, "rejectCertificateButton"), Qt::LeftButton);
    QCOMPARE(connected.size(), 0);
    QVERIFY(!settings_.profiles.find(profile->id)->isPinned());
}

void TestConnection::dialogSaysWhenThereIsNoKeychain() {
    IsolatedSettings s;
    MemoryTokenStore sessionOnly(MemoryTokenStore::Mode::SessionOnly);
    ConnectDialog dialog(s.profiles, sessionOnly);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto* status = child<QLabel>(&dialog, "keychainStatusLabel");
    QVERIFY(status->isVisible());
    QVERIFY2(status->text().contains(QLatin1String("No keychain is available")), qPrintable(status->text()));

    // Connecting works; the token is kept for the session (and found again by the next dialog).
    s.profiles.save([&] {
        ConnectionProfile p;
        p.name = QStringLiteral("pinned");
        p.origin = gw_.gateway.adminOrigin();
        p.pin(gatewayCertificate(gw_.gateway));
        return p;
    }());
    dialog.selectProfile(s.profiles.all().first().id);
    QSignalSpy connected(&dialog, &ConnectDialog::connected);
    QTest::keyClicks(child<QLineEdit>(&dialog, "tokenEdit"), gw_.gateway.adminToken());
    QTest::mouseClick(child<QPushButton>(&dialog, "connectButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 20'000);
    const TokenOutcome kept =
        waitToken([&](TokenDone d) { sessionOnly.read(connected.at(0).at(0).value<ConnectionProfile>().id, this, d); });
    QVERIFY(kept.ok());
    QVERIFY(kept.sessionOnly);
    QVERIFY(!s.bytes().contains(gw_.gateway.adminToken().toUtf8()));
}

void TestConnection::dialogReadsAWorkspaceTokenFile() {
    IsolatedSettings s;
    MemoryTokenStore store;
    QTemporaryDir dir;
    const QString shared = writeFile(dir, QStringLiteral("shared.token"), gw_.gateway.adminToken().toUtf8(),
                                     kOwnerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    ConnectDialog dialog(s.profiles, store);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy connected(&dialog, &ConnectDialog::connected);
    QTest::keyClicks(child<QLineEdit>(&dialog, "adminUrlEdit"), gw_.gateway.adminUrl());
    auto* source = child<QComboBox>(&dialog, "tokenSourceCombo");
    source->setCurrentIndex(source->findData(tokenSourceKey(TokenSource::WorkspaceFile)));
    QVERIFY(!child<QLineEdit>(&dialog, "tokenEdit")->isEnabled());

    // A file others may read is refused, with what to do.
    Dialogs::setNextFileName(shared);
    QTest::mouseClick(child<QPushButton>(&dialog, "browseTokenFileButton"), Qt::LeftButton);
    QCOMPARE(child<QLineEdit>(&dialog, "tokenFileEdit")->text(), shared);
    QTest::mouseClick(child<QPushButton>(&dialog, "connectButton"), Qt::LeftButton);
    QTRY_VERIFY(child<QLabel>(&dialog, "messageLabel")->text().contains(QLatin1String("chmod 600")));

    // The workspace's own 0600 file is used.
    auto* fileEdit = child<QLineEdit>(&dialog, "tokenFileEdit");
    fileEdit->clear();
    QTest::keyClicks(fileEdit, gw_.gateway.workspace() + QStringLiteral("/admin.token"));
    QTest::mouseClick(child<QPushButton>(&dialog, "connectButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(child<QStackedWidget>(&dialog, "connectPages")->currentWidget()->objectName(),
                              QStringLiteral("trustPage"), 20'000);
    QTest::mouseClick(child<QPushButton>(&dialog, "trustButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, 20'000);
    const auto profile = connected.at(0).at(0).value<ConnectionProfile>();
    QCOMPARE(profile.tokenSource, TokenSource::WorkspaceFile);
    QCOMPARE(profile.origin, gw_.gateway.adminOrigin()); // the /admin/v1 path was dropped
    QCOMPARE(store.writes(), 0);                         // nothing to store: the file is read on every connect

    // Reconnecting without a dialog: the pin matches, the file gives the token.
    std::optional<ConnectOutcome> outcome;
    ConnectionController::connectProfile(*s.profiles.find(profile.id), store, this,
                                         [&outcome](const ConnectOutcome& o) { outcome = o; });
    QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 20'000);
    QVERIFY2(outcome->ok, qPrintable(outcome->message));
    QCOMPARE(outcome->who.role, std::string("admin"));
}

void TestConnection::commandLineAccessPinsTheNamedCertificate() {
    QString error;
    const auto access = ConnectionController::accessFromCommandLine(
        gw_.gateway.adminUrl(), gw_.gateway.workspace() + QStringLiteral("/admin.token"), gw_.gateway.adminCertFile(),
        &error);
    QVERIFY2(access, qPrintable(error));
    QCOMPARE(access->pinned, gatewayCertificate(gw_.gateway));
    std::optional<ConnectOutcome> outcome;
    ConnectionController::verify(*access, this, [&outcome](const ConnectOutcome& o) { outcome = o; });
    QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 20'000);
    QVERIFY2(outcome->ok, qPrintable(outcome->message));

    // Without the certificate the system's CAs decide, and they do not know this gateway.
    const auto unpinned = ConnectionController::accessFromCommandLine(
        gw_.gateway.adminOrigin(), gw_.gateway.workspace() + QStringLiteral("/admin.token"), {}, &error);
    QVERIFY(unpinned);
    outcome.reset();
    ConnectionController::verify(*unpinned, this, [&outcome](const ConnectOutcome& o) { outcome = o; });
    QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 20'000);
    QVERIFY(!outcome->ok);
    QCOMPARE(outcome->error.kind, ApiError::Kind::Tls);

    QVERIFY(!ConnectionController::accessFromCommandLine(gw_.gateway.adminOrigin(), QStringLiteral("/nonexistent"), {},
                                                         &error));
    QVERIFY(!ConnectionController::accessFromCommandLine(gw_.gateway.adminOrigin(),
                                                         gw_.gateway.workspace() + QStringLiteral("/admin.token"),
                                                         QStringLiteral("/nonexistent.pem"), &error));
    QVERIFY(error.contains(QLatin1String("/nonexistent.pem")));
}

void TestConnection::sessionProfileNeverReadsTheKeychain() {
    // A profile once kept in the keychain, now "for this session only": its old keychain entry
    // must not be used behind its back.
    MemoryTokenStore store;
    bool written = false;
    store.write(QStringLiteral("p-old"), gw_.gateway.adminToken(), this, [&written](const TokenOutcome& t) { written = t.ok(); });
    QTRY_VERIFY(written);
    ConnectionProfile profile;
    profile.id = QStringLiteral("p-old");
    profile.origin = gw_.gateway.adminOrigin();
    profile.tokenSource = TokenSource::Session;
    profile.pin(gatewayCertificate(gw_.gateway));
    std::optional<ConnectOutcome> outcome;
    ConnectionController::connectProfile(profile, store, this, [&outcome](const ConnectOutcome& o) { outcome = o; });
    QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 20'000);
    QVERIFY(!outcome->ok);
    QVERIFY2(outcome->message.contains(QStringLiteral("No token is stored")), qPrintable(outcome->message));

    // Kept for the session, it is used.
    store.keepForSession(profile.id, gw_.gateway.adminToken());
    outcome.reset();
    ConnectionController::connectProfile(profile, store, this, [&outcome](const ConnectOutcome& o) { outcome = o; });
    QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 20'000);
    QVERIFY2(outcome->ok, qPrintable(outcome->message));
}

QTEST_MAIN(TestConnection)
#include "tst_connection.moc"
