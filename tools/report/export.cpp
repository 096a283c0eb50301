#include "export.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "search_tables.hpp"

namespace losslab::report {
namespace {

const std::vector<std::string> kFixedColumns = {
    "experiment",  "trial_id",       "trial_key",     "name",          "status",        "train_accuracy",
    "val_accuracy", "test_accuracy", "val_macro_f1",  "test_macro_f1", "final_loss",    "train_seconds",
    "epochs_done",  "diverged_step", "error",         "train_examples", "refit_of"};

Cell param_value(const ParamValue& value) {
  return std::visit(
      [](const auto& v) -> Cell {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) return Cell(static_cast<std::int64_t>(v));
        else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double> ||
                           std::is_same_v<T, std::string>)
          return Cell(v);
        else return Cell(runner::format_value(v));
      },
      value);
}

Cell text_or_null(const std::string& text) { return text.empty() ? Cell::null() : Cell(text); }
Cell index_or_null(std::int64_t value) { return value < 0 ? Cell::null() : Cell(value); }  // -1: NULL

}  // namespace

Table export_table(const std::vector<ExperimentTrials>& groups) {
  std::set<std::string> names;
  std::vector<std::string> search;
  for (const auto& column : search_column_names())
    if (std::any_of(groups.begin(), groups.end(),
                    [&](const ExperimentTrials& group) { return has_search_value(group.trials, column); }))
      search.push_back(column);
  for (const auto& group : groups)
    for (const auto& trial : group.trials)
      for (const auto& entry : trial.params) names.insert(entry.first);
  Table table;
  table.header = kFixedColumns;
  table.header.insert(table.header.end(), search.begin(), search.end());
  for (const auto& name : names) {
    // A parameter whose short name is also a fixed column keeps its data under a distinct name.
    const bool clash = std::find(table.header.begin(), table.header.end(), name) != table.header.end();
    table.header.push_back(clash ? "param_" + name : name);
  }
  for (const auto& group : groups)
    for (const auto& trial : group.trials) {
      auto& row = table.rows.emplace_back();
      row.emplace_back(group.experiment.name);
      row.emplace_back(trial.id);
      row.emplace_back(trial.key);
      row.emplace_back(trial.name);
      row.emplace_back(trial.status);
      for (double metric : {trial.train_accuracy, trial.val_accuracy, trial.test_accuracy, trial.val_macro_f1,
                            trial.test_macro_f1, trial.final_loss, trial.train_seconds})
        row.push_back(std::isnan(metric) ? Cell::null() : Cell(metric));
      row.emplace_back(trial.epochs_done);
      row.push_back(index_or_null(trial.diverged_step));
      row.push_back(text_or_null(trial.error));
      row.push_back(index_or_null(trial.train_examples));
      row.push_back(index_or_null(trial.refit_of));
      for (const auto& column : search) row.push_back(search_cell(trial, column));
      for (const auto& name : names) {
        const auto it = trial.params.find(name);
        row.push_back(it == trial.params.end() ? Cell::null() : param_value(it->second));
      }
    }
  return table;
}

void write_export(ResultsReader& db, const ExportOptions& options, std::ostream& out) {
  write_table(export_table(load_trials(db, options.experiment, options.where)), options.format, out);
}

}  // namespace losslab::report
