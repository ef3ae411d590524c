#include "models/problem_model.h"

#include "models/problem_decoration.h"

#include <algorithm>

namespace gh::console {

ProblemModel::ProblemModel(PolicyDraft* draft, QObject* parent) : QAbstractTableModel(parent), draft_(draft) {
    connect(draft_, &PolicyDraft::changed, this, &ProblemModel::refresh);
    rows_ = draft_->diagnostics();
}

// A handful of rows that all may change with each edit: a reset is the honest signal here.
void ProblemModel::refresh() {
    beginResetModel();
    rows_ = draft_->diagnostics();
    endResetModel();
}

int ProblemModel::errorCount() const {
    return int(std::count_if(rows_.begin(), rows_.end(),
                             [](const policy::Diagnostic& d) { return d.severity == policy::Severity::Error; }));
}
int ProblemModel::warningCount() const {
    return int(rows_.size()) - errorCount();
}

QString ProblemModel::locationText(const PolicyDraft& draft, const policy::Diagnostic& d) {
    const QString line = d.pos.line > 0 ? tr("line %1:%2").arg(d.pos.line).arg(d.pos.column) : tr("document");
    // While the text does not parse, indexes refer to the text, not to the document shown.
    if (!draft.isDocumentCurrent() || d.index < 0)
        return line;
    const auto& doc = draft.document();
    const auto i = std::size_t(d.index);
    auto named = [&](const QString& what, const std::string& id) {
        return id.empty() ? tr("%1 #%2").arg(what).arg(d.index + 1)
                          : QStringLiteral("%1 '%2'").arg(what, QString::fromStdString(id));
    };
    switch (d.section) {
    case policy::Section::Routes:
        if (i < doc.routes.size())
            return named(tr("rule"), doc.routes[i].id);
        break;
    case policy::Section::Repositories:
        if (i < doc.repositories.size())
            return named(tr("repository"), doc.repositories[i].match);
        break;
    case policy::Section::Constraints:
        if (i < doc.constraints.size())
            return named(tr("constraint"), doc.constraints[i].id);
        break;
    case policy::Section::Endpoints:
        if (i < doc.endpoints.size())
            return named(tr("endpoint"), doc.endpoints[i].id);
        break;
    case policy::Section::Budgets:
        if (i < doc.budgets.size())
            return named(tr("budget"), doc.budgets[i].id);
        break;
    case policy::Section::Teams:
        if (i < doc.teams.size())
            return named(tr("team"), doc.teams[i].id);
        break;
    case policy::Section::Credentials:
        if (i < doc.credentials.size())
            return named(tr("credential"), doc.credentials[i].id);
        break;
    case policy::Section::Tasks:
        if (i < doc.tasks.size())
            return named(tr("task"), doc.tasks[i].value);
        break;
    case policy::Section::Document:
        break;
    }
    return line;
}

int ProblemModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(rows_.size());
}
int ProblemModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(rows_.size()))
        return {};
    const policy::Diagnostic& d = rows_[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == LocationColumn ? locationText(*draft_, d) : QString::fromStdString(d.message);
    case Qt::DecorationRole:
        return index.column() == LocationColumn ? QVariant(problemIcon(d.severity)) : QVariant();
    case Qt::ToolTipRole:
        return QStringLiteral("%1 (%2): %3")
            .arg(severityText(d.severity), tr("line %1:%2").arg(d.pos.line).arg(d.pos.column),
                 QString::fromStdString(d.message));
    case SeverityRole:
        return int(d.severity);
    case SectionRole:
        return int(d.section);
    case IndexRole:
        return d.index;
    case LineRole:
        return d.pos.line;
    case ColumnRole:
        return d.pos.column;
    case MessageRole:
        return QString::fromStdString(d.message);
    default:
        return {};
    }
}

QVariant ProblemModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    return section == LocationColumn ? tr("Where") : tr("Problem");
}

} // namespace gh::console
