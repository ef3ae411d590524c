#include "app/connect_dialog.h"

#include "app/dialogs.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace gh::console {

// ---- ConnectionController --------------------------------------------------------------------

void ConnectionController::verify(const ServerAccess& access, QObject* context,
                                  std::function<void(const ConnectOutcome&)> done) {
    // The client lives as long as the call, as a child of the context: a destroyed context
    // takes the call (and its callback) with it.
    auto* client = new AdminClient(context);
    client->setAccess(access);
    client->whoAmI(context, [client, access, done = std::move(done)](const ApiResult<api::WhoAmI>& r) {
        client->deleteLater();
        ConnectOutcome outcome;
        outcome.access = access;
        outcome.ok = r.ok();
        if (r) {
            outcome.who = r.value();
        } else {
            outcome.error = r.error();
            outcome.message = r.error().message;
        }
        done(outcome);
    });
}

void ConnectionController::connectProfile(const ConnectionProfile& profile, TokenStore& tokens, QObject* context,
                                          std::function<void(const ConnectOutcome&)> done) {
    ServerAccess access{profile.origin, {}, profile.pinnedCertificate()};
    if (profile.tokenSource == TokenSource::WorkspaceFile) {
        const TokenFileResult file = readWorkspaceTokenFile(profile.tokenFile);
        if (!file.ok()) {
            ConnectOutcome outcome;
            outcome.message = file.error;
            done(outcome);
            return;
        }
        access.token = file.token;
        verify(access, context, std::move(done));
        return;
    }
    const QPointer<QObject> guard(context);
    auto withToken = [access, guard, done = std::move(done)](const TokenOutcome& t) mutable {
        if (!t.ok()) {
            ConnectOutcome outcome;
            outcome.message = t.status == TokenOutcome::Status::NotFound
                                  ? ConnectDialog::tr("No token is stored for %1: connect through the connection "
                                                      "dialog and enter it.")
                                        .arg(access.origin)
                                  : t.message;
            done(outcome);
            return;
        }
        access.token = t.token;
        verify(access, guard, std::move(done));
    };
    if (profile.tokenSource == TokenSource::Session)
        tokens.readSession(profile.id, context, std::move(withToken));
    else
        tokens.read(profile.id, context, std::move(withToken));
}

std::optional<ServerAccess> ConnectionController::accessFromCommandLine(const QString& adminUrl,
                                                                        const QString& tokenFile,
                                                                        const QString& certificateFile,
                                                                        QString* error) {
    QString problem;
    ServerAccess access;
    access.origin = normalizeOrigin(adminUrl, &problem);
    if (access.origin.isEmpty()) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    const TokenFileResult token = readWorkspaceTokenFile(tokenFile);
    if (!token.ok()) {
        if (error)
            *error = token.error;
        return std::nullopt;
    }
    access.token = token.token;
    if (!certificateFile.isEmpty()) {
        const auto certificate = readCertificateFile(certificateFile, error);
        if (!certificate)
            return std::nullopt;
        access.pinned = *certificate;
    }
    return access;
}

// ---- ConnectDialog ---------------------------------------------------------------------------

ConnectDialog::ConnectDialog(ConnectionProfiles& profiles, TokenStore& tokens, QWidget* parent)
    : QDialog(parent), profiles_(profiles), tokens_(tokens), client_(new AdminClient(this)) {
    setObjectName(QStringLiteral("connectDialog"));
    setWindowTitle(tr("Connect to a gateway"));
    pages_ = new QStackedWidget(this);
    pages_->setObjectName(QStringLiteral("connectPages"));
    buildForm();
    buildTrustPage();
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(pages_);

    connect(&tokens_, &TokenStore::availabilityChanged, this, &ConnectDialog::updateKeychainStatus);
    if (auto* keychain = qobject_cast<KeychainTokenStore*>(&tokens_))
        keychain->checkAvailability(this, {});

    reloadProfiles(profiles_.lastUsedId());
    updateKeychainStatus();
}

