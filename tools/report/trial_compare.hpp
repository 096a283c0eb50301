// `losslab-report compare DB ID ID [ID ID]`: two to four trials side by side, their parameters
// with the differing ones marked, then their final metrics.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "report_data.hpp"
#include "table_format.hpp"

namespace losslab::report {

inline constexpr std::size_t kMinCompared = 2, kMaxCompared = 4;

struct CompareOptions {
  std::vector<std::string> trials;  // ids or trial_keys
  OutputFormat format = OutputFormat::table;
};

struct ComparedTrial {
  ExperimentInfo experiment;
  TrialRecord trial;
};

// Columns: "differs" ("*" on a row whose values are not all equal, else NULL), "name", then
// "trial ID" per trial. Rows: experiment, trial (its name), every parameter of any of the trials
// (swept ones first, then the rest, each group by name; NULL where a trial lacks it), then status,
// val_accuracy, test_accuracy, train_accuracy, final_loss, epochs_done, and rung / round where
// some trial has one. Only the experiment and the parameters are marked.
Table compare_table(const std::vector<ComparedTrial>& trials);

// Reads the trials in one snapshot and writes compare_table. Throws UsageError for fewer than 2
// or more than 4 trials, an unknown one, or one named twice.
void write_compare(ResultsReader& db, const CompareOptions& options, std::ostream& out);

}  // namespace losslab::report
