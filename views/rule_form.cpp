#include "views/rule_form.h"

#include "models/policy_draft.h"
#include "models/target_list_model.h"
#include "views/chip_edit.h"
#include "views/colors.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QRadioButton>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace gh::console {

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QStringList texts(const std::vector<policy::Text>& values) {
    QStringList out;
    for (const auto& v : values)
        out << qs(v.value);
    return out;
}

std::vector<policy::Text> toTexts(const QStringList& values) {
    std::vector<policy::Text> out;
    for (const QString& v : values)
        out.push_back({v.toStdString(), {}});
    return out;
}

QStringList sensitivityChips(policy::SensitivitySet set) {
    QStringList out;
    for (int s = 0; s < policy::kSensitivityCount; ++s)
        if (set.contains(policy::Sensitivity(s)))
            out << QString::fromLatin1(policy::toString(policy::Sensitivity(s)));
    return out;
}

policy::SensitivitySet sensitivitySet(const QStringList& chips) {
    policy::SensitivitySet set;
    for (const QString& chip : chips)
        if (auto parsed = policy::sensitivitySetFromString(chip.toStdString()))
            set.bits |= parsed->bits;
    return set;
}

bool samePos(const policy::Pos& a, const policy::Pos& b) {
    return a.line > 0 && a.line == b.line && a.column == b.column;
}

void setTextKeepingCursor(QLineEdit* edit, const QString& text) {
    if (edit->text() == text)
        return; // the person's own typing: leave the cursor where it is
    edit->setText(text);
    edit->setCursorPosition(0); // another rule's text reads from its start, not its end
}

} // namespace

