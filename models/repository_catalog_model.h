#pragma once
// The repository catalog as an editable table: pattern, sensitivity. Order matters (the first
// matching pattern classifies a repository), so rows can be moved as well.
#include "models/draft_section_model.h"

namespace gh::console {

class RepositoryCatalogModel : public DraftSectionModel {
    Q_OBJECT
public:
    enum Column { PatternColumn, SensitivityColumn, ColumnCount };
    enum Role { RawRole = FirstCustomRole }; // the pattern, or the sensitivity's index (0 = public)

    explicit RepositoryCatalogModel(PolicyDraft* draft, QObject* parent = nullptr);

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    // New entries are "owner/*" internal until edited.
    bool insertRows(int row, int count, const QModelIndex& parent = {}) override;
    bool removeRows(int row, int count, const QModelIndex& parent = {}) override;

protected:
    int itemCount() const override;
    bool canMoveItems() const override { return true; }
};

} // namespace gh::console
