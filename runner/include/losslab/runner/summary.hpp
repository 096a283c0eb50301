// Read-only summaries of an experiment in the results database.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "losslab/runner/store.hpp"

namespace losslab::runner {

struct TrialSummary {
  std::string name;
  std::string status;
  double val_accuracy = 0, test_accuracy = 0, train_accuracy = 0;  // NaN when NULL
  double final_loss = 0, train_seconds = 0;                       // NaN when NULL
};

// The best `limit` trials of an experiment by validation accuracy (trials without one last; ties
// and sets without validation data ranked by training accuracy).
std::vector<TrialSummary> top_trials(ResultsStore& store, std::int64_t experiment_id, int limit);
// Trial counts by status.
std::map<std::string, std::int64_t> status_counts(ResultsStore& store, std::int64_t experiment_id);

// A plain-text table of trials, columns aligned.
void print_trial_table(std::ostream& out, const std::vector<TrialSummary>& trials);

}  // namespace losslab::runner
