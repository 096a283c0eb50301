#include "param_importance.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "chart_number.hpp"

namespace losslab::report {
namespace {

using nlohmann::json;

// A trial's value of one parameter: the text of a level, or a number to cut into bins.
struct Value {
  bool present = false;
  std::optional<double> number;
  std::string text;
};

// Each trial's group (0..k-1) for one parameter: its level, or its quantile bin when the axis has
// more than kMaxLevels distinct numbers. A trial without the parameter (inactive for its choices)
// is a level of its own.
struct Grouping {
  std::vector<std::size_t> group;
  std::size_t groups = 0;
  bool binned = false;
};

// At least this many trials per bin on average, so a bin's mean is not one trial's value.
constexpr std::size_t kTrialsPerBin = 5;

Grouping by_level(const std::vector<Value>& values) {
  std::map<std::pair<bool, std::string>, std::size_t> levels;  // ordered: the same groups for any trial order
  for (const auto& value : values) levels.emplace(std::pair(value.present, value.text), 0);
  std::size_t next = 0;
  for (auto& [level, index] : levels) index = next++;
  Grouping grouping;
  grouping.groups = levels.size();
  for (const auto& value : values) grouping.group.push_back(levels.at({value.present, value.text}));
  return grouping;
}

// Quantile bins over the trials that have the number: sorted by value, the trial at position i of
// m falls into bin floor(i * k / m), and equal values share the bin of the first of them.
Grouping by_quantile(const std::vector<Value>& values) {
  std::vector<std::pair<double, std::size_t>> sorted;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i].number) sorted.emplace_back(*values[i].number, i);
  std::sort(sorted.begin(), sorted.end());
  const std::size_t m = sorted.size();
  const std::size_t k = std::clamp<std::size_t>(m / kTrialsPerBin, 2, kMaxLevels);
  Grouping grouping;
  grouping.binned = true;
  grouping.group.assign(values.size(), 0);
  std::set<std::size_t> used;
  std::size_t bin = 0;
  for (std::size_t i = 0; i < m; ++i) {
    if (i == 0 || sorted[i].first != sorted[i - 1].first) bin = i * k / m;
    grouping.group[sorted[i].second] = bin;
    used.insert(bin);
  }
  // Renumber the bins in use 0..; the trials without the number come after them.
  std::map<std::size_t, std::size_t> index;
  for (const std::size_t b : used) index.emplace(b, index.size());
  const std::size_t missing = index.size();
  for (std::size_t i = 0; i < values.size(); ++i)
    grouping.group[i] = values[i].number ? index.at(grouping.group[i]) : missing;
  grouping.groups = index.size() + (m < values.size() ? 1 : 0);
  return grouping;
}

Grouping group_trials(const std::vector<Value>& values) {
  std::set<double> numbers;
  bool all_numbers = true;
  for (const auto& value : values) {
    if (!value.present) continue;
    if (value.number) numbers.insert(*value.number);
    else all_numbers = false;
  }
  return all_numbers && numbers.size() > kMaxLevels ? by_quantile(values) : by_level(values);
}

// The between-group sum of squares: sum over groups of size x (group mean - overall mean)^2.
double between_groups(const std::vector<double>& y, const Grouping& grouping, double mean) {
  std::vector<double> sums(grouping.groups, 0.0);
  std::vector<std::size_t> counts(grouping.groups, 0);
  for (std::size_t i = 0; i < y.size(); ++i) {
    sums[grouping.group[i]] += y[i];
    ++counts[grouping.group[i]];
  }
  double between = 0;
  for (std::size_t g = 0; g < grouping.groups; ++g) {
    if (counts[g] == 0) continue;
    const double deviation = sums[g] / static_cast<double>(counts[g]) - mean;
    between += static_cast<double>(counts[g]) * deviation * deviation;
  }
  return between;
}

}  // namespace

double ImportanceResult::rest() const {
  double sum = 0;
  for (const auto& param : params) sum += param.share;
  return params.empty() ? 0.0 : std::max(0.0, 1.0 - sum);
}

