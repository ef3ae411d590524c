// The route editor driven like a person: add a rule and fill it in, drag rules into order, make
// and fix a mistake, edit the YAML and the form in turn, simulate requests, and look at it as a
// viewer. The example policy is loaded from the source tree.
#include "models/policy_draft.h"
#include "models/problem_decoration.h"
#include "models/problem_model.h"
#include "models/rule_list_model.h"
#include "models/trace_model.h"
#include "views/chip_edit.h"
#include "views/route_editor.h"
#include "views/rule_form.h"
#include "views/simulator_panel.h"
#include "views/yaml_editor.h"
#include "draft_testing.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDropEvent>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QTreeView>

#include <memory>

using namespace gh;
using namespace gh::console;
using gh::test::exampleYaml;
using gh::test::ruleIds;

class TestRouteEditor : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void addRuleByHand();
    void dragRulesIntoOrder();
    void problemsAppearBesideTheRule();
    void clickingAProblemSelectsItsRule();
    void yamlAndFormFollowEachOther();
    void yamlThatDoesNotParse();
    void simulatorMatchesTheEvaluator();
    void simulatorSaysFixTheProblems();
    void viewerIsReadOnlyButSimulates();
    void sidePanelsCanBeAdded();
    void screenshot();

private:
    template <class T> T* find(const char* name) {
        auto* w = editor_->findChild<T*>(QLatin1String(name));
        if (!w)
            qFatal("no widget %s", name);
        return w;
    }
    void selectRule(const char* id);
    void typeChip(const char* chipEdit, const QString& text);
    void dropRow(int from, int before);

    std::unique_ptr<PolicyDraft> draft_;
    std::unique_ptr<RouteEditor> editor_;
};

void TestRouteEditor::init() {
    draft_ = std::make_unique<PolicyDraft>();
    draft_->resetToRunning(exampleYaml(), 3, QStringLiteral("\"3\""));
    editor_ = std::make_unique<RouteEditor>(draft_.get());
    editor_->resize(1280, 800);
    editor_->show();
    QVERIFY(QTest::qWaitForWindowExposed(editor_.get()));
}

void TestRouteEditor::cleanup() {
    editor_.reset();
    draft_.reset();
}

void TestRouteEditor::selectRule(const char* id) {
    auto* list = find<QListView>("ruleListView");
    const int row = int(ruleIds(*draft_).indexOf(QLatin1String(id)));
    QVERIFY(row >= 0);
    const QRect rect = list->visualRect(list->model()->index(row, 0));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(editor_->currentRule(), row);
    QCOMPARE(editor_->ruleForm()->rule(), row);
}

void TestRouteEditor::typeChip(const char* chipEdit, const QString& text) {
    auto* chips = find<ChipEdit>(chipEdit);
    QTest::mouseClick(chips, Qt::LeftButton);
    QTest::keyClicks(chips->lineEdit(), text);
    QTest::keyClick(chips->lineEdit(), Qt::Key_Return);
}

