#include "models/repository_catalog_model.h"

namespace gh::console {

RepositoryCatalogModel::RepositoryCatalogModel(PolicyDraft* draft, QObject* parent)
    : DraftSectionModel(draft, policy::Section::Repositories, parent) {}

int RepositoryCatalogModel::itemCount() const {
    return int(draft()->document().repositories.size());
}
int RepositoryCatalogModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RepositoryCatalogModel::data(const QModelIndex& index, int role) const {
    if (!hasItem(index))
        return {};
    const auto& entry = draft()->document().repositories[std::size_t(index.row())];
    if (index.column() == PatternColumn) {
        switch (role) {
        case Qt::DisplayRole:
        case Qt::EditRole:
        case RawRole:
            return QString::fromStdString(entry.match);
        default:
            return problemData(index.row(), role);
        }
    }
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        return QString::fromLatin1(policy::toString(entry.sensitivity));
    case RawRole:
        return int(entry.sensitivity);
    default:
        return {};
    }
}

QVariant RepositoryCatalogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    return section == PatternColumn ? tr("Repository pattern") : tr("Sensitivity");
}

bool RepositoryCatalogModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!hasItem(index) || role != Qt::EditRole || draft()->isReadOnly())
        return false;
    auto entry = draft()->document().repositories[std::size_t(index.row())];
    if (index.column() == PatternColumn) {
        entry.match = value.toString().trimmed().toStdString();
    } else {
        const auto level = policy::sensitivityFromString(value.toString().trimmed().toStdString());
        if (!level)
            return false;
        entry.sensitivity = *level;
    }
    draft()->updateRepository(index.row(), std::move(entry));
    return true;
}

Qt::ItemFlags RepositoryCatalogModel::flags(const QModelIndex& index) const {
    const bool editable = !draft()->isReadOnly() && draft()->isDocumentCurrent();
    if (!index.isValid())
        return editable ? Qt::ItemIsDropEnabled : Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemNeverHasChildren;
    if (editable)
        f |= Qt::ItemIsEditable;
    return f;
}

bool RepositoryCatalogModel::insertRows(int row, int count, const QModelIndex& parent) {
    if (parent.isValid() || row < 0 || row > rowCount() || count < 1 || draft()->isReadOnly())
        return false;
    for (int i = 0; i < count; ++i)
        draft()->insertRepository(row + i, {"owner/*", policy::Sensitivity::Internal, {}});
    return true;
}

bool RepositoryCatalogModel::removeRows(int row, int count, const QModelIndex& parent) {
    if (parent.isValid() || row < 0 || count < 1 || row + count > rowCount() || draft()->isReadOnly())
        return false;
    for (int i = 0; i < count; ++i)
        draft()->removeRepository(row);
    return true;
}

} // namespace gh::console
