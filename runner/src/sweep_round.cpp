#include "sweep_round.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "interrupt.hpp"
#include "losslab/runner/trial_groups.hpp"

namespace losslab::runner {

bool should_stop(const SweepRound& round) { return InterruptGuard::received() != 0 || round.writer.failed(); }

GroupControl local_control(SweepRound& round) {
  GroupControl control;
  control.should_stop = [&round] { return should_stop(round); };
  control.stop_reason = [] {
    const int signal_number = InterruptGuard::received();
    return signal_number ? "interrupted by signal " + std::to_string(signal_number)
                         : std::string("stopped: the results database could not be written");
  };
  return control;
}

std::vector<char> claim_group(SweepRound& round, const WorkGroup& group) {
  std::vector<char> claimed(group.size(), 0);
  for (std::size_t k = 0; k < group.size(); ++k) {
    const std::optional<int> rung = group[k]->rung ? std::optional(group[k]->rung->rung) : std::nullopt;
    if (!group[k]->record || !round.writer.claim(group[k]->trial_id, round.rerun_finished, rung)) continue;
    claimed[k] = 1;
    round.progress.trial_started();
    std::lock_guard lock(round.attempted_mutex);
    round.attempted.insert(group[k]->trial_id);
  }
  return claimed;
}

void record(SweepRound& round, const WorkItem& item, TrialReport report) {
  const double val = report.result && report.status != TrialStatus::diverged
                         ? report.result->val_accuracy
                         : std::numeric_limits<double>::quiet_NaN();
  if (report.status == TrialStatus::failed) ++round.failures;
  // Only a trial that completed its rung pauses; one that diverged or failed ends there.
  std::optional<RungOutcome> rung = item.rung;
  if (rung) rung->paused = rung->paused && report.status == TrialStatus::completed;
  std::string what = to_string(report.status);
  if (rung && rung->paused)
    what = rung->segment ? "finished warm-up to " + std::to_string(item.config.training.epochs) + " epochs"
                         : "finished rung " + std::to_string(rung->rung) + " (" + std::to_string(rung->epochs) +
                               " epochs)";
  spdlog::info("{} {}{}{}", item.trial->name, what,
               std::isfinite(val) ? fmt::format(": val acc {:.4f}", val) : std::string(),
               report.error.empty() || report.status == TrialStatus::completed ? std::string()
                                                                                : " (" + report.error + ")");
  round.writer.trial_finished(item.trial_id, report.status, std::move(report.result), report.error, rung);
  round.progress.trial_finished(val);
}

std::vector<WorkGroup> make_groups(const std::vector<WorkItem>& items, bool fuse) {
  std::vector<TrainerConfig> configs;
  for (const auto& item : items) configs.push_back(item.config);
  std::vector<WorkGroup> groups;
  for (const auto& indices : group_trials(configs, fuse ? kMaxGroupSize : 1)) {
    WorkGroup group;
    bool records = false;
    for (std::size_t i : indices) {
      group.push_back(&items[i]);
      records |= items[i].record;
    }
    if (records) groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace losslab::runner
