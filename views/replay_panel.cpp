#include "views/replay_panel.h"

#include "api/time.h"
#include "app/admin_client.h"
#include "models/display_format.h"
#include "models/policy_draft.h"
#include "models/replay_model.h"

#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace gh::console {

namespace {

QLabel* figure(QWidget* parent, const char* name) {
    auto* label = new QLabel(QStringLiteral("\u2013"), parent);
    label->setObjectName(QLatin1String(name));
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    return label;
}

} // namespace

ReplayPanel::ReplayPanel(AdminClient* client, PolicyDraft* draft, QWidget* parent)
    : QWidget(parent), client_(client), draft_(draft), model_(new ReplayModel(this)) {
    setObjectName(QStringLiteral("replayPanel"));
    auto* intro = new QLabel(tr("Run the draft over the requests the gateway recorded, and see what would have "
                                "gone differently."),
                             this);
    intro->setWordWrap(true);

    period_ = new QComboBox(this);
    period_->setObjectName(QStringLiteral("replayPeriodCombo"));
    period_->addItem(tr("Last 24 hours"), 1);
    period_->addItem(tr("Last 7 days"), 7);
    period_->addItem(tr("Last 30 days"), 30);
    period_->addItem(tr("Last 90 days"), 90);
    period_->setCurrentIndex(1);
    run_ = new QPushButton(tr("Replay"), this);
    run_->setObjectName(QStringLiteral("runReplayButton"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(period_, 1);
    controls->addWidget(run_);

    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("replayStatusLabel"));
    status_->setWordWrap(true);

    requests_ = figure(this, "replayRequestsLabel");
    routed_ = figure(this, "replayRoutedDifferentlyLabel");
    denied_ = figure(this, "replayDeniedLabel");
    allowed_ = figure(this, "replayAllowedLabel");
    cost_ = figure(this, "replayCostLabel");
    cost_->setWordWrap(true);
    auto* figures = new QFormLayout;
    figures->addRow(tr("Requests replayed:"), requests_);
    figures->addRow(tr("Routed differently:"), routed_);
    figures->addRow(tr("Now denied:"), denied_);
    figures->addRow(tr("Newly allowed:"), allowed_);
    figures->addRow(tr("Cost:"), cost_);

    sample_ = new QTableView(this);
    sample_->setObjectName(QStringLiteral("replaySampleView"));
    sample_->setModel(model_);
    sample_->verticalHeader()->hide();
    sample_->setSelectionBehavior(QAbstractItemView::SelectRows);
    sample_->setAlternatingRowColors(true);
    sample_->setWordWrap(false);
    sample_->setTextElideMode(Qt::ElideMiddle); // endpoint and model both stay readable
    sample_->verticalHeader()->setDefaultSectionSize(sample_->fontMetrics().height() + 6);
    sample_->horizontalHeader()->setStretchLastSection(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(controls);
    layout->addWidget(status_);
    layout->addLayout(figures);
    layout->addWidget(new QLabel(tr("Affected requests, newest first (hover for details):"), this));
    layout->addWidget(sample_, 1);

    connect(run_, &QPushButton::clicked, this, &ReplayPanel::run);
    connect(draft_, &PolicyDraft::changed, this, [this] {
        if (haveResult_)
            status_->setText(tr("The draft changed since this replay: run it again to see the effect of your last edits."));
        updateRunButton();
    });
    updateRunButton();
}

void ReplayPanel::updateRunButton() {
    run_->setEnabled(!running_ && !draft_->hasErrors() && draft_->runningVersion() > 0);
    run_->setToolTip(draft_->hasErrors() ? tr("Fix the draft's problems to replay it") : QString());
}

void ReplayPanel::setFigures(const QString& requests, const QString& routed, const QString& denied,
                             const QString& allowed, const QString& cost) {
    requests_->setText(requests);
    routed_->setText(routed);
    denied_->setText(denied);
    allowed_->setText(allowed);
    cost_->setText(cost);
}

void ReplayPanel::run() {
    if (running_ || draft_->hasErrors())
        return;
    running_ = true;
    updateRunButton();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 days = period_->currentData().toLongLong();
    api::ReplayRequest request;
    request.yaml = draft_->yaml().toStdString();
    request.to = api::formatTime(now);
    request.from = api::formatTime(now - days * 24 * 3'600'000);
    request.sample_limit = 200;
    status_->setText(tr("Replaying %1\u2026").arg(period_->currentText().toLower()));
    client_->replay(this, request, [this](const ApiResult<api::Replay>& r) {
        running_ = false;
        updateRunButton();
        if (!r && r.error().kind == ApiError::Kind::Cancelled) {
            status_->setText(tr("The replay was cancelled: the console changed its connection."));
            emit finished(false);
            return;
        }
        if (!r) {
            status_->setText(tr("Replay failed: %1").arg(r.error().message));
            emit finished(false);
            return;
        }
        const api::Replay& replay = r.value();
        haveResult_ = true;
        QString status = (replay.requests == 1 ? tr("1 recorded request from %2 to %3.")
                                               : tr("%1 recorded requests from %2 to %3.").arg(replay.requests))
                             .arg(displayTime(replay.from), displayTime(replay.to));
        if (replay.truncated)
            status += QLatin1Char(' ') + tr("The period held more requests than one replay covers: the figures stop at %1.")
                                             .arg(displayTime(replay.to));
        status_->setText(status);
        QString cost = tr("%1 recorded \u2192 %2 with the draft (%3)")
                           .arg(displayUsd(replay.cost_before_micros), displayUsd(replay.cost_after_micros),
                                displayUsdDelta(replay.cost_difference_micros));
        if (replay.allowed > 0)
            cost += QLatin1Char('\n') + tr("Newly allowed requests are not included: no tokens were recorded for them.");
        setFigures(QString::number(replay.requests), QString::number(replay.routed_differently),
                   QString::number(replay.denied), QString::number(replay.allowed), cost);
        model_->setSample(replay.sample);
        sample_->resizeColumnsToContents();
        // Targets are long; capped columns keep what changed and the cost in view (elided in the
        // middle; the tooltip has the whole row).
        for (int column = 0; column < model_->columnCount(); ++column)
            sample_->setColumnWidth(column, std::min(sample_->columnWidth(column), 125));
        emit finished(true);
    });
}

} // namespace gh::console
