// console-screenshots OUTDIR: the README's screenshots, taken the way a person would see them.
// Starts a mock upstream and a gatehoused on the demo policy (resources/demo/make-demo-policy over
// the example policy) with a recorded history (gatehouse-demo-history), opens the console at
// 1280x800 connected to it, and saves editor.png, simulator.png, replay.png, review.png,
// history.png and conflict.png. Run by scripts/screenshots (offscreen, or under Xvfb).
#include "app/main_window.h"
#include "app/message_bar.h"
#include "app/token_store.h"
#include "console_testing.h"
#include "models/policy_draft.h"
#include "models/version_list_model.h"
#include "views/replay_panel.h"
#include "views/review_dialog.h"
#include "views/route_editor.h"
#include "views/routes_screen.h"
#include "views/simulator_panel.h"
#include "views/version_history_view.h"

#include <QApplication>
#include <QJsonObject>
#include <QDir>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTextStream>

using namespace gh;

namespace {

[[noreturn]] void fail(const QString& message) {
    QTextStream(stderr) << "console-screenshots: " << message << '\n';
    std::exit(1);
}

QString run(const QString& program, const QStringList& args, const QByteArray& input = {}) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted())
        fail("cannot start " + program);
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(120'000) || p.exitCode() != 0)
        fail(program + " failed: " + QString::fromUtf8(p.readAllStandardError()));
    return QString::fromUtf8(p.readAllStandardOutput());
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        fail("cannot read " + path);
    return f.readAll();
}

void save(QWidget* widget, const QString& dir, const QString& name) {
    QApplication::processEvents();
    QTest::qWait(300); // layouts and deferred updates settle
    const QString path = QDir(dir).filePath(name);
    if (!widget->grab().save(path))
        fail("cannot write " + path);
    QTextStream(stdout) << "wrote " << path << '\n';
}

template <class F> void waitFor(F condition, const char* what, int timeoutMs = 30'000) {
    if (!QTest::qWaitFor(condition, timeoutMs))
        fail(QStringLiteral("timed out waiting for %1").arg(QLatin1String(what)));
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    if (argc != 2)
        fail("usage: console-screenshots OUTDIR (with GATEHOUSED, MOCK_UPSTREAM and DEMO_HISTORY set)");
    const QString out = QString::fromLocal8Bit(argv[1]);
    QDir().mkpath(out);
    const QString demoHistory = qEnvironmentVariable("DEMO_HISTORY");
    if (demoHistory.isEmpty())
        fail("DEMO_HISTORY must name the built gatehouse-demo-history");

    test::MockUpstream mock;
    test::Gateway gateway;
    if (!mock.start() || !gateway.init())
        fail("cannot start the mock upstream or init the workspace");
    const QString source = QStringLiteral(GATEHOUSE_SOURCE_DIR);
    const QString policy = run(source + "/resources/demo/make-demo-policy", {mock.url()},
                               readFile(source + "/resources/policies/example.yaml"));
    gateway.writePolicy(policy, mock.url());
    for (const char* credential : {"azure-eu-key", "openai-key", "anthropic-key", "foundry-key"})
        if (!gateway.setCredential(QLatin1String(credential), QStringLiteral("demo-secret-not-real")))
            fail(QStringLiteral("cannot set credential %1").arg(QLatin1String(credential)));
    run(demoHistory, {gateway.workspace(), "--requests", "20000", "--seed", "7"});
    if (!gateway.start())
        fail("gatehoused did not start: " + QString::fromUtf8(gateway.process().stderrText()));

    test::IsolatedSettings settings;
    console::MemoryTokenStore tokens;
    console::MainWindow window(settings.store.get(), &tokens);
    window.resize(1280, 800);
    window.show();
    window.connectTo(test::accessFor(gateway), QStringLiteral("demo gateway"));
    console::PolicyDraft* draft = window.draft();
    waitFor([&] { return draft->runningVersion() > 0; }, "the running policy");

    console::RoutesScreen* routes = window.routes();
    console::RouteEditor* editor = routes->editor();
    editor->selectRule(1);
    save(&window, out, "editor.png");

    api::SimulatedRequest request;
    request.team = "payments";
    request.identity = "priya@acme.dev";
    request.repository = "acme/payments-ledger";
    request.branch = "main";
    request.task = "codegen";
    request.model = "gpt-4.1";
    request.agent = "claude-code";
    editor->simulator()->setRequest(request);
    if (auto* side = editor->findChild<QTabWidget*>(QStringLiteral("routeSideTabs")))
        side->setCurrentWidget(editor->simulator());
    save(&window, out, "simulator.png");

    // A draft worth replaying: the first rule removed.
    policy::Document changed = draft->document();
    if (!changed.routes.empty())
        changed.routes.erase(changed.routes.begin());
    draft->setDocument(changed);
    if (auto* side = editor->findChild<QTabWidget*>(QStringLiteral("routeSideTabs")))
        side->setCurrentWidget(routes->replay());
    QSignalSpy replayed(routes->replay(), &console::ReplayPanel::finished);
    routes->replay()->run();
    waitFor([&] { return replayed.count() > 0; }, "the replay", 120'000);
    save(&window, out, "replay.png");

    routes->reviewAndApply();
    auto* review = window.findChild<console::ReviewDialog*>();
    if (!review)
        fail("no review dialog");
    review->findChild<QLineEdit*>(QStringLiteral("commentEdit"))->setText(QStringLiteral("Drop the first rule (replayed over 7 days)"));
    save(review, out, "review.png");
    const qint64 before = draft->runningVersion();
    review->findChild<QPushButton*>(QStringLiteral("applyButton"))->click();
    waitFor([&] { return draft->runningVersion() > before; }, "the apply");

    if (auto* tabs = routes->findChild<QTabWidget*>(QStringLiteral("routesTabs")))
        tabs->setCurrentWidget(routes->history());
    waitFor([&] { return routes->history()->model()->rowCount() >= 2; }, "the history");
    save(&window, out, "history.png");

    // A conflict: this console edits a rule while another admin applies a version.
    if (auto* tabs = routes->findChild<QTabWidget*>(QStringLiteral("routesTabs")))
        tabs->setCurrentIndex(0);
    policy::Document mine = draft->document();
    mine.routes.front().description = "Restricted code only ever reaches local models (reviewed by security)";
    draft->setDocument(mine);
    QString theirs = draft->runningYaml();
    theirs.replace(QStringLiteral("routes:\n"),
                   QStringLiteral("routes:\n  - id: freeze-migrations\n    when: {task: migration}\n"
                                  "    deny: migrations are frozen until the release ships\n"));
    const test::HttpResult put = gateway.adminJson(
        "PUT", "/policy", QJsonObject{{"yaml", theirs}, {"comment", "Freeze migrations for the release"}},
        {QStringLiteral("If-Match: \"%1\"").arg(draft->runningVersion())});
    if (put.status != 200)
        fail("the other admin's change was refused: " + QString::fromUtf8(put.body));
    routes->reviewAndApply();
    review = window.findChild<console::ReviewDialog*>();
    if (!review)
        fail("no review dialog");
    review->findChild<QPushButton*>(QStringLiteral("applyButton"))->click();
    console::ConflictDialog* conflict = nullptr;
    waitFor([&] { return (conflict = window.findChild<console::ConflictDialog*>()) && conflict->isVisible(); },
            "the conflict");
    save(conflict, out, "conflict.png");
    conflict->reject();

    window.messages()->clear();
    draft->resetToRunning(draft->runningYaml(), draft->runningVersion(), draft->runningEtag());
    window.close();
    gateway.stop();
    return 0;
}
