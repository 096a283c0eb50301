#include "losslab/runner/results/ranking.hpp"

#include <algorithm>
#include <cmath>

namespace losslab::runner {
namespace {

// A missing value sorts after every real one, whichever way is better.
double or_worst(double value, bool higher_is_better) {
  if (!std::isnan(value)) return value;
  return higher_is_better ? -INFINITY : INFINITY;
}

const std::vector<std::string> kStatusOrder = {"completed", "pruned",  "diverged", "failed",
                                               "interrupted", "running", "pending"};

}  // namespace

const std::map<std::string, RankMetric>& rank_metrics() {
  static const std::map<std::string, RankMetric> table = {
      {"val_accuracy", {[](const TrialRecord& t) { return t.val_accuracy; }, true}},
      {"test_accuracy", {[](const TrialRecord& t) { return t.test_accuracy; }, true}},
      {"val_macro_f1", {[](const TrialRecord& t) { return t.val_macro_f1; }, true}},
      {"test_macro_f1", {[](const TrialRecord& t) { return t.test_macro_f1; }, true}},
      // The split the best trial is chosen on, as scikit-learn's f1_macro scores a search.
      {"macro_f1", {[](const TrialRecord& t) { return t.val_macro_f1; }, true}},
      {"train_accuracy", {[](const TrialRecord& t) { return t.train_accuracy; }, true}},
      {"final_loss", {[](const TrialRecord& t) { return t.final_loss; }, false}},
      {"train_seconds", {[](const TrialRecord& t) { return t.train_seconds; }, false}},
      {"epochs_done", {[](const TrialRecord& t) { return static_cast<double>(t.epochs_done); }, true}},
  };
  return table;
}

SortKey default_sort_key(const std::vector<TrialRecord>& trials) {
  const bool validation =
      std::any_of(trials.begin(), trials.end(), [](const TrialRecord& t) { return std::isfinite(t.val_accuracy); });
  return {validation ? "val_accuracy" : "train_accuracy", true};
}

std::vector<const TrialRecord*> rank_trials(const std::vector<TrialRecord>& trials, const SortKey& sort) {
  const RankMetric& metric = rank_metrics().at(sort.metric);
  std::vector<const TrialRecord*> ranked;
  for (const auto& trial : trials)
    if ((trial.status == "completed" || trial.status == "pruned") && !trial.is_refit() &&
        std::isfinite(metric.read(trial)))
      ranked.push_back(&trial);
  std::sort(ranked.begin(), ranked.end(), [&](const TrialRecord* a, const TrialRecord* b) {
    const double x = metric.read(*a), y = metric.read(*b);
    if (x != y) return sort.descending ? x > y : x < y;
    const double p = or_worst(a->train_accuracy, true), q = or_worst(b->train_accuracy, true);
    if (p != q) return p > q;
    const double l = or_worst(a->final_loss, false), m = or_worst(b->final_loss, false);
    if (l != m) return l < m;
    return a->id < b->id;
  });
  return ranked;
}

std::vector<const TrialRecord*> rank_trials(const std::vector<TrialRecord>& trials) {
  return rank_trials(trials, default_sort_key(trials));
}

std::vector<const TrialRecord*> refit_trials(const std::vector<TrialRecord>& trials) {
  std::vector<const TrialRecord*> refits;
  for (const auto& trial : trials)
    if (trial.is_refit()) refits.push_back(&trial);
  return refits;
}

std::vector<std::pair<std::string, std::int64_t>> count_by_status(const std::vector<TrialRecord>& trials) {
  std::map<std::string, std::int64_t> counts;
  for (const auto& trial : trials) ++counts[trial.status];
  std::vector<std::pair<std::string, std::int64_t>> ordered;
  for (const auto& status : kStatusOrder)
    if (const auto it = counts.find(status); it != counts.end()) ordered.emplace_back(*it);
  for (const auto& entry : counts)
    if (std::find(kStatusOrder.begin(), kStatusOrder.end(), entry.first) == kStatusOrder.end())
      ordered.push_back(entry);
  return ordered;
}

std::vector<RungSummary> summarize_rungs(const std::vector<RungRecord>& rows) {
  std::map<std::pair<int, int>, RungSummary> rungs;
  for (const RungRecord& row : rows) {
    RungSummary& summary = rungs[{row.bracket, row.rung}];
    if (summary.trials == 0) {
      summary.bracket = row.bracket;
      summary.rung = row.rung;
      summary.epochs = row.epochs;
      summary.best_val_accuracy = NAN;
    }
    ++summary.trials;
    if (row.outcome == "promoted") ++summary.promoted;
    else if (row.outcome == "pruned") ++summary.pruned;
    else if (row.outcome == "completed") ++summary.completed;
    else if (row.outcome.empty()) ++summary.undecided;
    else ++summary.stopped;
    if (std::isfinite(row.val_accuracy) &&
        (std::isnan(summary.best_val_accuracy) || row.val_accuracy > summary.best_val_accuracy))
      summary.best_val_accuracy = row.val_accuracy;
  }
  std::vector<RungSummary> ordered;
  for (auto& [at, summary] : rungs) ordered.push_back(summary);
  return ordered;
}

std::string search_strategy(const std::vector<RungRecord>& rows) {
  if (rows.empty()) return "exhaustive";
  const bool one_bracket =
      std::all_of(rows.begin(), rows.end(), [](const RungRecord& row) { return row.bracket == 0; });
  return one_bracket ? "successive_halving" : "hyperband";
}

std::vector<RoundSummary> summarize_rounds(const std::vector<TrialRecord>& trials, const SortKey& sort) {
  std::map<int, RoundSummary> rounds;
  for (const TrialRecord& trial : trials)
    if (trial.round >= 0) {
      RoundSummary& summary = rounds[trial.round];
      summary.round = trial.round;
      ++summary.trials;
    }
  for (const TrialRecord* trial : rank_trials(trials, sort)) {  // best first: the first of a round is its best
    const auto it = rounds.find(trial->round);
    if (it != rounds.end() && it->second.best == nullptr) it->second.best = trial;
  }
  std::vector<RoundSummary> ordered;
  for (const auto& entry : rounds) ordered.push_back(entry.second);
  return ordered;
}

}  // namespace losslab::runner
