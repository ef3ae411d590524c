#include "models/replay_model.h"

#include "models/display_format.h"

namespace gh::console {

ReplayModel::ReplayModel(QObject* parent) : QAbstractTableModel(parent) {}

void ReplayModel::setSample(std::vector<api::ReplayChange> sample) {
    beginResetModel();
    rows_ = std::move(sample);
    endResetModel();
}

const api::ReplayChange* ReplayModel::changeAt(int row) const {
    return row >= 0 && row < int(rows_.size()) ? &rows_[std::size_t(row)] : nullptr;
}

int ReplayModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int ReplayModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString ReplayModel::describe(const api::ReplayDecision& d) {
    const QString rule = d.rule ? QString::fromStdString(*d.rule) : tr("default deny");
    if (d.decision == "denied")
        return d.reason.empty() ? tr("denied by %1").arg(rule)
                                : tr("denied by %1: %2").arg(rule, QString::fromStdString(d.reason));
    const QString target = QString::fromStdString(d.endpoint.value_or("?")) + QLatin1Char('/') +
                           QString::fromStdString(d.model.value_or("?"));
    return tr("%1 (rule %2)").arg(target, rule);
}

QString ReplayModel::changeName(const std::string& change) {
    if (change == "routed_differently")
        return tr("Routed differently");
    if (change == "denied")
        return tr("Denied");
    if (change == "allowed")
        return tr("Newly allowed");
    return QString::fromStdString(change);
}

QString ReplayModel::shortDescription(const api::ReplayDecision& d) {
    if (d.decision == "denied")
        return tr("denied");
    return QString::fromStdString(d.endpoint.value_or("?")) + QLatin1Char('/') + QString::fromStdString(d.model.value_or("?"));
}

QVariant ReplayModel::data(const QModelIndex& index, int role) const {
    const api::ReplayChange* c = index.isValid() ? changeAt(index.row()) : nullptr;
    if (!c)
        return {};
    if (role == Qt::ToolTipRole) {
        // The whole story of the row, whatever columns the (narrow) panel shows.
        const QString task = c->task.empty() ? tr("no task") : tr("task %1").arg(QString::fromStdString(c->task));
        QString text = changeName(c->change) + QLatin1Char('\n') + tr("%1 \u00b7 %2, team %3 \u00b7 %4 \u00b7 %5 \u00b7 model %6")
                           .arg(displayTime(c->time), QString::fromStdString(c->identity),
                                QString::fromStdString(c->team), QString::fromStdString(c->repository), task,
                                QString::fromStdString(c->requested_model));
        text += QLatin1Char('\n') + tr("Recorded: %1").arg(describe(c->recorded));
        text += QLatin1Char('\n') + tr("Draft: %1").arg(describe(c->draft));
        if (c->change != "allowed")
            text += QLatin1Char('\n') + tr("Cost: %1 \u2192 %2").arg(displayUsd(c->recorded.cost_micros),
                                                                     displayUsd(c->draft.cost_micros));
        return text;
    }
    if (role != Qt::DisplayRole && role != RawRole)
        return {};
    const bool raw = role == RawRole;
    switch (index.column()) {
    case TimeColumn: return raw ? QString::fromStdString(c->time) : displayTime(c->time);
    case TeamColumn: return QString::fromStdString(c->team);
    case IdentityColumn: return QString::fromStdString(c->identity);
    case RepositoryColumn: return QString::fromStdString(c->repository);
    case TaskColumn: return c->task.empty() && !raw ? tr("(none)") : QString::fromStdString(c->task);
    case ModelColumn: return QString::fromStdString(c->requested_model);
    case ChangeColumn:
        if (raw)
            return QString::fromStdString(c->change);
        // Short words for a narrow column; the tooltip and the figures above say it in full.
        return c->change == "routed_differently" ? tr("rerouted") : c->change == "denied" ? tr("denied") : tr("allowed");
    case RecordedColumn: return raw ? describe(c->recorded) : shortDescription(c->recorded);
    case DraftColumn: return raw ? describe(c->draft) : shortDescription(c->draft);
    case CostColumn:
        if (raw)
            return QVariant::fromValue(qint64(c->draft.cost_micros - c->recorded.cost_micros));
        if (c->change == "allowed")
            return tr("unknown");
        return displayUsdDelta(c->draft.cost_micros - c->recorded.cost_micros);
    default: return {};
    }
}

QVariant ReplayModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time");
    case TeamColumn: return tr("Team");
    case IdentityColumn: return tr("Identity");
    case RepositoryColumn: return tr("Repository");
    case TaskColumn: return tr("Task");
    case ModelColumn: return tr("Model");
    case ChangeColumn: return tr("Change");
    case RecordedColumn: return tr("Recorded");
    case DraftColumn: return tr("Draft");
    case CostColumn: return tr("Cost change");
    default: return {};
    }
}

} // namespace gh::console
