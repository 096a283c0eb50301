#include "halving_search.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "halving_plan.hpp"
#include "interrupt.hpp"
#include "losslab/runner/results/ranking.hpp"
#include "losslab/runner/results/reader.hpp"

namespace losslab::runner {
namespace {

std::string format_accuracy(double value) { return std::isfinite(value) ? fmt::format("{:.4f}", value) : "-"; }

// The rung's trials ranked as the results module ranks trials, on their metrics at the rung's
// end; diverged and failed ones are not ranked.
std::vector<std::int64_t> rank_at_rung(const std::map<std::int64_t, RungRecord>& rows,
                                       const std::vector<const WorkItem*>& entered) {
  std::vector<TrialRecord> records;
  for (const WorkItem* item : entered) {
    const RungRecord& row = rows.at(item->trial_id);
    if (row.outcome == "diverged" || row.outcome == "failed") continue;
    TrialRecord record;
    record.id = item->trial_id;
    record.status = "completed";
    record.val_accuracy = row.val_accuracy;
    record.train_accuracy = row.train_accuracy;
    record.final_loss = row.final_loss;
    records.push_back(record);
  }
  std::vector<std::int64_t> ranked;
  for (const TrialRecord* record : rank_trials(records)) ranked.push_back(record->id);
  return ranked;
}

std::vector<std::int64_t> ids_of(const std::vector<const WorkItem*>& items) {
  std::vector<std::int64_t> ids;
  for (const WorkItem* item : items) ids.push_back(item->trial_id);
  return ids;
}

// Whether the trial has finished `rung` (or a later one) of its bracket; negative: a warm-up segment.
bool reached(const std::map<std::int64_t, int>& furthest, std::int64_t trial_id, int rung) {
  const auto it = furthest.find(trial_id);
  return it != furthest.end() && it->second >= rung;
}

// Where one bracket stands in the search.
struct BracketState {
  const BracketPlan* plan = nullptr;
  int start = 0;                          // the stage its rung 0 ends at; earlier stages warm it up
  std::vector<const WorkItem*> entered;   // the trials of its current rung (in warm-up: of rung 0)
  std::vector<const WorkItem*> training;  // those that train in the next stage
};

// Every bracket's rungs are the last points of one ladder of epoch budgets (halving_plan.hpp).
// The search runs in stages, one per point of the ladder: stage i trains every trial still in
// any bracket from the ladder's point i - 1 to point i, all in one run_rounds call, so trials of
// different brackets stack in the same fused groups. After the stage, each bracket whose rung
// ends there decides it from its own rows only; a bracket that starts higher has had a warm-up
// segment, which leaves a checkpoint and nothing to decide.
class StagedSearch {
 public:
  StagedSearch(SweepContext& context, const ExperimentConfig& config, const std::vector<WorkItem>& items,
               const std::vector<BracketPlan>& plans, std::vector<int> ladder)
      : context_(context), config_(config), ladder_(std::move(ladder)) {
    for (const BracketPlan& plan : plans) {
      BracketState bracket;
      bracket.plan = &plan;
      bracket.start = static_cast<int>(ladder_.size() - plan.epochs.size());
      if (bracket.start < 0 || !std::equal(plan.epochs.begin(), plan.epochs.end(), ladder_.begin() + bracket.start))
        throw std::logic_error("bracket " + std::to_string(plan.index) + "'s rungs are not the end of the ladder");
      for (std::size_t index : plan.trials) bracket.entered.push_back(&items[index]);
      bracket.training = bracket.entered;
      brackets_.push_back(std::move(bracket));
    }
  }

  // Returns false when a signal stopped it.
  bool run() {
    auto furthest = context_.store.furthest_rungs(context_.experiment_id);
    for (int stage = 0; stage < static_cast<int>(ladder_.size()); ++stage) {
      if (!train_stage(stage, furthest)) return false;
      furthest = context_.store.furthest_rungs(context_.experiment_id);
      check_stage_finished(stage, furthest);
      for (BracketState& bracket : brackets_) after_stage(bracket, stage, furthest);
    }
    return true;
  }

 private:
  std::map<std::int64_t, RungRecord> rows_of(int rung) const {
    std::map<std::int64_t, RungRecord> rows;
    for (RungRecord& row : read_rungs(context_.store.database(), context_.experiment_id))
      if (row.rung == rung) rows.emplace(row.trial_id, std::move(row));
    return rows;
  }

