#include "views/routes_screen.h"

#include "app/admin_client.h"
#include "app/dialogs.h"
#include "app/message_bar.h"
#include "models/display_format.h"
#include "models/policy_draft.h"
#include "policy/diff.h"
#include "policy/validator.h"
#include "policy/yaml_codec.h"
#include "views/replay_panel.h"
#include "views/review_dialog.h"
#include "views/route_editor.h"
#include "views/version_history_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace gh::console {

RoutesScreen::RoutesScreen(AdminClient* client, PolicyDraft* draft, MessageBar* messages, QWidget* parent)
    : QWidget(parent), client_(client), draft_(draft), messages_(messages) {
    setObjectName(QStringLiteral("routesScreen"));

    running_ = new QLabel(this);
    running_->setObjectName(QStringLiteral("runningLabel"));
    // A long comment must not widen the window: the label gives way, the tooltip has it all.
    running_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    draftStatus_ = new QLabel(this);
    draftStatus_->setObjectName(QStringLiteral("draftStatusLabel"));
    draftStatus_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    discard_ = new QPushButton(tr("Discard draft"), this);
    discard_->setObjectName(QStringLiteral("discardButton"));
    discard_->setToolTip(tr("Drop the draft's edits and show the running version again"));
    review_ = new QPushButton(tr("Review && Apply\u2026"), this);
    review_->setObjectName(QStringLiteral("reviewButton"));
    review_->setToolTip(tr("See the changes against the running version, then apply them (Ctrl+Return)"));
    review_->setDefault(true);

    auto* header = new QHBoxLayout;
    auto* labels = new QVBoxLayout;
    QFont strong = running_->font();
    strong.setBold(true);
    running_->setFont(strong);
    labels->addWidget(running_);
    labels->addWidget(draftStatus_);
    header->addLayout(labels, 1);
    header->addWidget(discard_);
    header->addWidget(review_);

    editor_ = new RouteEditor(draft_, this);
    replay_ = new ReplayPanel(client_, draft_, this);
    editor_->addSidePanel(replay_, tr("Replay"));
    history_ = new VersionHistoryView(client_, draft_, messages_, this);

    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("routesTabs"));
    tabs_->setDocumentMode(true);
    tabs_->addTab(editor_, tr("Editor"));
    tabs_->addTab(history_, tr("History"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(header);
    layout->addWidget(tabs_, 1);

    connect(review_, &QPushButton::clicked, this, &RoutesScreen::reviewAndApply);
    connect(discard_, &QPushButton::clicked, this, &RoutesScreen::discardDraft);
    connect(draft_, &PolicyDraft::changed, this, &RoutesScreen::updateHeader);
    connect(draft_, &PolicyDraft::runningChanged, this, &RoutesScreen::updateHeader);
    connect(draft_, &PolicyDraft::readOnlyChanged, this, &RoutesScreen::updateHeader);
    connect(history_, &VersionHistoryView::rolledBack, this, [this] {
        // A rollback replaces the running version; a draft with edits keeps them (rebased).
        loadRunning();
    });
    updateHeader();
}

void RoutesScreen::setRunning(const api::PolicyVersion& running) {
    runningInfo_ = running;
    const QString yaml = QString::fromStdString(running.yaml.value_or(""));
    // Edits survive a newer running version (rebased); a read-only role has none to keep.
    if (draft_->isModified() && draft_->runningVersion() != 0 && !draft_->isReadOnly())
        draft_->rebase(yaml, running.version, QString::fromStdString(running.etag));
    else
        draft_->resetToRunning(yaml, running.version, QString::fromStdString(running.etag));
    if (editor_->currentRule() < 0 && !draft_->document().routes.empty())
        editor_->selectRule(0); // a form to look at, not an empty page
    history_->reload();
    updateHeader();
}

void RoutesScreen::loadRunning() {
    if (loading_)
        return;
    loading_ = true;
    client_->currentPolicy(this, [this](const ApiResult<api::PolicyVersion>& r) {
        loading_ = false;
        if (!r && r.error().kind == ApiError::Kind::Cancelled)
            return; // the connection changed meanwhile; the new one loads its own
        if (!r) {
            messages_->showError(tr("Could not load the running policy: %1").arg(r.error().message));
            return;
        }
        const bool hadEdits = draft_->isModified() && draft_->runningVersion() != 0 &&
                              draft_->runningVersion() != r.value().version;
        setRunning(r.value());
        if (hadEdits)
            messages_->showWarning(tr("Version %1 is now running. Your draft keeps its edits; Review shows them "
                                      "against version %1.")
                                       .arg(r.value().version));
    });
}

void RoutesScreen::noticeRunningVersion(qint64 version) {
    if (version != 0 && version != draft_->runningVersion())
        loadRunning();
}

void RoutesScreen::updateHeader() {
    if (draft_->runningVersion() == 0) {
        running_->setText(tr("No policy loaded"));
        draftStatus_->setText(tr("Connect to a gateway to edit its route policy."));
    } else {
        QString text = tr("Running: version %1, applied %2 by %3")
                           .arg(draft_->runningVersion())
                           .arg(displayTime(runningInfo_.created_at), displayAuthor(runningInfo_.author));
        if (!runningInfo_.comment.empty())
            text += tr(" \u2014 \u201c%1\u201d").arg(QString::fromStdString(runningInfo_.comment));
        running_->setText(text);
        running_->setToolTip(text);
        const int errors = int(std::count_if(draft_->diagnostics().begin(), draft_->diagnostics().end(),
                                             [](const policy::Diagnostic& d) { return d.severity == policy::Severity::Error; }));
        QString state = draft_->isReadOnly() ? tr("Read-only: your role may view and simulate, not change the policy.")
                        : draft_->isModified() ? tr("Draft: changed, not applied")
                                               : tr("Draft: same as the running version");
        if (errors > 0)
            state += errors == 1 ? tr(" \u00b7 1 problem to fix") : tr(" \u00b7 %1 problems to fix").arg(errors);
        draftStatus_->setText(state);
    }
    discard_->setEnabled(draft_->isModified() && !draft_->isReadOnly());
    review_->setEnabled(draft_->runningVersion() != 0);
    review_->setText(draft_->isReadOnly() ? tr("Review changes\u2026") : tr("Review && Apply\u2026"));
}

void RoutesScreen::discardDraft() {
    if (!draft_->isModified() || draft_->isReadOnly())
        return;
    if (!Dialogs::confirm(this, tr("Discard the draft"),
                          tr("Drop every change not applied yet and show running version %1 again?")
                              .arg(draft_->runningVersion()),
                          tr("Discard")))
        return;
    draft_->resetToRunning(draft_->runningYaml(), draft_->runningVersion(), draft_->runningEtag());
}

void RoutesScreen::reviewAndApply() {
    if (draft_->runningVersion() == 0)
        return;
    editor_->flushPendingEdits(); // YAML still waiting for its typing pause
    if (reviewDialog_)
        reviewDialog_->close();
    const int errors = int(std::count_if(draft_->diagnostics().begin(), draft_->diagnostics().end(),
                                         [](const policy::Diagnostic& d) { return d.severity == policy::Severity::Error; }));
    auto* dialog = new ReviewDialog(draft_->runningYaml(), draft_->runningVersion(), draft_->yaml(), errors,
                                    draft_->isReadOnly(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ReviewDialog::applyRequested, this, &RoutesScreen::apply);
    reviewDialog_ = dialog;
    dialog->open();
}

void RoutesScreen::apply(const QString& comment) {
    if (!reviewDialog_ || draft_->isReadOnly())
        return;
    reviewDialog_->setApplying(true);
    const QString yaml = draft_->yaml();
    client_->applyPolicy(this, yaml, comment, draft_->runningEtag(), [this, yaml](const ApiResult<api::PolicyVersion>& r) {
        if (r) {
            api::PolicyVersion version = r.value();
            if (!version.yaml)
                version.yaml = yaml.toStdString();
            if (reviewDialog_)
                reviewDialog_->accept();
            runningInfo_ = version;
            draft_->resetToRunning(QString::fromStdString(*version.yaml), version.version,
                                   QString::fromStdString(version.etag));
            history_->reload();
            updateHeader();
            messages_->showSuccess(tr("Applied: version %1 is now running.").arg(version.version));
            emit applied(version.version);
            return;
        }
        const ApiError& e = r.error();
        if (e.type == QLatin1String("precondition_failed")) {
            if (reviewDialog_)
                reviewDialog_->accept();
            resolveConflict();
            return;
        }
        QString message = e.message;
        for (const auto& d : e.detail.diagnostics.value_or(std::vector<api::Diagnostic>{}))
            message += QStringLiteral("\n\u2022 ") + tr("line %1: %2").arg(d.line).arg(QString::fromStdString(d.message));
        if (reviewDialog_) {
            reviewDialog_->setApplying(false);
            reviewDialog_->showError(message);
        } else {
            messages_->showError(message);
        }
    });
}

void RoutesScreen::resolveConflict() {
    client_->currentPolicy(this, [this](const ApiResult<api::PolicyVersion>& r) {
        if (!r && r.error().kind == ApiError::Kind::Cancelled)
            return;
        if (!r) {
            messages_->showError(tr("Someone else applied a new version, and it could not be loaded: %1")
                                     .arg(r.error().message));
            return;
        }
        const api::PolicyVersion current = r.value();
        const QString currentYaml = QString::fromStdString(current.yaml.value_or(""));
        // Both sides' changes on canonical text (a rule's lines are its own there); offered only
        // when they touch different lines and the result is a valid policy.
        std::optional<QString> merged;
        const auto base = policy::canonicalYaml(draft_->runningYaml().toStdString());
        const auto mine = policy::canonicalYaml(draft_->yaml().toStdString());
        const auto theirs = policy::canonicalYaml(currentYaml.toStdString());
        if (base && mine && theirs)
            if (auto text = policy::mergeLines(*base, *mine, *theirs); text && policy::loadPolicy(*text).ok())
                merged = QString::fromStdString(*text);
        auto* dialog = new ConflictDialog(draft_->runningYaml(), draft_->runningVersion(), currentYaml, current.version,
                                          displayAuthor(current.author), displayTime(current.created_at),
                                          QString::fromStdString(current.comment), merged.has_value(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &ConflictDialog::chosen, this, [this, current, merged](ConflictDialog::Choice choice) {
            runningInfo_ = current;
            const QString yaml = QString::fromStdString(current.yaml.value_or(""));
            const QString etag = QString::fromStdString(current.etag);
            if (choice == ConflictDialog::Choice::KeepDraft) {
                draft_->rebase(yaml, current.version, etag);
                if (merged)
                    draft_->setYaml(*merged);
                history_->reload();
                reviewAndApply();
            } else {
                draft_->resetToRunning(yaml, current.version, etag);
                history_->reload();
                messages_->showInfo(tr("Your draft was discarded; the editor shows running version %1.").arg(current.version));
            }
        });
        dialog->open();
    });
}

} // namespace gh::console
