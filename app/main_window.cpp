#include "app/main_window.h"

#include "app/admin_client.h"
#include "app/connect_dialog.h"
#include "app/connection_profiles.h"
#include "app/dialogs.h"
#include "app/message_bar.h"
#include "app/settings.h"
#include "app/token_store.h"
#include "models/policy_draft.h"
#include "views/route_editor.h"
#include "views/routes_screen.h"
#include "views/version_history_view.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QHBoxLayout>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace gh::console {

namespace {

constexpr int kStatusPollMs = 15'000;

// Roles that may change the route policy (docs/admin-api.md, "Roles").
bool mayEditPolicy(const QString& role) { return role == QLatin1String("admin") || role == QLatin1String("policy-editor"); }

} // namespace

MainWindow::MainWindow(QSettings* settings, TokenStore* tokens, QWidget* parent)
    : QMainWindow(parent), settings_(settings), tokens_(tokens), client_(new AdminClient(this)),
      draft_(new PolicyDraft(this)) {
    if (!settings_) {
        ownedSettings_ = Settings::openUserSettings();
        settings_ = ownedSettings_.get();
    }
    typedSettings_ = std::make_unique<Settings>(settings_);
    profiles_ = std::make_unique<ConnectionProfiles>(*typedSettings_);
    if (!tokens_)
        tokens_ = new KeychainTokenStore(this);
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Gatehouse"));
    setWindowIcon(QIcon(QStringLiteral(":/gatehouse/gatehouse.svg")));
    draft_->setReadOnly(true); // until a role says otherwise

    messages_ = new MessageBar(this);
    routes_ = new RoutesScreen(client_, draft_, messages_, this);

    navigation_ = new QListWidget(this);
    navigation_->setObjectName(QStringLiteral("navigationList"));
    navigation_->setFrameShape(QFrame::NoFrame);
    navigation_->setIconSize(QSize(20, 20));
    navigation_->setSpacing(2);
    auto* routesItem = new QListWidgetItem(style()->standardIcon(QStyle::SP_FileDialogDetailedView), tr("Routes"));
    routesItem->setToolTip(tr("Route policy: who may use which model for what work (Ctrl+1)"));
    navigation_->addItem(routesItem);
    navigation_->setFixedWidth(132);

    screens_ = new QStackedWidget(this);
    screens_->setObjectName(QStringLiteral("screenStack"));
    screens_->addWidget(routes_);
    connect(navigation_, &QListWidget::currentRowChanged, screens_, &QStackedWidget::setCurrentIndex);
    navigation_->setCurrentRow(0);

    auto* content = new QWidget(this);
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->setSpacing(0);
    contentLayout->addWidget(messages_);
    contentLayout->addWidget(screens_, 1);

    auto* central = new QWidget(this);
    auto* centralLayout = new QHBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(navigation_);
    centralLayout->addWidget(content, 1);
    setCentralWidget(central);

    buildMenus();
    buildStatusBar();

    statusTimer_ = new QTimer(this);
    statusTimer_->setInterval(kStatusPollMs);
    connect(statusTimer_, &QTimer::timeout, this, &MainWindow::pollStatus);
    connect(client_, &AdminClient::pendingChanged, this, [this](int pending) {
        busyLabel_->setText(pending > 0 ? tr("Working\u2026") : QString());
    });
    connect(client_, &AdminClient::certificateChanged, this, [this](const QString& pinned, const QString& presented) {
        connected_ = false;
        statusTimer_->stop();
        setConnectionText(tr("Refused: certificate changed"), false);
        messages_->showError(tr("The gateway presented a different certificate than the one pinned for this "
                                "connection, so the console stopped talking to it.\nPinned: %1\nPresented: %2\n"
                                "If the certificate was replaced on purpose, forget the pin in the connection "
                                "dialog and compare the new fingerprint with what gatehoused printed.")
                                 .arg(pinned, presented));
        emit connectionChanged(false);
    });
    connect(draft_, &PolicyDraft::runningChanged, this, [this] {
        policyLabel_->setText(draft_->runningVersion() ? tr("Policy v%1").arg(draft_->runningVersion()) : QString());
    });
    connect(draft_, &PolicyDraft::changed, this, [this] { setWindowModified(draft_->isModified()); });
    setWindowTitle(tr("Gatehouse[*]"));

    resize(1280, 800);
    restoreGeometry(typedSettings_->value(settings::windowGeometry));
    restoreState(typedSettings_->value(settings::windowState));
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* gateway = menuBar()->addMenu(tr("&Gateway"));
    QAction* connectAction = gateway->addAction(tr("&Connect\u2026"), this, &MainWindow::openConnectDialog);
    connectAction->setObjectName(QStringLiteral("connectAction"));
    connectAction->setShortcut(QKeySequence::Open);
    QAction* refresh = gateway->addAction(tr("&Refresh"), this, [this] {
        if (connected_) {
            pollStatus();
            routes_->loadRunning();
        }
    });
    refresh->setObjectName(QStringLiteral("refreshAction"));
    refresh->setShortcut(QKeySequence::Refresh);
    QAction* disconnectAction = gateway->addAction(tr("&Disconnect"), this, &MainWindow::disconnectFromGateway);
    disconnectAction->setObjectName(QStringLiteral("disconnectAction"));
    gateway->addSeparator();
    QAction* quit = gateway->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu* policy = menuBar()->addMenu(tr("&Policy"));
    QAction* review = policy->addAction(tr("&Review and Apply\u2026"), routes_, &RoutesScreen::reviewAndApply);
    review->setObjectName(QStringLiteral("reviewAction"));
    review->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    QAction* discard = policy->addAction(tr("&Discard Draft"), routes_, &RoutesScreen::discardDraft);
    discard->setObjectName(QStringLiteral("discardAction"));
    QAction* history = policy->addAction(tr("&History"), this, [this] {
        navigation_->setCurrentRow(0);
        if (auto* tabs = routes_->findChild<QTabWidget*>(QStringLiteral("routesTabs")))
            tabs->setCurrentWidget(routes_->history());
    });
    history->setObjectName(QStringLiteral("historyAction"));
    history->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* routesAction = view->addAction(tr("&Routes"), this, [this] { navigation_->setCurrentRow(0); });
    routesAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Gatehouse"), this, [this] {
        QMessageBox::about(this, tr("About Gatehouse"),
                           tr("<b>Gatehouse %1</b><p>A model control plane for AI coding agents: who may use which "
                              "model, for what work, under whose budget, with what logs, and where the data may go.</p>")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::buildStatusBar() {
    connectionLabel_ = new QLabel(this);
    connectionLabel_->setObjectName(QStringLiteral("connectionStatusLabel"));
    roleLabel_ = new QLabel(this);
    roleLabel_->setObjectName(QStringLiteral("roleStatusLabel"));
    policyLabel_ = new QLabel(this);
    policyLabel_->setObjectName(QStringLiteral("policyStatusLabel"));
    busyLabel_ = new QLabel(this);
    busyLabel_->setObjectName(QStringLiteral("busyStatusLabel"));
    statusBar()->addWidget(connectionLabel_, 1);
    statusBar()->addPermanentWidget(busyLabel_);
    statusBar()->addPermanentWidget(roleLabel_);
    statusBar()->addPermanentWidget(policyLabel_);
    setConnectionText(tr("Not connected"), false);
}

void MainWindow::setConnectionText(const QString& text, bool ok) {
    // A coloured dot before the text: green when the gateway answers, grey otherwise.
    const QString dot = ok ? QStringLiteral("<span style=\"color:#2e9e4f\">\u25cf</span> ")
                           : QStringLiteral("<span style=\"color:#9a9a9a\">\u25cf</span> ");
    connectionLabel_->setText(dot + text.toHtmlEscaped());
    connectionLabel_->setToolTip(text);
}

void MainWindow::connectTo(const ServerAccess& access, const QString& label) {
    // Until whoami answers, nothing of the previous connection holds: no role, read-only, no
    // polling. A draft belongs to the gateway it was made on: it is not carried to another one.
    disconnectFromGateway();
    if (draftOrigin_ != access.origin && draft_->runningVersion() != 0)
        draft_->resetToRunning({}, 0, {});
    draftOrigin_ = access.origin;
    const int generation = ++connectGeneration_;
    client_->setAccess(access);
    label_ = label.isEmpty() ? access.origin : label;
    setConnectionText(tr("Connecting to %1\u2026").arg(label_), false);
    client_->whoAmI(this, [this, generation](const ApiResult<api::WhoAmI>& r) {
        if (generation != connectGeneration_)
            return;
        if (!r) {
            setConnectionText(tr("Not connected"), false);
            messages_->showError(r.error().message);
            return;
        }
        connected_ = true;
        role_ = QString::fromStdString(r.value().role);
        const bool readOnly = !mayEditPolicy(role_);
        draft_->setReadOnly(readOnly);
        roleLabel_->setText(readOnly ? tr("%1 \u00b7 read-only").arg(role_) : role_);
        roleLabel_->setToolTip(tr("Signed in as %1 with the role %2").arg(QString::fromStdString(r.value().name), role_));
        setConnectionText(tr("Connected to %1 as %2").arg(label_, QString::fromStdString(r.value().name)), true);
        routes_->loadRunning();
        statusTimer_->start();
        emit connectionChanged(true);
    });
}

void MainWindow::openConnectDialog() {
    if (auto* open = findChild<ConnectDialog*>()) {
        open->raise();
        return;
    }
    if (draft_->isModified() && !draft_->isReadOnly() &&
        !Dialogs::confirm(this, tr("Connect to a gateway"),
                          tr("The route policy draft has changes that were not applied. Connecting to another "
                             "gateway drops them. Continue?"),
                          tr("Drop the draft and connect")))
        return;
    auto* dialog = new ConnectDialog(*profiles_, *tokens_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConnectDialog::connected, this,
            [this](const ConnectionProfile& profile, const ServerAccess& access, const api::WhoAmI&) {
                connectTo(access, profile.displayName());
            });
    connect(dialog, &ConnectDialog::tokenNotStored, this, [this](const QString& message) { messages_->showWarning(message); });
    dialog->open();
}

void MainWindow::connectLastProfile() {
    const auto profile = profiles_->find(profiles_->lastUsedId());
    if (!profile || !profile->isPinned()) {
        openConnectDialog();
        return;
    }
    setConnectionText(tr("Connecting to %1\u2026").arg(profile->displayName()), false);
    ConnectionController::connectProfile(*profile, *tokens_, this, [this, profile](const ConnectOutcome& outcome) {
        if (!outcome.ok) {
            setConnectionText(tr("Not connected"), false);
            messages_->showError(outcome.message);
            openConnectDialog();
            return;
        }
        connectTo(outcome.access, profile->displayName());
    });
}

void MainWindow::disconnectFromGateway() {
    ++connectGeneration_;
    statusTimer_->stop();
    client_->setAccess(ServerAccess());
    const bool wasConnected = connected_;
    connected_ = false;
    role_.clear();
    roleLabel_->clear();
    draft_->setReadOnly(true);
    setConnectionText(tr("Not connected"), false);
    if (wasConnected)
        emit connectionChanged(false);
}

void MainWindow::pollStatus() {
    const int generation = connectGeneration_;
    client_->status(this, [this, generation](const ApiResult<api::Status>& r) {
        if (generation != connectGeneration_ || (!r && r.error().kind == ApiError::Kind::Cancelled))
            return;
        if (!r) {
            setConnectionText(tr("Connection to %1 lost: %2").arg(label_, r.error().message), false);
            return;
        }
        setConnectionText(tr("Connected to %1 (gatehoused %2)").arg(label_, QString::fromStdString(r.value().version)), true);
        routes_->noticeRunningVersion(r.value().policy_version);
    });
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (draft_->isModified() && !draft_->isReadOnly() &&
        !Dialogs::confirm(this, tr("Quit with a draft not applied"),
                          tr("The route policy draft has changes that were not applied. Quit and lose them?"),
                          tr("Quit"))) {
        event->ignore();
        return;
    }
    typedSettings_->setValue(settings::windowGeometry, saveGeometry());
    typedSettings_->setValue(settings::windowState, saveState());
    event->accept();
}

} // namespace gh::console
