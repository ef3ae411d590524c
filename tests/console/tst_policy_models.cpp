// The policy models over a PolicyDraft: every edit (through the draft, through the models, by
// replacing the YAML) keeps QAbstractItemModelTester content, moves rows instead of resetting,
// and problems land on the rule they concern.
#include "models/constraint_model.h"
#include "models/policy_draft.h"
#include "models/problem_decoration.h"
#include "models/problem_model.h"
#include "models/repository_catalog_model.h"
#include "models/rule_list_model.h"
#include "models/target_list_model.h"
#include "models/trace_model.h"
#include "draft_testing.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QMimeData>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace gh;
using namespace gh::console;
using gh::test::exampleYaml;
using gh::test::ruleIds;

namespace {

QStringList modelIds(const QAbstractItemModel& model) {
    QStringList out;
    for (int i = 0; i < model.rowCount(); ++i)
        out << model.index(i, 0).data(RuleListModel::RuleIdRole).toString();
    return out;
}

int ruleIndex(const PolicyDraft& draft, const char* id) {
    return int(ruleIds(draft).indexOf(QLatin1String(id)));
}

} // namespace

class TestPolicyModels : public QObject {
    Q_OBJECT

private slots:
    void init();
    void exampleLoadsClean();
    void ruleListFollowsDraftEdits();
    void ruleListEditsThroughTheModel();
    void yamlReplaceUpdatesInPlaceOrResets();
    void textThatDoesNotParseKeepsTheDocument();
    void dragAndDropReordersRules();
    void dropFromAnotherDraftIsRefused();
    void problemsMapToTheirRule();
    void targetListEditsTheRule();
    void targetListFollowsItsRule();
    void repositoryCatalogModel();
    void constraintModel();
    void traceModel();
    void readOnlyDraftRefusesEdits();

private:
    std::unique_ptr<PolicyDraft> draft_;
};

void TestPolicyModels::init() {
    draft_ = std::make_unique<PolicyDraft>();
    draft_->resetToRunning(exampleYaml(), 1, QStringLiteral("\"1\""));
}

void TestPolicyModels::exampleLoadsClean() {
    QVERIFY(draft_->isDocumentCurrent());
    QVERIFY2(!draft_->hasErrors(), qPrintable(QString::number(draft_->diagnostics().size())));
    QVERIFY(draft_->evaluator());
    QCOMPARE(draft_->document().routes.size(), std::size_t(10));
    QCOMPARE(draft_->uniqueRuleId(QStringLiteral("docs-cheap")), QStringLiteral("docs-cheap-2"));
    QCOMPARE(draft_->uniqueRuleId(QStringLiteral("fresh")), QStringLiteral("fresh"));
    QVERIFY(draft_->modelsOf(QStringLiteral("gpu-box")).contains(QStringLiteral("qwen2.5-coder:7b")));
}

void TestPolicyModels::ruleListFollowsDraftEdits() {
    RuleListModel model(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(modelIds(model), ruleIds(*draft_));

    policy::Rule rule;
    rule.id = "wiki-local";
    rule.when.tasks = {{"docs", {}}};
    rule.route = {{"workstation", "devstral-small", {}}};
    draft_->insertRule(2, rule);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 11);
    QCOMPARE(model.index(2, 0).data(RuleListModel::RuleIdRole).toString(), QStringLiteral("wiki-local"));
    QCOMPARE(model.index(2, 0).data(RuleListModel::SummaryRole).toString(),
             QStringLiteral("task: docs → workstation/devstral-small"));
    QVERIFY(draft_->yaml().contains(QStringLiteral("id: wiki-local")));

    const int docs = ruleIndex(*draft_, "docs-cheap");
    QCOMPARE(model.index(docs, 0).data(RuleListModel::SummaryRole).toString(),
             QStringLiteral("task: docs → gpu-box/qwen2.5-coder:7b (+1 fallback)"));
    const int deny = ruleIndex(*draft_, "no-opus-without-task");
    QVERIFY(
        model.index(deny, 0).data(RuleListModel::SummaryRole).toString().contains(QStringLiteral("→ deny: expensive")));
    QVERIFY(model.index(deny, 0).data(RuleListModel::IsDenyRole).toBool());

    draft_->moveRule(2, 7);
    QCOMPARE(moved.count(), 1);
    QCOMPARE(ruleIds(*draft_).indexOf(QStringLiteral("wiki-local")), 7);
    QCOMPARE(modelIds(model), ruleIds(*draft_));

    draft_->moveRule(7, 0);
    QCOMPARE(moved.count(), 2);
    QCOMPARE(modelIds(model), ruleIds(*draft_));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    auto updated = draft_->document().routes[0];
    updated.description = "kept local";
    draft_->updateRule(0, updated);
    QVERIFY(changed.count() >= 1);
    QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 0);

    draft_->removeRule(0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(modelIds(model), ruleIds(*draft_));
    QCOMPARE(resets.count(), 0); // no edit of one rule resets the list
}

