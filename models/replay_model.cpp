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

QVariant ReplayModel::data(const QModelIndex& index, int role) const {
    const api::ReplayChange* c = index.isValid() ? changeAt(index.row()) : nullptr;
    if (!c || (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != RawRole))
        return {};
    const bool raw = role == RawRole;
    switch (index.column()) {
    case TimeColumn: return raw ? QString::fromStdString(c->time) : displayTime(c->time);
    case TeamColumn: return QString::fromStdString(c->team);
    case IdentityColumn: return QString::fromStdString(c->identity);
    case RepositoryColumn: return QString::fromStdString(c->repository);
    case TaskColumn: return c->task.empty() && !raw ? tr("(none)") : QString::fromStdString(c->task);
    case ModelColumn: return QString::fromStdString(c->requested_model);
    case ChangeColumn: return raw ? QString::fromStdString(c->change) : changeName(c->change);
    case RecordedColumn: return describe(c->recorded);
    case DraftColumn: return describe(c->draft);
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
