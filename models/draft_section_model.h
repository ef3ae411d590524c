#pragma once
// Base of the models that show one list of the draft (rules, catalog entries, constraints) as
// rows. Rows are read from PolicyDraft::document() on demand; only the row count is kept, so
// that the begin/end calls made from PolicyDraft::aboutToEdit/edited see the old count before
// an edit and the new one after it. An edit of one item moves, inserts or updates just its row
// (the view keeps its selection); a YAML edit or a whole-section replacement updates the rows
// in place when their number did not change, and resets only when it did.
#include "models/policy_draft.h"

#include <QAbstractTableModel>

namespace gh::console {

class DraftSectionModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        ProblemLevelRole = Qt::UserRole + 1, // int: ProblemLevel of the row's item
        ProblemCountRole,                    // int
        ItemIndexRole,                       // int: the item's index in its section
        FirstCustomRole,                     // where subclasses start
    };

    PolicyDraft* draft() const { return draft_; }
    policy::Section section() const { return section_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    bool moveRows(const QModelIndex& sourceParent, int sourceRow, int count, const QModelIndex& destinationParent,
                  int destinationChild) override;

protected:
    DraftSectionModel(PolicyDraft* draft, policy::Section section, QObject* parent);
    virtual int itemCount() const = 0; // in the draft's document now
    virtual bool canMoveItems() const { return false; }
    bool hasItem(const QModelIndex& index) const; // valid, and the document has the item
    std::vector<policy::Diagnostic> problemsOf(int row) const;
    // Decoration, tooltip and the problem roles for `row`; an invalid QVariant for other roles.
    QVariant problemData(int row, int role) const;

private:
    void aboutToEdit(const DraftChange& change);
    void edited(const DraftChange& change);

    PolicyDraft* draft_;
    policy::Section section_;
    int rows_ = 0;
    bool resetting_ = false;
};

} // namespace gh::console