ConnectDialog::~ConnectDialog() = default;

void ConnectDialog::buildForm() {
    formPage_ = new QWidget(pages_);
    formPage_->setObjectName(QStringLiteral("formPage"));
    auto* form = new QFormLayout;

    profileCombo_ = new QComboBox(formPage_);
    profileCombo_->setObjectName(QStringLiteral("profileCombo"));
    form->addRow(tr("&Profile:"), profileCombo_);

    nameEdit_ = new QLineEdit(formPage_);
    nameEdit_->setObjectName(QStringLiteral("profileNameEdit"));
    nameEdit_->setPlaceholderText(tr("e.g. production gateway"));
    form->addRow(tr("&Name:"), nameEdit_);

    adminUrlEdit_ = new QLineEdit(formPage_);
    adminUrlEdit_->setObjectName(QStringLiteral("adminUrlEdit"));
    adminUrlEdit_->setPlaceholderText(QStringLiteral("https://127.0.0.1:8443"));
    form->addRow(tr("Admin &URL:"), adminUrlEdit_);

    tokenSourceCombo_ = new QComboBox(formPage_);
    tokenSourceCombo_->setObjectName(QStringLiteral("tokenSourceCombo"));
    tokenSourceCombo_->addItem(tr("Keep in the keychain"), tokenSourceKey(TokenSource::Keychain));
    tokenSourceCombo_->addItem(tr("Keep for this session only"), tokenSourceKey(TokenSource::Session));
    tokenSourceCombo_->addItem(tr("Read a workspace token file"), tokenSourceKey(TokenSource::WorkspaceFile));
    form->addRow(tr("Token &source:"), tokenSourceCombo_);

    tokenEdit_ = new QLineEdit(formPage_);
    tokenEdit_->setObjectName(QStringLiteral("tokenEdit"));
    tokenEdit_->setEchoMode(QLineEdit::Password);
    tokenEdit_->setPlaceholderText(tr("gha_… (empty: use the stored token)"));
    form->addRow(tr("&Token:"), tokenEdit_);

    tokenFileEdit_ = new QLineEdit(formPage_);
    tokenFileEdit_->setObjectName(QStringLiteral("tokenFileEdit"));
    tokenFileEdit_->setPlaceholderText(tr("WORKSPACE/admin.token"));
    browseTokenFileButton_ = new QPushButton(tr("&Browse…"), formPage_);
    browseTokenFileButton_->setObjectName(QStringLiteral("browseTokenFileButton"));
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(tokenFileEdit_, 1);
    fileRow->addWidget(browseTokenFileButton_);
    form->addRow(tr("Token &file:"), fileRow);

    keychainStatusLabel_ = new QLabel(formPage_);
    keychainStatusLabel_->setObjectName(QStringLiteral("keychainStatusLabel"));
    keychainStatusLabel_->setWordWrap(true);
    form->addRow(keychainStatusLabel_);

    pinnedLabel_ = new QLabel(formPage_);
    pinnedLabel_->setObjectName(QStringLiteral("pinnedFingerprintLabel"));
    pinnedLabel_->setWordWrap(true);
    pinnedLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    forgetPinButton_ = new QPushButton(tr("&Forget pinned certificate…"), formPage_);
    forgetPinButton_->setObjectName(QStringLiteral("forgetPinButton"));
    form->addRow(pinnedLabel_);
    form->addRow(forgetPinButton_);

    messageLabel_ = new QLabel(formPage_);
    messageLabel_->setObjectName(QStringLiteral("messageLabel"));
    messageLabel_->setWordWrap(true);
    messageLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    messageLabel_->setVisible(false);

    busyIndicator_ = new QProgressBar(formPage_);
    busyIndicator_->setObjectName(QStringLiteral("busyIndicator"));
    busyIndicator_->setRange(0, 0); // indeterminate
    busyIndicator_->setTextVisible(false);
    busyIndicator_->setVisible(false);

    connectButton_ = new QPushButton(tr("&Connect"), formPage_);
    connectButton_->setObjectName(QStringLiteral("connectButton"));
    connectButton_->setDefault(true);
    cancelButton_ = new QPushButton(tr("Cancel"), formPage_);
    cancelButton_->setObjectName(QStringLiteral("cancelButton"));
    auto* buttons = new QDialogButtonBox(formPage_);
    buttons->addButton(connectButton_, QDialogButtonBox::AcceptRole);
    buttons->addButton(cancelButton_, QDialogButtonBox::RejectRole);

    auto* layout = new QVBoxLayout(formPage_);
    layout->addLayout(form);
    layout->addWidget(messageLabel_);
    layout->addWidget(busyIndicator_);
    layout->addStretch(1);
    layout->addWidget(buttons);
    pages_->addWidget(formPage_);

    connect(profileCombo_, &QComboBox::activated, this, [this](int index) {
        const QString id = profileCombo_->itemData(index).toString();
        showProfile(profiles_.find(id).value_or(ConnectionProfile{}));
    });
    connect(tokenSourceCombo_, &QComboBox::currentIndexChanged, this, &ConnectDialog::updateTokenSourceWidgets);
    connect(browseTokenFileButton_, &QPushButton::clicked, this, [this] {
        const QString path = Dialogs::getOpenFileName(this, tr("The workspace's admin token file"),
                                                      QFileInfo(tokenFileEdit_->text()).path());
        if (!path.isEmpty())
            tokenFileEdit_->setText(path);
    });
    connect(forgetPinButton_, &QPushButton::clicked, this, &ConnectDialog::forgetPin);
    connect(connectButton_, &QPushButton::clicked, this, &ConnectDialog::startConnect);
    connect(cancelButton_, &QPushButton::clicked, this, &ConnectDialog::cancel);
}

