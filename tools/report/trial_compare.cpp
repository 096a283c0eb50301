#include "trial_compare.hpp"

#include <algorithm>
#include <set>

#include "search_tables.hpp"
#include "trial_cells.hpp"
#include "trial_selection.hpp"
#include "usage_error.hpp"

namespace losslab::report {
namespace {

const std::vector<std::string> kMetrics = {"val_accuracy", "test_accuracy", "train_accuracy", "final_loss",
                                           "epochs_done"};

// Parameters shown: those any trial sweeps first (they are why the trials differ), then the rest.
std::vector<std::string> parameter_rows(const std::vector<ComparedTrial>& trials) {
  std::set<std::string> swept, all;
  for (const auto& compared : trials) {
    swept.insert(compared.trial.swept.begin(), compared.trial.swept.end());
    for (const auto& entry : compared.trial.params) all.insert(entry.first);
  }
  std::vector<std::string> names(swept.begin(), swept.end());
  for (const auto& name : all)
    if (swept.count(name) == 0) names.push_back(name);
  return names;
}

void add_row(Table& table, bool marked, const std::string& name, std::vector<Cell> values) {
  const bool differs =
      marked && std::any_of(values.begin(), values.end(), [&](const Cell& cell) { return cell.value != values[0].value; });
  auto& row = table.rows.emplace_back();
  row.push_back(differs ? Cell("*") : Cell::null());
  row.emplace_back(name);
  row.insert(row.end(), values.begin(), values.end());
}

template <typename CellOf>
std::vector<Cell> cells(const std::vector<ComparedTrial>& trials, CellOf cell_of) {
  std::vector<Cell> values;
  for (const auto& compared : trials) values.push_back(cell_of(compared));
  return values;
}

}  // namespace

Table compare_table(const std::vector<ComparedTrial>& trials) {
  Table table;
  table.header = {"differs", "name"};
  for (const auto& compared : trials) table.header.push_back("trial " + std::to_string(compared.trial.id));
  add_row(table, true, "experiment", cells(trials, [](const ComparedTrial& c) { return Cell(c.experiment.name); }));
  add_row(table, false, "trial", cells(trials, [](const ComparedTrial& c) { return Cell(c.trial.name); }));
  for (const auto& name : parameter_rows(trials))
    add_row(table, true, name, cells(trials, [&](const ComparedTrial& c) { return param_cell(c.trial, name); }));
  add_row(table, false, "status", cells(trials, [](const ComparedTrial& c) { return Cell(c.trial.status); }));
  for (const auto& metric : kMetrics)
    add_row(table, false, metric, cells(trials, [&](const ComparedTrial& c) { return metric_cell(c.trial, metric); }));
  std::vector<TrialRecord> records;
  for (const auto& compared : trials) records.push_back(compared.trial);
  for (const auto& column : search_column_names())
    if (has_search_value(records, column))
      add_row(table, false, column, cells(trials, [&](const ComparedTrial& c) { return search_cell(c.trial, column); }));
  return table;
}

void write_compare(ResultsReader& db, const CompareOptions& options, std::ostream& out) {
  const std::size_t count = options.trials.size();
  if (count < kMinCompared || count > kMaxCompared)
    throw UsageError("compare takes " + std::to_string(kMinCompared) + " to " + std::to_string(kMaxCompared) +
                     " trial ids, got " + std::to_string(count));
  std::vector<ComparedTrial> trials;
  {
    const ResultsReader::Snapshot snapshot(db);
    for (const auto& wanted : options.trials) {
      auto [experiment, trial] = find_named_trial(db, wanted, "compare");
      for (const auto& earlier : trials)
        if (earlier.trial.id == trial.id)
          throw UsageError("compare: trial " + std::to_string(trial.id) + " is named twice ('" + wanted +
                           "'); name 2 to 4 different trials");
      trials.push_back({std::move(experiment), std::move(trial)});
    }
  }
  write_table(compare_table(trials), options.format, out);
}

}  // namespace losslab::report
