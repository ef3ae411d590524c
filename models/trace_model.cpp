#include "models/trace_model.h"

#include <QFont>

namespace gh::console {

TraceModel::TraceModel(QObject* parent) : QAbstractListModel(parent) {}

// A new simulation replaces every line: a reset.
void TraceModel::setRows(std::vector<TraceRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

int TraceModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(rows_.size());
}

QVariant TraceModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(rows_.size()))
        return {};
    const TraceRow& row = rows_[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return row.text;
    case Qt::FontRole:
        if (row.deciding) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case RuleIndexRole:
        return row.rule;
    case RuleIdRole:
        return row.ruleId;
    case DecidingRole:
        return row.deciding;
    default:
        return {};
    }
}

} // namespace gh::console
