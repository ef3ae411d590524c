#pragma once
// The Routes screen's editing area. Left: tabs for the rules (the ordered list, reorderable by
// dragging, and the form of the selected rule), the repository catalog, the constraints and the
// YAML text, with the draft's problems listed underneath. Right: side tabs holding the
// simulator (and whatever the main window adds, such as Replay). Everything edits the one
// PolicyDraft; a viewer's draft is read-only and only the simulator stays live.
#include <QWidget>

class QLabel;
class QListView;
class QModelIndex;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTreeView;

namespace gh::console {

class ConstraintsEditor;
class PolicyDraft;
class ProblemModel;
class RepositoryCatalogEditor;
class RuleForm;
class RuleListModel;
class SimulatorPanel;
class YamlEditor;

class RouteEditor : public QWidget {
    Q_OBJECT
public:
    explicit RouteEditor(PolicyDraft* draft, QWidget* parent = nullptr);

    // Adds a tab beside the simulator (the main window's Replay panel, for one).
    void addSidePanel(QWidget* panel, const QString& title);

    void selectRule(int index); // shows the Rules tab with the rule selected
    int currentRule() const;    // -1 when none
    // Hands YAML typing that is still waiting for its pause to the draft (before Review/Apply).
    void flushPendingEdits();

    SimulatorPanel* simulator() const { return simulator_; }
    YamlEditor* yamlEditor() const { return yaml_; }
    RuleForm* ruleForm() const { return form_; }
    RuleListModel* ruleModel() const { return rules_; }
    ProblemModel* problemModel() const { return problems_; }

signals:
    void currentRuleChanged(int index);

private:
    void showProblem(const QModelIndex& index);
    void addRule();
    void duplicateRule();
    void removeRule();
    void updateState();

    PolicyDraft* draft_;
    RuleListModel* rules_;
    ProblemModel* problems_;
    QLabel* banner_;
    QTabWidget* tabs_;
    QListView* ruleList_;
    QPushButton* addRule_;
    QPushButton* duplicateRule_;
    QPushButton* removeRule_;
    RuleForm* form_;
    RepositoryCatalogEditor* catalog_;
    ConstraintsEditor* constraints_;
    YamlEditor* yaml_;
    QLabel* problemSummary_;
    QTreeView* problemList_;
    QTabWidget* sideTabs_;
    SimulatorPanel* simulator_;
    QSplitter* mainSplitter_;
    // The rule selected before a YAML edit, found again (by id, else by position) after it.
    QString selectedId_;
    int selectedRow_ = -1;
    bool inEdit_ = false; // between PolicyDraft::aboutToEdit and changed
};

} // namespace gh::console
