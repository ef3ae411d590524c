#include "views/version_history_view.h"

#include "app/admin_client.h"
#include "app/dialogs.h"
#include "app/message_bar.h"
#include "models/display_format.h"
#include "models/policy_draft.h"
#include "models/version_list_model.h"
#include "views/review_dialog.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace gh::console {

namespace {
constexpr int kPageSize = 50;
}

VersionHistoryView::VersionHistoryView(AdminClient* client, PolicyDraft* draft, MessageBar* messages, QWidget* parent)
    : QWidget(parent), client_(client), draft_(draft), messages_(messages), model_(new VersionListModel(this)) {
    setObjectName(QStringLiteral("versionHistoryView"));
    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("versionTable"));
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(false);
    table_->horizontalHeader()->setSectionResizeMode(VersionListModel::CommentColumn, QHeaderView::Stretch);
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideRight);
    for (int column : {int(VersionListModel::VersionColumn), int(VersionListModel::TimeColumn), int(VersionListModel::SourceColumn)})
        table_->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    table_->horizontalHeader()->resizeSection(VersionListModel::AuthorColumn, 120);
    table_->setAlternatingRowColors(true);

    diffLabel_ = new QLabel(tr("Select a version to see what it changed."), this);
    diffLabel_->setObjectName(QStringLiteral("versionDiffLabel"));
    diffLabel_->setWordWrap(true);
    diff_ = new DiffView(this);
    diff_->setObjectName(QStringLiteral("versionDiffView"));

    comment_ = new QLineEdit(this);
    comment_->setObjectName(QStringLiteral("rollbackCommentEdit"));
    comment_->setPlaceholderText(tr("Why roll back? (kept with the new version)"));
    rollback_ = new QPushButton(tr("Roll back to this version\u2026"), this);
    rollback_->setObjectName(QStringLiteral("rollbackButton"));
    openInEditor_ = new QPushButton(tr("Open in editor"), this);
    openInEditor_->setObjectName(QStringLiteral("openVersionButton"));
    openInEditor_->setToolTip(tr("Make the draft a copy of this version, to change it before applying"));

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(diffLabel_);
    rightLayout->addWidget(diff_, 1);
    auto* actions = new QHBoxLayout;
    actions->addWidget(comment_, 1);
    actions->addWidget(openInEditor_);
    actions->addWidget(rollback_);
    rightLayout->addLayout(actions);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(table_);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 5);
    splitter->setStretchFactor(1, 4);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(model_, &VersionListModel::moreRequested, this, &VersionHistoryView::fetchPage);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &VersionHistoryView::showSelected);
    connect(rollback_, &QPushButton::clicked, this, &VersionHistoryView::rollBack);
    connect(openInEditor_, &QPushButton::clicked, this, &VersionHistoryView::openInEditor);
    connect(draft_, &PolicyDraft::runningChanged, this, [this] {
        model_->setRunningVersion(draft_->runningVersion());
        showSelected();
    });
    connect(draft_, &PolicyDraft::readOnlyChanged, this, [this] { showSelected(); });
    showSelected();
}

void VersionHistoryView::reload() { fetchPage({}); }

void VersionHistoryView::fetchPage(const QString& cursor) {
    if (client_->access().origin.isEmpty())
        return; // not connected
    client_->policyVersions(this, cursor, kPageSize, [this, cursor](const ApiResult<api::Page<api::PolicyVersion>>& r) {
        if (!r && r.error().kind == ApiError::Kind::Cancelled) {
            model_->clear(); // the connection changed: the new one reloads
            return;
        }
        if (!r) {
            messages_->showError(tr("Could not load the policy's history: %1").arg(r.error().message));
            model_->appendPage({}, {}); // stop asking for more until reloaded
            return;
        }
        auto page = r.value();
        const QString next = page.next_cursor ? QString::fromStdString(*page.next_cursor) : QString();
        if (cursor.isEmpty()) {
            // A reload keeps the version the person was looking at, when it is still listed.
            const qint64 selected = selectedVersion();
            model_->resetWith(std::move(page.items), next);
            model_->setRunningVersion(draft_->runningVersion());
            const int row = selected != 0 ? model_->rowOfVersion(selected) : -1;
            if (model_->rowCount() > 0)
                table_->selectRow(row >= 0 ? row : 0);
        } else {
            model_->appendPage(std::move(page.items), next);
        }
    });
}

