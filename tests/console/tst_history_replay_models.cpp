// The version history and replay sample models, under QAbstractItemModelTester: paging by
// cursor (one insertion per page, one page asked for at a time), the running version marked,
// and the replay sample's rows and raw values.
#include "models/display_format.h"
#include "models/replay_model.h"
#include "models/version_list_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace gh;
using console::ReplayModel;
using console::VersionListModel;

namespace {

std::vector<api::PolicyVersion> versions(int newest, int count) {
    std::vector<api::PolicyVersion> out;
    for (int v = newest; v > newest - count && v > 0; --v) {
        api::PolicyVersion p;
        p.version = v;
        p.author = "tok_0123abcd (alice)";
        p.role = "policy-editor";
        p.comment = "change " + std::to_string(v);
        p.source = "api";
        p.created_at = "2026-11-27T09:30:00.000Z";
        out.push_back(p);
    }
    return out;
}

api::ReplayChange change(const std::string& kind, std::int64_t before, std::int64_t after) {
    api::ReplayChange c;
    c.request_id = "req-" + kind;
    c.time = "2026-11-27T09:30:00.000Z";
    c.team = "web";
    c.identity = "alice";
    c.repository = "acme/web";
    c.task = "docs";
    c.requested_model = "gpt-4.1";
    c.change = kind;
    c.recorded.decision = kind == "allowed" ? "denied" : "routed";
    c.recorded.rule = "old-rule";
    c.recorded.endpoint = "azure-eu";
    c.recorded.model = "gpt-4.1";
    c.recorded.cost_micros = before;
    c.draft.decision = kind == "denied" ? "denied" : "routed";
    c.draft.rule = "new-rule";
    c.draft.endpoint = "local";
    c.draft.model = "qwen";
    c.draft.reason = kind == "denied" ? "no docs" : "";
    c.draft.cost_micros = after;
    return c;
}

} // namespace

class TestHistoryReplayModels : public QObject {
    Q_OBJECT
private slots:
    void versionsPageByCursor() {
        VersionListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy more(&model, &VersionListModel::moreRequested);
        QVERIFY(!model.canFetchMore({}));

        model.resetWith(versions(120, 50), "cursor-1");
        model.setRunningVersion(120);
        QCOMPARE(model.rowCount(), 50);
        QVERIFY(model.index(0, 0).data().toString().contains("running"));
        QCOMPARE(model.index(0, VersionListModel::AuthorColumn).data().toString(), QStringLiteral("alice"));
        QVERIFY(model.index(0, VersionListModel::AuthorColumn).data(Qt::ToolTipRole).toString().contains("policy-editor"));
        QCOMPARE(model.index(0, VersionListModel::CommentColumn).data().toString(), QStringLiteral("change 120"));

        // One page at a time: however often views (and the tester) call fetchMore, one request
        // is out until its page arrives.
        model.fetchMore({});
        model.fetchMore({});
        QCOMPARE(more.count(), 1);
        QVERIFY(!model.canFetchMore({}));
        QCOMPARE(more.first().first().toString(), QStringLiteral("cursor-1"));

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.appendPage(versions(70, 50), "cursor-2");
        QCOMPARE(inserted.count(), 1); // one insertion per page
        QCOMPARE(model.rowCount(), 100);
        model.appendPage(versions(20, 20), {});
        QCOMPARE(model.rowCount(), 120);
        QVERIFY(!model.canFetchMore({}));
        QCOMPARE(model.rowOfVersion(1), 119);
        QCOMPARE(model.data(model.index(119, 0), VersionListModel::VersionRole).toLongLong(), 1);

        // A rollback makes another version the running one: both rows change.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setRunningVersion(121 - 1 - 5);
        QCOMPARE(changed.count(), 2);
        QVERIFY(!model.index(0, 0).data().toString().contains("running"));
        QVERIFY(model.index(5, 0).data().toString().contains("running"));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void replaySample() {
        ReplayModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setSample({change("routed_differently", 20'000, 0), change("denied", 5'000, 0), change("allowed", 0, 0)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, ReplayModel::ChangeColumn).data(ReplayModel::RawRole).toString(),
                 QStringLiteral("routed_differently"));
        QCOMPARE(model.index(0, ReplayModel::DraftColumn).data().toString(), QStringLiteral("local/qwen"));
        QCOMPARE(model.index(0, ReplayModel::CostColumn).data().toString(), QStringLiteral("\u2212$0.02"));
        QCOMPARE(model.index(0, ReplayModel::CostColumn).data(ReplayModel::RawRole).toLongLong(), -20'000);
        QCOMPARE(model.index(1, ReplayModel::DraftColumn).data().toString(), QStringLiteral("denied"));
        QVERIFY(model.index(1, 0).data(Qt::ToolTipRole).toString().contains("no docs"));
        QCOMPARE(model.index(2, ReplayModel::CostColumn).data().toString(), QStringLiteral("unknown"));
        model.setSample({});
        QCOMPARE(model.rowCount(), 0);
    }

    void moneyAndAuthorsAsShown() {
        QCOMPARE(console::displayUsd(0), QStringLiteral("$0.00"));
        QCOMPARE(console::displayUsd(40), QStringLiteral("$0.00004"));
        QCOMPARE(console::displayUsd(4'200), QStringLiteral("$0.0042"));
        QCOMPARE(console::displayUsd(1'234'560'000), QStringLiteral("$1,234.56"));
        QCOMPARE(console::displayUsdDelta(8'130'000), QStringLiteral("+$8.13"));
        QCOMPARE(console::displayUsdDelta(-40), QStringLiteral("\u2212$0.00004"));
        QCOMPARE(console::displayAuthor("tok_f21efbd88c1224a7 (first admin (gatehoused init))"),
                 QStringLiteral("first admin (gatehoused init)"));
        QCOMPARE(console::displayAuthor("gatehoused init"), QStringLiteral("gatehoused init"));
    }
};

QTEST_GUILESS_MAIN(TestHistoryReplayModels)
#include "tst_history_replay_models.moc"
