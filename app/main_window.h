#pragma once
// The console's main window: navigation between the screens that exist (Routes today; the
// later screens join the list as they are built), the screen in the middle, an inline message
// bar, and a status bar with the connection, the token's role and the running policy version.
// The window owns the one AdminClient and the one PolicyDraft every screen works with.
#include "api/shapes.h"

#include <QMainWindow>

#include <memory>

class QLabel;
class QListWidget;
class QSettings;
class QStackedWidget;
class QTimer;

namespace gh::console {

class AdminClient;
class ConnectionProfiles;
class MessageBar;
class Settings;
class TokenStore;
class PolicyDraft;
class RoutesScreen;
struct ServerAccess;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `settings` keeps the window's geometry, its state and the connection profiles (tests pass
    // an isolated one); null: the user's settings. `tokens` keeps admin tokens (tests pass a
    // MemoryTokenStore); null: the operating system's keychain.
    explicit MainWindow(QSettings* settings = nullptr, TokenStore* tokens = nullptr, QWidget* parent = nullptr);
    ~MainWindow() override;

    AdminClient* client() const { return client_; }
    PolicyDraft* draft() const { return draft_; }
    RoutesScreen* routes() const { return routes_; }
    MessageBar* messages() const { return messages_; }
    QString role() const { return role_; }
    bool isConnected() const { return connected_; }

    // Talks to the gateway at `access` (its certificate already trusted or pinned): asks who the
    // token is, follows its role (viewer and security: read-only policy), loads the running policy.
    void connectTo(const ServerAccess& access, const QString& label);
    void disconnectFromGateway();
    // The connection dialog (window-modal, not blocking), with the last profile preselected.
    void openConnectDialog();
    // At start-up without a command line: the last profile when its certificate is pinned and
    // its token can be read; otherwise the connection dialog.
    void connectLastProfile();

    ConnectionProfiles& profiles() const { return *profiles_; }
    TokenStore& tokens() const { return *tokens_; }

signals:
    // Connected (whoami answered) or not.
    void connectionChanged(bool connected);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void pollStatus();
    void setConnectionText(const QString& text, bool ok);

    std::unique_ptr<QSettings> ownedSettings_;
    QSettings* settings_;
    std::unique_ptr<Settings> typedSettings_;
    std::unique_ptr<ConnectionProfiles> profiles_;
    TokenStore* tokens_;
    AdminClient* client_;
    PolicyDraft* draft_;
    MessageBar* messages_ = nullptr;
    QListWidget* navigation_ = nullptr;
    QStackedWidget* screens_ = nullptr;
    RoutesScreen* routes_ = nullptr;
    QLabel* connectionLabel_ = nullptr;
    QLabel* roleLabel_ = nullptr;
    QLabel* policyLabel_ = nullptr;
    QLabel* busyLabel_ = nullptr;
    QTimer* statusTimer_ = nullptr;
    QString label_;
    QString draftOrigin_; // the gateway the draft was loaded from (kept across a disconnect)
    QString role_;
    bool connected_ = false;
    int connectGeneration_ = 0; // answers of an older connection are dropped
};

} // namespace gh::console
