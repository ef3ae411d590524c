#pragma once
// A policy's decisions as the admin API shows them: one request simulated (POST /policy/simulate)
// and recorded traffic replayed under a draft (POST /policy/replay). Shared by the gateway and
// the console's local simulator, so both give the identical answer from the one evaluator.
#include "api/shapes.h"
#include "api/time.h"
#include "policy/evaluator.h"
#include "policy/replay.h"

#include <cstdint>
#include <optional>

namespace gh::api {

// How `evaluator` decides `request`, with the trace of why earlier rules did not match.
// `version` is the policy version to report; nullopt for a draft.
Simulation simulate(const policy::Evaluator& evaluator, const SimulatedRequest& request,
                    std::optional<std::int64_t> version);

// A replay's answer over [fromMs, toMs); `truncated` when the replay stopped early at `toMs`.
Replay replayShape(const policy::ReplaySummary& summary, TimeMs fromMs, TimeMs toMs, bool truncated);

} // namespace gh::api
