#pragma once
// The draft's problems (parse errors and the validator's findings), one row each: severity icon
// and location ("rule 'docs-cheap'", "line 12:5"), then the message. SectionRole and IndexRole
// say which item a row is about, so a click can select the rule in the editor.
#include "models/policy_draft.h"

#include <QAbstractTableModel>

namespace gh::console {

class ProblemModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { LocationColumn, MessageColumn, ColumnCount };
    enum Role {
        SeverityRole = Qt::UserRole + 1, // int: policy::Severity
        SectionRole,                     // int: policy::Section
        IndexRole,                       // int: the item within its section, -1 for none
        LineRole,                        // int: 1-based line in the draft's text, 0 when unknown
        ColumnRole,                      // int
        MessageRole,                     // QString
    };

    explicit ProblemModel(PolicyDraft* draft, QObject* parent = nullptr);

    int errorCount() const;
    int warningCount() const;
    // "rule 'docs-cheap'", "repository 'acme/*'", ..., or "line 12:5" for the document.
    static QString locationText(const PolicyDraft& draft, const policy::Diagnostic& diagnostic);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void refresh();

    PolicyDraft* draft_;
    std::vector<policy::Diagnostic> rows_;
};

} // namespace gh::console