void ConnectDialog::buildTrustPage() {
    trustPage_ = new QWidget(pages_);
    trustPage_->setObjectName(QStringLiteral("trustPage"));
    auto* title = new QLabel(tr("<b>Is this your gateway's certificate?</b>"), trustPage_);
    trustExplanationLabel_ = new QLabel(trustPage_);
    trustExplanationLabel_->setObjectName(QStringLiteral("trustExplanationLabel"));
    trustExplanationLabel_->setWordWrap(true);
    fingerprintLabel_ = new QLabel(trustPage_);
    fingerprintLabel_->setObjectName(QStringLiteral("fingerprintLabel"));
    fingerprintLabel_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    fingerprintLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    fingerprintLabel_->setWordWrap(true);
    trustButton_ = new QPushButton(tr("&Trust this certificate"), trustPage_);
    trustButton_->setObjectName(QStringLiteral("trustButton"));
    rejectCertificateButton_ = new QPushButton(tr("Cancel"), trustPage_);
    rejectCertificateButton_->setObjectName(QStringLiteral("rejectCertificateButton"));
    rejectCertificateButton_->setDefault(true); // trusting is a decision, never the Enter key's
    auto* buttons = new QDialogButtonBox(trustPage_);
    buttons->addButton(trustButton_, QDialogButtonBox::AcceptRole);
    buttons->addButton(rejectCertificateButton_, QDialogButtonBox::RejectRole);

    auto* layout = new QVBoxLayout(trustPage_);
    layout->addWidget(title);
    layout->addWidget(trustExplanationLabel_);
    layout->addWidget(fingerprintLabel_);
    layout->addStretch(1);
    layout->addWidget(buttons);
    pages_->addWidget(trustPage_);

    connect(trustButton_, &QPushButton::clicked, this, &ConnectDialog::trustPresented);
    connect(rejectCertificateButton_, &QPushButton::clicked, this, &ConnectDialog::rejectPresented);
}

