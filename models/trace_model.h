#pragma once
// The simulator's trace: why each rule before the deciding one did not match, and the steps
// before the rules (repository classification, task check). One row per line of the core
// evaluator's trace; RuleIndexRole says which rule a line is about (-1 for none).
#include <QAbstractListModel>

#include <vector>

namespace gh::console {

struct TraceRow {
    int rule = -1;  // index into the policy's routes, -1 for steps before the rules
    QString ruleId; // empty when rule is -1
    QString text;
    bool deciding = false; // the line of the rule that decided
};

class TraceModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { RuleIndexRole = Qt::UserRole + 1, RuleIdRole, DecidingRole };

    explicit TraceModel(QObject* parent = nullptr);
    void setRows(std::vector<TraceRow> rows);
    void clear() { setRows({}); }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    std::vector<TraceRow> rows_;
};

} // namespace gh::console
