#include "halving_search.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "halving_plan.hpp"
#include "interrupt.hpp"
#include "losslab/runner/results/ranking.hpp"
#include "losslab/runner/results/reader.hpp"

namespace losslab::runner {
namespace {

std::string format_accuracy(double value) { return std::isfinite(value) ? fmt::format("{:.4f}", value) : "-"; }

// Whether every trial that entered the rung has finished it (a row in trial_rungs).
bool rung_finished(const std::map<std::int64_t, RungRecord>& rows, const std::vector<const WorkItem*>& entered) {
  return std::all_of(entered.begin(), entered.end(),
                     [&](const WorkItem* item) { return rows.count(item->trial_id) > 0; });
}

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

class BracketRun {
 public:
  BracketRun(SweepContext& context, const ExperimentConfig& config, const std::vector<WorkItem>& items,
             const BracketPlan& plan)
      : context_(context), config_(config), items_(items), plan_(plan) {}

  // Returns false when a signal stopped it.
  bool run() {
    std::vector<const WorkItem*> entered;
    for (std::size_t index : plan_.trials) entered.push_back(&items_[index]);
    const int rungs = static_cast<int>(plan_.epochs.size());
    for (int rung = 0; rung < rungs && !entered.empty(); ++rung) {
      if (!train_rung(rung, entered)) return false;
      if (rung + 1 < rungs) {
        entered = decide(rung, entered);
      } else if (rung > 0) {
        context_.store.drop_checkpoints(ids_of(entered), rung - 1);  // nothing goes on from them now
      }
    }
    return true;
  }

 private:
  static std::vector<std::int64_t> ids_of(const std::vector<const WorkItem*>& items) {
    std::vector<std::int64_t> ids;
    for (const WorkItem* item : items) ids.push_back(item->trial_id);
    return ids;
  }

  std::map<std::int64_t, RungRecord> rows_of(int rung) const {
    std::map<std::int64_t, RungRecord> rows;
    for (RungRecord& row : read_rungs(context_.store.database(), context_.experiment_id))
      if (row.rung == rung) rows.emplace(row.trial_id, std::move(row));
    return rows;
  }

  // Trains whatever of the rung is not finished yet, beside its partners of the rung.
  bool train_rung(int rung, const std::vector<const WorkItem*>& entered) {
    const auto finished = rows_of(rung);
    if (rung_finished(finished, entered)) return true;
    const bool last = rung + 1 == static_cast<int>(plan_.epochs.size());
    std::vector<WorkItem> items;
    for (const WorkItem* source : entered) {
      WorkItem item = *source;
      item.config.training.epochs = plan_.epochs[static_cast<std::size_t>(rung)];
      // A rung is ranked on validation; train and test are scored once, by the last rung.
      item.config.training.score_at_end = last;
      item.rung = RungOutcome{plan_.index, rung, item.config.training.epochs, !last};
      item.record = finished.count(item.trial_id) == 0;
      if (rung > 0) {
        auto checkpoint = context_.store.load_checkpoint(item.trial_id, rung - 1);
        if (!checkpoint)
          throw StoreError("results database " + context_.store.path() + ": trial " + item.trial->name +
                           " was promoted from rung " + std::to_string(rung - 1) + " but its checkpoint is missing");
        item.resume = std::make_shared<const TrainResult>(std::move(*checkpoint));
      }
      items.push_back(std::move(item));
    }
    spdlog::info("bracket {} rung {}: {} trial{} to {} epochs, {} to run", plan_.index, rung, items.size(),
                 items.size() == 1 ? "" : "s", plan_.epochs[static_cast<std::size_t>(rung)], count_recorded(items));
    const bool first = rung == 0 && context_.options.force;
    run_rounds(context_, items, first);
    if (InterruptGuard::received()) return false;
    if (!rung_finished(rows_of(rung), entered))
      throw StoreError("results database " + context_.store.path() + ": rung " + std::to_string(rung) +
                       " of bracket " + std::to_string(plan_.index) + " ended with trials that did not finish it");
    return true;
  }

  // Promotes the best 1/eta of the rung, prunes the rest; returns the promoted in expansion order.
  std::vector<const WorkItem*> decide(int rung, const std::vector<const WorkItem*>& entered) {
    const auto rows = rows_of(rung);
    const std::vector<std::int64_t> ranked = rank_at_rung(rows, entered);
    const std::size_t keep =
        std::min(ranked.size(), promoted_count(entered.size(), config_.sweep.reduction_factor));
    const std::vector<std::int64_t> promoted(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep));
    const std::vector<std::int64_t> pruned(ranked.begin() + static_cast<std::ptrdiff_t>(keep), ranked.end());
    const double threshold = keep > 0 ? rows.at(promoted.back()).val_accuracy : NAN;
    const std::string reason = "not among the best " + std::to_string(keep) + " of " + std::to_string(entered.size()) +
                               " at rung " + std::to_string(rung) + " (" +
                               std::to_string(plan_.epochs[static_cast<std::size_t>(rung)]) + " epochs)";
    context_.store.decide_rung(rung, promoted, pruned, reason);
    // Nothing goes on from a pruned trial, nor from the states the rung's trials started from.
    context_.store.drop_checkpoints(pruned, rung);
    if (rung > 0) context_.store.drop_checkpoints(ids_of(entered), rung - 1);
    spdlog::info("bracket {} rung {}: {} of {} go on (validation accuracy >= {}), {} pruned", plan_.index, rung, keep,
                 entered.size(), format_accuracy(threshold), pruned.size());
    std::vector<const WorkItem*> next;
    for (const WorkItem* item : entered)
      if (std::find(promoted.begin(), promoted.end(), item->trial_id) != promoted.end()) next.push_back(item);
    return next;
  }

  SweepContext& context_;
  const ExperimentConfig& config_;
  const std::vector<WorkItem>& items_;
  const BracketPlan& plan_;
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
  for (const BracketPlan& plan : plans)
    if (!BracketRun(context, config, items, plan).run()) return;
}

}  // namespace losslab::runner