// The offscreen platform runs no drag-and-drop session (QDrag::exec returns at once), so the
// drag is finished the way the platform would: enter, move and drop events on the viewport,
// carrying the model's own mimeData for the row. This goes through QListView's drop handling
// (drop position -> row) into RuleListModel::dropMimeData.
void TestRouteEditor::dropRow(int from, int before) {
    auto* list = find<QListView>("ruleListView");
    auto* model = list->model();
    std::unique_ptr<QMimeData> mime(model->mimeData({model->index(from, 0)}));
    QVERIFY(mime);
    QPoint pos;
    if (before < model->rowCount()) {
        const QRect rect = list->visualRect(model->index(before, 0));
        pos = QPoint(rect.left() + 20, rect.top() + 2); // the upper edge: in front of that row
    } else {
        const QRect rect = list->visualRect(model->index(model->rowCount() - 1, 0));
        pos = QPoint(rect.left() + 20, rect.bottom() - 1); // the lower edge of the last row
    }
    QDragEnterEvent enter(pos, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(list->viewport(), &enter);
    QDragMoveEvent move(pos, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(list->viewport(), &move);
    QVERIFY(move.isAccepted());
    QDropEvent drop(QPointF(pos), Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(list->viewport(), &drop);
    QVERIFY(drop.isAccepted());
}

void TestRouteEditor::addRuleByHand() {
    QTest::mouseClick(find<QPushButton>("addRuleButton"), Qt::LeftButton);
    QCOMPARE(draft_->document().routes.size(), std::size_t(11));
    QCOMPARE(editor_->currentRule(), 10);
    auto* id = find<QLineEdit>("ruleIdEdit");
    QTRY_VERIFY(id->hasFocus());
    QCOMPARE(id->selectedText(), QStringLiteral("new-rule"));
    QTest::keyClicks(id, QStringLiteral("web-docs"));
    QCOMPARE(draft_->document().routes.back().id, std::string("web-docs"));

    typeChip("teamChipEdit", QStringLiteral("web"));
    typeChip("taskChipEdit", QStringLiteral("docs"));
    QCOMPARE(find<ChipEdit>("teamChipEdit")->chips(), QStringList{QStringLiteral("web")});
    QCOMPARE(find<ChipEdit>("taskChipEdit")->chips(), QStringList{QStringLiteral("docs")});
    // Backspace in the empty line edit takes the last chip back; type it again.
    QTest::keyClick(find<ChipEdit>("taskChipEdit")->lineEdit(), Qt::Key_Backspace);
    QVERIFY(find<ChipEdit>("taskChipEdit")->chips().isEmpty());
    typeChip("taskChipEdit", QStringLiteral("docs"));

    auto* endpoint = find<QComboBox>("endpointCombo");
    auto* model = find<QComboBox>("modelCombo");
    endpoint->setCurrentIndex(endpoint->findData(QStringLiteral("workstation")));
    QVERIFY(model->findData(QStringLiteral("devstral-small")) >= 0);
    QVERIFY(model->findData(QStringLiteral("*")) >= 0); // the requested model
    model->setCurrentIndex(model->findData(QStringLiteral("devstral-small")));
    QTest::mouseClick(find<QPushButton>("addTargetButton"), Qt::LeftButton);

    const QString yaml = draft_->yaml();
    QVERIFY2(yaml.contains(QStringLiteral("id: web-docs")), qPrintable(yaml));
    QVERIFY2(yaml.contains(QStringLiteral("when: {team: web, task: docs}")), qPrintable(yaml));
    QVERIFY2(yaml.contains(QStringLiteral("route: [workstation/devstral-small]")), qPrintable(yaml));
    QVERIFY(find<YamlEditor>("yamlEdit")->toPlainText().contains(QStringLiteral("id: web-docs")));

    // At the end of the list, docs-cheap (task: docs) already takes all its requests: the
    // validator says so beside the rule, until the rule is dragged above it.
    auto* list = find<QListView>("ruleListView");
    QCOMPARE(list->model()->index(10, 0).data(DraftSectionModel::ProblemLevelRole).toInt(), int(ProblemLevel::Error));
    QVERIFY(find<QLabel>("ruleProblemsLabel")->isVisible());
    QVERIFY(find<QLabel>("ruleProblemsLabel")->text().contains(QStringLiteral("unreachable")));
    dropRow(10, int(ruleIds(*draft_).indexOf(QStringLiteral("docs-cheap"))));
    QCOMPARE(ruleIds(*draft_).indexOf(QStringLiteral("web-docs")) + 1,
             ruleIds(*draft_).indexOf(QStringLiteral("docs-cheap")));
    QVERIFY2(!draft_->hasErrors(), draft_->diagnostics().empty() ? "" : draft_->diagnostics().front().message.c_str());
    QTRY_VERIFY(!find<QLabel>("ruleProblemsLabel")->isVisible());
    // The selection and the form followed the rule to its new place.
    QCOMPARE(editor_->currentRule(), int(ruleIds(*draft_).indexOf(QStringLiteral("web-docs"))));
    QCOMPARE(find<QLineEdit>("ruleIdEdit")->text(), QStringLiteral("web-docs"));
}

void TestRouteEditor::dragRulesIntoOrder() {
    auto* list = find<QListView>("ruleListView");
    QStringList expected = ruleIds(*draft_);
    // First a real drag with the mouse; the offscreen platform does not run the drag session,
    // so nothing may change (and nothing may be lost) through it.
    {
        const QRect from = list->visualRect(list->model()->index(8, 0));
        const QRect to = list->visualRect(list->model()->index(6, 0));
        QTest::mousePress(list->viewport(), Qt::LeftButton, {}, from.center());
        for (int step = 1; step <= 5; ++step)
            QTest::mouseMove(list->viewport(), from.center() + (to.topLeft() - from.center()) * step / 5);
        QTest::mouseRelease(list->viewport(), Qt::LeftButton, {}, QPoint(to.center().x(), to.top() + 2));
        QCOMPARE(draft_->document().routes.size(), std::size_t(10));
        if (ruleIds(*draft_) != expected) {
            expected.move(8, 6);
            QCOMPARE(ruleIds(*draft_), expected); // the platform did run the drag: it moved right
        }
    }
    expected = ruleIds(*draft_);
    dropRow(8, 6); // "data-team-reasoning" above "claude-agents"
    expected.move(8, 6);
    QCOMPARE(ruleIds(*draft_), expected);
    dropRow(0, 10); // to the end
    expected.move(0, 9);
    QCOMPARE(ruleIds(*draft_), expected);
    QCOMPARE(list->model()->index(9, 0).data(RuleListModel::RuleIdRole).toString(), expected.last());
    QVERIFY(draft_->yaml().lastIndexOf(QStringLiteral("id: incidents-stay-inside")) >
            draft_->yaml().lastIndexOf(QStringLiteral("id: internal-default")));
}

void TestRouteEditor::problemsAppearBesideTheRule() {
    selectRule("docs-cheap");
    const int row = editor_->currentRule();
    auto* targets = find<QListView>("targetList");
    QCOMPARE(targets->model()->rowCount(), 2);
    // Take both targets away: a rule that routes nowhere.
    for (int i = 0; i < 2; ++i) {
        QTest::mouseClick(targets->viewport(), Qt::LeftButton, {},
                          targets->visualRect(targets->model()->index(0, 0)).center());
        QTest::mouseClick(find<QWidget>("removeTargetButton"), Qt::LeftButton);
    }
    QCOMPARE(draft_->document().routes[std::size_t(row)].route.size(), std::size_t(0));
    QVERIFY(draft_->hasErrors());

    auto* list = find<QListView>("ruleListView");
    const QModelIndex item = list->model()->index(row, 0);
    QCOMPARE(item.data(DraftSectionModel::ProblemLevelRole).toInt(), int(ProblemLevel::Error));
    QVERIFY(!item.data(Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(item.data(Qt::ToolTipRole).toString().contains(QStringLiteral("at least one target")));
    auto* problems = find<QTreeView>("problemList");
    QCOMPARE(problems->model()->rowCount(), 1);
    QCOMPARE(problems->model()->index(0, 0).data().toString(), QStringLiteral("rule 'docs-cheap'"));
    QVERIFY(problems->model()->index(0, 1).data().toString().contains(QStringLiteral("at least one target")));
    auto* inline_ = find<QLabel>("ruleProblemsLabel");
    QVERIFY(inline_->isVisible());
    QVERIFY(inline_->text().contains(QStringLiteral("at least one target")));
    QVERIFY(find<QLabel>("simDecisionLabel")->text().contains(QStringLiteral("Fix the problems")));

    // Fixed: a target again, and every trace of the problem goes.
    auto* endpoint = find<QComboBox>("endpointCombo");
    endpoint->setCurrentIndex(endpoint->findData(QStringLiteral("gpu-box")));
    auto* model = find<QComboBox>("modelCombo");
    model->setCurrentIndex(model->findData(QStringLiteral("qwen2.5-coder:7b")));
    QTest::mouseClick(find<QPushButton>("addTargetButton"), Qt::LeftButton);
    QVERIFY(!draft_->hasErrors());
    QCOMPARE(list->model()->index(row, 0).data(DraftSectionModel::ProblemLevelRole).toInt(), int(ProblemLevel::None));
    QCOMPARE(problems->model()->rowCount(), 0);
    QVERIFY(!inline_->isVisible());
    QVERIFY(!find<QLabel>("simDecisionLabel")->text().contains(QStringLiteral("Fix the problems")));

    // A team the policy does not know: marked on the chip itself.
    typeChip("teamChipEdit", QStringLiteral("webb"));
    QTRY_VERIFY(find<QLabel>("teamProblemLabel")->isVisible());
    QVERIFY(find<QLabel>("teamProblemLabel")->text().contains(QStringLiteral("webb")));
    QTest::keyClick(find<ChipEdit>("teamChipEdit")->lineEdit(), Qt::Key_Backspace);
    QVERIFY(!find<QLabel>("teamProblemLabel")->isVisible());
    QVERIFY(!draft_->hasErrors());
}

void TestRouteEditor::clickingAProblemSelectsItsRule() {
    auto rule = draft_->document().routes[6];
    rule.route.push_back({"nowhere", "gpt-9", {}});
    draft_->updateRule(6, rule);
    selectRule("docs-cheap");
    auto* problems = find<QTreeView>("problemList");
    QCOMPARE(problems->model()->rowCount(), 1);
    const QRect rect = problems->visualRect(problems->model()->index(0, 1));
    QTest::mouseClick(problems->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(editor_->currentRule(), 6);
    QCOMPARE(find<QLineEdit>("ruleIdEdit")->text(), QString::fromStdString(rule.id));
}

void TestRouteEditor::yamlAndFormFollowEachOther() {
    selectRule("docs-cheap");
    auto* tabs = find<QTabWidget>("routeEditorTabs");
    auto* yaml = find<YamlEditor>("yamlEdit");
    tabs->setCurrentWidget(yaml);

    // Type in the YAML: the form follows after the pause.
    QTextCursor cursor = yaml->document()->find(QStringLiteral("Documentation is cheap work."));
    QVERIFY(!cursor.isNull());
    cursor.clearSelection();
    yaml->setTextCursor(cursor);
    QTest::keyClicks(yaml, QStringLiteral(" Local first"));
    QVERIFY(yaml->hasPendingEdit());
    QTRY_COMPARE(find<QLineEdit>("ruleDescriptionEdit")->text(),
                 QStringLiteral("Documentation is cheap work. Local first"));
    QCOMPARE(draft_->yaml(), yaml->toPlainText());
    // The text was applied as typed, comments and all.
    QVERIFY(draft_->yaml().contains(QStringLiteral("# Rules are tried in order")));

    // Edit the form: the YAML tab shows the canonical text with the change.
    tabs->setCurrentIndex(0);
    auto* description = find<QLineEdit>("ruleDescriptionEdit");
    description->selectAll();
    QTest::keyClicks(description, QStringLiteral("Docs go to the GPU box"));
    QVERIFY(yaml->toPlainText().contains(QStringLiteral("description: Docs go to the GPU box")));
    QCOMPARE(yaml->toPlainText(), draft_->yaml());

    // Deny instead of route, with a reason, and back.
    QTest::mouseClick(find<QRadioButton>("denyRadio"), Qt::LeftButton);
    auto* reason = find<QLineEdit>("denyReasonEdit");
    QVERIFY(reason->isVisible());
    reason->selectAll();
    QTest::keyClicks(reason, QStringLiteral("docs are written by hand"));
    QVERIFY(yaml->toPlainText().contains(QStringLiteral("deny: docs are written by hand")));
    QTest::mouseClick(find<QRadioButton>("routeRadio"), Qt::LeftButton);
    QVERIFY(yaml->toPlainText().contains(QStringLiteral("route: [gpu-box/qwen2.5-coder:7b, azure-eu/gpt-4.1-mini]")));
    QVERIFY(!draft_->hasErrors());
}

void TestRouteEditor::yamlThatDoesNotParse() {
    selectRule("docs-cheap");
    auto* yaml = find<YamlEditor>("yamlEdit");
    find<QTabWidget>("routeEditorTabs")->setCurrentWidget(yaml);
    yaml->moveCursor(QTextCursor::End);
    QTest::keyClick(yaml, Qt::Key_Return);
    QTest::keyClicks(yaml, QStringLiteral("routes: [oops"));
    yaml->applyNow();
    QVERIFY(!draft_->isDocumentCurrent());
    QVERIFY(find<QLabel>("routeEditorBanner")->isVisible());
    QVERIFY(find<QLineEdit>("ruleIdEdit")->isReadOnly());
    QCOMPARE(find<QLineEdit>("ruleIdEdit")->text(), QStringLiteral("docs-cheap")); // the last good document
    auto* problems = find<QTreeView>("problemList");
    QVERIFY(problems->model()->rowCount() >= 1);
    QVERIFY(problems->model()->index(0, 0).data().toString().startsWith(QStringLiteral("line ")));

    // Undo the typing: the draft parses again and the forms come back.
    for (int i = 0; i < 14; ++i)
        QTest::keyClick(yaml, Qt::Key_Backspace);
    yaml->applyNow();
    QVERIFY(draft_->isDocumentCurrent());
    QVERIFY(!draft_->hasErrors());
    QVERIFY(!find<QLabel>("routeEditorBanner")->isVisible());
    QVERIFY(!find<QLineEdit>("ruleIdEdit")->isReadOnly());
    QCOMPARE(editor_->currentRule(), int(ruleIds(*draft_).indexOf(QStringLiteral("docs-cheap"))));
}

void TestRouteEditor::simulatorMatchesTheEvaluator() {
    auto* team = find<QComboBox>("simTeamCombo");
    auto* task = find<QComboBox>("simTaskCombo");
    auto* repository = find<QComboBox>("simRepositoryCombo");
    auto* model = find<QComboBox>("simModelCombo");
    QVERIFY(team->findText(QStringLiteral("payments")) >= 0); // the draft's teams
    QVERIFY(task->findText(QStringLiteral("docs")) >= 0);
    QVERIFY(model->findText(QStringLiteral("claude-opus-4-1")) >= 0);

    team->setCurrentIndex(team->findText(QStringLiteral("web")));
    task->setCurrentIndex(task->findText(QStringLiteral("docs")));
    QTest::keyClicks(repository->lineEdit(), QStringLiteral("acme/website"));
    auto* decision = find<QLabel>("simDecisionLabel");
    QVERIFY(decision->text().contains(QStringLiteral("Allowed")));
    QVERIFY(find<QLabel>("simRuleLabel")->text().contains(QStringLiteral("docs-cheap")));

    policy::Request request;
    request.team = "web";
    request.task = "docs";
    request.repository = "acme/website";
    const auto expected = draft_->evaluator()->explain(request);
    QCOMPARE(expected.ruleId, std::string_view("docs-cheap"));
    auto* trace = find<QListView>("simTraceView")->model();
    QCOMPARE(trace->rowCount(), int(expected.trace.size()));
    for (int i = 0; i < trace->rowCount(); ++i) {
        QCOMPARE(trace->index(i, 0).data().toString(), QString::fromStdString(expected.trace[std::size_t(i)].text));
        QCOMPARE(trace->index(i, 0).data(TraceModel::RuleIndexRole).toInt(), expected.trace[std::size_t(i)].rule);
    }
    auto* targets = find<QWidget>("simTargetList");
    Q_UNUSED(targets);
    QCOMPARE(int(editor_->simulator()->result()->decision.targets.size()), int(expected.targets.size()));

    // Clicking the deciding rule selects it in the editor.
    QMetaObject::invokeMethod(find<QLabel>("simRuleLabel"), "linkActivated",
                              Q_ARG(QString, QString::number(expected.rule)));
    QCOMPARE(editor_->currentRule(), expected.rule);

    // An opus request without a task is denied by the rule that says so.
    task->setCurrentIndex(-1);
    task->setEditText(QString());
    model->setEditText(QStringLiteral("claude-opus-4-1"));
    QVERIFY(decision->text().contains(QStringLiteral("Denied")));
    QVERIFY(find<QLabel>("simRuleLabel")->text().contains(QStringLiteral("no-opus-without-task")));
    QVERIFY(find<QLabel>("simReasonLabel")->text().contains(QStringLiteral("expensive models need a task")));

    // Draft edits re-simulate at once: move the deny rule to the end and claude-agents decides.
    dropRow(int(ruleIds(*draft_).indexOf(QStringLiteral("no-opus-without-task"))), 10);
    QVERIFY(find<QLabel>("simRuleLabel")->text().contains(QStringLiteral("claude-agents")));
    QVERIFY(decision->text().contains(QStringLiteral("Allowed")));
}

void TestRouteEditor::simulatorSaysFixTheProblems() {
    auto rule = draft_->document().routes[0];
    rule.route.clear();
    draft_->updateRule(0, rule);
    QVERIFY(find<QLabel>("simDecisionLabel")->text().contains(QStringLiteral("Fix the problems to simulate")));
    QCOMPARE(find<QListView>("simTraceView")->model()->rowCount(), 0);
    QVERIFY(!editor_->simulator()->result());
}

void TestRouteEditor::viewerIsReadOnlyButSimulates() {
    const QString before = draft_->yaml();
    draft_->setReadOnly(true);
    selectRule("docs-cheap");
    QVERIFY(!find<QPushButton>("addRuleButton")->isEnabled());
    QVERIFY(!find<QPushButton>("removeRuleButton")->isEnabled());
    QVERIFY(find<QLineEdit>("ruleIdEdit")->isReadOnly());
    QVERIFY(find<ChipEdit>("teamChipEdit")->isReadOnly());
    QVERIFY(find<QLineEdit>("denyReasonEdit")->isReadOnly());
    QVERIFY(!find<QRadioButton>("denyRadio")->isEnabled());
    QVERIFY(!find<QComboBox>("endpointCombo")->isEnabled());
    QVERIFY(!find<QPushButton>("addTargetButton")->isEnabled());
    QVERIFY(find<YamlEditor>("yamlEdit")->isReadOnly());
    QVERIFY(find<QLabel>("routeEditorBanner")->isVisible());
    QVERIFY(!find<QListView>("ruleListView")->dragEnabled());

    QTest::keyClicks(find<QLineEdit>("ruleIdEdit"), QStringLiteral("x"));
    typeChip("taskChipEdit", QStringLiteral("chat"));
    QCOMPARE(draft_->yaml(), before);

    find<QComboBox>("simTaskCombo")->setEditText(QStringLiteral("incident"));
    find<QComboBox>("simRepositoryCombo")->setEditText(QStringLiteral("acme/payments-api"));
    QVERIFY(find<QLabel>("simDecisionLabel")->text().contains(QStringLiteral("Allowed")));
    QVERIFY(find<QLabel>("simRuleLabel")->text().contains(QStringLiteral("incidents-stay-inside")));
}

void TestRouteEditor::sidePanelsCanBeAdded() {
    auto* panel = new QLabel(QStringLiteral("replay"));
    editor_->addSidePanel(panel, QStringLiteral("Replay"));
    auto* side = find<QTabWidget>("routeSideTabs");
    QCOMPARE(side->count(), 2);
    QCOMPARE(side->tabText(1), QStringLiteral("Replay"));
}

void TestRouteEditor::screenshot() {
    selectRule("claude-agents");
    find<QComboBox>("simTeamCombo")->setEditText(QStringLiteral("web"));
    find<QComboBox>("simRepositoryCombo")->setEditText(QStringLiteral("acme/website"));
    find<QComboBox>("simModelCombo")->setEditText(QStringLiteral("claude-sonnet-4-5"));
    find<QComboBox>("simAgentCombo")->setEditText(QStringLiteral("claude-code"));
    QTest::qWait(50);
    const QString path = QDir::temp().filePath(QStringLiteral("gatehouse-route-editor.png"));
    QVERIFY(editor_->grab().save(path));
    qInfo("screenshot: %s", qPrintable(path));
}

QTEST_MAIN(TestRouteEditor)
#include "tst_route_editor.moc"
