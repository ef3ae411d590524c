#pragma once
// The sample of requests a replay found affected (api::Replay::sample), one row each: when, who,
// what was asked, and how the recorded decision and the draft's differ.
#include "api/shapes.h"

#include <QAbstractTableModel>

#include <vector>

namespace gh::console {

class ReplayModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // What changed first: the panel beside the editor is narrow.
    enum Column { ChangeColumn, RecordedColumn, DraftColumn, CostColumn, TimeColumn, TeamColumn, IdentityColumn,
                  RepositoryColumn, TaskColumn, ModelColumn, ColumnCount };
    enum Role { RawRole = Qt::UserRole + 1 };

    explicit ReplayModel(QObject* parent = nullptr);

    void setSample(std::vector<api::ReplayChange> sample);
    const api::ReplayChange* changeAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "routed → azure-eu/gpt-4.1 (rule incidents)" or "denied by no-unknown: reason".
    static QString describe(const api::ReplayDecision& decision);
    // "azure-eu/gpt-4.1" or "denied", for the table's narrow columns.
    static QString shortDescription(const api::ReplayDecision& decision);
    // "Routed differently", "Denied", "Newly allowed".
    static QString changeName(const std::string& change);

private:
    std::vector<api::ReplayChange> rows_;
};

} // namespace gh::console
