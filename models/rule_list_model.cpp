#include "models/rule_list_model.h"

#include <QDataStream>
#include <QIODevice>
#include <QMimeData>

namespace gh::console {

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QString joined(const std::vector<policy::Text>& values) {
    QStringList out;
    for (const auto& v : values)
        out << qs(v.value);
    return out.join(QStringLiteral(", "));
}

} // namespace

RuleListModel::RuleListModel(PolicyDraft* draft, QObject* parent)
    : DraftSectionModel(draft, policy::Section::Routes, parent) {}

int RuleListModel::itemCount() const {
    return int(draft()->document().routes.size());
}
int RuleListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : 1;
}

QString RuleListModel::conditionsText(const policy::Match& w) {
    QStringList parts;
    const std::pair<QString, const std::vector<policy::Text>*> conditions[] = {
        {tr("team"), &w.teams}, {tr("identity"), &w.identities}, {tr("repo"), &w.repos},   {tr("branch"), &w.branches},
        {tr("task"), &w.tasks}, {tr("model"), &w.models},        {tr("agent"), &w.agents},
    };
    for (const auto& [name, values] : conditions)
        if (!values->empty())
            parts << QStringLiteral("%1: %2").arg(name, joined(*values));
    if (!w.sensitivity.empty())
        parts << QStringLiteral("%1: %2").arg(tr("sensitivity"), qs(policy::toString(w.sensitivity)));
    return parts.isEmpty() ? tr("any request") : parts.join(QStringLiteral(" · "));
}

QString RuleListModel::summary(const policy::Rule& rule) {
    const QString when = conditionsText(rule.when);
    if (rule.deny)
        return tr("%1 → deny: %2").arg(when, qs(*rule.deny));
    if (rule.route.empty())
        return tr("%1 → (no targets)").arg(when);
    const int fallbacks = int(rule.route.size()) - 1;
    const QString first = qs(rule.route.front().toString());
    if (fallbacks == 0)
        return tr("%1 → %2").arg(when, first);
    // Spelled out rather than %n: without a loaded translation %n gives "fallback(s)".
    if (fallbacks == 1)
        return tr("%1 → %2 (+1 fallback)").arg(when, first);
    return tr("%1 → %2 (+%3 fallbacks)").arg(when, first).arg(fallbacks);
}

QVariant RuleListModel::data(const QModelIndex& index, int role) const {
    if (!hasItem(index))
        return {};
    const policy::Rule& rule = draft()->document().routes[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole: {
        const QString id = rule.id.empty() ? tr("(no id)") : qs(rule.id);
        return QStringLiteral("%1\n%2").arg(id, summary(rule));
    }
    case Qt::EditRole:
    case RuleIdRole:
        return qs(rule.id);
    case SummaryRole:
        return summary(rule);
    case IsDenyRole:
        return rule.deny.has_value();
    case Qt::ToolTipRole: {
        const QVariant problems = problemData(index.row(), role);
        const QString description = rule.description.empty() ? summary(rule) : qs(rule.description);
        return problems.isValid() ? QStringLiteral("%1\n\n%2").arg(description, problems.toString()) : description;
    }
    default:
        return problemData(index.row(), role);
    }
}

bool RuleListModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!hasItem(index) || role != Qt::EditRole || draft()->isReadOnly())
        return false;
    policy::Rule rule = draft()->document().routes[std::size_t(index.row())];
    rule.id = value.toString().trimmed().toStdString();
    draft()->updateRule(index.row(), std::move(rule));
    return true;
}

Qt::ItemFlags RuleListModel::flags(const QModelIndex& index) const {
    const bool editable = !draft()->isReadOnly() && draft()->isDocumentCurrent();
    // Only the gaps between rows accept drops (no ItemIsDropEnabled on items): a rule is placed
    // between two others, never "onto" one.
    if (!index.isValid())
        return editable ? Qt::ItemIsDropEnabled : Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemNeverHasChildren;
    if (editable)
        f |= Qt::ItemIsEditable | Qt::ItemIsDragEnabled;
    return f;
}

QHash<int, QByteArray> RuleListModel::roleNames() const {
    auto names = DraftSectionModel::roleNames();
    names.insert(RuleIdRole, "ruleId");
    names.insert(SummaryRole, "summary");
    names.insert(IsDenyRole, "isDeny");
    names.insert(ProblemLevelRole, "problemLevel");
    names.insert(ProblemCountRole, "problemCount");
    return names;
}

Qt::DropActions RuleListModel::supportedDropActions() const {
    return Qt::MoveAction;
}
Qt::DropActions RuleListModel::supportedDragActions() const {
    return Qt::MoveAction;
}
QStringList RuleListModel::mimeTypes() const {
    return {kMimeType};
}

// The payload names the draft as well as the row, so a drop from another console window (with
// its own draft) is refused instead of moving an unrelated rule.
QMimeData* RuleListModel::mimeData(const QModelIndexList& indexes) const {
    if (indexes.isEmpty() || !hasItem(indexes.front()))
        return nullptr;
    QByteArray payload;
    QDataStream out(&payload, QIODevice::WriteOnly);
    out << quint64(quintptr(draft())) << qint32(indexes.front().row());
    auto* mime = new QMimeData;
    mime->setData(kMimeType, payload);
    return mime;
}

int RuleListModel::draggedRow(const QMimeData* data) const {
    if (!data || !data->hasFormat(kMimeType))
        return -1;
    QDataStream in(data->data(kMimeType));
    quint64 source = 0;
    qint32 row = -1;
    in >> source >> row;
    if (in.status() != QDataStream::Ok || source != quint64(quintptr(draft())) || row < 0 || row >= rowCount())
        return -1;
    return row;
}

bool RuleListModel::canDropMimeData(const QMimeData* data, Qt::DropAction action, int /*row*/, int /*column*/,
                                    const QModelIndex& /*parent*/) const {
    return action == Qt::MoveAction && !draft()->isReadOnly() && draggedRow(data) >= 0;
}

bool RuleListModel::dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int /*column*/,
                                 const QModelIndex& parent) {
    if (!canDropMimeData(data, action, row, 0, parent))
        return false;
    const int from = draggedRow(data);
    // Dropped onto a row: in front of it; onto the empty space below the list: at the end.
    int before = parent.isValid() ? parent.row() : row;
    if (before < 0 || before > rowCount())
        before = rowCount();
    if (before == from || before == from + 1)
        return false; // dropped where it already is
    return moveRows({}, from, 1, {}, before);
}

} // namespace gh::console
