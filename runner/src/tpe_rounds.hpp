// sweep.sampler: tpe. The trials of round r are the points tpe_batch chooses from the results of
// the rounds before r, crossed with the grid, zip and seeds as random samples are (expand_trials).
// The history is every trial of those rounds, in the order of the rounds and, within a round, of
// the expansion; each with the point it was built from and its score: the validation accuracy it
// recorded when completed or pruned (a pruned one's at the epoch or rung it stopped), NaN (the
// worst) when it diverged or failed. So the rounds are a pure function of the config and the
// recorded results: every process, any --jobs, and a rerun after a kill recompute the same ones.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "losslab/runner/config.hpp"
#include "losslab/runner/results/records.hpp"
#include "losslab/runner/trials.hpp"
#include "tpe_sampler.hpp"

namespace losslab::runner {

class TpeRounds {
 public:
  // Round 0: uniform draws, as there are no results yet.
  explicit TpeRounds(const ExperimentConfig& config);

  int round() const { return round_; }
  bool last() const { return static_cast<std::size_t>(round_) + 1 >= config_.sweep.rounds; }
  // The current round's trials in expansion order, without those that repeat a trial of an
  // earlier round (its key), which are in the history already.
  const std::vector<Trial>& trials() const { return trials_; }

  // Adds the current round's trials to the history with their scores (found by key among
  // `records`, the experiment's trials as the results module reads them) and moves on to the
  // next round. Every trial of the round must be finished.
  void advance(const std::vector<TrialRecord>& records);

 private:
  void sample();

  const ExperimentConfig& config_;
  int round_ = 0;
  std::vector<TpeObservation> history_;
  std::set<std::string> earlier_keys_;
  std::vector<std::vector<ParamValue>> points_;  // the current round's, which trials_ index
  std::vector<Trial> trials_;
};

// A finished trial's score for the history: its validation accuracy when completed or pruned,
// else NaN.
double tpe_score(const TrialRecord& record);

}  // namespace losslab::runner
