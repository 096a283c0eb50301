#include "sweep_rounds.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "interrupt.hpp"
#include "progress.hpp"
#include "result_writer.hpp"

namespace losslab::runner {
namespace {

// The furthest rung (or warm-up segment) each trial of the experiment has finished, for items of
// a halving search.
std::map<std::int64_t, int> finished_rungs(ResultsStore& store, std::int64_t experiment_id,
                                           const std::vector<WorkItem>& items) {
  if (std::none_of(items.begin(), items.end(), [](const WorkItem& item) { return item.rung.has_value(); }))
    return {};
  return store.furthest_rungs(experiment_id);
}

bool finished_rung(const std::map<std::int64_t, int>& finished, const WorkItem& item) {
  if (!item.rung) return false;
  const auto it = finished.find(item.trial_id);
  return it != finished.end() && it->second >= item.rung->rung;
}

// After a round: marks for recording the items this process has not attempted that are claimable
// now (left by another process that died, or released by one that was interrupted). While trials
// of the sweep still run in other live processes, waits for them. Returns whether another round
// is needed.
bool refresh_for_next_round(SweepContext& context, std::vector<WorkItem>& items) {
  constexpr auto kPoll = std::chrono::milliseconds(500);
  while (!InterruptGuard::received()) {
    context.store.recover_dead_running(context.experiment_id, kStaleRunningSeconds);
    const auto statuses = context.store.trial_statuses(context.experiment_id);
    const auto finished = finished_rungs(context.store, context.experiment_id, items);
    bool claimable = false, running_elsewhere = false;
    for (auto& item : items) {
      const TrialStatus status = statuses.at(item.trial->key);
      const bool open = (status == TrialStatus::pending || status == TrialStatus::failed ||
                         status == TrialStatus::interrupted) &&
                        !finished_rung(finished, item);
      item.record = open && !context.attempted.count(item.trial_id);
      claimable |= item.record;
      running_elsewhere |= status == TrialStatus::running && !context.attempted.count(item.trial_id);
    }
    if (claimable) return true;
    if (!running_elsewhere) return false;
    std::this_thread::sleep_for(kPoll);
  }
  return false;
}

}  // namespace

std::size_t count_recorded(const std::vector<WorkItem>& items) {
  return static_cast<std::size_t>(std::count_if(items.begin(), items.end(), [](const WorkItem& i) { return i.record; }));
}

void run_rounds(SweepContext& context, std::vector<WorkItem>& items, bool rerun_finished) {
  const RunOptions& options = context.options;
  ProgressLine progress(count_recorded(items), options.progress && stderr_is_terminal());
  for (int round_number = 0;; ++round_number) {
    const std::vector<WorkGroup> groups = make_groups(items, options.fuse);
    if (!groups.empty()) {
      spdlog::info("running up to {} trials in {} group{} on {}", count_recorded(items), groups.size(),
                   groups.size() == 1 ? "" : "s", context.executor.describe_workers(groups.size()));
      ResultWriter writer(context.store, context.run_id, context.weights, context.train_examples);
      SweepRound round{writer, progress, rerun_finished && round_number == 0};
      // What could not be recorded is released, so the next run does not take it for a dead
      // process's claim, and the run is marked failed.
      auto release_claims = [&](const std::string& reason) {
        try {
          context.store.mark_interrupted({round.attempted.begin(), round.attempted.end()}, reason);
          context.store.finish_run(context.run_id, "failed");
        } catch (const StoreError&) {
        }
      };
      try {
        context.executor.run(round, groups);
      } catch (const std::exception& error) {
        // The executor broke down (e.g. an MPI error): keep what was recorded, release the rest.
        try {
          writer.close();
        } catch (const StoreError&) {
        }
        release_claims(std::string("stopped: ") + error.what());
        throw;
      }
      try {
        writer.close();
      } catch (const StoreError&) {
        // The database cannot be written (e.g. the disk is full).
        release_claims("stopped: the results database could not be written");
        throw;
      }
      context.failures += round.failures;
      context.attempted.insert(round.attempted.begin(), round.attempted.end());
    }
    if (InterruptGuard::received()) break;
    if (!refresh_for_next_round(context, items)) break;
  }
}

}  // namespace losslab::runner
