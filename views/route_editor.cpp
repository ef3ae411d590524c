#include "views/route_editor.h"

#include "models/policy_draft.h"
#include "models/problem_model.h"
#include "models/rule_list_model.h"
#include "views/constraints_editor.h"
#include "views/repository_catalog_editor.h"
#include "views/rule_form.h"
#include "views/simulator_panel.h"
#include "views/yaml_editor.h"
#include "views/colors.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

namespace gh::console {

namespace {

// Rule rows are as wide as the list, never wider: the summary is elided instead of the list
// growing a horizontal scroll bar.
class RuleItemDelegate : public QStyledItemDelegate {
public:
    explicit RuleItemDelegate(QListView* view) : QStyledItemDelegate(view), view_(view) {}
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        size.setWidth(std::min(size.width(), view_->viewport()->width()));
        return size + QSize(0, 6);
    }

private:
    QListView* view_;
};

} // namespace

RouteEditor::RouteEditor(PolicyDraft* draft, QWidget* parent)
    : QWidget(parent), draft_(draft), rules_(new RuleListModel(draft, this)), problems_(new ProblemModel(draft, this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    mainSplitter_ = new QSplitter(Qt::Horizontal, this);
    mainSplitter_->setChildrenCollapsible(false);
    layout->addWidget(mainSplitter_);

    auto* left = new QWidget(mainSplitter_);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(6);
    banner_ = new QLabel(left);
    banner_->setObjectName(QStringLiteral("routeEditorBanner"));
    banner_->setWordWrap(true);
    banner_->setContentsMargins(10, 6, 10, 6);
    banner_->hide();
    leftLayout->addWidget(banner_);

    auto* vertical = new QSplitter(Qt::Vertical, left);
    vertical->setChildrenCollapsible(false);
    leftLayout->addWidget(vertical, 1);

    tabs_ = new QTabWidget(vertical);
    tabs_->setObjectName(QStringLiteral("routeEditorTabs"));
    tabs_->setDocumentMode(true);

    // Rules: the list and the form of the selected rule.
    auto* rulesSplitter = new QSplitter(Qt::Horizontal, tabs_);
    rulesSplitter->setChildrenCollapsible(false);
    auto* listPane = new QWidget(rulesSplitter);
    auto* listLayout = new QVBoxLayout(listPane);
    listLayout->setContentsMargins(6, 6, 0, 6);
    auto* listHint = new QLabel(tr("Tried in order; the first rule that matches decides. Drag to reorder."), listPane);
    listHint->setWordWrap(true);
    listHint->setForegroundRole(QPalette::PlaceholderText);
    listLayout->addWidget(listHint);
    ruleList_ = new QListView(listPane);
    ruleList_->setObjectName(QStringLiteral("ruleListView"));
    ruleList_->setModel(rules_);
    ruleList_->setSelectionMode(QAbstractItemView::SingleSelection);
    // DragDrop rather than InternalMove: QListView then moves the row with moveRows, and a drop
    // that does not come from this view still reaches RuleListModel::dropMimeData, which checks
    // that the payload is a row of this draft.
    ruleList_->setDragDropMode(QAbstractItemView::DragDrop);
    ruleList_->setDefaultDropAction(Qt::MoveAction);
    ruleList_->setDragDropOverwriteMode(false);
    ruleList_->setDropIndicatorShown(true);
    ruleList_->setEditTriggers(QAbstractItemView::EditKeyPressed);
    ruleList_->setTextElideMode(Qt::ElideRight);
    ruleList_->setUniformItemSizes(false);
    ruleList_->setSpacing(1);
    ruleList_->setAlternatingRowColors(true);
    ruleList_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    ruleList_->setResizeMode(QListView::Adjust);
    ruleList_->setItemDelegate(new RuleItemDelegate(ruleList_));
    listLayout->addWidget(ruleList_, 1);
    auto* buttons = new QHBoxLayout;
    addRule_ = new QPushButton(tr("&Add rule"), listPane);
    addRule_->setObjectName(QStringLiteral("addRuleButton"));
    duplicateRule_ = new QPushButton(tr("D&uplicate"), listPane);
    duplicateRule_->setObjectName(QStringLiteral("duplicateRuleButton"));
    removeRule_ = new QPushButton(tr("&Remove"), listPane);
    removeRule_->setObjectName(QStringLiteral("removeRuleButton"));
    buttons->addWidget(addRule_);
    buttons->addWidget(duplicateRule_);
    buttons->addWidget(removeRule_);
    buttons->addStretch();
    listLayout->addLayout(buttons);

    form_ = new RuleForm(draft_, rulesSplitter);
    auto* formScroll = new QScrollArea(rulesSplitter);
    formScroll->setObjectName(QStringLiteral("ruleFormScroll"));
    formScroll->setWidgetResizable(true);
    formScroll->setFrameShape(QFrame::NoFrame);
    formScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* formHolder = new QWidget;
    auto* holderLayout = new QVBoxLayout(formHolder);
    holderLayout->setContentsMargins(6, 6, 10, 6);
    holderLayout->addWidget(form_);
    formScroll->setWidget(formHolder);
    rulesSplitter->addWidget(listPane);
    rulesSplitter->addWidget(formScroll);
    rulesSplitter->setStretchFactor(0, 2);
    rulesSplitter->setStretchFactor(1, 3);
    rulesSplitter->setSizes({300, 480});
    tabs_->addTab(rulesSplitter, tr("Rules"));

    catalog_ = new RepositoryCatalogEditor(draft_, tabs_);
    tabs_->addTab(catalog_, tr("Repositories"));
    constraints_ = new ConstraintsEditor(draft_, tabs_);
    tabs_->addTab(constraints_, tr("Constraints"));
    yaml_ = new YamlEditor(draft_, tabs_);
    tabs_->addTab(yaml_, tr("YAML"));

    auto* problemsPane = new QWidget(vertical);
    auto* problemsLayout = new QVBoxLayout(problemsPane);
    problemsLayout->setContentsMargins(0, 4, 0, 0);
    problemsLayout->setSpacing(2);
    problemSummary_ = new QLabel(problemsPane);
    problemSummary_->setObjectName(QStringLiteral("problemSummaryLabel"));
    problemSummary_->setContentsMargins(6, 0, 0, 0);
    problemsLayout->addWidget(problemSummary_);
    problemList_ = new QTreeView(problemsPane);
    problemList_->setObjectName(QStringLiteral("problemList"));
    problemList_->setModel(problems_);
    problemList_->setRootIsDecorated(false);
    problemList_->setUniformRowHeights(true);
    problemList_->setAllColumnsShowFocus(true);
    problemList_->header()->setStretchLastSection(true);
    problemList_->header()->resizeSection(ProblemModel::LocationColumn, 220);
    problemsLayout->addWidget(problemList_);
    vertical->addWidget(tabs_);
    vertical->addWidget(problemsPane);
    vertical->setStretchFactor(0, 4);
    vertical->setStretchFactor(1, 1);
    vertical->setSizes({640, 110});

    sideTabs_ = new QTabWidget(mainSplitter_);
    sideTabs_->setObjectName(QStringLiteral("routeSideTabs"));
    sideTabs_->setDocumentMode(true);
    simulator_ = new SimulatorPanel(draft_, sideTabs_);
    auto* simScroll = new QScrollArea(sideTabs_);
    simScroll->setWidgetResizable(true);
    simScroll->setFrameShape(QFrame::NoFrame);
    simScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    simScroll->setWidget(simulator_);
    sideTabs_->addTab(simScroll, tr("Simulator"));
    mainSplitter_->addWidget(left);
    mainSplitter_->addWidget(sideTabs_);
    mainSplitter_->setStretchFactor(0, 3);
    mainSplitter_->setStretchFactor(1, 1);
    mainSplitter_->setSizes({860, 400});

    // During an edit the form follows its rule through the draft's own signals (inserts,
    // removals, moves); a selection change reported in the middle of it would move it twice.
    // So the form is told of the selection only outside edits, and once more after each.
    connect(ruleList_->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                if (!inEdit_)
                    form_->setRule(current.isValid() ? current.row() : -1);
                updateState();
                emit currentRuleChanged(currentRule());
            });
    connect(addRule_, &QPushButton::clicked, this, &RouteEditor::addRule);
    connect(duplicateRule_, &QPushButton::clicked, this, &RouteEditor::duplicateRule);
    connect(removeRule_, &QPushButton::clicked, this, &RouteEditor::removeRule);
    connect(problemList_, &QTreeView::clicked, this, &RouteEditor::showProblem);
    connect(problemList_, &QTreeView::activated, this, &RouteEditor::showProblem);
    connect(simulator_, &SimulatorPanel::ruleActivated, this, &RouteEditor::selectRule);

    connect(draft_, &PolicyDraft::aboutToEdit, this, [this](const DraftChange& change) {
        inEdit_ = true;
        if (change.kind != DraftChange::Kind::Reset)
            return;
        selectedRow_ = currentRule();
        selectedId_ =
            selectedRow_ >= 0 ? rules_->index(selectedRow_, 0).data(RuleListModel::RuleIdRole).toString() : QString();
    });
    connect(draft_, &PolicyDraft::edited, this, [this](const DraftChange& change) {
        if (change.kind != DraftChange::Kind::Reset || currentRule() >= 0 || selectedRow_ < 0 ||
            rules_->rowCount() == 0)
            return;
        // The list was reset (the YAML edit added or removed rules): find the rule again.
        int row = -1;
        for (int i = 0; i < rules_->rowCount() && row < 0; ++i)
            if (rules_->index(i, 0).data(RuleListModel::RuleIdRole).toString() == selectedId_)
                row = i;
        selectRule(row >= 0 ? row : std::min(selectedRow_, rules_->rowCount() - 1));
    });
    connect(draft_, &PolicyDraft::changed, this, [this] {
        inEdit_ = false;
        form_->setRule(currentRule());
        updateState();
    });
    connect(draft_, &PolicyDraft::readOnlyChanged, this, &RouteEditor::updateState);

    if (rules_->rowCount() > 0)
        selectRule(0);
    updateState();
}

