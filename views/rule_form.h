#pragma once
// The form for one routing rule: id and description, the conditions as chips, and what the rule
// does (route to ordered targets picked from the draft's endpoints and models, or deny with a
// reason), with the rule's problems shown beside the fields they concern. Every change is
// written to the draft at once (PolicyDraft::updateRule); the form follows its rule when rules
// are inserted, removed or moved elsewhere.
#include "policy/document.h"

#include <QHash>
#include <QWidget>

#include <functional>
#include <vector>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListView;
class QRadioButton;
class QStackedWidget;
class QToolButton;
class QPushButton;

namespace gh::console {

class ChipEdit;
class PolicyDraft;
class TargetListModel;

class RuleForm : public QWidget {
    Q_OBJECT
public:
    explicit RuleForm(PolicyDraft* draft, QWidget* parent = nullptr);

    void setRule(int index); // -1: nothing to edit
    int rule() const;
    TargetListModel* targetModel() const { return targets_; }
    void focusId(); // after "Add rule": type the new rule's id

private:
    const policy::Rule* current() const;
    void edit(const std::function<void(policy::Rule&)>& change);
    void refresh();
    void refreshPickers();
    void refreshProblems(const policy::Rule& rule);
    void refreshModels();
    void updateEnabled();
    void setDeny(bool deny);
    void moveTarget(int delta);
    ChipEdit* addChipRow(QFormLayout* form, const QString& label, const QString& objectName, const QString& placeholder,
                         const QString& problemKey);
    QWidget* withProblemLabel(QWidget* editor, const QString& key);

    PolicyDraft* draft_;
    TargetListModel* targets_;
    QLabel* ruleProblems_;
    QLabel* emptyLabel_;
    QWidget* body_;
    QLineEdit* id_;
    QLineEdit* description_;
    ChipEdit* teams_;
    ChipEdit* identities_;
    ChipEdit* repos_;
    ChipEdit* branches_;
    ChipEdit* sensitivity_;
    ChipEdit* tasks_;
    ChipEdit* models_;
    ChipEdit* agents_;
    QRadioButton* routeRadio_;
    QRadioButton* denyRadio_;
    QStackedWidget* decision_;
    QListView* targetList_;
    QComboBox* endpointCombo_;
    QComboBox* modelCombo_;
    QPushButton* addTarget_;
    QToolButton* removeTarget_;
    QToolButton* targetUp_;
    QToolButton* targetDown_;
    QLineEdit* denyReason_;
    QComboBox* budget_;
    QHash<QString, QLabel*> problemLabels_;
    // What the rule did before switching between route and deny, restored when switching back.
    std::vector<policy::Target> lastRoute_;
    QString lastDenyReason_;
};

} // namespace gh::console