void ConnectDialog::reloadProfiles(const QString& selectId) {
    profileCombo_->clear();
    for (const ConnectionProfile& p : profiles_.all())
        profileCombo_->addItem(p.displayName(), p.id);
    profileCombo_->addItem(tr("New connection"), QString());
    int index = selectId.isEmpty() ? -1 : profileCombo_->findData(selectId);
    if (index < 0)
        index = profileCombo_->count() - 1; // "New connection"
    profileCombo_->setCurrentIndex(index);
    showProfile(profiles_.find(profileCombo_->currentData().toString()).value_or(ConnectionProfile{}));
}

void ConnectDialog::selectProfile(const QString& id) {
    reloadProfiles(id);
}

void ConnectDialog::showProfile(const ConnectionProfile& profile) {
    nameEdit_->setText(profile.name);
    adminUrlEdit_->setText(profile.origin);
    tokenSourceCombo_->setCurrentIndex(qMax(0, tokenSourceCombo_->findData(tokenSourceKey(profile.tokenSource))));
    tokenFileEdit_->setText(profile.tokenFile);
    tokenEdit_->clear();
    showMessage({});
    updateTokenSourceWidgets();
    updatePinWidgets();
}

ConnectionProfile ConnectDialog::formProfile() const {
    ConnectionProfile p = profiles_.find(profileCombo_->currentData().toString()).value_or(ConnectionProfile{});
    p.name = nameEdit_->text().trimmed();
    p.origin = normalizeOrigin(adminUrlEdit_->text());
    p.tokenSource = tokenSourceFromKey(tokenSourceCombo_->currentData().toString()).value_or(TokenSource::Keychain);
    p.tokenFile = tokenFileEdit_->text().trimmed();
    return p;
}

void ConnectDialog::updateTokenSourceWidgets() {
    const bool file = tokenSourceCombo_->currentData().toString() == tokenSourceKey(TokenSource::WorkspaceFile);
    tokenEdit_->setEnabled(!file && !busy_);
    tokenFileEdit_->setEnabled(file && !busy_);
    browseTokenFileButton_->setEnabled(file && !busy_);
    updateKeychainStatus();
}

void ConnectDialog::updateKeychainStatus() {
    const bool keychain = tokenSourceCombo_->currentData().toString() == tokenSourceKey(TokenSource::Keychain);
    const QString text = keychain ? tokens_.availabilityText() : QString();
    keychainStatusLabel_->setText(text);
    keychainStatusLabel_->setVisible(!text.isEmpty());
}

void ConnectDialog::updatePinWidgets() {
    const auto stored = profiles_.find(profileCombo_->currentData().toString());
    const bool pinned = stored && stored->isPinned();
    pinnedLabel_->setText(pinned ? tr("Pinned certificate (SHA-256): %1").arg(stored->pinnedFingerprint) : QString());
    pinnedLabel_->setVisible(pinned);
    forgetPinButton_->setVisible(pinned);
    forgetPinButton_->setEnabled(pinned && !busy_);
}

void ConnectDialog::setBusy(bool busy) {
    busy_ = busy;
    busyIndicator_->setVisible(busy);
    connectButton_->setEnabled(!busy);
    for (QWidget* w : {static_cast<QWidget*>(profileCombo_), static_cast<QWidget*>(nameEdit_),
                       static_cast<QWidget*>(adminUrlEdit_), static_cast<QWidget*>(tokenSourceCombo_)})
        w->setEnabled(!busy);
    updateTokenSourceWidgets();
    updatePinWidgets();
}

QString ConnectDialog::message() const {
    return messageLabel_->text();
}

void ConnectDialog::showMessage(const QString& text, bool error) {
    messageLabel_->setText(text);
    messageLabel_->setVisible(!text.isEmpty());
    messageLabel_->setStyleSheet(
        error ? QStringLiteral("color: palette(bright-text); background: #b3261e; padding: 6px;") : QString());
}

void ConnectDialog::fail(const QString& text) {
    pendingToken_.clear();
    setBusy(false);
    pages_->setCurrentWidget(formPage_);
    showMessage(text);
}

void ConnectDialog::cancel() {
    if (busy_) {
        // Stop waiting; late answers of this attempt are ignored.
        ++attempt_;
        client_->setAccess({});
        pendingToken_.clear();
        setBusy(false);
        showMessage(tr("Cancelled."), false);
        return;
    }
    reject();
}

