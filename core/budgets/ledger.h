#pragma once
// Budget math: periods, reservations and settlement. One implementation, used by the gateway on
// every request and by the admin API and console for live spend and forecasts.
//
// Before forwarding, the gateway reserves the request's maximum possible cost against every
// budget the request is charged to; after the response it settles with the real cost. A
// request is admitted while spent + reserved is below the limit, so concurrent requests can
// overspend a hard limit by at most one request's cost, never more.
#include "policy/document.h"
#include "util/money.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gh::budgets {

using TimeMs = std::int64_t; // milliseconds since the Unix epoch, UTC

struct Period {
    TimeMs start = 0; // inclusive
    TimeMs end = 0;   // exclusive
    bool operator==(const Period&) const = default;
};

// The period of `budget` that contains `now`: UTC calendar day, ISO week (from Monday), calendar
// month, or for custom budgets the `days`-long window counted from `starts`.
Period periodOf(const policy::Budget& budget, TimeMs now);

struct Charge {
    std::string budgetId;
    TimeMs periodStart = 0;
    Money amount;
};

struct Reservation {
    std::vector<Charge> holds; // what is held against each budget until settled
    bool active() const { return !holds.empty(); }
};

enum class Verdict { Admit, Block, Downgrade };

struct Admission {
    Verdict verdict = Verdict::Admit;
    std::string budgetId;   // the exhausted budget, when not admitted
    Money limit, spent;     // its figures, for the caller's error message
    Reservation reservation; // set when admitted
};

struct Alert {
    std::string budgetId;
    TimeMs periodStart = 0;
    int threshold = 0; // percent
    Money spent, limit;
};

struct BudgetStatus {
    std::string budgetId;
    Period period;
    Money limit, spent, reserved;
};

// What the period will have spent by its end if spending goes on at the rate seen so far
// (straight-line from the period's start). Never less than what is spent already.
Money forecastAtPeriodEnd(Money spent, const Period& period, TimeMs now);

class Ledger {
public:
    // Restores spend recorded before a restart (from the request store).
    void restore(const std::string& budgetId, TimeMs periodStart, Money spent);

    // Holds `maxCost` against `budgets` (indices into doc.budgets). When one is exhausted the
    // verdict is its action: Block, or Downgrade (then call again with allowOverLimit for the
    // downgraded route; blocking budgets still block).
    Admission reserve(const policy::Document& doc, const std::vector<int>& budgets, Money maxCost, TimeMs now,
                      bool allowDowngradeBudgetsOverLimit = false);

    // Replaces the holds with the real cost. Returns the soft thresholds this spend crossed for
    // the first time in their period: each alert fires once per period.
    std::vector<Alert> settle(const policy::Document& doc, Reservation& reservation, Money actualCost);

    // Drops the holds without spending (the request failed before any billable work).
    void release(Reservation& reservation);

    std::vector<BudgetStatus> status(const policy::Document& doc, TimeMs now) const;

private:
    struct Account {
        Money spent, reserved;
    };
    using Key = std::pair<std::string, TimeMs>;
    mutable std::mutex mutex_;
    std::map<Key, Account> accounts_;
};

} // namespace gh::budgets