  // Trains whatever of the stage is not finished yet, beside its partners of the stage.
  // `furthest`: what each trial had finished before the stage (ResultsStore::furthest_rungs).
  bool train_stage(int stage, const std::map<std::int64_t, int>& furthest) {
    const bool last = stage + 1 == static_cast<int>(ladder_.size());
    const int epochs = ladder_[static_cast<std::size_t>(stage)];
    std::vector<WorkItem> items;
    std::size_t brackets = 0;
    for (const BracketState& bracket : brackets_) {
      brackets += bracket.training.empty() ? 0 : 1;
      const int rung = stage - bracket.start;  // negative: a warm-up segment
      const int rung_epochs = ladder_[static_cast<std::size_t>(std::max(stage, bracket.start))];
      for (const WorkItem* source : bracket.training) {
        WorkItem item = *source;
        item.config.training.epochs = epochs;
        // A rung is ranked on validation; train and test are scored once, by the last rung.
        item.config.training.score_at_end = last;
        item.rung = RungOutcome{bracket.plan->index, rung, rung_epochs, !last, rung < 0};
        item.record = !reached(furthest, item.trial_id, rung);
        items.push_back(std::move(item));
      }
    }
    if (count_recorded(items) == 0) return true;
    if (stage > 0) {
      for (WorkItem& item : items) {
        const int from = item.rung->rung - 1;
        auto checkpoint = context_.store.load_checkpoint(item.trial_id, from);
        // A finished partner's can be missing only in a search that a losslab which ran Hyperband's
        // brackets one after another began: its trials trained to their first rung in one go.
        if (!checkpoint)
          throw StoreError("results database " + context_.store.path() + ": trial " + item.trial->name +
                           " goes on from " + (from < 0 ? "warm-up " : "rung ") + std::to_string(from) +
                           " of bracket " + std::to_string(item.rung->bracket) + " but its checkpoint is missing" +
                           (item.record ? std::string()
                                        : " (a search begun by an older losslab cannot go on: rerun it with --force)"));
        item.resume = std::make_shared<const TrainResult>(std::move(*checkpoint));
      }
    }
    spdlog::info("stage {}: {} trial{} of {} bracket{} to {} epochs, {} to run", stage, items.size(),
                 items.size() == 1 ? "" : "s", brackets, brackets == 1 ? "" : "s", epochs, count_recorded(items));
    run_rounds(context_, items, stage == 0 && context_.options.force);
    return !InterruptGuard::received();
  }

  // Every trial the stage trained must have recorded its step: the decisions read those rows.
  void check_stage_finished(int stage, const std::map<std::int64_t, int>& furthest) const {
    for (const BracketState& bracket : brackets_)
      for (const WorkItem* item : bracket.training)
        if (!reached(furthest, item->trial_id, stage - bracket.start))
          throw StoreError("results database " + context_.store.path() + ": stage " + std::to_string(stage) +
                           " ended with trials that did not finish it (e.g. " + item->trial->name + ")");
  }

  void after_stage(BracketState& bracket, int stage, const std::map<std::int64_t, int>& furthest) {
    if (bracket.training.empty()) return;
    const int rung = stage - bracket.start;
    const std::vector<const WorkItem*> trained = bracket.training;
    if (rung < 0) {
      // A trial that diverged or failed in warm-up has its rung-0 row already: it trains no more.
      bracket.training.clear();
      for (const WorkItem* item : trained)
        if (!reached(furthest, item->trial_id, 0)) bracket.training.push_back(item);
    } else if (rung + 1 < static_cast<int>(bracket.plan->epochs.size())) {
      bracket.entered = decide(bracket, rung);
      bracket.training = bracket.entered;
    } else {
      bracket.training.clear();
    }
    // Nothing goes on from the states this stage started from now.
    if (stage > 0) context_.store.drop_checkpoints(ids_of(trained), rung - 1);
  }

