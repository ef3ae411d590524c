// The console's Routes screen against a real gatehoused, used the way a platform admin would:
// connect, add a rule and fill its conditions, drag it where it belongs, watch a validation
// error appear and go away, simulate, review the diff, apply, meet a conflict with another
// admin's change, roll back, replay a draft over recorded traffic; and a viewer who can look
// and simulate but not change anything.
#include "app/dialogs.h"
#include "app/main_window.h"
#include "app/message_bar.h"
#include "console_testing.h"
#include "e2e_admin/admin_fixture.h"
#include "models/draft_section_model.h"
#include "models/policy_draft.h"
#include "models/problem_model.h"
#include "models/rule_list_model.h"
#include "views/replay_panel.h"
#include "views/review_dialog.h"
#include "views/route_editor.h"
#include "views/routes_screen.h"
#include "views/simulator_panel.h"
#include "views/version_history_view.h"
#include "models/replay_model.h"
#include "models/version_list_model.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTreeView>

using namespace gh;
using namespace gh::test;
using console::MainWindow;

namespace {

template <class T> T* child(QObject* parent, const char* name) {
    T* w = parent->findChild<T*>(QLatin1String(name));
    if (!w)
        qFatal("no %s named %s", T::staticMetaObject.className(), name);
    return w;
}

// Types `text` into a chip edit's line and presses Enter, as a person adds a chip.
void addChip(QWidget* chipEdit, const QString& text) {
    auto* line = chipEdit->findChild<QLineEdit*>();
    QVERIFY(line);
    line->setFocus();
    QTest::keyClicks(line, text);
    QTest::keyClick(line, Qt::Key_Return);
}

void chooseText(QComboBox* combo, const QString& text) {
    const int i = combo->findText(text);
    QVERIFY2(i >= 0, qPrintable("no item '" + text + "' in " + combo->objectName()));
    combo->setCurrentIndex(i);
}

// Drags row `from` of a list view onto row `to`: the drag's data as the view would make it, then
// the enter/move/drop events a drag delivers to the view (the offscreen platform runs no QDrag).
void dragRow(QListView* view, int from, int to) {
    QAbstractItemModel* model = view->model();
    std::unique_ptr<QMimeData> mime(model->mimeData({model->index(from, 0)}));
    QVERIFY(mime);
    const QRect target = view->visualRect(model->index(to, 0));
    const QPoint pos = target.topLeft() + QPoint(8, 2); // the upper edge: drop above the row
    QDragEnterEvent enter(pos, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &enter);
    QDragMoveEvent move(pos, Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &move);
    QDropEvent drop(QPointF(pos), Qt::MoveAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &drop);
}

int rowOfRule(QAbstractItemModel* rules, const QString& id) {
    for (int i = 0; i < rules->rowCount(); ++i)
        if (rules->index(i, 0).data(console::RuleListModel::RuleIdRole).toString() == id)
            return i;
    return -1;
}

int errorCount(const console::PolicyDraft* draft) {
    int n = 0;
    for (const auto& d : draft->diagnostics())
        n += d.severity == policy::Severity::Error;
    return n;
}

QByteArray errorsText(const console::PolicyDraft* draft) {
    QByteArray out;
    for (const auto& d : draft->diagnostics())
        out += QByteArray::fromStdString(d.message) + "; ";
    return out;
}

} // namespace

class TestConsoleRoutes : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void connectsAndShowsStatus();
    void addRuleValidateReorderSimulate();
    void reviewAndApply();
    void conflictShowsWhatChanged();
    void conflictOnTheSameRule();
    void rollBack();
    void replayDraftOverRecordedTraffic();
    void viewerIsReadOnly();
    void windowStateIsRestored();

private:
    console::RouteEditor* editor() const { return window_->routes()->editor(); }
    console::ReviewDialog* waitForReview();
    // Another admin applies `theirs` over `version` through the API; then this console reviews
    // and applies its draft and meets the conflict. Null when no conflict dialog appeared.
    console::ConflictDialog* applyAfterAnotherAdmin(const QString& theirs, qint64 version);

    AdminFixture fx_;
    IsolatedSettings settings_;
    console::MemoryTokenStore tokens_;
    std::unique_ptr<MainWindow> window_;
};

