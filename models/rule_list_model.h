#pragma once
// The draft's routing rules in order, one row each: "id" over a one-line summary of what the
// rule matches and what it does, with its problems as the decoration and tooltip. Rows can be
// dragged to reorder the rules (first match wins, so order is meaning); the move goes through
// PolicyDraft::moveRule.
#include "models/draft_section_model.h"

namespace gh::console {

class RuleListModel : public DraftSectionModel {
    Q_OBJECT
public:
    enum Role {
        RuleIdRole = FirstCustomRole, // QString
        SummaryRole,                  // QString: "task: docs → gpu-box/qwen2.5-coder:7b (+1 fallback)"
        IsDenyRole,                   // bool
    };
    static inline const QString kMimeType = QStringLiteral("application/x-gatehouse-rule-rows");

    explicit RuleListModel(PolicyDraft* draft, QObject* parent = nullptr);

    // The summary of a rule, as the list and the simulator show it.
    static QString summary(const policy::Rule& rule);
    static QString conditionsText(const policy::Match& when); // "any request" when it has none

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QHash<int, QByteArray> roleNames() const override;

    Qt::DropActions supportedDropActions() const override;
    Qt::DropActions supportedDragActions() const override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    bool canDropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                         const QModelIndex& parent) const override;
    bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                      const QModelIndex& parent) override;

protected:
    int itemCount() const override;
    bool canMoveItems() const override { return true; }

private:
    int draggedRow(const QMimeData* data) const; // -1 when not a row of this draft
};

} // namespace gh::console
