#pragma once
// Connecting to a gateway: pick or create a profile, give the admin URL and the token (typed, or
// a local workspace's 0600 token file), and trust the gateway's certificate on first use.
//
// Connect runs: token → certificate probe (handshake only, nothing sent) → the trust decision
// (certificate_trust.h) → GET /whoami with exactly that certificate pinned → the profile (with
// its pin) and the token (per its source) are stored, connected() is emitted and the dialog
// accepts. Everything is asynchronous; errors appear inline in `messageLabel`; the only modal box
// is the confirmation before forgetting a pinned certificate.
#include "app/admin_client.h"
#include "app/certificate_trust.h"
#include "app/connection_profiles.h"
#include "app/token_store.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace gh::console {

// What a connection attempt without a dialog ends with.
struct ConnectOutcome {
    bool ok = false;
    ServerAccess access;
    api::WhoAmI who;
    QString message; // why not, for a person
    ApiError error;  // when the API call failed
};

// Connecting without UI: for `gatehouse --admin-url URL --token-file FILE [--certificate PEM]`,
// and for reconnecting a profile whose pin is already set.
class ConnectionController {
public:
    // GET /whoami with `access` (pinned, or the system's CAs). `done` does not run after
    // `context` is destroyed.
    static void verify(const ServerAccess& access, QObject* context, std::function<void(const ConnectOutcome&)> done);
    // Reads the profile's token (keychain, session or workspace file), then verify(). A profile
    // without a pin is verified against the system's CAs: a self-signed gateway then fails with
    // ApiError::Kind::Tls, and the dialog is the place to trust it.
    static void connectProfile(const ConnectionProfile& profile, TokenStore& tokens, QObject* context,
                               std::function<void(const ConnectOutcome&)> done);

    // The command line's access: the origin from `adminUrl`, the token from the 0600
    // `tokenFile`, and `certificateFile`, when given, pinned without asking (the operator named
    // it). nullopt and `error` set when something is wrong.
    static std::optional<ServerAccess> accessFromCommandLine(const QString& adminUrl, const QString& tokenFile,
                                                             const QString& certificateFile, QString* error);
};

class ConnectDialog : public QDialog {
    Q_OBJECT
public:
    // `profiles` and `tokens` must outlive the dialog.
    ConnectDialog(ConnectionProfiles& profiles, TokenStore& tokens, QWidget* parent = nullptr);
    ~ConnectDialog() override;

    // Preselects a profile (by default the last used one).
    void selectProfile(const QString& id);
    // The profile as the form describes it now (the pin is the stored one).
    ConnectionProfile formProfile() const;
    bool isBusy() const { return busy_; }
    QString message() const;

signals:
    void connected(const gh::console::ConnectionProfile& profile, const gh::console::ServerAccess& access,
                   const gh::api::WhoAmI& who);
    // Connected, but the token could not be stored (it is kept for this session).
    void tokenNotStored(const QString& message);

private:
    void buildForm();
    void buildTrustPage();
    void reloadProfiles(const QString& selectId);
    void showProfile(const ConnectionProfile& profile);
    void updateTokenSourceWidgets();
    void updateKeychainStatus();
    void updatePinWidgets();
    void setBusy(bool busy);
    void showMessage(const QString& text, bool error = true);
    void fail(const QString& text);

    void startConnect();
    void probe(int attempt);
    void verify(int attempt);
    void storeAndFinish(int attempt, const api::WhoAmI& who);
    void finishConnected(const api::WhoAmI& who);
    void trustPresented();
    void rejectPresented();
    void forgetPin();
    void cancel();

    ConnectionProfiles& profiles_;
    TokenStore& tokens_;
    AdminClient* client_ = nullptr;

    QStackedWidget* pages_ = nullptr;
    QWidget* formPage_ = nullptr;
    QWidget* trustPage_ = nullptr;
    QComboBox* profileCombo_ = nullptr;
    QLineEdit* nameEdit_ = nullptr;
    QLineEdit* adminUrlEdit_ = nullptr;
    QComboBox* tokenSourceCombo_ = nullptr;
    QLineEdit* tokenEdit_ = nullptr;
    QLineEdit* tokenFileEdit_ = nullptr;
    QPushButton* browseTokenFileButton_ = nullptr;
    QLabel* keychainStatusLabel_ = nullptr;
    QLabel* pinnedLabel_ = nullptr;
    QPushButton* forgetPinButton_ = nullptr;
    QLabel* messageLabel_ = nullptr;
    QProgressBar* busyIndicator_ = nullptr;
    QPushButton* connectButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QLabel* trustExplanationLabel_ = nullptr;
    QLabel* fingerprintLabel_ = nullptr;
    QPushButton* trustButton_ = nullptr;
    QPushButton* rejectCertificateButton_ = nullptr;

    // The attempt in progress: callbacks of an older attempt (cancelled) are ignored.
    int attempt_ = 0;
    bool busy_ = false;
    ConnectionProfile pendingProfile_;
    QString pendingToken_;
    bool tokenTyped_ = false;
    ProbeResult pendingProbe_;
};

} // namespace gh::console