RuleForm::RuleForm(PolicyDraft* draft, QWidget* parent)
    : QWidget(parent), draft_(draft), targets_(new TargetListModel(draft, this)) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    emptyLabel_ = new QLabel(tr("Select a rule on the left, or add one."), this);
    emptyLabel_->setAlignment(Qt::AlignCenter);
    emptyLabel_->setEnabled(false);
    outer->addWidget(emptyLabel_);

    body_ = new QWidget(this);
    outer->addWidget(body_);
    auto* layout = new QVBoxLayout(body_);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);

    ruleProblems_ = new QLabel(body_);
    ruleProblems_->setObjectName(QStringLiteral("ruleProblemsLabel"));
    ruleProblems_->setWordWrap(true);
    ruleProblems_->setTextFormat(Qt::PlainText);
    ruleProblems_->setContentsMargins(8, 6, 8, 6);
    layout->addWidget(ruleProblems_);

    auto* head = new QFormLayout;
    head->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    id_ = new QLineEdit(body_);
    id_->setObjectName(QStringLiteral("ruleIdEdit"));
    id_->setPlaceholderText(tr("a short unique name, such as docs-cheap"));
    connect(id_, &QLineEdit::textEdited, this,
            [this](const QString& text) { edit([&](policy::Rule& r) { r.id = text.trimmed().toStdString(); }); });
    head->addRow(tr("&Id:"), id_);
    description_ = new QLineEdit(body_);
    description_->setObjectName(QStringLiteral("ruleDescriptionEdit"));
    description_->setPlaceholderText(tr("why this rule exists (optional)"));
    connect(description_, &QLineEdit::textEdited, this,
            [this](const QString& text) { edit([&](policy::Rule& r) { r.description = text.toStdString(); }); });
    head->addRow(tr("&Description:"), description_);
    layout->addLayout(head);

    auto* when = new QGroupBox(tr("When"), body_);
    auto* whenLayout = new QFormLayout(when);
    whenLayout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto* whenHint = new QLabel(tr("Every condition must hold. An empty condition matches any request."), when);
    whenHint->setWordWrap(true);
    whenHint->setForegroundRole(QPalette::PlaceholderText);
    whenLayout->addRow(whenHint);
    teams_ =
        addChipRow(whenLayout, tr("&Team:"), QStringLiteral("teamChipEdit"), tr("any team"), QStringLiteral("team"));
    identities_ = addChipRow(whenLayout, tr("&Identity:"), QStringLiteral("identityChipEdit"),
                             tr("any identity (globs: svc-*)"), QStringLiteral("identity"));
    repos_ = addChipRow(whenLayout, tr("&Repository:"), QStringLiteral("repositoryChipEdit"),
                        tr("any repository (globs: acme/*)"), QStringLiteral("repo"));
    branches_ = addChipRow(whenLayout, tr("&Branch:"), QStringLiteral("branchChipEdit"),
                           tr("any branch (globs: release/*)"), QStringLiteral("branch"));
    sensitivity_ = addChipRow(whenLayout, tr("&Sensitivity:"), QStringLiteral("sensitivityChipEdit"),
                              tr("any sensitivity (or >= confidential)"), QStringLiteral("sensitivity"));
    tasks_ = addChipRow(whenLayout, tr("Tas&k:"), QStringLiteral("taskChipEdit"),
                        tr("any task (none: requests without one)"), QStringLiteral("task"));
    models_ = addChipRow(whenLayout, tr("&Model:"), QStringLiteral("modelChipEdit"),
                         tr("any requested model (globs: claude-*)"), QStringLiteral("model"));
    agents_ = addChipRow(whenLayout, tr("A&gent:"), QStringLiteral("agentChipEdit"),
                         tr("any agent (globs: claude-code*)"), QStringLiteral("agent"));
    sensitivity_->setNormaliser([](const QString& text) {
        const auto set = policy::sensitivitySetFromString(text.trimmed().toLower().toStdString());
        return set ? sensitivityChips(*set) : QStringList{};
    });
    {
        QStringList levels;
        for (const auto& name : policy::sensitivityNames())
            levels << qs(name);
        levels << QStringLiteral(">= internal") << QStringLiteral(">= confidential") << QStringLiteral("<= internal");
        sensitivity_->setSuggestions(levels);
    }
    branches_->setSuggestions({QStringLiteral("main"), QStringLiteral("release/*"), QStringLiteral("feature/*")});
    agents_->setSuggestions({QStringLiteral("claude-code*"), QStringLiteral("copilot*"), QStringLiteral("aider*"),
                             QStringLiteral("continue*"), QStringLiteral("cursor*")});
    identities_->setSuggestions({QStringLiteral("svc-*")});
    connect(teams_, &ChipEdit::changed, this,
            [this](const QStringList& v) { edit([&](policy::Rule& r) { r.when.teams = toTexts(v); }); });
    connect(identities_, &ChipEdit::changed, this,
            [this](const QStringList& v) { edit([&](policy::Rule& r) { r.when.identities = toTexts(v); }); });
    connect(repos_, &ChipEdit::changed, this,
            [this](const QStringList& v) { edit([&](policy::Rule& r) { r.when.repos = toTexts(v); }); });
    connect(branches_, &ChipEdit::changed, this,
            [this](const QStringList& v) { edit([&](policy::Rule& r) { r.when.branches = toTexts(v); }); });
    connect(tasks_, &ChipEdit::changed, this,
            [this](const QStringList& v) { edit([&](policy::Rule& r) { r.when.tasks = toTexts(v); }); });
    connect(models_, &ChipEdit::changed, this,
            [this](const QStringList& v) { edit([&](policy::Rule& r) { r.when.models = toTexts(v); }); });
    connect(agents_, &ChipEdit::changed, this,
            [this](const QStringList& v) { edit([&](policy::Rule& r) { r.when.agents = toTexts(v); }); });
    connect(sensitivity_, &ChipEdit::changed, this,
            [this](const QStringList& v) { edit([&](policy::Rule& r) { r.when.sensitivity = sensitivitySet(v); }); });
    layout->addWidget(when);

    auto* then = new QGroupBox(tr("Then"), body_);
    auto* thenLayout = new QVBoxLayout(then);
    auto* choice = new QHBoxLayout;
    routeRadio_ = new QRadioButton(tr("R&oute to these targets"), then);
    routeRadio_->setObjectName(QStringLiteral("routeRadio"));
    denyRadio_ = new QRadioButton(tr("D&eny the request"), then);
    denyRadio_->setObjectName(QStringLiteral("denyRadio"));
    choice->addWidget(routeRadio_);
    choice->addWidget(denyRadio_);
    choice->addStretch();
    thenLayout->addLayout(choice);
    connect(routeRadio_, &QRadioButton::clicked, this, [this] { setDeny(false); });
    connect(denyRadio_, &QRadioButton::clicked, this, [this] { setDeny(true); });

    decision_ = new QStackedWidget(then);
    auto* routePage = new QWidget(decision_);
    auto* routeLayout = new QVBoxLayout(routePage);
    routeLayout->setContentsMargins(0, 0, 0, 0);
    auto* targetHint = new QLabel(tr("The first target is preferred; the others are fallbacks, tried in order. "
                                     "Drag to reorder."),
                                  routePage);
    targetHint->setWordWrap(true);
    targetHint->setForegroundRole(QPalette::PlaceholderText);
    routeLayout->addWidget(targetHint);
    auto* listRow = new QHBoxLayout;
    targetList_ = new QListView(routePage);
    targetList_->setObjectName(QStringLiteral("targetList"));
    targetList_->setModel(targets_);
    targetList_->setDragDropMode(QAbstractItemView::DragDrop);
    targetList_->setDefaultDropAction(Qt::MoveAction);
    targetList_->setDragDropOverwriteMode(false);
    targetList_->setDropIndicatorShown(true);
    targetList_->setMinimumHeight(90);
    targetList_->setMaximumHeight(100);
    listRow->addWidget(targetList_, 1);
    auto* listButtons = new QVBoxLayout;
    auto tool = [&](const QString& name, const QString& text, const QString& tip) {
        auto* b = new QToolButton(routePage);
        b->setObjectName(name);
        b->setText(text);
        b->setToolTip(tip);
        b->setAccessibleName(tip);
        b->setAutoRaise(false);
        b->setFixedWidth(28);
        listButtons->addWidget(b);
        return b;
    };
    targetUp_ = tool(QStringLiteral("targetUpButton"), QStringLiteral("↑"), tr("Move the target up"));
    targetDown_ = tool(QStringLiteral("targetDownButton"), QStringLiteral("↓"), tr("Move the target down"));
    removeTarget_ = tool(QStringLiteral("removeTargetButton"), QStringLiteral("−"), tr("Remove the target"));
    listButtons->addStretch();
    listRow->addLayout(listButtons);
    routeLayout->addLayout(listRow);
    connect(targetUp_, &QToolButton::clicked, this, [this] { moveTarget(-1); });
    connect(targetDown_, &QToolButton::clicked, this, [this] { moveTarget(+1); });
    connect(removeTarget_, &QToolButton::clicked, this, [this] {
        const QModelIndex current = targetList_->currentIndex();
        if (current.isValid())
            targets_->removeRows(current.row(), 1);
    });

    auto* pick = new QHBoxLayout;
    endpointCombo_ = new QComboBox(routePage);
    endpointCombo_->setObjectName(QStringLiteral("endpointCombo"));
    endpointCombo_->setAccessibleName(tr("Endpoint"));
    endpointCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    endpointCombo_->setMinimumContentsLength(12);
    modelCombo_ = new QComboBox(routePage);
    modelCombo_->setObjectName(QStringLiteral("modelCombo"));
    modelCombo_->setAccessibleName(tr("Model"));
    modelCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    modelCombo_->setMinimumContentsLength(14);
    addTarget_ = new QPushButton(tr("&Add target"), routePage);
    addTarget_->setObjectName(QStringLiteral("addTargetButton"));
    pick->addWidget(endpointCombo_, 2);
    pick->addWidget(new QLabel(QStringLiteral("/"), routePage));
    pick->addWidget(modelCombo_, 3);
    pick->addWidget(addTarget_);
    routeLayout->addLayout(pick);
    routeLayout->addWidget(withProblemLabel(nullptr, QStringLiteral("targets")));
    connect(endpointCombo_, &QComboBox::currentIndexChanged, this, &RuleForm::refreshModels);
    connect(addTarget_, &QPushButton::clicked, this, [this] {
        const QString endpoint = endpointCombo_->currentData().toString();
        const QString model = modelCombo_->currentData().toString();
        if (endpoint.isEmpty() || model.isEmpty())
            return;
        targets_->appendTarget({endpoint.toStdString(), model.toStdString(), {}});
        targetList_->setCurrentIndex(targets_->index(targets_->rowCount() - 1));
    });
    decision_->addWidget(routePage);

    auto* denyPage = new QWidget(decision_);
    auto* denyLayout = new QFormLayout(denyPage);
    denyLayout->setContentsMargins(0, 0, 0, 0);
    denyLayout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    denyReason_ = new QLineEdit(denyPage);
    denyReason_->setObjectName(QStringLiteral("denyReasonEdit"));
    denyReason_->setPlaceholderText(tr("what the caller reads, and what to do instead"));
    connect(denyReason_, &QLineEdit::textEdited, this, [this](const QString& text) {
        lastDenyReason_ = text;
        edit([&](policy::Rule& r) { r.deny = text.toStdString(); });
    });
    denyLayout->addRow(tr("&Reason:"), denyReason_);
    decision_->addWidget(denyPage);
    thenLayout->addWidget(decision_);

    auto* budgetRow = new QFormLayout;
    budgetRow->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    budget_ = new QComboBox(then);
    budget_->setObjectName(QStringLiteral("ruleBudgetCombo"));
    connect(budget_, &QComboBox::activated, this, [this] {
        const std::string id = budget_->currentData().toString().toStdString();
        edit([&](policy::Rule& r) { r.budget.value = id; });
    });
    budgetRow->addRow(tr("Also charge &budget:"), withProblemLabel(budget_, QStringLiteral("budget")));
    thenLayout->addLayout(budgetRow);
    layout->addWidget(then);
    layout->addStretch();

    connect(draft_, &PolicyDraft::changed, this, &RuleForm::refresh);
    connect(draft_, &PolicyDraft::readOnlyChanged, this, &RuleForm::updateEnabled);
    // The target model follows the rule through inserts, removals and moves; so does the form.
    connect(targets_, &QAbstractItemModel::modelReset, this, &RuleForm::refresh);
    connect(targetList_->selectionModel(), &QItemSelectionModel::currentChanged, this, &RuleForm::updateEnabled);
    refresh();
}

