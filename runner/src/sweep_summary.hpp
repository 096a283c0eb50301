// What losslab-run prints when a sweep ends: the trial counts by status and the best trials, read
// back from the database and ranked by the results module's one ranking (rank_trials).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "losslab/runner/results/store.hpp"

namespace losslab::runner {

void print_sweep_summary(std::ostream& out, ResultsStore& store, std::int64_t experiment_id,
                         const std::string& experiment_name, int rows);

}  // namespace losslab::runner
