// Parameter importance: how much of the spread of an experiment's validation accuracy each swept
// parameter explains on its own, over the completed trials. One computation for the summary's
// --importance table and the HTML page's bar chart. The method and its formula are documented in
// tools/report/README.md ("Parameter importance"); what follows is the code's side of it.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report_data.hpp"
#include "table_format.hpp"

namespace losslab::report {

struct ParamImportance {
  std::string param;         // short name
  double share = 0;          // SS_between / SS_total: the variance its main effect explains, 0..1
  std::size_t groups = 0;    // k: the levels, or quantile bins, the trials fall into
  bool binned = false;       // a numeric axis with more than kMaxLevels values, cut at quantiles
  double chance = 0;         // (k - 1) / (n - 1): the share a parameter that does not matter gets on average
};

struct ImportanceResult {
  std::string metric;               // what is explained: default_sort_key (val_accuracy, else train_accuracy)
  std::size_t trials = 0;           // n: completed search trials with a finite metric
  double mean = 0, stddev = 0;      // of the metric over them (population standard deviation)
  std::vector<ParamImportance> params;  // highest share first, ties by name; empty when `note` says why
  std::string note;                 // why there is nothing to explain (too few trials, no spread, nothing swept)

  // 1 - the sum of the shares: on a full grid, exactly the share of the interactions (and of
  // noise, such as a seed's); elsewhere an estimate, clamped at 0.
  double rest() const;
};

// A numeric axis with more distinct values than this among the trials (random search) is cut
// into quantile bins; one with at most this many (a grid) keeps its values as levels.
inline constexpr std::size_t kMaxLevels = 10;

// The importance of every swept parameter (union of the trials' `swept`) for the experiment's
// default metric over its completed, non-refit trials with a finite value. Deterministic: the
// result depends only on the set of trials, not on their order.
ImportanceResult parameter_importance(const std::vector<TrialRecord>& trials);

// rank, parameter, share, groups, grouped_by (levels | quantile bins), chance: one row per parameter.
Table importance_table(const ImportanceResult& importance);

// The page's "importance" object: metric, trials, mean, stddev, rest, note and "shares"
// ([{param, rank, share, groups, binned, chance}], keyed by "param" for the live updates).
nlohmann::json importance_json(const ImportanceResult& importance);

}  // namespace losslab::report