ChipEdit* RuleForm::addChipRow(QFormLayout* form, const QString& label, const QString& objectName,
                               const QString& placeholder, const QString& problemKey) {
    auto* chips = new ChipEdit(form->parentWidget());
    chips->setObjectName(objectName);
    chips->setPlaceholderText(placeholder);
    chips->setAccessibleName(QString(label).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
    form->addRow(label, withProblemLabel(chips, problemKey));
    return chips;
}

QWidget* RuleForm::withProblemLabel(QWidget* editor, const QString& key) {
    auto* box = new QWidget(this);
    auto* v = new QVBoxLayout(box);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(2);
    if (editor) {
        editor->setParent(box);
        v->addWidget(editor);
    }
    auto* label = new QLabel(box);
    label->setObjectName(key + QStringLiteral("ProblemLabel"));
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->hide();
    v->addWidget(label);
    problemLabels_.insert(key, label);
    return box;
}

void RuleForm::setRule(int index) {
    if (index == targets_->rule() && index >= 0)
        return;
    targets_->setRule(index); // resets the target model, which refreshes the form
    const auto* rule = current();
    lastRoute_ = rule ? rule->route : std::vector<policy::Target>{};
    lastDenyReason_ = rule && rule->deny ? qs(*rule->deny) : QString();
}

int RuleForm::rule() const {
    return targets_->rule();
}

const policy::Rule* RuleForm::current() const {
    const auto& routes = draft_->document().routes;
    const int i = targets_->rule();
    return i >= 0 && std::size_t(i) < routes.size() ? &routes[std::size_t(i)] : nullptr;
}

void RuleForm::focusId() {
    id_->setFocus(Qt::OtherFocusReason);
    id_->selectAll();
}

void RuleForm::edit(const std::function<void(policy::Rule&)>& change) {
    const auto* rule = current();
    if (!rule || draft_->isReadOnly())
        return;
    policy::Rule next = *rule;
    change(next);
    draft_->updateRule(targets_->rule(), std::move(next));
}

void RuleForm::setDeny(bool deny) {
    const auto* rule = current();
    if (!rule || rule->deny.has_value() == deny)
        return;
    if (deny) {
        lastRoute_ = rule->route;
        const QString reason = lastDenyReason_.isEmpty() ? tr("not allowed by the route policy") : lastDenyReason_;
        edit([&](policy::Rule& r) {
            r.route.clear();
            r.deny = reason.toStdString();
        });
        denyReason_->setFocus(Qt::OtherFocusReason);
        denyReason_->selectAll();
    } else {
        lastDenyReason_ = qs(*rule->deny);
        edit([&](policy::Rule& r) {
            r.deny.reset();
            r.route = lastRoute_;
        });
    }
}

void RuleForm::moveTarget(int delta) {
    const QModelIndex current = targetList_->currentIndex();
    if (!current.isValid())
        return;
    const int row = current.row();
    const int destination = delta < 0 ? row - 1 : row + 2;
    if (targets_->moveRows({}, row, 1, {}, destination))
        targetList_->setCurrentIndex(targets_->index(delta < 0 ? row - 1 : row + 1));
}

void RuleForm::refreshPickers() {
    teams_->setSuggestions(draft_->teamIds());
    tasks_->setSuggestions(draft_->taskNames() << QStringLiteral("none"));
    models_->setSuggestions(draft_->servedModels());
    QStringList patterns;
    for (const auto& entry : draft_->document().repositories)
        patterns << qs(entry.match);
    repos_->setSuggestions(patterns);

    const QString endpoint = endpointCombo_->currentData().toString();
    QStringList ids = draft_->endpointIds();
    QStringList shown;
    for (int i = 0; i < endpointCombo_->count(); ++i)
        shown << endpointCombo_->itemData(i).toString();
    if (shown != ids) {
        const QSignalBlocker block(endpointCombo_);
        endpointCombo_->clear();
        for (const auto& e : draft_->document().endpoints) {
            const QString where =
                e.region.empty()
                    ? QString::fromLatin1(policy::toString(e.cls))
                    : QStringLiteral("%1, %2").arg(QString::fromLatin1(policy::toString(e.cls)), qs(e.region));
            endpointCombo_->addItem(qs(e.id), qs(e.id));
            endpointCombo_->setItemData(endpointCombo_->count() - 1, where, Qt::ToolTipRole);
        }
        const int keep = endpointCombo_->findData(endpoint);
        endpointCombo_->setCurrentIndex(keep >= 0 ? keep : 0);
    }
    refreshModels();

    QStringList budgets;
    budgets << QString() << draft_->budgetIds();
    QStringList shownBudgets;
    for (int i = 0; i < budget_->count(); ++i)
        shownBudgets << budget_->itemData(i).toString();
    if (shownBudgets != budgets) {
        const QSignalBlocker block(budget_);
        budget_->clear();
        budget_->addItem(tr("(none)"), QString());
        for (const QString& id : draft_->budgetIds())
            budget_->addItem(id, id);
    }
}

void RuleForm::refreshModels() {
    const QString endpoint = endpointCombo_->currentData().toString();
    QStringList models = draft_->modelsOf(endpoint);
    QStringList shown;
    for (int i = 0; i < modelCombo_->count(); ++i)
        shown << modelCombo_->itemData(i).toString();
    if (shown == (QStringList(models) << QStringLiteral("*")))
        return;
    const QString keep = modelCombo_->currentData().toString();
    const QSignalBlocker block(modelCombo_);
    modelCombo_->clear();
    for (const QString& m : models)
        modelCombo_->addItem(m, m);
    modelCombo_->addItem(tr("* (the model the caller asks for)"), QStringLiteral("*"));
    const int i = modelCombo_->findData(keep);
    modelCombo_->setCurrentIndex(i >= 0 ? i : 0);
}

void RuleForm::refresh() {
    const auto* rule = current();
    emptyLabel_->setVisible(!rule);
    body_->setVisible(rule != nullptr);
    refreshPickers();
    if (!rule) {
        updateEnabled();
        return;
    }
    setTextKeepingCursor(id_, qs(rule->id));
    setTextKeepingCursor(description_, qs(rule->description));
    teams_->setChips(texts(rule->when.teams));
    identities_->setChips(texts(rule->when.identities));
    repos_->setChips(texts(rule->when.repos));
    branches_->setChips(texts(rule->when.branches));
    sensitivity_->setChips(sensitivityChips(rule->when.sensitivity));
    tasks_->setChips(texts(rule->when.tasks));
    models_->setChips(texts(rule->when.models));
    agents_->setChips(texts(rule->when.agents));
    const bool deny = rule->deny.has_value();
    routeRadio_->setChecked(!deny);
    denyRadio_->setChecked(deny);
    decision_->setCurrentIndex(deny ? 1 : 0);
    if (deny)
        setTextKeepingCursor(denyReason_, qs(*rule->deny));
    const int budget = budget_->findData(qs(rule->budget.value));
    budget_->setCurrentIndex(budget >= 0 ? budget : 0);
    refreshProblems(*rule);
    updateEnabled();
}

// Each problem is shown beside the field whose value it points at (the validator and the parser
// give the value's line and column); what concerns the rule as a whole goes above the form.
void RuleForm::refreshProblems(const policy::Rule& rule) {
    std::vector<policy::Diagnostic> problems;
    if (draft_->isDocumentCurrent())
        problems = draft_->diagnosticsFor(policy::Section::Routes, targets_->rule());
    const std::pair<QString, const std::vector<policy::Text>*> conditions[] = {
        {QStringLiteral("team"), &rule.when.teams},   {QStringLiteral("identity"), &rule.when.identities},
        {QStringLiteral("repo"), &rule.when.repos},   {QStringLiteral("branch"), &rule.when.branches},
        {QStringLiteral("task"), &rule.when.tasks},   {QStringLiteral("model"), &rule.when.models},
        {QStringLiteral("agent"), &rule.when.agents},
    };
    const QHash<QString, ChipEdit*> chipEdits = {
        {QStringLiteral("team"), teams_},   {QStringLiteral("identity"), identities_},
        {QStringLiteral("repo"), repos_},   {QStringLiteral("branch"), branches_},
        {QStringLiteral("task"), tasks_},   {QStringLiteral("model"), models_},
        {QStringLiteral("agent"), agents_},
    };
    QHash<QString, QStringList> byField;
    QHash<QString, QHash<QString, QString>> chipProblems;
    QStringList general;
    for (const auto& d : problems) {
        const QString line = QStringLiteral("%1 %2").arg(
            d.severity == policy::Severity::Error ? QStringLiteral("✖") : QStringLiteral("⚠"), qs(d.message));
        QString field;
        for (const auto& [key, values] : conditions)
            for (const auto& v : *values)
                if (samePos(v.pos, d.pos)) {
                    field = key;
                    chipProblems[key].insert(qs(v.value), qs(d.message));
                }
        for (const auto& t : rule.route)
            if (field.isEmpty() && samePos(t.pos, d.pos))
                field = QStringLiteral("targets");
        if (field.isEmpty() && samePos(rule.budget.pos, d.pos))
            field = QStringLiteral("budget");
        if (field.isEmpty())
            general << line;
        else
            byField[field] << line;
    }
    for (auto it = chipEdits.begin(); it != chipEdits.end(); ++it)
        it.value()->setChipProblems(chipProblems.value(it.key()));

    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    const QColor red(0xd9, 0x3f, 0x3f);
    // Readable on light and dark windows: the signal colour pulled towards the text colour.
    const QColor problemText = mixColors(red, text, 0.25);
    for (auto it = problemLabels_.begin(); it != problemLabels_.end(); ++it) {
        const QStringList lines = byField.value(it.key());
        it.value()->setText(lines.join(QLatin1Char('\n')));
        it.value()->setStyleSheet(QStringLiteral("color: %1;").arg(problemText.name()));
        it.value()->setVisible(!lines.isEmpty());
    }
    ruleProblems_->setText(general.join(QLatin1Char('\n')));
    const QColor window = pal.color(QPalette::Window);
    const QColor tint = mixColors(window, red, 0.15);
    ruleProblems_->setStyleSheet(
        QStringLiteral("QLabel { background: %1; border: 1px solid %2; border-radius: 4px; color: %3; }")
            .arg(tint.name(), red.name(), pal.color(QPalette::WindowText).name()));
    ruleProblems_->setVisible(!general.isEmpty());
}

void RuleForm::updateEnabled() {
    const auto* rule = current();
    const bool editable = rule && !draft_->isReadOnly() && draft_->isDocumentCurrent();
    for (QLineEdit* e : {id_, description_, denyReason_})
        e->setReadOnly(!editable);
    for (ChipEdit* c : {teams_, identities_, repos_, branches_, sensitivity_, tasks_, models_, agents_})
        c->setReadOnly(!editable);
    for (QWidget* w :
         std::initializer_list<QWidget*>{routeRadio_, denyRadio_, endpointCombo_, modelCombo_, addTarget_, budget_})
        w->setEnabled(editable);
    const QModelIndex target = targetList_->currentIndex();
    removeTarget_->setEnabled(editable && target.isValid());
    targetUp_->setEnabled(editable && target.isValid() && target.row() > 0);
    targetDown_->setEnabled(editable && target.isValid() && target.row() + 1 < targets_->rowCount());
    targetList_->setDragEnabled(editable);
}

} // namespace gh::console
