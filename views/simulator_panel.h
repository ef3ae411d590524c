#pragma once
// The simulator beside the route editor: type or pick who is asking (team, identity), for what
// (repository, branch, task, model, agent), and see at once how the draft decides it —
// allowed or denied, the targets in order, the deciding rule and the trace of why earlier rules
// did not match. It runs the core evaluator on the draft (PolicyDraft::evaluator()), the very
// code the gateway runs, so what it shows is what the gateway would do.
#include "api/shapes.h"

#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QListView;
class QListWidget;

namespace gh::console {

class PolicyDraft;
class TraceModel;

class SimulatorPanel : public QWidget {
    Q_OBJECT
public:
    explicit SimulatorPanel(PolicyDraft* draft, QWidget* parent = nullptr);

    void setRequest(const api::SimulatedRequest& request); // fills the fields and simulates
    api::SimulatedRequest request() const;                 // empty fields are nullopt
    // The last result; nullopt while the draft has errors.
    const std::optional<api::Simulation>& result() const { return result_; }
    TraceModel* traceModel() const { return trace_; }

public slots:
    void simulate();

signals:
    void ruleActivated(int ruleIndex); // the deciding rule (or a trace line's rule) was clicked

private:
    QComboBox* addField(QFormLayout* form, const QString& label, const QString& objectName, const QString& placeholder);
    void refreshChoices();
    void showResult();
    void clearResult(const QString& message);

    PolicyDraft* draft_;
    QComboBox* team_;
    QComboBox* identity_;
    QComboBox* repository_;
    QComboBox* branch_;
    QComboBox* task_;
    QComboBox* model_;
    QComboBox* agent_;
    QLabel* decision_;
    QLabel* reason_;
    QLabel* sensitivity_;
    QLabel* rule_;
    QLabel* budgets_;
    QListWidget* targets_;
    QListView* traceView_;
    TraceModel* trace_;
    std::optional<api::Simulation> result_;
    bool filling_ = false;
};

} // namespace gh::console
