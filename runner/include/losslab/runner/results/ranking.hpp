// The one definition of "the best trial" (runner/results/README.md, "The best trial"): how
// losslab-run's end-of-sweep summary, every losslab-report command and the HTML page rank trials.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "losslab/runner/results/records.hpp"

namespace losslab::runner {

// A metric trials can be ranked by, and which way is better.
struct RankMetric {
  double (*read)(const TrialRecord&);  // NaN when the trial has no value
  bool higher_is_better;
};
// val_accuracy, test_accuracy, train_accuracy, val_macro_f1, test_macro_f1, macro_f1 (the
// validation one), final_loss, train_seconds, epochs_done: every metric of a trial that --sort,
// --where and the report's tables know by name.
const std::map<std::string, RankMetric>& rank_metrics();

// How trials are ranked: a metric of rank_metrics() and a direction.
struct SortKey {
  std::string metric = "val_accuracy";
  bool descending = true;
};

// The default ranking of an experiment: validation accuracy, or training accuracy when no trial
// has a validation accuracy (an experiment without a validation split).
SortKey default_sort_key(const std::vector<TrialRecord>& trials);

// Completed and pruned search trials with a value of the metric, best first; ties go to the higher
// training accuracy, then the lower final loss, then the lower trial id. A diverged, failed or
// unfinished trial is never ranked: its accuracies describe weights from before it stopped. Nor is
// a refit (sweep.refit): it trained on the validation data the search trials are compared on.
std::vector<const TrialRecord*> rank_trials(const std::vector<TrialRecord>& trials, const SortKey& sort);
// The same with default_sort_key(trials).
std::vector<const TrialRecord*> rank_trials(const std::vector<TrialRecord>& trials);

// The refits (sweep.refit) among the trials, in id order: shown apart from the ranked search trials.
std::vector<const TrialRecord*> refit_trials(const std::vector<TrialRecord>& trials);

// Trial counts by status, in the order of the life cycle's outcomes (completed, pruned, diverged,
// failed, interrupted, running, pending), statuses without trials left out.
std::vector<std::pair<std::string, std::int64_t>> count_by_status(const std::vector<TrialRecord>& trials);

// One rung of a halving search, from its trial_rungs rows: how many trials finished it and what
// became of them, and the best validation accuracy reached at its end.
struct RungSummary {
  int bracket = 0, rung = 0, epochs = 0;
  std::size_t trials = 0, promoted = 0, pruned = 0, completed = 0, stopped = 0;  // stopped: diverged or failed
  std::size_t undecided = 0;
  double best_val_accuracy = 0;  // NaN when none has one
};
// By bracket, then rung.
std::vector<RungSummary> summarize_rungs(const std::vector<RungRecord>& rows);

// The search the recorded rungs show (sweep.strategy's spelling): exhaustive without rungs,
// successive_halving when they are all in bracket 0, hyperband otherwise. A hyperband search whose
// trials all fell into its bracket 0 trained exactly the rungs a successive-halving search would.
std::string search_strategy(const std::vector<RungRecord>& rows);

// The trials of one round of an adaptive sampler (TPE): how many it chose, and the best of them.
struct RoundSummary {
  int round = 0;
  std::size_t trials = 0;
  const TrialRecord* best = nullptr;  // by rank_trials; nullptr when none is ranked
};
// By round; trials without a round are left out, so it is empty when no sampler set one.
std::vector<RoundSummary> summarize_rounds(const std::vector<TrialRecord>& trials, const SortKey& sort);

}  // namespace losslab::runner
