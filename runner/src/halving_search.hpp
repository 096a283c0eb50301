// sweep.strategy successive_halving and hyperband: the trials train in rungs of growing epoch
// budgets (halving_plan.hpp); after each rung the best 1/eta by the one ranking of the results
// module (rank_trials: validation accuracy, then training accuracy, final loss, trial id) go on
// from exactly where they stopped, and the rest are pruned at that rung. Every decision is a pure
// function of the recorded rung metrics, so any --jobs, a second process on the same database,
// and a kill at any moment followed by a rerun all reach the same decisions. Hyperband's brackets
// train side by side: the search runs in stages, one per rung budget, each training every trial
// of every bracket to that budget in one fused round (halving_search.cpp).
#pragma once

#include <vector>

#include "losslab/runner/config.hpp"
#include "sweep_rounds.hpp"

namespace losslab::runner {

// Once per losslab-run, before its searches: with --force, forgets the rungs recorded; otherwise
// refuses an experiment whose trials an exhaustive sweep finished (they have no rungs to rank by).
void begin_halving_search(SweepContext& context, const ExperimentConfig& config);

// Runs the search over `items` (one per trial, in expansion order; a TPE sweep runs one search per
// round). Returns early when a signal arrives; a rerun goes on from the rungs and checkpoints
// recorded.
void run_halving_search(SweepContext& context, const ExperimentConfig& config, const std::vector<WorkItem>& items);

// The trials of each bracket, as indices into the expansion: successive_halving has one bracket
// with every trial; hyperband splits the trials, in order, among its brackets in proportion to
// their n_s (largest remainders first, ties to the earlier bracket). Brackets left without a trial
// are dropped.
struct BracketPlan {
  int index = 0;                  // the bracket's number in trial_rungs.bracket
  std::vector<int> epochs;        // its rungs' budgets
  std::vector<std::size_t> trials;
};
std::vector<BracketPlan> plan_brackets(const SweepSpec& sweep, int max_epochs, std::size_t trials);

}  // namespace losslab::runner
