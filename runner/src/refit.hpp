// sweep.refit: once the search has finished, the best configuration (by validation, rank_trials)
// is trained again on the training and validation data together, as scikit-learn's refit does, and
// recorded as a trial of its own that is scored once, on the test split.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "losslab/runner/results/records.hpp"
#include "losslab/runner/trials.hpp"

namespace losslab::runner {

struct Refit {
  // The best trial's resolved parameters with dataset.validation 0 (the validation examples stay in
  // the training split, and preprocessing is fitted on them too); its name is the best trial's with
  // "/refit" appended, its key refit_key() of those parameters, its swept keys the best trial's. A
  // parameter the best trial's record lacks (a key added by a later losslab) takes the config's value.
  Trial trial;
  std::int64_t refit_of = 0;  // the id of the search trial it retrains
};

// The refit of the best of `trials` (one experiment's, read back from the store), or nullopt when
// no search trial is ranked; `base` is the config's resolved parameters. Throws
// std::invalid_argument when the best trial's params_json cannot be read.
std::optional<Refit> plan_refit(const std::vector<TrialRecord>& trials, const std::string& experiment_name,
                                const ResolvedParams& base);

// A refit's trial key: a hash of its trial_key() marked as a refit, so it never equals a search
// trial's key, and the same best configuration always gets the same refit (a rerun finds it done).
std::string refit_key(const std::string& experiment_name, const ResolvedParams& params);

}  // namespace losslab::runner
