#include "models/constraint_model.h"

namespace gh::console {

namespace {

QStringList classNames(const std::vector<policy::EndpointClass>& classes) {
    QStringList out;
    for (auto c : classes)
        out << QString::fromLatin1(policy::toString(c));
    return out;
}

QStringList regionNames(const std::vector<policy::Text>& regions) {
    QStringList out;
    for (const auto& r : regions)
        out << QString::fromStdString(r.value);
    return out;
}

QStringList splitList(const QString& text) {
    QStringList out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (const QString item = part.trimmed(); !item.isEmpty())
            out << item;
    return out;
}

} // namespace

ConstraintModel::ConstraintModel(PolicyDraft* draft, QObject* parent)
    : DraftSectionModel(draft, policy::Section::Constraints, parent) {}

int ConstraintModel::itemCount() const {
    return int(draft()->document().constraints.size());
}
int ConstraintModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConstraintModel::data(const QModelIndex& index, int role) const {
    if (!hasItem(index))
        return {};
    const auto& c = draft()->document().constraints[std::size_t(index.row())];
    const bool text = role == Qt::DisplayRole || role == Qt::EditRole;
    switch (index.column()) {
    case IdColumn:
        if (text || role == RawRole)
            return QString::fromStdString(c.id);
        return problemData(index.row(), role);
    case SensitivityColumn:
        if (text)
            return QString::fromStdString(policy::toString(c.sensitivity));
        if (role == RawRole)
            return int(c.sensitivity.bits);
        break;
    case ClassesColumn:
        if (text)
            return c.allowClasses.empty() && role == Qt::DisplayRole
                       ? tr("any")
                       : classNames(c.allowClasses).join(QStringLiteral(", "));
        if (role == RawRole)
            return classNames(c.allowClasses);
        break;
    case RegionsColumn:
        if (text)
            return c.allowRegions.empty() && role == Qt::DisplayRole
                       ? tr("any")
                       : regionNames(c.allowRegions).join(QStringLiteral(", "));
        if (role == RawRole)
            return regionNames(c.allowRegions);
        break;
    case TrainingOptOutColumn:
        if (role == Qt::CheckStateRole)
            return c.requireTrainingOptOut ? Qt::Checked : Qt::Unchecked;
        if (role == RawRole)
            return c.requireTrainingOptOut;
        if (role == Qt::DisplayRole)
            return c.requireTrainingOptOut ? tr("required") : tr("not required");
        break;
    default:
        break;
    }
    return {};
}

QVariant ConstraintModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
        return tr("Id");
    case SensitivityColumn:
        return tr("Sensitivities");
    case ClassesColumn:
        return tr("Allowed endpoint classes");
    case RegionsColumn:
        return tr("Allowed regions");
    case TrainingOptOutColumn:
        return tr("Training opt-out");
    default:
        return {};
    }
}

bool ConstraintModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!hasItem(index) || draft()->isReadOnly())
        return false;
    auto c = draft()->document().constraints[std::size_t(index.row())];
    if (index.column() == TrainingOptOutColumn) {
        if (role != Qt::CheckStateRole)
            return false;
        c.requireTrainingOptOut = value.toInt() == Qt::Checked;
    } else if (role != Qt::EditRole) {
        return false;
    } else if (index.column() == IdColumn) {
        c.id = value.toString().trimmed().toStdString();
    } else if (index.column() == SensitivityColumn) {
        const auto set = policy::sensitivitySetFromString(value.toString().trimmed().toStdString());
        if (!set || set->empty())
            return false;
        c.sensitivity = *set;
    } else if (index.column() == ClassesColumn) {
        std::vector<policy::EndpointClass> classes;
        for (const QString& name : splitList(value.toString())) {
            const auto cls = policy::endpointClassFromString(name.toStdString());
            if (!cls)
                return false;
            classes.push_back(*cls);
        }
        c.allowClasses = std::move(classes);
    } else if (index.column() == RegionsColumn) {
        c.allowRegions.clear();
        for (const QString& name : splitList(value.toString()))
            c.allowRegions.push_back({name.toStdString(), {}});
    }
    draft()->updateConstraint(index.row(), std::move(c));
    return true;
}

Qt::ItemFlags ConstraintModel::flags(const QModelIndex& index) const {
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemNeverHasChildren;
    if (draft()->isReadOnly() || !draft()->isDocumentCurrent())
        return f;
    return f | (index.column() == TrainingOptOutColumn ? Qt::ItemIsUserCheckable : Qt::ItemIsEditable);
}

bool ConstraintModel::insertRows(int row, int count, const QModelIndex& parent) {
    if (parent.isValid() || row < 0 || row > rowCount() || count < 1 || draft()->isReadOnly())
        return false;
    for (int i = 0; i < count; ++i) {
        policy::Constraint c;
        c.sensitivity = policy::SensitivitySet::atLeast(policy::Sensitivity::Confidential);
        draft()->insertConstraint(row + i, std::move(c));
    }
    return true;
}

bool ConstraintModel::removeRows(int row, int count, const QModelIndex& parent) {
    if (parent.isValid() || row < 0 || count < 1 || row + count > rowCount() || draft()->isReadOnly())
        return false;
    for (int i = 0; i < count; ++i)
        draft()->removeConstraint(row);
    return true;
}

} // namespace gh::console