void ConnectDialog::startConnect() {
    if (busy_)
        return;
    QString problem;
    const QString origin = normalizeOrigin(adminUrlEdit_->text(), &problem);
    if (origin.isEmpty()) {
        showMessage(problem);
        return;
    }
    pendingProfile_ = formProfile();
    pendingToken_.clear();
    if (const auto stored = profiles_.find(pendingProfile_.id); stored && stored->origin != origin) {
        // Another address typed into a saved profile: that is a new connection. Neither the
        // profile's stored token nor its pinned certificate may follow it there.
        pendingProfile_.id.clear();
        pendingProfile_.pin(QSslCertificate());
    }
    tokenTyped_ = false;
    const int attempt = ++attempt_;
    setBusy(true);
    showMessage(tr("Connecting to %1…").arg(origin), false);

    if (pendingProfile_.tokenSource == TokenSource::WorkspaceFile) {
        if (pendingProfile_.tokenFile.isEmpty()) {
            fail(tr("Choose the workspace's token file (WORKSPACE/admin.token)."));
            return;
        }
        const TokenFileResult file = readWorkspaceTokenFile(pendingProfile_.tokenFile);
        if (!file.ok()) {
            fail(file.error);
            return;
        }
        pendingToken_ = file.token;
        probe(attempt);
        return;
    }
    if (!tokenEdit_->text().trimmed().isEmpty()) {
        pendingToken_ = tokenEdit_->text().trimmed();
        tokenTyped_ = true;
        probe(attempt);
        return;
    }
    if (pendingProfile_.id.isEmpty()) {
        fail(tr("Enter the admin token (gha_…), or choose \"Read a workspace token file\"."));
        return;
    }
    auto withToken = [this, attempt](const TokenOutcome& t) {
        if (attempt != attempt_)
            return;
        if (t.status == TokenOutcome::Status::NotFound) {
            fail(tr("No token is stored for this profile: enter it."));
            return;
        }
        if (!t.ok()) {
            fail(tr("The stored token could not be read (%1): enter it.").arg(t.message));
            return;
        }
        pendingToken_ = t.token;
        probe(attempt);
    };
    if (pendingProfile_.tokenSource == TokenSource::Session)
        tokens_.readSession(pendingProfile_.id, this, withToken);
    else
        tokens_.read(pendingProfile_.id, this, withToken);
}

void ConnectDialog::probe(int attempt) {
    CertificateProbe::probe(pendingProfile_.origin, this, [this, attempt](const ProbeResult& result) {
        if (attempt != attempt_)
            return;
        pendingProbe_ = result;
        switch (decideTrust(pendingProfile_.pinnedFingerprint, result)) {
        case TrustDecision::Unreachable:
            fail(result.errorText);
            return;
        case TrustDecision::PinMismatch:
            fail(tr("Refused: the gateway at %1 presents a certificate other than the one pinned for this profile, "
                    "so nothing was sent to it.\nPinned:    %2\nPresented: %3\nIf the gateway's certificate was "
                    "replaced on purpose, click \"Forget pinned certificate\", connect again and compare the new "
                    "fingerprint with the one its administrator gives you. Otherwise someone may be intercepting "
                    "the connection: do not connect.")
                     .arg(pendingProfile_.origin, pendingProfile_.pinnedFingerprint, result.fingerprint));
            return;
        case TrustDecision::UnknownSelfSigned:
            setBusy(false);
            showMessage({});
            trustExplanationLabel_->setText(
                tr("%1 presented a certificate that no certificate authority on this computer vouches for (%2).\n\n"
                   "Compare its SHA-256 fingerprint below with the fingerprint `gatehoused init` printed (or that "
                   "the gateway's administrator gives you). Trust it only if the two are the same: from then on "
                   "this profile accepts this certificate, and only this one.")
                    .arg(pendingProfile_.origin, result.errorText));
            fingerprintLabel_->setText(result.fingerprint);
            pages_->setCurrentWidget(trustPage_);
            trustButton_->setFocus();
            return;
        case TrustDecision::TrustedBySystem:
            pendingProfile_.pin(QSslCertificate());
            verify(attempt);
            return;
        case TrustDecision::MatchesPin:
            verify(attempt);
            return;
        }
    });
}

