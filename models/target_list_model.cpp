#include "models/target_list_model.h"

#include "models/problem_decoration.h"

#include <QDataStream>
#include <QIODevice>
#include <QMimeData>

namespace gh::console {

TargetListModel::TargetListModel(PolicyDraft* draft, QObject* parent) : QAbstractListModel(parent), draft_(draft) {
    connect(draft_, &PolicyDraft::aboutToEdit, this, &TargetListModel::aboutToEdit);
    connect(draft_, &PolicyDraft::edited, this, &TargetListModel::edited);
    connect(draft_, &PolicyDraft::changed, this, [this] {
        // Not during this model's own insert/remove (between its begin and end calls the row
        // count is in flux); the rows it touches are announced by end*Rows.
        if (rows_ > 0 && !ownEdit_)
            emit dataChanged(index(0), index(rows_ - 1), {Qt::DecorationRole, Qt::ToolTipRole, ProblemLevelRole});
    });
}

const policy::Rule* TargetListModel::currentRule() const {
    const auto& routes = draft_->document().routes;
    return rule_ >= 0 && std::size_t(rule_) < routes.size() ? &routes[std::size_t(rule_)] : nullptr;
}

std::vector<policy::Target> TargetListModel::targets() const {
    const auto* rule = currentRule();
    return rule ? rule->route : std::vector<policy::Target>{};
}

bool TargetListModel::editable() const {
    const auto* rule = currentRule();
    return rule && !rule->deny && !draft_->isReadOnly() && draft_->isDocumentCurrent();
}

void TargetListModel::setRule(int ruleIndex) {
    beginResetModel();
    rule_ = ruleIndex;
    rows_ = int(targets().size());
    endResetModel();
}

void TargetListModel::commit(std::vector<policy::Target> list) {
    policy::Rule rule = *currentRule();
    rule.route = std::move(list);
    ownEdit_ = true;
    draft_->updateRule(rule_, std::move(rule));
    ownEdit_ = false;
}

void TargetListModel::appendTarget(const policy::Target& target) {
    insertTarget(rows_, target);
}

void TargetListModel::insertTarget(int row, const policy::Target& target) {
    if (!editable() || row < 0 || row > rows_)
        return;
    auto list = targets();
    beginInsertRows({}, row, row);
    list.insert(list.begin() + row, target);
    commit(std::move(list));
    rows_ = int(targets().size());
    endInsertRows();
}

bool TargetListModel::removeRows(int row, int count, const QModelIndex& parent) {
    if (!editable() || parent.isValid() || row < 0 || count < 1 || row + count > rows_)
        return false;
    auto list = targets();
    beginRemoveRows({}, row, row + count - 1);
    list.erase(list.begin() + row, list.begin() + row + count);
    commit(std::move(list));
    rows_ = int(targets().size());
    endRemoveRows();
    return true;
}

bool TargetListModel::moveRows(const QModelIndex& sourceParent, int sourceRow, int count,
                               const QModelIndex& destinationParent, int destinationChild) {
    if (!editable() || sourceParent.isValid() || destinationParent.isValid() || count != 1 || sourceRow < 0 ||
        sourceRow >= rows_ || destinationChild < 0 || destinationChild > rows_ || destinationChild == sourceRow ||
        destinationChild == sourceRow + 1)
        return false;
    auto list = targets();
    const int to = destinationChild > sourceRow ? destinationChild - 1 : destinationChild;
    beginMoveRows({}, sourceRow, sourceRow, {}, destinationChild);
    auto target = list[std::size_t(sourceRow)];
    list.erase(list.begin() + sourceRow);
    list.insert(list.begin() + to, target);
    commit(std::move(list));
    endMoveRows();
    return true;
}

int TargetListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : rows_;
}