void TestConsoleRoutes::initTestCase() {
    QVERIFY(fx_.start({}, {{"mock-key", "sk-mock-console"}}));
    window_ = std::make_unique<MainWindow>(settings_.store.get(), &tokens_);
    window_->resize(1280, 800);
    window_->show();
    window_->connectTo(accessFor(fx_.gateway), QStringLiteral("test gateway"));
    QTRY_VERIFY_WITH_TIMEOUT(window_->isConnected(), 20'000);
    QTRY_COMPARE_WITH_TIMEOUT(window_->draft()->runningVersion(), qint64(1), 20'000);
}

void TestConsoleRoutes::cleanup() {
    console::Dialogs::reset();
    QVERIFY2(fx_.gatewayRunning(), "gatehoused died");
}

void TestConsoleRoutes::cleanupTestCase() {
    if (window_) {
        window_->draft()->resetToRunning(window_->draft()->runningYaml(), window_->draft()->runningVersion(),
                                         window_->draft()->runningEtag());
        window_->close();
    }
}

console::ReviewDialog* TestConsoleRoutes::waitForReview() {
    console::ReviewDialog* dialog = nullptr;
    const bool shown = QTest::qWaitFor([&] {
        dialog = window_->findChild<console::ReviewDialog*>();
        return dialog && dialog->isVisible();
    }, 10'000);
    return shown ? dialog : nullptr;
}

console::ConflictDialog* TestConsoleRoutes::applyAfterAnotherAdmin(const QString& theirs, qint64 version) {
    const HttpResult put = fx_.gateway.adminJson("PUT", "/policy", QJsonObject{{"yaml", theirs}, {"comment", "theirs"}},
                                                 {QStringLiteral("If-Match: \"%1\"").arg(version)});
    if (put.status != 200) {
        qWarning("the other admin's apply failed: %s", qPrintable(describe(put)));
        return nullptr;
    }
    QTest::mouseClick(child<QPushButton>(window_.get(), "reviewButton"), Qt::LeftButton);
    console::ReviewDialog* review = waitForReview();
    if (!review)
        return nullptr;
    QTest::mouseClick(child<QPushButton>(review, "applyButton"), Qt::LeftButton);
    console::ConflictDialog* conflict = nullptr;
    const bool shown = QTest::qWaitFor([&] {
        conflict = window_->findChild<console::ConflictDialog*>();
        return conflict && conflict->isVisible();
    }, 15'000);
    return shown ? conflict : nullptr;
}

void TestConsoleRoutes::connectsAndShowsStatus() {
    QCOMPARE(window_->role(), QStringLiteral("admin"));
    QVERIFY(!window_->draft()->isReadOnly());
    QVERIFY(child<QLabel>(window_.get(), "connectionStatusLabel")->text().contains("Connected to test gateway"));
    QCOMPARE(child<QLabel>(window_.get(), "roleStatusLabel")->text(), QStringLiteral("admin"));
    QCOMPARE(child<QLabel>(window_.get(), "policyStatusLabel")->text(), QStringLiteral("Policy v1"));
    QVERIFY(child<QLabel>(window_.get(), "runningLabel")->text().contains("version 1"));
    // Only screens that work are offered.
    auto* navigation = child<QWidget>(window_.get(), "navigationList");
    QCOMPARE(navigation->property("count").toInt(), 1);
}

void TestConsoleRoutes::addRuleValidateReorderSimulate() {
    console::PolicyDraft* draft = window_->draft();
    auto* rules = child<QListView>(editor(), "ruleListView");
    const int before = rules->model()->rowCount();

    QTest::mouseClick(child<QPushButton>(editor(), "addRuleButton"), Qt::LeftButton);
    QCOMPARE(rules->model()->rowCount(), before + 1);
    const int added = before; // appended
    QCOMPARE(rules->currentIndex().row(), added);

    auto* id = child<QLineEdit>(editor(), "ruleIdEdit");
    id->selectAll();
    QTest::keyClicks(id, "docs-to-cheap");
    QTest::keyClick(id, Qt::Key_Tab);
    QTRY_COMPARE(rowOfRule(rules->model(), "docs-to-cheap"), added);
    addChip(child<QWidget>(editor(), "taskChipEdit"), "docs");
    addChip(child<QWidget>(editor(), "teamChipEdit"), "web");

    // A route with no target is an error, shown beside the rule and in the problem list.
    QTRY_VERIFY(errorCount(draft) > 0);
    const QModelIndex addedIndex = rules->model()->index(added, 0);
    QVERIFY(addedIndex.data(console::DraftSectionModel::ProblemCountRole).toInt() > 0);
    QVERIFY(!addedIndex.data(Qt::ToolTipRole).toString().isEmpty());
    QVERIFY(child<QTreeView>(editor(), "problemList")->model()->rowCount() > 0);

    // Pick a target: that error goes away, and the validator says what is left: below the
    // catch-all rule, the new rule can never decide.
    chooseText(child<QComboBox>(editor(), "endpointCombo"), "mock");
    chooseText(child<QComboBox>(editor(), "modelCombo"), "mock-cheap");
    QTest::mouseClick(child<QPushButton>(editor(), "addTargetButton"), Qt::LeftButton);
    QTRY_VERIFY2(errorCount(draft) == 1 && errorsText(draft).contains("unreachable"), errorsText(draft));
    QVERIFY(draft->yaml().contains("docs-to-cheap"));

    // Drag it to the top: no problem left, beside the rule or in the list.
    dragRow(rules, added, 0);
    QTRY_COMPARE(rowOfRule(rules->model(), "docs-to-cheap"), 0);
    QCOMPARE(QString::fromStdString(draft->document().routes.front().id), QStringLiteral("docs-to-cheap"));
    QTRY_VERIFY2(errorCount(draft) == 0, errorsText(draft));
    QCOMPARE(rules->model()->index(0, 0).data(console::DraftSectionModel::ProblemCountRole).toInt(), 0);

    // The simulator decides with the draft, as the gateway would.
    auto* simulator = editor()->simulator();
    chooseText(child<QComboBox>(simulator, "simTeamCombo"), "web");
    child<QComboBox>(simulator, "simTaskCombo")->setEditText("docs");
    child<QComboBox>(simulator, "simModelCombo")->setEditText("gpt-4.1");
    simulator->simulate();
    QVERIFY(simulator->result().has_value());
    QCOMPARE(simulator->result()->decision.rule.value_or(""), std::string("docs-to-cheap"));
    QVERIFY(child<QLabel>(simulator, "simRuleLabel")->text().contains("docs-to-cheap"));
    QVERIFY(child<QLabel>(simulator, "simDecisionLabel")->text().contains("llowed"));
    QVERIFY(child<QListView>(simulator, "simTraceView")->model()->rowCount() > 0);
}

void TestConsoleRoutes::reviewAndApply() {
    console::PolicyDraft* draft = window_->draft();
    QVERIFY(draft->isModified());
    QTest::mouseClick(child<QPushButton>(window_.get(), "reviewButton"), Qt::LeftButton);
    console::ReviewDialog* review = waitForReview();
    QVERIFY(review);
    QVERIFY(child<QPlainTextEdit>(review, "diffView")->toPlainText().contains("+  - id: docs-to-cheap"));
    QTest::keyClicks(child<QLineEdit>(review, "commentEdit"), "cheap model for docs");
    QTest::mouseClick(child<QPushButton>(review, "applyButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(draft->runningVersion(), qint64(2), 15'000);
    QVERIFY(!draft->isModified());
    QCOMPARE(child<QLabel>(window_.get(), "policyStatusLabel")->text(), QStringLiteral("Policy v2"));
    QVERIFY(window_->messages()->text().contains("version 2"));

    // The gateway runs it, with the comment in its history, and routes docs to the cheap model.
    const HttpResult policy = fx_.gateway.admin("GET", "/policy");
    QCOMPARE(policy.json().value("version").toInteger(), 2);
    QVERIFY(policy.json().value("yaml").toString().contains("docs-to-cheap"));
    const HttpResult versions = fx_.gateway.admin("GET", "/policy/versions");
    QCOMPARE(versions.json().value("items").toArray().first().toObject().value("comment").toString(),
             QStringLiteral("cheap model for docs"));
    const HttpResult call = chat(fx_.gateway, fx_.webKey, "gpt-4.1", {"X-Gatehouse-Task: docs"});
    QCOMPARE(call.status, 200);
    QCOMPARE(call.json().value("model").toString(), QStringLiteral("mock-cheap"));
}

void TestConsoleRoutes::conflictShowsWhatChanged() {
    console::PolicyDraft* draft = window_->draft();
    // This admin edits a description...
    editor()->selectRule(0);
    auto* description = child<QLineEdit>(editor(), "ruleDescriptionEdit");
    description->setFocus();
    QTest::keyClicks(description, "documentation goes to the cheap model");
    QTest::keyClick(description, Qt::Key_Tab);
    QTRY_VERIFY(draft->isModified());

    // ...while another applies version 3 through the API.
    QString other = fx_.gateway.admin("GET", "/policy").json().value("yaml").toString();
    other.replace("routes:\n", "routes:\n  - id: others-change\n    when: {model: other-*}\n    deny: added by someone else\n");
    console::ConflictDialog* conflict = applyAfterAnotherAdmin(other, 2);
    QVERIFY(conflict);
    QVERIFY(child<QLabel>(conflict, "conflictLabel")->text().contains("Version 3"));
    QVERIFY(child<QPlainTextEdit>(conflict, "conflictDiffView")->toPlainText().contains("+  - id: others-change"));
    QCOMPARE(draft->runningVersion(), qint64(2)); // nothing applied yet

    // Their change and this one touch different rules: keeping the draft puts this change on top
    // of version 3, and Review shows just it.
    QVERIFY(child<QLabel>(conflict, "conflictNoteLabel")->text().contains("different parts"));
    QTest::mouseClick(child<QPushButton>(conflict, "keepDraftButton"), Qt::LeftButton);
    QTRY_COMPARE(draft->runningVersion(), qint64(3));
    QTRY_VERIFY(window_->findChild<console::ReviewDialog*>() && window_->findChild<console::ReviewDialog*>()->isVisible());
    console::ReviewDialog* review = window_->findChild<console::ReviewDialog*>();
    const QString diff = child<QPlainTextEdit>(review, "diffView")->toPlainText();
    QVERIFY2(diff.contains("+    description: documentation goes to the cheap model"), qPrintable(diff));
    QVERIFY2(!diff.contains("others-change"), qPrintable(diff));
    QTest::mouseClick(child<QPushButton>(review, "applyButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(draft->runningVersion(), qint64(4), 15'000);
    const QString applied = fx_.gateway.admin("GET", "/policy").json().value("yaml").toString();
    QCOMPARE(applied, draft->yaml());
    QVERIFY(applied.contains("others-change") && applied.contains("documentation goes to the cheap model"));
}

void TestConsoleRoutes::conflictOnTheSameRule() {
    console::PolicyDraft* draft = window_->draft();
    // Both edit the description of the same rule: no merge; keeping the draft shows their change
    // as removed, taking theirs drops the draft.
    editor()->selectRule(1);
    QCOMPARE(QString::fromStdString(draft->document().routes[1].id), QStringLiteral("docs-to-cheap"));
    auto* description = child<QLineEdit>(editor(), "ruleDescriptionEdit");
    description->selectAll();
    QTest::keyClicks(description, "mine");
    QTest::keyClick(description, Qt::Key_Tab);
    QTRY_VERIFY(draft->isModified());
    QString other = fx_.gateway.admin("GET", "/policy").json().value("yaml").toString();
    other.replace("documentation goes to the cheap model", "theirs");
    console::ConflictDialog* conflict = applyAfterAnotherAdmin(other, 4);
    QVERIFY(conflict);
    QVERIFY(child<QLabel>(conflict, "conflictNoteLabel")->text().contains("same part"));
    QTest::mouseClick(child<QPushButton>(conflict, "discardDraftButton"), Qt::LeftButton);
    QTRY_COMPARE(draft->runningVersion(), qint64(5));
    QVERIFY(!draft->isModified());
    QVERIFY(draft->yaml().contains("theirs"));
}

void TestConsoleRoutes::rollBack() {
    console::PolicyDraft* draft = window_->draft();
    auto* tabs = child<QTabWidget>(window_.get(), "routesTabs");
    tabs->setCurrentWidget(window_->routes()->history());
    console::VersionListModel* versions = window_->routes()->history()->model();
    QTRY_VERIFY(versions->rowOfVersion(1) >= 0 && versions->runningVersion() == 5);
    auto* table = child<QTableView>(window_.get(), "versionTable");
    table->selectRow(versions->rowOfVersion(1));
    QTRY_VERIFY(child<QPlainTextEdit>(window_.get(), "versionDiffView")->toPlainText().contains("id: everything-else"));

    auto* rollback = child<QPushButton>(window_.get(), "rollbackButton");
    QTRY_VERIFY(rollback->isEnabled());
    QTest::keyClicks(child<QLineEdit>(window_.get(), "rollbackCommentEdit"), "back to the start");
    console::Dialogs::setNextAnswer(QMessageBox::Yes);
    QTest::mouseClick(rollback, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(draft->runningVersion(), qint64(6), 15'000);

    const QJsonObject running = fx_.gateway.admin("GET", "/policy").json();
    QCOMPARE(running.value("source").toString(), QStringLiteral("rollback"));
    QCOMPARE(running.value("rolled_back_from").toInteger(), 1);
    QCOMPARE(running.value("comment").toString(), QStringLiteral("back to the start"));
    QCOMPARE(running.value("yaml").toString(), fx_.gateway.admin("GET", "/policy/versions/1").json().value("yaml").toString());
    QVERIFY(!draft->yaml().contains("docs-to-cheap"));
    QTRY_COMPARE(versions->runningVersion(), qint64(6));
    tabs->setCurrentIndex(0);
}

void TestConsoleRoutes::replayDraftOverRecordedTraffic() {
    // Recorded traffic under the running policy: three docs requests and two chat requests.
    for (int i = 0; i < 3; ++i)
        QCOMPARE(chat(fx_.gateway, fx_.webKey, "mock-good", {"X-Gatehouse-Task: docs"}).status, 200);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(chat(fx_.gateway, fx_.webKey, "mock-good", {"X-Gatehouse-Task: chat"}).status, 200);

    // The draft: a rule that denies documentation work, dragged to the top.
    auto* rules = child<QListView>(editor(), "ruleListView");
    QTest::mouseClick(child<QPushButton>(editor(), "addRuleButton"), Qt::LeftButton);
    const int added = rules->model()->rowCount() - 1;
    auto* id = child<QLineEdit>(editor(), "ruleIdEdit");
    id->selectAll();
    QTest::keyClicks(id, "no-docs");
    QTest::keyClick(id, Qt::Key_Tab);
    addChip(child<QWidget>(editor(), "taskChipEdit"), "docs");
    QTest::mouseClick(child<QRadioButton>(editor(), "denyRadio"), Qt::LeftButton);
    auto* reason = child<QLineEdit>(editor(), "denyReasonEdit");
    reason->setFocus();
    QTest::keyClicks(reason, "documentation work is paused");
    QTest::keyClick(reason, Qt::Key_Tab);
    dragRow(rules, added, 0);
    QTRY_COMPARE(rowOfRule(rules->model(), "no-docs"), 0);
    QTRY_VERIFY2(errorCount(window_->draft()) == 0, errorsText(window_->draft()));

    console::ReplayPanel* replay = window_->routes()->replay();
    chooseText(child<QComboBox>(replay, "replayPeriodCombo"), "Last 24 hours");
    QSignalSpy finished(replay, &console::ReplayPanel::finished);
    QTest::mouseClick(child<QPushButton>(replay, "runReplayButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30'000);
    QCOMPARE(finished.first().first().toBool(), true);
    // Every docs request recorded today is denied by the draft (the docs call of reviewAndApply too).
    const HttpResult docsCalls = fx_.gateway.admin("GET", "/requests?task=docs&limit=100");
    int docs = 0;
    for (const auto& item : docsCalls.json().value("items").toArray())
        docs += item.toObject().value("decision").toString() == QLatin1String("routed");
    QVERIFY2(docs >= 3, qPrintable(describe(docsCalls)));
    QCOMPARE(child<QLabel>(replay, "replayDeniedLabel")->text(), QString::number(docs));
    QCOMPARE(child<QLabel>(replay, "replayAllowedLabel")->text(), QStringLiteral("0"));
    QCOMPARE(replay->model()->rowCount(), docs);
    QVERIFY(child<QLabel>(replay, "replayCostLabel")->text().contains("\u2212$")); // the draft costs less
}

void TestConsoleRoutes::viewerIsReadOnly() {
    const HttpResult issued = fx_.gateway.adminJson("POST", "/tokens", QJsonObject{{"name", "vera"}, {"role", "viewer"}});
    QVERIFY2(issued.status == 201, qPrintable(describe(issued)));
    console::ServerAccess access = accessFor(fx_.gateway);
    access.token = issued.json().value("secret").toString();

    IsolatedSettings settings;
    console::MemoryTokenStore tokens;
    MainWindow viewer(settings.store.get(), &tokens);
    viewer.resize(1280, 800);
    viewer.show();
    viewer.connectTo(access, QStringLiteral("test gateway"));
    QTRY_VERIFY_WITH_TIMEOUT(viewer.isConnected(), 20'000);
    QTRY_VERIFY(viewer.draft()->runningVersion() > 0);
    QVERIFY(viewer.draft()->isReadOnly());
    QVERIFY(child<QLabel>(&viewer, "roleStatusLabel")->text().contains("read-only"));
    console::RouteEditor* routes = viewer.routes()->editor();
    QVERIFY(!child<QPushButton>(routes, "addRuleButton")->isEnabled());
    QVERIFY(!child<QPushButton>(&viewer, "discardButton")->isEnabled());
    auto* id = child<QLineEdit>(routes, "ruleIdEdit");
    QVERIFY(id->isReadOnly() || !id->isEnabled());
    QVERIFY(!child<QPushButton>(&viewer, "rollbackButton")->isEnabled());

    // Typing into the YAML changes nothing.
    const QString before = viewer.draft()->yaml();
    viewer.draft()->setYaml(before + "\n# edited\n");
    QCOMPARE(viewer.draft()->yaml(), before);

    // The review shows, but Apply stays disabled with the reason.
    QTest::mouseClick(child<QPushButton>(&viewer, "reviewButton"), Qt::LeftButton);
    console::ReviewDialog* review = nullptr;
    QVERIFY(QTest::qWaitFor([&] { return (review = viewer.findChild<console::ReviewDialog*>()) && review->isVisible(); }, 5000));
    QVERIFY(!child<QPushButton>(review, "applyButton")->isEnabled());
    QVERIFY(child<QLabel>(review, "reviewErrorLabel")->text().contains("role"));
    review->reject();

    // The simulator still works.
    api::SimulatedRequest request;
    request.team = "web";
    request.task = "chat";
    request.model = "mock-good";
    routes->simulator()->setRequest(request);
    QVERIFY(routes->simulator()->result().has_value());
    QVERIFY(routes->simulator()->result()->decision.allowed);
    viewer.close();
}

void TestConsoleRoutes::windowStateIsRestored() {
    IsolatedSettings settings;
    console::MemoryTokenStore tokens;
    {
        MainWindow first(settings.store.get(), &tokens);
        first.show();
        first.resize(1010, 707);
        QTRY_COMPARE(first.size(), QSize(1010, 707));
        first.close();
    }
    MainWindow second(settings.store.get(), &tokens);
    QCOMPARE(second.size(), QSize(1010, 707));
}

QTEST_MAIN(TestConsoleRoutes)
#include "tst_console_routes.moc"
