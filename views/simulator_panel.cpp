#include "views/simulator_panel.h"

#include "api/simulation.h"
#include "models/policy_draft.h"
#include "models/trace_model.h"
#include "views/colors.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QVBoxLayout>

#include <set>

namespace gh::console {

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

std::optional<std::string> field(const QComboBox* combo) {
    const QString text = combo->currentText().trimmed();
    return text.isEmpty() ? std::nullopt : std::optional<std::string>(text.toStdString());
}

// Repository names a person would try, one per catalog pattern ("acme/payments-*" ->
// "acme/payments-example").
QStringList exampleRepositories(const policy::Document& doc) {
    QStringList out;
    for (const auto& entry : doc.repositories) {
        QString name = qs(entry.match);
        name.replace(QLatin1Char('*'), QStringLiteral("example")).replace(QLatin1Char('?'), QStringLiteral("x"));
        if (!out.contains(name))
            out << name;
    }
    return out;
}

void setChoices(QComboBox* combo, const QStringList& items) {
    QStringList shown;
    for (int i = 0; i < combo->count(); ++i)
        shown << combo->itemText(i);
    if (shown == items)
        return;
    const QString text = combo->currentText();
    const QSignalBlocker block(combo);
    combo->clear();
    combo->addItems(items);
    combo->setCurrentIndex(-1);
    combo->setEditText(text);
}

} // namespace

SimulatorPanel::SimulatorPanel(PolicyDraft* draft, QWidget* parent)
    : QWidget(parent), draft_(draft), trace_(new TraceModel(this)) {
    filling_ = true; // no simulation until the result widgets exist
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->setSpacing(8);

    auto* intro = new QLabel(tr("How the draft decides a request, computed by the gateway's own evaluator."), this);
    intro->setWordWrap(true);
    intro->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(intro);

    auto* requestBox = new QGroupBox(tr("Request"), this);
    auto* form = new QFormLayout(requestBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    team_ = addField(form, tr("&Team:"), QStringLiteral("simTeamCombo"), tr("the caller's team"));
    identity_ = addField(form, tr("&Identity:"), QStringLiteral("simIdentityCombo"), tr("a person or service account"));
    repository_ = addField(form, tr("&Repository:"), QStringLiteral("simRepositoryCombo"), tr("owner/name"));
    branch_ = addField(form, tr("&Branch:"), QStringLiteral("simBranchCombo"), tr("any"));
    task_ = addField(form, tr("Tas&k:"), QStringLiteral("simTaskCombo"), tr("none"));
    model_ = addField(form, tr("&Model:"), QStringLiteral("simModelCombo"), tr("the model the agent asks for"));
    agent_ = addField(form, tr("A&gent:"), QStringLiteral("simAgentCombo"), tr("claude-code, copilot, ..."));
    identity_->addItems({QStringLiteral("alice@acme.example"), QStringLiteral("svc-ci")});
    branch_->addItems({QStringLiteral("main"), QStringLiteral("release/1.0")});
    agent_->addItems({QStringLiteral("claude-code"), QStringLiteral("copilot"), QStringLiteral("aider"),
                      QStringLiteral("continue"), QStringLiteral("cursor")});
    for (QComboBox* c : {identity_, branch_, agent_}) {
        c->setCurrentIndex(-1);
        c->setEditText(QString());
    }
    layout->addWidget(requestBox);

    auto* resultBox = new QGroupBox(tr("Decision"), this);
    auto* result = new QVBoxLayout(resultBox);
    decision_ = new QLabel(resultBox);
    decision_->setObjectName(QStringLiteral("simDecisionLabel"));
    decision_->setContentsMargins(10, 6, 10, 6);
    decision_->setWordWrap(true);
    QFont big = decision_->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.15);
    decision_->setFont(big);
    result->addWidget(decision_);
    reason_ = new QLabel(resultBox);
    reason_->setObjectName(QStringLiteral("simReasonLabel"));
    reason_->setWordWrap(true);
    reason_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    result->addWidget(reason_);
    auto* facts = new QFormLayout;
    facts->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    rule_ = new QLabel(resultBox);
    rule_->setObjectName(QStringLiteral("simRuleLabel"));
    rule_->setTextFormat(Qt::RichText);
    rule_->setWordWrap(true);
    connect(rule_, &QLabel::linkActivated, this, [this](const QString& link) { emit ruleActivated(link.toInt()); });
    facts->addRow(tr("Deciding rule:"), rule_);
    sensitivity_ = new QLabel(resultBox);
    sensitivity_->setObjectName(QStringLiteral("simSensitivityLabel"));
    sensitivity_->setWordWrap(true);
    facts->addRow(tr("Sensitivity:"), sensitivity_);
    budgets_ = new QLabel(resultBox);
    budgets_->setObjectName(QStringLiteral("simBudgetsLabel"));
    budgets_->setWordWrap(true);
    facts->addRow(tr("Budgets:"), budgets_);
    result->addLayout(facts);
    auto* targetsTitle = new QLabel(tr("Targets, in order:"), resultBox);
    result->addWidget(targetsTitle);
    targets_ = new QListWidget(resultBox);
    targets_->setObjectName(QStringLiteral("simTargetList"));
    targets_->setMaximumHeight(72);
    result->addWidget(targets_);
    layout->addWidget(resultBox);

    auto* traceBox = new QGroupBox(tr("Trace"), this);
    auto* traceLayout = new QVBoxLayout(traceBox);
    traceView_ = new QListView(traceBox);
    traceView_->setObjectName(QStringLiteral("simTraceView"));
    traceView_->setModel(trace_);
    traceView_->setWordWrap(true);
    traceView_->setUniformItemSizes(false);
    traceView_->setMinimumHeight(140);
    traceView_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(traceView_, &QListView::activated, this, [this](const QModelIndex& index) {
        const int rule = index.data(TraceModel::RuleIndexRole).toInt();
        if (rule >= 0)
            emit ruleActivated(rule);
    });
    traceLayout->addWidget(traceView_);
    layout->addWidget(traceBox, 1);

    connect(draft_, &PolicyDraft::changed, this, [this] {
        refreshChoices();
        simulate();
    });
    refreshChoices();
    filling_ = false;
    simulate();
}

