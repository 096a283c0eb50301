// One round of a sweep: the trials to train, grouped as the sweep defines, and what every worker
// (thread or MPI rank) shares while they train: the writer and the progress line.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "group_training.hpp"
#include "losslab/runner/trials.hpp"
#include "progress.hpp"
#include "result_writer.hpp"

namespace losslab::runner {

struct WorkItem {
  const Trial* trial;
  std::int64_t trial_id;
  TrainerConfig config;
  bool record;  // false: already finished; trained only to keep its group as the sweep defines it
  // A halving search's rung: where the outcome is recorded, and the state the trial goes on from
  // (none in a bracket's first rung).
  std::optional<RungOutcome> rung{};
  std::shared_ptr<const TrainResult> resume{};
};
using WorkGroup = std::vector<const WorkItem*>;

// Everything one round's workers share.
struct SweepRound {
  ResultWriter& writer;
  ProgressLine& progress;
  bool rerun_finished;  // --force
  std::atomic<std::size_t> failures{0};
  std::mutex attempted_mutex{};
  std::set<std::int64_t> attempted{};  // trials this process claimed (in any round)
};

// A signal arrived or the database cannot be written: start nothing new.
bool should_stop(const SweepRound& round);

// The control of a group trained in this process: stop on a signal or a failed write.
GroupControl local_control(SweepRound& round);

// Claims the group's trials that this process should record (another losslab-run on the same
// database may have taken some, or all, already). Returns one flag per trial: claimed.
std::vector<char> claim_group(SweepRound& round, const WorkGroup& group);

// Logs a trial's outcome and hands it to the writer.
void record(SweepRound& round, const WorkItem& item, TrialReport report);

// Fusable trials in groups. The groups are made from every trial of the sweep, finished or not,
// so a trial always trains beside the same partners: fused GEMMs round differently for different
// stack widths, and this keeps a trial's history bit for bit the same whether the sweep runs in
// one go, is resumed, or runs on MPI ranks. Groups with nothing to record are dropped.
std::vector<WorkGroup> make_groups(const std::vector<WorkItem>& items, bool fuse);

}  // namespace losslab::runner