void TestPolicyModels::ruleListEditsThroughTheModel() {
    RuleListModel model(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    const QStringList before = ruleIds(*draft_);

    QVERIFY(model.moveRows({}, 0, 1, {}, 3)); // Qt's convention: in front of the old row 3
    QStringList expected = before;
    expected.move(0, 2);
    QCOMPARE(ruleIds(*draft_), expected);
    QCOMPARE(modelIds(model), expected);

    QVERIFY(model.moveRows({}, 9, 1, {}, 0));
    expected.move(9, 0);
    QCOMPARE(ruleIds(*draft_), expected);
    QVERIFY(!model.moveRows({}, 4, 1, {}, 5)); // onto itself: nothing to do

    QVERIFY(model.setData(model.index(1, 0), QStringLiteral("renamed-rule")));
    QCOMPARE(ruleIds(*draft_).at(1), QStringLiteral("renamed-rule"));
    QCOMPARE(model.index(1, 0).data(Qt::EditRole).toString(), QStringLiteral("renamed-rule"));
    QCOMPARE(resets.count(), 0);
}

void TestPolicyModels::yamlReplaceUpdatesInPlaceOrResets() {
    RuleListModel model(draft_.get());
    ProblemModel problems(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester problemTester(&problems, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    // Same number of rules: rows are updated in place (the view keeps its selection).
    QString yaml = draft_->yaml();
    yaml.replace(QStringLiteral("id: docs-cheap"), QStringLiteral("id: docs-local"));
    draft_->setYaml(yaml);
    QCOMPARE(resets.count(), 0);
    QVERIFY(changed.count() >= 1);
    QVERIFY(modelIds(model).contains(QStringLiteral("docs-local")));

    // A rule fewer: the list is reset to the new rules.
    const int at = int(yaml.indexOf(QStringLiteral("  - id: data-team-reasoning")));
    const int end = int(yaml.indexOf(QStringLiteral("  - id: public-anything")));
    QVERIFY(at > 0 && end > at);
    yaml.remove(at, end - at);
    draft_->setYaml(yaml);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 9);
    QCOMPARE(modelIds(model), ruleIds(*draft_));
    QVERIFY(!draft_->hasErrors());
}

void TestPolicyModels::textThatDoesNotParseKeepsTheDocument() {
    RuleListModel model(draft_.get());
    ProblemModel problems(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester problemTester(&problems, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const QStringList before = ruleIds(*draft_);
    draft_->setYaml(draft_->yaml() + QStringLiteral("\nroutes: [oops\n"));
    QVERIFY(!draft_->isDocumentCurrent());
    QVERIFY(draft_->hasErrors());
    QVERIFY(!draft_->evaluator());
    QCOMPARE(ruleIds(*draft_), before);
    QCOMPARE(model.rowCount(), 10);
    QVERIFY(problems.rowCount() >= 1);
    QVERIFY2(problems.index(0, ProblemModel::LocationColumn).data().toString().startsWith(QStringLiteral("line ")),
             qPrintable(problems.index(0, ProblemModel::LocationColumn).data().toString()));
    QCOMPARE(model.flags(model.index(0, 0)) & Qt::ItemIsDragEnabled, Qt::ItemFlags());

    draft_->setYaml(exampleYaml());
    QVERIFY(draft_->isDocumentCurrent());
    QCOMPARE(problems.rowCount(), 0);
}

void TestPolicyModels::dragAndDropReordersRules() {
    RuleListModel model(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    const QStringList before = ruleIds(*draft_);

    std::unique_ptr<QMimeData> mime(model.mimeData({model.index(1, 0)}));
    QVERIFY(mime);
    QVERIFY(model.mimeTypes().contains(mime->formats().value(0)));
    QVERIFY(model.supportedDropActions() & Qt::MoveAction);
    QVERIFY(model.canDropMimeData(mime.get(), Qt::MoveAction, 5, 0, {}));
    QVERIFY(model.dropMimeData(mime.get(), Qt::MoveAction, 5, 0, {})); // between rows 4 and 5
    QStringList expected = before;
    expected.move(1, 4);
    QCOMPARE(ruleIds(*draft_), expected);
    QCOMPARE(modelIds(model), expected);

    // Onto the empty space below the last row: to the end.
    mime.reset(model.mimeData({model.index(0, 0)}));
    QVERIFY(model.dropMimeData(mime.get(), Qt::MoveAction, -1, -1, {}));
    expected.move(0, 9);
    QCOMPARE(ruleIds(*draft_), expected);
    // The text follows: the moved rule is now the last in the YAML.
    QVERIFY(draft_->yaml().lastIndexOf(QStringLiteral("id: ") + expected.last()) >
            draft_->yaml().lastIndexOf(QStringLiteral("id: ") + expected.at(8)));
    QCOMPARE(resets.count(), 0);
}

void TestPolicyModels::dropFromAnotherDraftIsRefused() {
    PolicyDraft other;
    other.resetToRunning(exampleYaml(), 1, {});
    RuleListModel mine(draft_.get());
    RuleListModel theirs(&other);
    std::unique_ptr<QMimeData> mime(theirs.mimeData({theirs.index(1, 0)}));
    QVERIFY(!mine.canDropMimeData(mime.get(), Qt::MoveAction, 5, 0, {}));
    QVERIFY(!mine.dropMimeData(mime.get(), Qt::MoveAction, 5, 0, {}));
    QCOMPARE(ruleIds(*draft_), ruleIds(other));
}

void TestPolicyModels::problemsMapToTheirRule() {
    RuleListModel model(draft_.get());
    ProblemModel problems(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester problemTester(&problems, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const int docs = ruleIndex(*draft_, "docs-cheap");
    auto rule = draft_->document().routes[std::size_t(docs)];
    rule.route.push_back({"nowhere", "gpt-9", {}});
    draft_->updateRule(docs, rule);

    QVERIFY(draft_->hasErrors());
    QVERIFY(!draft_->evaluator());
    for (int i = 0; i < model.rowCount(); ++i) {
        const int level = model.index(i, 0).data(DraftSectionModel::ProblemLevelRole).toInt();
        QCOMPARE(level, i == docs ? int(ProblemLevel::Error) : int(ProblemLevel::None));
    }
    QVERIFY(
        model.index(docs, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("unknown endpoint 'nowhere'")));
    QVERIFY(!model.index(docs, 0).data(Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(model.index(0, 0).data(Qt::DecorationRole).value<QIcon>().isNull());

    QCOMPARE(problems.rowCount(), 1);
    const QModelIndex p = problems.index(0, ProblemModel::LocationColumn);
    QCOMPARE(p.data(ProblemModel::SectionRole).toInt(), int(policy::Section::Routes));
    QCOMPARE(p.data(ProblemModel::IndexRole).toInt(), docs);
    QCOMPARE(p.data().toString(), QStringLiteral("rule 'docs-cheap'"));
    QVERIFY(p.data(ProblemModel::LineRole).toInt() > 0);
    QCOMPARE(problems.errorCount(), 1);

    rule.route.pop_back();
    draft_->updateRule(docs, rule);
    QCOMPARE(problems.rowCount(), 0);
    QCOMPARE(model.index(docs, 0).data(DraftSectionModel::ProblemLevelRole).toInt(), int(ProblemLevel::None));
    QVERIFY(draft_->evaluator());
}

void TestPolicyModels::targetListEditsTheRule() {
    TargetListModel model(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const int docs = ruleIndex(*draft_, "docs-cheap");
    model.setRule(docs);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0).data(TargetListModel::TargetRole).toString(), QStringLiteral("gpu-box/qwen2.5-coder:7b"));
    QVERIFY(model.index(0).data().toString().contains(QStringLiteral("preferred")));
    QVERIFY(model.index(1).data().toString().contains(QStringLiteral("fallback")));
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);

    model.appendTarget({"workstation", "devstral-small", {}});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(draft_->document().routes[std::size_t(docs)].route.back().toString(),
             std::string("workstation/devstral-small"));

    QVERIFY(model.moveRows({}, 2, 1, {}, 0));
    QCOMPARE(draft_->document().routes[std::size_t(docs)].route.front().toString(),
             std::string("workstation/devstral-small"));
    QCOMPARE(model.index(0).data(TargetListModel::EndpointRole).toString(), QStringLiteral("workstation"));

    std::unique_ptr<QMimeData> mime(model.mimeData({model.index(0)}));
    QVERIFY(model.dropMimeData(mime.get(), Qt::MoveAction, -1, 0, {}));
    QCOMPARE(draft_->document().routes[std::size_t(docs)].route.back().toString(),
             std::string("workstation/devstral-small"));

    QVERIFY(model.removeRows(2, 1));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(draft_->document().routes[std::size_t(docs)].route.size(), std::size_t(2));

    // A target on an endpoint the policy does not have is marked on the target itself.
    model.appendTarget({"nowhere", "gpt-9", {}});
    QCOMPARE(model.index(2).data(TargetListModel::ProblemLevelRole).toInt(), int(ProblemLevel::Error));
    QCOMPARE(model.index(0).data(TargetListModel::ProblemLevelRole).toInt(), int(ProblemLevel::None));
    QVERIFY(model.removeRows(2, 1));
    QCOMPARE(resets.count(), 0);
    QVERIFY(!draft_->hasErrors());
}

void TestPolicyModels::targetListFollowsItsRule() {
    TargetListModel model(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const int docs = ruleIndex(*draft_, "docs-cheap");
    model.setRule(docs);
    draft_->moveRule(docs, 0);
    QCOMPARE(model.rule(), 0);
    draft_->insertRule(0, draft_->document().routes[3]);
    QCOMPARE(model.rule(), 1);
    draft_->removeRule(0);
    QCOMPARE(model.rule(), 0);
    QCOMPARE(model.index(0).data(TargetListModel::TargetRole).toString(), QStringLiteral("gpu-box/qwen2.5-coder:7b"));

    // Changed in the YAML: the same number of targets updates in place, a different one resets.
    QString yaml = draft_->yaml();
    yaml.replace(QStringLiteral("route: [gpu-box/qwen2.5-coder:7b, azure-eu/gpt-4.1-mini]"),
                 QStringLiteral("route: [gpu-box/qwen2.5-coder:32b, azure-eu/gpt-4.1-mini]"));
    draft_->setYaml(yaml);
    QCOMPARE(model.index(0).data(TargetListModel::TargetRole).toString(), QStringLiteral("gpu-box/qwen2.5-coder:32b"));
    yaml.replace(QStringLiteral("route: [gpu-box/qwen2.5-coder:32b, azure-eu/gpt-4.1-mini]"),
                 QStringLiteral("route: [gpu-box/qwen2.5-coder:32b]"));
    draft_->setYaml(yaml);
    QCOMPARE(model.rowCount(), 1);

    draft_->removeRule(0);
    QCOMPARE(model.rule(), -1);
    QCOMPARE(model.rowCount(), 0);
}

void TestPolicyModels::repositoryCatalogModel() {
    RepositoryCatalogModel model(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.rowCount(), 8);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("acme/payments-*"));
    QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("restricted"));
    QCOMPARE(model.index(0, 1).data(RepositoryCatalogModel::RawRole).toInt(), int(policy::Sensitivity::Restricted));

    QVERIFY(model.insertRows(0, 1));
    QCOMPARE(model.rowCount(), 9);
    QVERIFY(model.setData(model.index(0, 0), QStringLiteral("acme/docs-*")));
    QVERIFY(model.setData(model.index(0, 1), QStringLiteral("public")));
    QVERIFY(!model.setData(model.index(0, 1), QStringLiteral("secret")));
    QCOMPARE(draft_->document().repositories[0].match, std::string("acme/docs-*"));
    QCOMPARE(draft_->document().repositories[0].sensitivity, policy::Sensitivity::Public);
    QVERIFY(model.moveRows({}, 0, 1, {}, 2));
    QCOMPARE(draft_->document().repositories[1].match, std::string("acme/docs-*"));

    // A pattern made useless by an earlier, broader one is a problem on that row.
    QVERIFY(model.moveRows({}, 8, 1, {}, 0)); // acme/* first
    QCOMPARE(model.index(1, 0).data(DraftSectionModel::ProblemLevelRole).toInt(), int(ProblemLevel::Error));
    QVERIFY(model.moveRows({}, 0, 1, {}, 9));

    QVERIFY(model.removeRows(1, 1));
    QCOMPARE(model.rowCount(), 8);
    auto entries = draft_->document().repositories;
    entries.pop_back();
    draft_->setRepositories(entries);
    QCOMPARE(model.rowCount(), 7);
}

void TestPolicyModels::constraintModel() {
    ConstraintModel model(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1, ConstraintModel::SensitivityColumn).data().toString(), QStringLiteral(">= confidential"));
    QCOMPARE(model.index(1, ConstraintModel::ClassesColumn).data(ConstraintModel::RawRole).toStringList(),
             QStringList({QStringLiteral("enterprise"), QStringLiteral("local")}));
    QCOMPARE(model.index(2, ConstraintModel::TrainingOptOutColumn).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));

    QVERIFY(model.insertRows(3, 1));
    const QModelIndex id = model.index(3, ConstraintModel::IdColumn);
    QVERIFY(model.setData(id, QStringLiteral("eu-only")));
    QVERIFY(model.setData(model.index(3, ConstraintModel::SensitivityColumn), QStringLiteral(">= internal")));
    QVERIFY(!model.setData(model.index(3, ConstraintModel::SensitivityColumn), QStringLiteral("very secret")));
    QVERIFY(model.setData(model.index(3, ConstraintModel::RegionsColumn), QStringLiteral("eu-west, us")));
    QVERIFY(!model.setData(model.index(3, ConstraintModel::ClassesColumn), QStringLiteral("cloud")));
    QVERIFY(model.setData(model.index(3, ConstraintModel::TrainingOptOutColumn), int(Qt::Checked), Qt::CheckStateRole));
    const auto& c = draft_->document().constraints[3];
    QCOMPARE(c.id, std::string("eu-only"));
    QCOMPARE(c.allowRegions.size(), std::size_t(2));
    QVERIFY(c.requireTrainingOptOut);
    QVERIFY(draft_->yaml().contains(QStringLiteral("eu-only")));
    QVERIFY(model.removeRows(3, 1));
    QCOMPARE(model.rowCount(), 3);
    QVERIFY(!draft_->hasErrors());
}

void TestPolicyModels::traceModel() {
    TraceModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setRows({{-1, {}, QStringLiteral("repository 'acme/web' is internal"), false},
                   {4, QStringLiteral("docs-cheap"), QStringLiteral("route 'docs-cheap' matches"), true}});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1).data(TraceModel::RuleIndexRole).toInt(), 4);
    QVERIFY(model.index(1).data(TraceModel::DecidingRole).toBool());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestPolicyModels::readOnlyDraftRefusesEdits() {
    RuleListModel model(draft_.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const QString yaml = draft_->yaml();
    draft_->setReadOnly(true);
    QVERIFY(!model.moveRows({}, 0, 1, {}, 3));
    QVERIFY(!model.setData(model.index(0, 0), QStringLiteral("x")));
    draft_->removeRule(0);
    draft_->setYaml(QStringLiteral("version: 1"));
    QCOMPARE(draft_->yaml(), yaml);
    QCOMPARE(model.flags(model.index(0, 0)) & (Qt::ItemIsDragEnabled | Qt::ItemIsEditable), Qt::ItemFlags());
    QVERIFY(draft_->evaluator()); // the simulator still works
}

QTEST_MAIN(TestPolicyModels)
#include "tst_policy_models.moc"
