// How an experiment's trials were searched, as the report's tables show it: the rungs of a halving
// search, the rounds of an adaptive sampler, and the columns they give a trial.
#pragma once

#include <string>
#include <vector>

#include "report_data.hpp"
#include "table_format.hpp"

namespace losslab::report {

// The trial columns only some searches fill: "rung" (a halving search's) and "round" (an adaptive
// sampler's). Tables add them only when some trial has a value, so an exhaustive sweep's stay as
// they were.
const std::vector<std::string>& search_column_names();
bool has_search_value(const std::vector<TrialRecord>& trials, const std::string& column);
Cell search_cell(const TrialRecord& trial, const std::string& column);  // NULL where the trial has none

// bracket, rung, epochs, trials, promoted, pruned, completed, diverged_or_failed, undecided,
// best_val_accuracy: one row per rung of runner::summarize_rungs(rows).
Table rungs_table(const std::vector<RungRecord>& rows);

// round, trials, best_trial, best_<metric>: one row per round of runner::summarize_rounds.
Table rounds_table(const std::vector<TrialRecord>& trials, const SortKey& sort);

}  // namespace losslab::report