qint64 VersionHistoryView::selectedVersion() const {
    const QModelIndex current = table_->selectionModel()->currentIndex();
    return current.isValid() ? model_->data(model_->index(current.row(), 0), VersionListModel::VersionRole).toLongLong()
                             : 0;
}

void VersionHistoryView::showSelected() {
    const qint64 version = selectedVersion();
    const int generation = ++generation_;
    const bool running = version != 0 && version == draft_->runningVersion();
    rollback_->setEnabled(version != 0 && !running && !draft_->isReadOnly());
    rollback_->setText(version ? tr("Roll back to v%1\u2026").arg(version) : tr("Roll back\u2026"));
    rollback_->setToolTip(draft_->isReadOnly() ? tr("Your role may not change the policy")
                          : running        ? tr("This is the running version")
                                           : tr("Apply a copy of this version as a new version"));
    comment_->setEnabled(rollback_->isEnabled());
    openInEditor_->setEnabled(false);
    selectedYaml_.clear();
    if (version == 0 || client_->access().origin.isEmpty()) {
        diff_->clear();
        return;
    }
    // The version and the one before it, to show what this version changed.
    client_->policyVersion(this, version, [this, version, generation](const ApiResult<api::PolicyVersion>& r) {
        if (generation != generation_ || (!r && r.error().kind == ApiError::Kind::Cancelled))
            return;
        if (!r) {
            diffLabel_->setText(tr("Could not load version %1: %2").arg(version).arg(r.error().message));
            return;
        }
        selectedYaml_ = QString::fromStdString(r.value().yaml.value_or(""));
        openInEditor_->setEnabled(!draft_->isReadOnly());
        const QString after = selectedYaml_;
        if (version <= 1) {
            diffLabel_->setText(tr("Version 1 is the first version."));
            diff_->showPolicyDiff({}, after, tr("(nothing)"), tr("v1"), {});
            return;
        }
        client_->policyVersion(this, version - 1, [this, version, after, generation](const ApiResult<api::PolicyVersion>& prev) {
            if (generation != generation_)
                return;
            if (!prev) {
                diffLabel_->setText(tr("Could not load version %1: %2").arg(version - 1).arg(prev.error().message));
                return;
            }
            diffLabel_->setText(tr("What version %1 changed against version %2:").arg(version).arg(version - 1));
            diff_->showPolicyDiff(QString::fromStdString(prev.value().yaml.value_or("")), after, tr("v%1").arg(version - 1),
                            tr("v%1").arg(version), tr("Version %1 has the same text as version %2.").arg(version).arg(version - 1));
        });
    });
}

void VersionHistoryView::rollBack() {
    const qint64 version = selectedVersion();
    if (version == 0 || draft_->isReadOnly())
        return;
    if (!Dialogs::confirm(this, tr("Roll back the policy"),
                          tr("Make a new version %1 that is a copy of version %2 and put it in force now?")
                              .arg(draft_->runningVersion() + 1)
                              .arg(version),
                          tr("Roll back")))
        return;
    rollback_->setEnabled(false);
    const QString comment = comment_->text().trimmed().isEmpty() ? tr("roll back to version %1").arg(version)
                                                                  : comment_->text().trimmed();
    client_->rollbackPolicy(this, version, comment, draft_->runningEtag(), [this, version](const ApiResult<api::PolicyVersion>& r) {
        if (!r) {
            messages_->showError(tr("Rollback to version %1 failed: %2").arg(version).arg(r.error().message));
            showSelected();
            return;
        }
        comment_->clear();
        messages_->showSuccess(tr("Rolled back: version %1 (a copy of version %2) is now running.")
                                   .arg(r.value().version)
                                   .arg(version));
        emit rolledBack(r.value().version);
    });
}

void VersionHistoryView::openInEditor() {
    if (selectedYaml_.isEmpty() || draft_->isReadOnly())
        return;
    if (draft_->isModified() &&
        !Dialogs::confirm(this, tr("Replace the draft"),
                          tr("Your draft has changes that were not applied. Replace it with version %1?").arg(selectedVersion()),
                          tr("Replace draft")))
        return;
    draft_->setYaml(selectedYaml_);
    messages_->showInfo(tr("The draft is now a copy of version %1. Review and apply it to put it in force.")
                            .arg(selectedVersion()));
}

} // namespace gh::console
