// A trial's parameters and metrics as table cells, the way every report table shows them (the
// summary's rankings and `compare`'s side-by-side table).
#pragma once

#include <string>

#include "report_data.hpp"
#include "table_format.hpp"

namespace losslab::report {

// The parameter's value, typed (booleans 0/1, a list as its JSON text); NULL when the trial has
// no such parameter (inactive for its choices).
Cell param_cell(const TrialRecord& trial, const std::string& name);

// One of runner::rank_metrics(): accuracies and losses with 4 decimals in text, train_seconds
// with 2, epochs_done as an integer.
Cell metric_cell(const TrialRecord& trial, const std::string& metric);

}  // namespace losslab::report