void RouteEditor::addSidePanel(QWidget* panel, const QString& title) {
    sideTabs_->addTab(panel, title);
}

int RouteEditor::currentRule() const {
    const QModelIndex current = ruleList_->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void RouteEditor::selectRule(int index) {
    if (index < 0 || index >= rules_->rowCount())
        return;
    tabs_->setCurrentIndex(0);
    const QModelIndex row = rules_->index(index, 0);
    ruleList_->setCurrentIndex(row);
    ruleList_->scrollTo(row);
    form_->setRule(index);
}

void RouteEditor::flushPendingEdits() {
    if (yaml_->hasPendingEdit())
        yaml_->applyNow();
}

void RouteEditor::addRule() {
    policy::Rule rule;
    rule.id = draft_->uniqueRuleId(QStringLiteral("new-rule")).toStdString();
    // At the end: a new rule matches every request until it gets conditions, and above the
    // others it would make them unreachable. Drag it up once it is narrowed.
    const int at = rules_->rowCount();
    draft_->insertRule(at, std::move(rule));
    selectRule(at);
    form_->focusId();
}

void RouteEditor::duplicateRule() {
    const int row = currentRule();
    if (row < 0)
        return;
    policy::Rule copy = draft_->document().routes[std::size_t(row)];
    copy.id = draft_->uniqueRuleId(QString::fromStdString(copy.id) + QStringLiteral("-copy")).toStdString();
    draft_->insertRule(row + 1, std::move(copy));
    selectRule(row + 1);
    form_->focusId();
}

void RouteEditor::removeRule() {
    const int row = currentRule();
    if (row < 0)
        return;
    draft_->removeRule(row);
    if (rules_->rowCount() > 0)
        selectRule(std::min(row, rules_->rowCount() - 1));
}

void RouteEditor::showProblem(const QModelIndex& index) {
    if (!index.isValid())
        return;
    const auto section = policy::Section(index.data(ProblemModel::SectionRole).toInt());
    const int item = index.data(ProblemModel::IndexRole).toInt();
    if (draft_->isDocumentCurrent() && item >= 0) {
        switch (section) {
        case policy::Section::Routes:
            selectRule(item);
            return;
        case policy::Section::Repositories:
            tabs_->setCurrentWidget(catalog_);
            catalog_->selectEntry(item);
            return;
        case policy::Section::Constraints:
            tabs_->setCurrentWidget(constraints_);
            constraints_->selectConstraint(item);
            return;
        default:
            break;
        }
    }
    // Endpoints, budgets and the rest have no form here: show the line in the text.
    tabs_->setCurrentWidget(yaml_);
    yaml_->goToLine(index.data(ProblemModel::LineRole).toInt(), index.data(ProblemModel::ColumnRole).toInt());
}

void RouteEditor::updateState() {
    const bool readOnly = draft_->isReadOnly();
    const bool current = draft_->isDocumentCurrent();
    const bool editable = !readOnly && current;
    addRule_->setEnabled(editable);
    duplicateRule_->setEnabled(editable && currentRule() >= 0);
    removeRule_->setEnabled(editable && currentRule() >= 0);
    ruleList_->setDragEnabled(editable);
    ruleList_->setAcceptDrops(editable);

    const QPalette pal = palette();
    auto tint = [&](const QColor& signal) { return mixColors(pal.color(QPalette::Window), signal, 0.18); };
    QString text;
    QColor signal;
    if (!current) {
        int line = 0, column = 0;
        for (const auto& d : draft_->diagnostics())
            if (d.severity == policy::Severity::Error) {
                line = d.pos.line;
                column = d.pos.column;
                break;
            }
        text = tr("The YAML text does not parse (line %1:%2). The forms show the last version that did, and wait "
                  "until the text is fixed.")
                   .arg(line)
                   .arg(column);
        signal = QColor(0xd9, 0x3f, 0x3f);
    } else if (readOnly) {
        text = tr("Read only: your role may view the route policy and simulate requests, but not change it.");
        signal = pal.color(QPalette::Highlight);
    }
    banner_->setText(text);
    banner_->setStyleSheet(text.isEmpty()
                               ? QString()
                               : QStringLiteral("QLabel { background: %1; border: 1px solid %2; border-radius: 4px; }")
                                     .arg(tint(signal).name(), signal.name()));
    banner_->setVisible(!text.isEmpty());

    const int errors = problems_->errorCount();
    const int warnings = problems_->warningCount();
    if (errors == 0 && warnings == 0)
        problemSummary_->setText(tr("No problems: the draft is valid."));
    else
        problemSummary_->setText(tr("Problems: %1 %2, %3 %4")
                                     .arg(errors)
                                     .arg(errors == 1 ? tr("error") : tr("errors"))
                                     .arg(warnings)
                                     .arg(warnings == 1 ? tr("warning") : tr("warnings")));
}

} // namespace gh::console
