#include "store/rotation.h"
#include "state/state_testing.h"

#include <QTest>

#include <limits>

using namespace gh::store;

namespace {
constexpr TimeMs kDay = 86'400'000;
constexpr TimeMs kRotated = 1'767'225'600'000;
} // namespace

class TestRotationState : public QObject {
    Q_OBJECT
private slots:
    void namesTheStates() {
        QCOMPARE(std::string(toString(RotationState::Ok)), std::string("ok"));
        QCOMPARE(std::string(toString(RotationState::DueSoon)), std::string("due_soon"));
        QCOMPARE(std::string(toString(RotationState::Overdue)), std::string("overdue"));
        QCOMPARE(std::string(toString(RotationState::Revoked)), std::string("revoked"));
        for (auto s : {RotationState::Ok, RotationState::DueSoon, RotationState::Overdue, RotationState::Revoked})
            QCOMPARE(parseRotationState(toString(s)), std::optional(s));
        QVERIFY(!parseRotationState("due-soon"));
    }

    void boundariesAreHalfOpen() {
        const RotationSchedule s{90 * kDay, 7 * kDay, 14 * kDay};
        const std::optional<RotationSchedule> sched = s;
        const TimeMs due = kRotated + 90 * kDay;
        QCOMPARE(nextDue(sched, kRotated), std::optional<TimeMs>(due));
        QCOMPARE_STATE(rotationState(sched, kRotated, std::nullopt, kRotated), RotationState::Ok);
        QCOMPARE_STATE(rotationState(sched, kRotated, std::nullopt, due - 14 * kDay - 1), RotationState::Ok);
        QCOMPARE_STATE(rotationState(sched, kRotated, std::nullopt, due - 14 * kDay), RotationState::DueSoon);
        QCOMPARE_STATE(rotationState(sched, kRotated, std::nullopt, due), RotationState::DueSoon);
        QCOMPARE_STATE(rotationState(sched, kRotated, std::nullopt, due + 7 * kDay - 1), RotationState::DueSoon);
        QCOMPARE_STATE(rotationState(sched, kRotated, std::nullopt, due + 7 * kDay), RotationState::Overdue);
        QCOMPARE_STATE(rotationState(sched, kRotated, std::nullopt, due + 700 * kDay), RotationState::Overdue);
    }

    void zeroReminderAndGrace() {
        const std::optional<RotationSchedule> sched = RotationSchedule{kDay, 0, 0};
        QCOMPARE_STATE(rotationState(sched, kRotated, std::nullopt, kRotated + kDay - 1), RotationState::Ok);
        QCOMPARE_STATE(rotationState(sched, kRotated, std::nullopt, kRotated + kDay), RotationState::Overdue);
    }

    void noScheduleIsOkAndRevokedWins() {
        QCOMPARE_STATE(rotationState(std::nullopt, kRotated, std::nullopt, kRotated + 10'000 * kDay), RotationState::Ok);
        QVERIFY(!nextDue(std::nullopt, kRotated));
        QCOMPARE_STATE(rotationState(std::nullopt, kRotated, kRotated + 1, kRotated), RotationState::Revoked);
        const std::optional<RotationSchedule> sched = RotationSchedule{kDay, 0, 0};
        QCOMPARE_STATE(rotationState(sched, kRotated, kRotated, kRotated + 5 * kDay), RotationState::Revoked);
    }

    void hugeDurationsDoNotOverflow() {
        const auto max = std::numeric_limits<std::int64_t>::max();
        const std::optional<RotationSchedule> forEver = RotationSchedule{max, max, 0};
        QCOMPARE_STATE(rotationState(forEver, kRotated, std::nullopt, kRotated + 1000 * kDay), RotationState::Ok);
        QCOMPARE(nextDue(forEver, kRotated), std::optional<TimeMs>(max));
        const std::optional<RotationSchedule> remindAlways = RotationSchedule{kDay, 0, max};
        QCOMPARE_STATE(rotationState(remindAlways, kRotated, std::nullopt, kRotated), RotationState::DueSoon);
    }

    void validity() {
        QVERIFY(valid(RotationSchedule{1, 0, 0}));
        QVERIFY(!valid(RotationSchedule{0, 0, 0}));
        QVERIFY(!valid(RotationSchedule{kDay, -1, 0}));
        QVERIFY(!valid(RotationSchedule{kDay, 0, -1}));
    }
};

QTEST_GUILESS_MAIN(TestRotationState)
#include "tst_rotation_state.moc"
