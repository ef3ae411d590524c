#include "models/version_list_model.h"

#include "models/display_format.h"

#include <QFont>

namespace gh::console {

VersionListModel::VersionListModel(QObject* parent) : QAbstractTableModel(parent) {}

void VersionListModel::resetWith(std::vector<api::PolicyVersion> versions, const QString& nextCursor) {
    beginResetModel();
    rows_ = std::move(versions);
    nextCursor_ = nextCursor;
    fetching_ = false;
    endResetModel();
}

void VersionListModel::appendPage(std::vector<api::PolicyVersion> versions, const QString& nextCursor) {
    fetching_ = false;
    nextCursor_ = nextCursor;
    if (versions.empty())
        return;
    const int first = int(rows_.size());
    beginInsertRows({}, first, first + int(versions.size()) - 1); // one insertion per page
    for (auto& v : versions)
        rows_.push_back(std::move(v));
    endInsertRows();
}

void VersionListModel::clear() { resetWith({}, {}); }

const api::PolicyVersion* VersionListModel::versionAt(int row) const {
    return row >= 0 && row < int(rows_.size()) ? &rows_[std::size_t(row)] : nullptr;
}

int VersionListModel::rowOfVersion(qint64 version) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].version == version)
            return int(i);
    return -1;
}

void VersionListModel::setRunningVersion(qint64 version) {
    if (running_ == version)
        return;
    const int before = rowOfVersion(running_);
    running_ = version;
    const int after = rowOfVersion(version);
    for (int row : {before, after})
        if (row >= 0)
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int VersionListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int VersionListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant VersionListModel::data(const QModelIndex& index, int role) const {
    const api::PolicyVersion* v = index.isValid() ? versionAt(index.row()) : nullptr;
    if (!v)
        return {};
    if (role == VersionRole)
        return QVariant::fromValue(qint64(v->version));
    if (role == Qt::FontRole && v->version == running_) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == RawRole || role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case VersionColumn:
            if (role == RawRole)
                return QVariant::fromValue(qint64(v->version));
            return v->version == running_ ? tr("v%1 (running)").arg(v->version) : tr("v%1").arg(v->version);
        case TimeColumn:
            if (role == RawRole)
                return QString::fromStdString(v->created_at);
            return displayTime(v->created_at);
        case AuthorColumn:
            if (role == Qt::ToolTipRole)
                return v->role.empty() ? QString::fromStdString(v->author)
                                       : tr("%1, role %2").arg(QString::fromStdString(v->author),
                                                               QString::fromStdString(v->role));
            return role == RawRole ? QString::fromStdString(v->author) : displayAuthor(v->author);
        case SourceColumn:
            if (role == RawRole || !v->rolled_back_from)
                return QString::fromStdString(v->source);
            return tr("rollback to v%1").arg(*v->rolled_back_from);
        case CommentColumn:
            return QString::fromStdString(v->comment);
        default:
            return {};
        }
    }
    return {};
}

QVariant VersionListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case VersionColumn: return tr("Version");
    case TimeColumn: return tr("Applied");
    case AuthorColumn: return tr("Author");
    case SourceColumn: return tr("Source");
    case CommentColumn: return tr("Comment");
    default: return {};
    }
}

bool VersionListModel::canFetchMore(const QModelIndex& parent) const {
    return !parent.isValid() && !nextCursor_.isEmpty() && !fetching_;
}

void VersionListModel::fetchMore(const QModelIndex& parent) {
    if (!canFetchMore(parent))
        return;
    fetching_ = true;
    emit moreRequested(nextCursor_);
}

} // namespace gh::console