  // Promotes the best 1/eta of the rung, prunes the rest; returns the promoted in expansion order.
  std::vector<const WorkItem*> decide(const BracketState& bracket, int rung) {
    const std::vector<const WorkItem*>& entered = bracket.entered;
    const int index = bracket.plan->index;
    const auto rows = rows_of(rung);
    const std::vector<std::int64_t> ranked = rank_at_rung(rows, entered);
    const std::size_t keep =
        std::min(ranked.size(), promoted_count(entered.size(), config_.sweep.reduction_factor));
    const std::vector<std::int64_t> promoted(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep));
    const std::vector<std::int64_t> pruned(ranked.begin() + static_cast<std::ptrdiff_t>(keep), ranked.end());
    const double threshold = keep > 0 ? rows.at(promoted.back()).val_accuracy : NAN;
    const std::string reason = "not among the best " + std::to_string(keep) + " of " + std::to_string(entered.size()) +
                               " at rung " + std::to_string(rung) + " (" +
                               std::to_string(bracket.plan->epochs[static_cast<std::size_t>(rung)]) + " epochs)";
    context_.store.decide_rung(rung, promoted, pruned, reason);
    // Nothing goes on from a pruned trial.
    context_.store.drop_checkpoints(pruned, rung);
    spdlog::info("bracket {} rung {}: {} of {} go on (validation accuracy >= {}), {} pruned", index, rung, keep,
                 entered.size(), format_accuracy(threshold), pruned.size());
    std::vector<const WorkItem*> next;
    for (const WorkItem* item : entered)
      if (std::find(promoted.begin(), promoted.end(), item->trial_id) != promoted.end()) next.push_back(item);
    return next;
  }

  SweepContext& context_;
  const ExperimentConfig& config_;
  const std::vector<int> ladder_;
  std::vector<BracketState> brackets_;
};

}  // namespace

std::vector<BracketPlan> plan_brackets(const SweepSpec& sweep, int max_epochs, std::size_t trials) {
  std::vector<BracketPlan> plans;
  if (sweep.strategy == SearchStrategy::successive_halving) {
    BracketPlan plan;
    plan.epochs = rung_epochs(sweep.min_epochs, max_epochs, sweep.reduction_factor);
    for (std::size_t t = 0; t < trials; ++t) plan.trials.push_back(t);
    plans.push_back(std::move(plan));
    return plans;
  }
  const std::vector<Bracket> brackets = hyperband_brackets(sweep.min_epochs, max_epochs, sweep.reduction_factor);
  std::size_t total = 0;
  for (const Bracket& bracket : brackets) total += bracket.trials;
  // Shares by largest remainder: floor(trials * n_s / total) each, then one more to the brackets
  // with the largest remainders until every trial has one.
  std::vector<std::size_t> shares(brackets.size());
  std::vector<std::pair<std::size_t, std::size_t>> remainders;  // (remainder, bracket)
  std::size_t given = 0;
  for (std::size_t b = 0; b < brackets.size(); ++b) {
    const std::size_t scaled = trials * brackets[b].trials;
    shares[b] = scaled / total;
    given += shares[b];
    remainders.emplace_back(scaled % total, b);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  for (std::size_t i = 0; given < trials; ++i, ++given) ++shares[remainders[i % remainders.size()].second];
  std::size_t next = 0;
  for (std::size_t b = 0; b < brackets.size(); ++b) {
    if (shares[b] == 0) continue;
    BracketPlan plan;
    plan.index = static_cast<int>(b);
    plan.epochs = brackets[b].epochs;
    for (std::size_t k = 0; k < shares[b]; ++k) plan.trials.push_back(next++);
    plans.push_back(std::move(plan));
  }
  return plans;
}

void begin_halving_search(SweepContext& context, const ExperimentConfig& config) {
  if (context.options.force) {
    context.store.reset_rungs(context.experiment_id);
  } else {
    // A trial an exhaustive sweep finished has no rungs to rank it by.
    for (const TrialRecord& trial : read_trials(context.store.database(), context.experiment_id))
      if (trial.rung < 0 && (trial.status == "completed" || trial.status == "pruned" || trial.status == "diverged"))
        throw StoreError("experiment " + config.name + " in " + context.store.path() + " has trials of a sweep that " +
                         "was not a " + to_string(config.sweep.strategy) + " search (e.g. " + trial.name + ", " +
                         trial.status + "); give this search its own name: or rerun everything with --force");
  }
}

void run_halving_search(SweepContext& context, const ExperimentConfig& config, const std::vector<WorkItem>& items) {
  const int max_epochs = static_cast<int>(get_integer(config.base, "training.epochs"));
  const std::vector<BracketPlan> plans = plan_brackets(config.sweep, max_epochs, items.size());
  const SweepSpec& sweep = config.sweep;
  StagedSearch(context, config, items, plans, rung_epochs(sweep.min_epochs, max_epochs, sweep.reduction_factor)).run();
}

}  // namespace losslab::runner