QVariant TargetListModel::data(const QModelIndex& index, int role) const {
    const auto* rule = currentRule();
    if (!index.isValid() || !rule || index.row() >= rows_ || std::size_t(index.row()) >= rule->route.size())
        return {};
    const policy::Target& t = rule->route[std::size_t(index.row())];
    // The validator points at the target itself (its line and column in the route list).
    std::vector<policy::Diagnostic> problems;
    if (draft_->isDocumentCurrent() && t.pos.line > 0)
        for (const auto& d : draft_->diagnosticsFor(policy::Section::Routes, rule_))
            if (d.pos.line == t.pos.line && d.pos.column == t.pos.column)
                problems.push_back(d);
    switch (role) {
    case Qt::DisplayRole: {
        const QString target = QString::fromStdString(t.toString());
        const QString model =
            t.model == "*" ? tr("%1/* (the requested model)").arg(QString::fromStdString(t.endpoint)) : target;
        return index.row() == 0 ? tr("%1. %2 — preferred").arg(index.row() + 1).arg(model)
                                : tr("%1. %2 — fallback").arg(index.row() + 1).arg(model);
    }
    case TargetRole:
        return QString::fromStdString(t.toString());
    case EndpointRole:
        return QString::fromStdString(t.endpoint);
    case ModelRole:
        return QString::fromStdString(t.model);
    case Qt::DecorationRole:
        return problemIcon(worstLevel(problems));
    case Qt::ToolTipRole: {
        const QString tip = problemToolTip(problems);
        return tip.isEmpty() ? QVariant() : QVariant(tip);
    }
    case ProblemLevelRole:
        return int(worstLevel(problems));
    default:
        return {};
    }
}

Qt::ItemFlags TargetListModel::flags(const QModelIndex& index) const {
    if (!index.isValid())
        return editable() ? Qt::ItemIsDropEnabled : Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemNeverHasChildren;
    if (editable())
        f |= Qt::ItemIsDragEnabled;
    return f;
}

Qt::DropActions TargetListModel::supportedDropActions() const {
    return Qt::MoveAction;
}
QStringList TargetListModel::mimeTypes() const {
    return {kMimeType};
}

QMimeData* TargetListModel::mimeData(const QModelIndexList& indexes) const {
    if (indexes.isEmpty())
        return nullptr;
    QByteArray payload;
    QDataStream out(&payload, QIODevice::WriteOnly);
    out << quint64(quintptr(this)) << qint32(indexes.front().row());
    auto* mime = new QMimeData;
    mime->setData(kMimeType, payload);
    return mime;
}

bool TargetListModel::dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int /*column*/,
                                   const QModelIndex& parent) {
    if (action != Qt::MoveAction || !data || !data->hasFormat(kMimeType))
        return false;
    QDataStream in(data->data(kMimeType));
    quint64 source = 0;
    qint32 from = -1;
    in >> source >> from;
    if (source != quint64(quintptr(this)))
        return false;
    int before = parent.isValid() ? parent.row() : row;
    if (before < 0 || before > rows_)
        before = rows_;
    return moveRows({}, from, 1, {}, before);
}

void TargetListModel::aboutToEdit(const DraftChange& change) {
    if (!change.concerns(policy::Section::Routes) || ownEdit_)
        return;
    // The rule this model shows may be removed or move; follow it.
    if (change.kind == DraftChange::Kind::Removed && change.index == rule_)
        beginResetModel();
}

void TargetListModel::edited(const DraftChange& change) {
    if (!change.concerns(policy::Section::Routes) || ownEdit_)
        return;
    switch (change.kind) {
    case DraftChange::Kind::Removed:
        if (change.index == rule_) {
            rule_ = -1;
            rows_ = 0;
            endResetModel();
        } else if (change.index < rule_) {
            --rule_;
        }
        break;
    case DraftChange::Kind::Inserted:
        if (rule_ >= 0 && change.index <= rule_)
            ++rule_;
        break;
    case DraftChange::Kind::Moved:
        if (change.index == rule_)
            rule_ = change.to;
        else if (change.index < rule_ && change.to >= rule_)
            --rule_;
        else if (change.index > rule_ && change.to <= rule_)
            ++rule_;
        break;
    case DraftChange::Kind::Updated:
        if (change.index == rule_)
            reconcile();
        break;
    case DraftChange::Kind::Reset:
        reconcile();
        break;
    }
}

void TargetListModel::reconcile() {
    const int count = int(targets().size());
    if (count == rows_) {
        if (rows_ > 0)
            emit dataChanged(index(0), index(rows_ - 1));
        return;
    }
    beginResetModel();
    rows_ = count;
    endResetModel();
}

} // namespace gh::console
