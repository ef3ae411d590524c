#pragma once
// The policy's constraints as an editable table: which sensitivities a constraint governs, the
// endpoint classes and regions they may reach, and whether the provider must not train on the
// data. Lists are edited as comma-separated text and checked by the same parsers the YAML uses.
#include "models/draft_section_model.h"

namespace gh::console {

class ConstraintModel : public DraftSectionModel {
    Q_OBJECT
public:
    enum Column { IdColumn, SensitivityColumn, ClassesColumn, RegionsColumn, TrainingOptOutColumn, ColumnCount };
    // Raw values: id (QString), sensitivity bits (int), classes and regions (QStringList),
    // training opt-out (bool).
    enum Role { RawRole = FirstCustomRole };

    explicit ConstraintModel(PolicyDraft* draft, QObject* parent = nullptr);

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool insertRows(int row, int count, const QModelIndex& parent = {}) override; // ">= confidential", any class
    bool removeRows(int row, int count, const QModelIndex& parent = {}) override;

protected:
    int itemCount() const override;
};

} // namespace gh::console
