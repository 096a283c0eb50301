// `losslab-report DB`: per experiment, the trial counts by status, the top trials with their swept
// parameters and metrics, the best trial of each loss and each optimizer, and a warning when the
// best value of a swept numeric axis lies at the edge of the values tried.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "report_data.hpp"
#include "table_format.hpp"
#include "trial_selection.hpp"

namespace losslab::report {

// "METRIC" or "METRIC:asc" / "METRIC:desc"; METRIC is one of sort_metric_names() (the results
// module's rank_metrics()); without a direction, the better one. Throws UsageError.
SortKey parse_sort_key(const std::string& text);
const std::vector<std::string>& sort_metric_names();

struct SummaryOptions {
  std::optional<std::string> experiment;  // name or id; all experiments, each in turn, when absent
  int top = 5;
  std::optional<std::string> sort;        // absent: val_accuracy, or train_accuracy without a validation set
  std::optional<std::string> where;
  OutputFormat format = OutputFormat::table;
  bool importance = false;  // add each experiment's parameter importance (param_importance.hpp)
};

// "warning: the best learning_rate (0.1) is at the upper edge of the values tried [0.001 .. 0.1];
// widen the range" for each swept numeric parameter with at least 3 distinct values among `trials`
// whose value in `best` is the smallest or largest of them.
std::vector<std::string> edge_warnings(const std::vector<TrialRecord>& trials, const TrialRecord& best);

// Writes the summary. Table and markdown formats print everything to `out`; json prints one array
// with an object per experiment; csv prints only the top trials of every experiment as one table
// (with an `experiment` column), or with `importance` only the importance tables so, and sends
// the warnings to `err`.
// Throws UsageError (unknown experiment, bad --sort / --where) or ReportError (database).
void write_summary(ResultsReader& db, const SummaryOptions& options, std::ostream& out, std::ostream& err);

}  // namespace losslab::report
