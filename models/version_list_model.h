#pragma once
// The policy's applied versions, newest first, as the gateway lists them (GET /policy/versions).
// Pages arrive by cursor: the model holds what has been fetched and, when the view scrolls to
// the end, asks for the next page through moreRequested(cursor) — it knows nothing of the
// network, so it is tested without a gateway.
#include "api/shapes.h"

#include <QAbstractTableModel>

#include <vector>

namespace gh::console {

class VersionListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { VersionColumn, TimeColumn, AuthorColumn, CommentColumn, SourceColumn, ColumnCount };
    enum Role { VersionRole = Qt::UserRole + 1, RawRole }; // VersionRole: the number (qint64)

    explicit VersionListModel(QObject* parent = nullptr);

    // Replaces everything with a first page; `nextCursor` empty when it was the only one.
    void resetWith(std::vector<api::PolicyVersion> versions, const QString& nextCursor);
    // Appends the page asked for by the last moreRequested().
    void appendPage(std::vector<api::PolicyVersion> versions, const QString& nextCursor);
    void clear();

    const api::PolicyVersion* versionAt(int row) const;
    int rowOfVersion(qint64 version) const; // -1 when not fetched
    qint64 runningVersion() const { return running_; }
    void setRunningVersion(qint64 version); // shown in bold, marked "running"

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

signals:
    void moreRequested(const QString& cursor);

private:
    std::vector<api::PolicyVersion> rows_;
    QString nextCursor_;
    bool fetching_ = false; // one page at a time
    qint64 running_ = 0;
};

} // namespace gh::console
