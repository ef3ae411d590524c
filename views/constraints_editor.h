#pragma once
// The Constraints tab: where data of each sensitivity may go (endpoint classes, regions,
// training opt-out). The validator checks every route against these as you edit.
#include <QWidget>

class QTableView;
class QToolButton;

namespace gh::console {

class ConstraintModel;
class PolicyDraft;

class ConstraintsEditor : public QWidget {
    Q_OBJECT
public:
    explicit ConstraintsEditor(PolicyDraft* draft, QWidget* parent = nullptr);
    void selectConstraint(int index);
    ConstraintModel* model() const { return model_; }

private:
    void updateEnabled();

    PolicyDraft* draft_;
    ConstraintModel* model_;
    QTableView* table_;
    QToolButton* add_;
    QToolButton* remove_;
};

} // namespace gh::console
