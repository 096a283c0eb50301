// `losslab-report export DB --format csv|json`: every trial as one row, its parameters as columns.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "report_data.hpp"
#include "table_format.hpp"
#include "trial_selection.hpp"

namespace losslab::report {

struct ExportOptions {
  std::optional<std::string> experiment;  // name or id; all experiments when absent
  std::optional<std::string> where;
  OutputFormat format = OutputFormat::csv;
};

// Columns: experiment, trial_id, trial_key, name, status, train_accuracy, val_accuracy,
// test_accuracy, val_macro_f1, test_macro_f1, final_loss, train_seconds, epochs_done, diverged_step,
// error, train_examples, refit_of, then rung and round where some trial has one, then one column
// per parameter short name (the union over the exported trials, sorted; NULL where a trial lacks it).
// Values keep their types: numbers stay numbers, booleans are 0/1, missing results are NULL.
Table export_table(const std::vector<ExperimentTrials>& groups);

void write_export(ResultsReader& db, const ExportOptions& options, std::ostream& out);

}  // namespace losslab::report
