#include "budgets/ledger.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace gh::budgets {
namespace {

using namespace std::chrono;

TimeMs toMs(sys_days d) { return duration_cast<milliseconds>(d.time_since_epoch()).count(); }

std::optional<sys_days> parseDate(const std::string& s) {
    if (s.size() != 10)
        return std::nullopt;
    const int y = std::stoi(s.substr(0, 4));
    const unsigned m = unsigned(std::stoi(s.substr(5, 2)));
    const unsigned d = unsigned(std::stoi(s.substr(8, 2)));
    const year_month_day ymd{year{y}, month{m}, day{d}};
    if (!ymd.ok())
        return std::nullopt;
    return sys_days(ymd);
}

} // namespace

Period periodOf(const policy::Budget& budget, TimeMs now) {
    const sys_days today = floor<days>(sys_time<milliseconds>(milliseconds(now)));
    switch (budget.period) {
    case policy::BudgetPeriod::Day:
        return {toMs(today), toMs(today + days(1))};
    case policy::BudgetPeriod::Week: {
        const weekday wd{today};
        const sys_days monday = today - days((wd.c_encoding() + 6) % 7);
        return {toMs(monday), toMs(monday + days(7))};
    }
    case policy::BudgetPeriod::Month: {
        const year_month_day ymd{today};
        const sys_days first{ymd.year() / ymd.month() / day{1}};
        const sys_days next{(ymd.year() / ymd.month() + months(1)) / day{1}};
        return {toMs(first), toMs(next)};
    }
    case policy::BudgetPeriod::Custom: {
        const auto anchor = parseDate(budget.starts);
        const int length = std::max(1, budget.customDays);
        if (!anchor)
            return {toMs(today), toMs(today + days(length))};
        const auto elapsed = (today - *anchor).count();
        // Floor division, so dates before the anchor fall in earlier windows.
        const auto index = elapsed >= 0 ? elapsed / length : -((-elapsed + length - 1) / length);
        const sys_days start = *anchor + days(index * length);
        return {toMs(start), toMs(start + days(length))};
    }
    }
    return {toMs(today), toMs(today + days(1))};
}

void Ledger::restore(const std::string& budgetId, TimeMs periodStart, Money spent) {
    std::lock_guard lock(mutex_);
    accounts_[{budgetId, periodStart}].spent = spent;
}

Admission Ledger::reserve(const policy::Document& doc, const std::vector<int>& budgets, Money maxCost, TimeMs now,
                          bool allowDowngradeBudgetsOverLimit) {
    Admission out;
    std::lock_guard lock(mutex_);
    // Check every budget first, then hold against all: a refused request holds nothing.
    for (int i : budgets) {
        const policy::Budget& b = doc.budgets[std::size_t(i)];
        const Period p = periodOf(b, now);
        const Account& a = accounts_[{b.id, p.start}];
        if (a.spent + a.reserved < b.limit)
            continue;
        if (b.atLimit == policy::AtLimit::Downgrade && allowDowngradeBudgetsOverLimit)
            continue;
        out.verdict = b.atLimit == policy::AtLimit::Block ? Verdict::Block : Verdict::Downgrade;
        out.budgetId = b.id;
        out.limit = b.limit;
        out.spent = a.spent;
        if (out.verdict == Verdict::Block)
            return out; // a block outranks a downgrade
    }
    if (out.verdict != Verdict::Admit)
        return out;
    for (int i : budgets) {
        const policy::Budget& b = doc.budgets[std::size_t(i)];
        const Period p = periodOf(b, now);
        accounts_[{b.id, p.start}].reserved += maxCost;
        out.reservation.holds.push_back({b.id, p.start, maxCost});
    }
    return out;
}

Money forecastAtPeriodEnd(Money spent, const Period& period, TimeMs now) {
    const TimeMs length = period.end - period.start;
    const TimeMs elapsed = std::clamp<TimeMs>(now - period.start, 0, length);
    // Less than an hour in, one request would extrapolate to absurd figures: say what is spent.
    if (length <= 0 || elapsed < 3'600'000 || spent.micros <= 0)
        return spent;
    __extension__ using Wide = __int128; // spent * length overflows 64 bits for large budgets
    const Wide projected = Wide(spent.micros) * length / elapsed;
    return Money(projected > INT64_MAX ? INT64_MAX : std::int64_t(projected));
}

std::vector<Alert> Ledger::settle(const policy::Document& doc, Reservation& reservation, Money actualCost) {
    std::vector<Alert> alerts;
    std::lock_guard lock(mutex_);
    for (const Charge& hold : reservation.holds) {
        Account& a = accounts_[{hold.budgetId, hold.periodStart}];
        a.reserved -= hold.amount;
        const Money before = a.spent;
        a.spent += actualCost;
        const policy::Budget* it = doc.findBudget(hold.budgetId);
        if (!it || it->limit.micros <= 0)
            continue;
        // Spend only grows within a period, so each threshold is crossed exactly once: that
        // crossing is the alert. (Spend restored after a restart is already past its
        // thresholds; those fired in the earlier run.) spent/limit >= t% <=> spent*100 >= limit*t.
        for (int threshold : it->alerts) {
            const bool now = a.spent.micros * 100 >= it->limit.micros * threshold;
            const bool earlier = before.micros * 100 >= it->limit.micros * threshold;
            if (now && !earlier)
                alerts.push_back({hold.budgetId, hold.periodStart, threshold, a.spent, it->limit});
        }
    }
    reservation.holds.clear();
    return alerts;
}

void Ledger::release(Reservation& reservation) {
    std::lock_guard lock(mutex_);
    for (const Charge& hold : reservation.holds)
        accounts_[{hold.budgetId, hold.periodStart}].reserved -= hold.amount;
    reservation.holds.clear();
}

std::vector<BudgetStatus> Ledger::status(const policy::Document& doc, TimeMs now) const {
    std::vector<BudgetStatus> out;
    std::lock_guard lock(mutex_);
    for (const auto& b : doc.budgets) {
        const Period p = periodOf(b, now);
        BudgetStatus s{b.id, p, b.limit, {}, {}};
        if (auto it = accounts_.find({b.id, p.start}); it != accounts_.end()) {
            s.spent = it->second.spent;
            s.reserved = it->second.reserved;
        }
        out.push_back(s);
    }
    return out;
}

} // namespace gh::budgets
