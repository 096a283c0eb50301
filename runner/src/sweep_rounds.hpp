// Rounds of a sweep: train what this process can claim, then, while other processes still run
// trials of the same sweep, wait for them and take over the trials of any that died. Exhaustive
// sweeps run all their trials this way at once; halving searches run each stage this way.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "group_executor.hpp"
#include "losslab/runner/results/store.hpp"
#include "sweep_round.hpp"

namespace losslab::runner {

// A running trial whose process left no heartbeat for this long is taken as dead (the writer
// refreshes heartbeats every 5 s; a dead process on this host is recognized at once by its pid).
constexpr double kStaleRunningSeconds = 30.0;

// What every round of one losslab-run shares.
struct SweepContext {
  const RunOptions& options;
  ResultsStore& store;
  GroupExecutor& executor;
  std::int64_t experiment_id = 0;
  std::int64_t run_id = 0;
  WeightsContext weights;          // recorded with every trial's weights
  std::size_t train_examples = 0;  // of the training split the trials train on
  std::set<std::int64_t> attempted{};  // trials this process claimed, in any round
  std::size_t failures = 0;            // trials that failed with an error
};

// Trains the `items` marked `record` (their partners train beside them unrecorded), round after
// round, until none is left that this process can claim and none runs in another live process,
// or a signal arrives. An item with a rung counts as finished once it has finished that rung or a
// later one (ResultsStore::furthest_rungs). `rerun_finished` (--force) applies to the first round.
// Throws StoreError when the database cannot be written (the claims not recorded are released first).
void run_rounds(SweepContext& context, std::vector<WorkItem>& items, bool rerun_finished);

// How many items are marked to be recorded.
std::size_t count_recorded(const std::vector<WorkItem>& items);

}  // namespace losslab::runner