void ConnectDialog::trustPresented() {
    pendingProfile_.pin(pendingProbe_.certificate);
    pages_->setCurrentWidget(formPage_);
    setBusy(true);
    showMessage(tr("Connecting to %1…").arg(pendingProfile_.origin), false);
    verify(attempt_);
}

void ConnectDialog::rejectPresented() {
    ++attempt_;
    pendingToken_.clear();
    pages_->setCurrentWidget(formPage_);
    setBusy(false);
    showMessage(tr("Not connected: the certificate was not trusted."));
}

void ConnectDialog::verify(int attempt) {
    const ServerAccess access{pendingProfile_.origin, pendingToken_, pendingProfile_.pinnedCertificate()};
    client_->setAccess(access);
    client_->whoAmI(this, [this, attempt](const ApiResult<api::WhoAmI>& r) {
        if (attempt != attempt_)
            return;
        if (!r) {
            fail(r.error().message);
            return;
        }
        storeAndFinish(attempt, r.value());
    });
}

void ConnectDialog::storeAndFinish(int attempt, const api::WhoAmI& who) {
    pendingProfile_.id = profiles_.save(pendingProfile_);
    switch (pendingProfile_.tokenSource) {
    case TokenSource::WorkspaceFile:
        // Read from the file on every connect; a token the profile kept in the keychain before
        // is removed, not left behind.
        tokens_.remove(pendingProfile_.id, this, [](const TokenOutcome&) {});
        break;
    case TokenSource::Session:
        tokens_.remove(pendingProfile_.id, this, [](const TokenOutcome&) {});
        tokens_.keepForSession(pendingProfile_.id, pendingToken_);
        break;
    case TokenSource::Keychain:
        if (tokenTyped_) {
            tokens_.write(pendingProfile_.id, pendingToken_, this, [this, attempt, who](const TokenOutcome& t) {
                if (attempt != attempt_)
                    return;
                if (!t.ok()) {
                    tokens_.keepForSession(pendingProfile_.id, pendingToken_);
                    emit tokenNotStored(tr("The token could not be stored in the keychain (%1): it is kept for "
                                           "this session only.")
                                            .arg(t.message));
                }
                finishConnected(who);
            });
            return;
        }
        break;
    }
    finishConnected(who);
}

void ConnectDialog::finishConnected(const api::WhoAmI& who) {
    profiles_.setLastUsed(pendingProfile_.id);
    setBusy(false);
    showMessage({});
    const ServerAccess access{pendingProfile_.origin, pendingToken_, pendingProfile_.pinnedCertificate()};
    pendingToken_.clear();
    emit connected(pendingProfile_, access, who);
    accept();
}

void ConnectDialog::forgetPin() {
    auto stored = profiles_.find(profileCombo_->currentData().toString());
    if (!stored || !stored->isPinned())
        return;
    if (!Dialogs::confirm(this, tr("Forget the pinned certificate?"),
                          tr("The profile \"%1\" trusts only the certificate with the SHA-256 fingerprint\n%2\n\n"
                             "Forget it only if the gateway's certificate was replaced on purpose. On the next "
                             "connect the console shows the new certificate's fingerprint: compare it with the one "
                             "the gateway's administrator gives you before trusting it.")
                              .arg(stored->displayName(), stored->pinnedFingerprint),
                          tr("Forget pinned certificate")))
        return;
    stored->pin(QSslCertificate());
    profiles_.save(*stored);
    updatePinWidgets();
    showMessage(tr("The pinned certificate was forgotten: connect to see the gateway's certificate and compare its "
                   "fingerprint before trusting it."),
                false);
}

} // namespace gh::console