QComboBox* SimulatorPanel::addField(QFormLayout* form, const QString& label, const QString& objectName,
                                    const QString& placeholder) {
    auto* combo = new QComboBox(form->parentWidget());
    combo->setObjectName(objectName);
    combo->setEditable(true);
    combo->setInsertPolicy(QComboBox::NoInsert);
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(10);
    combo->lineEdit()->setPlaceholderText(placeholder);
    combo->lineEdit()->setClearButtonEnabled(true);
    combo->setAccessibleName(QString(label).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
    connect(combo, &QComboBox::editTextChanged, this, [this] {
        if (!filling_)
            simulate();
    });
    form->addRow(label, combo);
    return combo;
}

void SimulatorPanel::refreshChoices() {
    filling_ = true;
    setChoices(team_, draft_->teamIds());
    setChoices(task_, draft_->taskNames());
    setChoices(model_, draft_->servedModels());
    setChoices(repository_, exampleRepositories(draft_->document()));
    filling_ = false;
}

void SimulatorPanel::setRequest(const api::SimulatedRequest& request) {
    filling_ = true;
    const std::pair<QComboBox*, const std::optional<std::string>*> fields[] = {
        {team_, &request.team},     {identity_, &request.identity}, {repository_, &request.repository},
        {branch_, &request.branch}, {task_, &request.task},         {model_, &request.model},
        {agent_, &request.agent},
    };
    for (const auto& [combo, value] : fields)
        combo->setEditText(*value ? qs(**value) : QString());
    filling_ = false;
    simulate();
}

api::SimulatedRequest SimulatorPanel::request() const {
    api::SimulatedRequest r;
    r.team = field(team_);
    r.identity = field(identity_);
    r.repository = field(repository_);
    r.branch = field(branch_);
    r.task = field(task_);
    if (r.task == "none")
        r.task.reset(); // "none" is how rules name requests without a task
    r.model = field(model_);
    r.agent = field(agent_);
    return r;
}

void SimulatorPanel::simulate() {
    const auto evaluator = draft_->evaluator();
    if (!evaluator) {
        result_.reset();
        clearResult(draft_->hasErrors() ? tr("Fix the problems to simulate") : tr("No policy loaded"));
        return;
    }
    result_ = api::simulate(*evaluator, request(), std::nullopt);
    showResult();
}

void SimulatorPanel::clearResult(const QString& message) {
    decision_->setText(message);
    decision_->setStyleSheet(QString());
    reason_->setText(tr("The simulator runs on a draft without errors; see the problem list."));
    rule_->clear();
    sensitivity_->clear();
    budgets_->clear();
    targets_->clear();
    trace_->clear();
}

void SimulatorPanel::showResult() {
    const api::Simulation& s = *result_;
    const auto& d = s.decision;
    const QPalette pal = palette();
    const QColor signal = d.allowed ? QColor(0x2e, 0x9d, 0x4f) : QColor(0xd9, 0x3f, 0x3f);
    decision_->setText(d.allowed ? tr("✔ Allowed") : tr("✖ Denied"));
    decision_->setStyleSheet(
        QStringLiteral("QLabel { background: %1; border: 1px solid %2; border-radius: 4px; color: %3; }")
            .arg(mixColors(pal.color(QPalette::Window), signal, 0.2).name(), signal.name(),
                 pal.color(QPalette::WindowText).name()));
    reason_->setText(d.allowed ? tr("The gateway would forward this request to the first target that is up.")
                               : qs(d.reason));
    if (d.rule)
        rule_->setText(QStringLiteral("<a href=\"%1\">%2</a>").arg(d.rule_index).arg(qs(*d.rule).toHtmlEscaped()));
    else
        rule_->setText(tr("none (deny is the default)"));
    sensitivity_->setText(d.sensitivity ? qs(*d.sensitivity) : tr("unknown"));
    QStringList budgets;
    for (const auto& b : d.budgets)
        budgets << qs(b);
    budgets_->setText(budgets.isEmpty() ? tr("none") : budgets.join(QStringLiteral(", ")));
    targets_->clear();
    for (std::size_t i = 0; i < d.targets.size(); ++i) {
        const auto& t = d.targets[i];
        targets_->addItem(tr("%1. %2/%3 — %4, %5")
                              .arg(i + 1)
                              .arg(qs(t.endpoint), qs(t.model), qs(t.endpoint_class),
                                   t.region.empty() ? tr("no region") : qs(t.region)));
    }
    std::vector<TraceRow> rows;
    for (const auto& step : s.trace)
        rows.push_back({int(step.rule_index), step.rule ? qs(*step.rule) : QString(), qs(step.text),
                        d.rule && step.rule_index == d.rule_index});
    trace_->setRows(std::move(rows));
}

} // namespace gh::console
