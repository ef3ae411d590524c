#pragma once
// The ordered targets of one routing rule: the preferred endpoint/model first, then the
// fallbacks. Reordering (drag or moveRows), inserting and removing rewrite the rule through
// PolicyDraft::updateRule; the model's own edits move its rows, other edits of the rule (the
// YAML tab, say) update them in place.
#include "models/policy_draft.h"

#include <QAbstractListModel>

namespace gh::console {

class TargetListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        TargetRole = Qt::UserRole + 1, // QString "endpoint/model"
        EndpointRole,
        ModelRole,
        ProblemLevelRole, // int: ProblemLevel of the target
    };
    static inline const QString kMimeType = QStringLiteral("application/x-gatehouse-target-rows");

    explicit TargetListModel(PolicyDraft* draft, QObject* parent = nullptr);

    void setRule(int ruleIndex); // -1: no rule, no rows
    int rule() const { return rule_; }

    void appendTarget(const policy::Target& target);
    void insertTarget(int row, const policy::Target& target);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool removeRows(int row, int count, const QModelIndex& parent = {}) override;
    bool moveRows(const QModelIndex& sourceParent, int sourceRow, int count, const QModelIndex& destinationParent,
                  int destinationChild) override;

    Qt::DropActions supportedDropActions() const override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                      const QModelIndex& parent) override;

private:
    const policy::Rule* currentRule() const;
    std::vector<policy::Target> targets() const;
    bool editable() const;
    void commit(std::vector<policy::Target> targets); // this model's own edit
    void aboutToEdit(const DraftChange& change);
    void edited(const DraftChange& change);
    void reconcile();

    PolicyDraft* draft_;
    int rule_ = -1;
    int rows_ = 0;
    bool ownEdit_ = false;
};

} // namespace gh::console