ImportanceResult parameter_importance(const std::vector<TrialRecord>& all) {
  ImportanceResult result;
  const SortKey key = runner::default_sort_key(all);
  const auto& metric = runner::rank_metrics().at(key.metric);
  result.metric = key.metric;
  // In id order, so sums run in the same order whatever order the trials came in.
  std::vector<const TrialRecord*> trials;
  for (const auto& trial : all)
    if (trial.status == "completed" && !trial.is_refit() && std::isfinite(metric.read(trial))) trials.push_back(&trial);
  std::sort(trials.begin(), trials.end(), [](const TrialRecord* a, const TrialRecord* b) { return a->id < b->id; });
  result.trials = trials.size();

  std::set<std::string> swept;
  for (const auto& trial : all) swept.insert(trial.swept.begin(), trial.swept.end());
  std::vector<double> y;
  for (const TrialRecord* trial : trials) y.push_back(metric.read(*trial));
  double mean = 0;
  for (const double v : y) mean += v;
  mean = y.empty() ? 0.0 : mean / static_cast<double>(y.size());
  double total = 0;
  for (const double v : y) total += (v - mean) * (v - mean);
  result.mean = mean;
  result.stddev = y.empty() ? 0.0 : std::sqrt(total / static_cast<double>(y.size()));

  if (swept.empty()) result.note = "Nothing was swept: every trial ran the same configuration.";
  else if (trials.size() < 2)
    result.note = "Parameter importance needs at least 2 completed trials with a " + key.metric + "; there " +
                  (trials.size() == 1 ? "is 1." : "are none.");
  else if (!(total > 0))
    result.note = "All " + std::to_string(trials.size()) + " completed trials have the same " + key.metric +
                  ": there is no variance to explain.";
  if (!result.note.empty()) return result;

  const double n = static_cast<double>(trials.size());
  for (const auto& name : swept) {
    std::vector<Value> values;
    for (const TrialRecord* trial : trials) {
      Value value;
      if (const auto it = trial->params.find(name); it != trial->params.end()) {
        value.present = true;
        value.number = param_number(it->second);
        value.text = runner::format_value(it->second);
      }
      values.push_back(std::move(value));
    }
    const Grouping grouping = group_trials(values);
    ParamImportance param;
    param.param = name;
    param.share = std::clamp(between_groups(y, grouping, mean) / total, 0.0, 1.0);
    param.groups = grouping.groups;
    param.binned = grouping.binned;
    param.chance = static_cast<double>(grouping.groups - 1) / (n - 1);
    result.params.push_back(std::move(param));
  }
  std::stable_sort(result.params.begin(), result.params.end(),
                   [](const ParamImportance& a, const ParamImportance& b) { return a.share > b.share; });
  return result;
}

Table importance_table(const ImportanceResult& importance) {
  Table table;
  table.header = {"rank", "parameter", "share", "groups", "grouped_by", "chance"};
  std::int64_t rank = 0;
  for (const auto& param : importance.params)
    table.rows.push_back({Cell(++rank), Cell(param.param), fixed_cell(param.share, 4),
                          Cell(static_cast<std::int64_t>(param.groups)),
                          Cell(param.binned ? "quantile bins" : "levels"), fixed_cell(param.chance, 4)});
  return table;
}

json importance_json(const ImportanceResult& importance) {
  json shares = json::array();
  int rank = 0;
  for (const auto& param : importance.params)
    shares.push_back({{"param", param.param},
                      {"rank", ++rank},
                      {"share", chart_number(param.share)},
                      {"groups", param.groups},
                      {"binned", param.binned},
                      {"chance", chart_number(param.chance)}});
  return {{"metric", importance.metric},
          {"trials", importance.trials},
          {"mean", chart_number(importance.mean)},
          {"stddev", chart_number(importance.stddev)},
          {"rest", chart_number(importance.rest())},
          {"note", importance.note.empty() ? json(nullptr) : json(importance.note)},
          {"shares", shares}};
}

}  // namespace losslab::report
