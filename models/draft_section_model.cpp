#include "models/draft_section_model.h"

#include "models/problem_decoration.h"

namespace gh::console {

DraftSectionModel::DraftSectionModel(PolicyDraft* draft, policy::Section section, QObject* parent)
    : QAbstractTableModel(parent), draft_(draft), section_(section) {
    connect(draft_, &PolicyDraft::aboutToEdit, this, &DraftSectionModel::aboutToEdit);
    connect(draft_, &PolicyDraft::edited, this, &DraftSectionModel::edited);
    // Any edit can add or clear a problem on any row (a rule moved above another makes it
    // unreachable), so every change refreshes the problem roles of every row.
    connect(draft_, &PolicyDraft::changed, this, [this] {
        if (rows_ > 0)
            emit dataChanged(index(0, 0), index(rows_ - 1, columnCount() - 1),
                             {Qt::DecorationRole, Qt::ToolTipRole, ProblemLevelRole, ProblemCountRole});
    });
    // Rows are counted when the first edit arrives: subclasses are not constructed yet here.
    rows_ = int(section_ == policy::Section::Routes         ? draft_->document().routes.size()
                : section_ == policy::Section::Repositories ? draft_->document().repositories.size()
                : section_ == policy::Section::Constraints  ? draft_->document().constraints.size()
                                                            : 0);
}

int DraftSectionModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : rows_;
}

bool DraftSectionModel::hasItem(const QModelIndex& index) const {
    return index.isValid() && !index.parent().isValid() && index.row() < rows_ && index.row() < itemCount();
}

std::vector<policy::Diagnostic> DraftSectionModel::problemsOf(int row) const {
    if (!draft_->isDocumentCurrent())
        return {};
    return draft_->diagnosticsFor(section_, row);
}

QVariant DraftSectionModel::problemData(int row, int role) const {
    switch (role) {
    case Qt::DecorationRole:
        return problemIcon(worstLevel(problemsOf(row)));
    case Qt::ToolTipRole: {
        const QString tip = problemToolTip(problemsOf(row));
        return tip.isEmpty() ? QVariant() : QVariant(tip);
    }
    case ProblemLevelRole:
        return int(worstLevel(problemsOf(row)));
    case ProblemCountRole:
        return int(problemsOf(row).size());
    case ItemIndexRole:
        return row;
    default:
        return {};
    }
}

bool DraftSectionModel::moveRows(const QModelIndex& sourceParent, int sourceRow, int count,
                                 const QModelIndex& destinationParent, int destinationChild) {
    // One row at a time: a drag moves the selected rule, and the draft announces each move.
    if (!canMoveItems() || draft_->isReadOnly() || sourceParent.isValid() || destinationParent.isValid() ||
        count != 1 || sourceRow < 0 || sourceRow >= rows_ || destinationChild < 0 || destinationChild > rows_ ||
        destinationChild == sourceRow || destinationChild == sourceRow + 1)
        return false;
    const int to = destinationChild > sourceRow ? destinationChild - 1 : destinationChild;
    switch (section_) {
    case policy::Section::Routes:
        draft_->moveRule(sourceRow, to);
        break;
    case policy::Section::Repositories:
        draft_->moveRepository(sourceRow, to);
        break;
    default:
        return false;
    }
    return true;
}

void DraftSectionModel::aboutToEdit(const DraftChange& change) {
    if (!change.concerns(section_) || resetting_)
        return;
    switch (change.kind) {
    case DraftChange::Kind::Inserted:
        beginInsertRows({}, change.index, change.index);
        break;
    case DraftChange::Kind::Removed:
        beginRemoveRows({}, change.index, change.index);
        break;
    case DraftChange::Kind::Moved:
        beginMoveRows({}, change.index, change.index, {}, change.to > change.index ? change.to + 1 : change.to);
        break;
    case DraftChange::Kind::Updated:
    case DraftChange::Kind::Reset:
        break;
    }
}

void DraftSectionModel::edited(const DraftChange& change) {
    if (!change.concerns(section_))
        return;
    switch (change.kind) {
    case DraftChange::Kind::Inserted:
        ++rows_;
        endInsertRows();
        break;
    case DraftChange::Kind::Removed:
        --rows_;
        endRemoveRows();
        break;
    case DraftChange::Kind::Moved:
        endMoveRows();
        break;
    case DraftChange::Kind::Updated:
        emit dataChanged(index(change.index, 0), index(change.index, columnCount() - 1));
        break;
    case DraftChange::Kind::Reset:
        if (itemCount() == rows_) {
            if (rows_ > 0)
                emit dataChanged(index(0, 0), index(rows_ - 1, columnCount() - 1));
        } else {
            // The items are already replaced; no view reads the model between these two calls.
            resetting_ = true;
            beginResetModel();
            rows_ = itemCount();
            endResetModel();
            resetting_ = false;
        }
        break;
    }
}

} // namespace gh::console
