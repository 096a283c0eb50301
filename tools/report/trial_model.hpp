// A recorded trial as a model to apply: the trial a user names (--trial ID|KEY, or --best of an
// experiment by the one definition of the best trial), its weights, the preprocessing they apply
// after and its loss. What losslab-predict and `losslab-report export-model` share.
#pragma once

#include <optional>
#include <string>

#include "losslab/loss.hpp"
#include "losslab/types.hpp"
#include "report_data.hpp"

namespace losslab::report {

// Which trial: `trial` (an id or a trial_key) or, with `best`, the best trial (rank_trials) of
// `experiment`, which may be left out when the database holds one experiment.
struct ModelChoice {
  std::optional<std::string> trial;
  bool best = false;
  std::optional<std::string> experiment;
};

struct TrialModel {
  ExperimentInfo experiment;
  TrialRecord trial;
  Matrix<float> W;  // D x C, D counting the bias row when has_bias_row
  bool has_bias_row = false;
  runner::Preprocessing preprocessing;
  LossKind loss = LossKind::softmax;

  // How many raw features an example has: W's rows without the bias row.
  Eigen::Index features() const { return W.rows() - (has_bias_row ? 1 : 0); }
};

// Reads the chosen trial's model in one snapshot. Throws UsageError for a trial that does not
// exist, has no weights (not completed or pruned), or was recorded before its preprocessing was
// (by a losslab whose schema was older than version 4: rerun it); ReportError for a database whose
// rows disagree (weights of another shape than the preprocessing says).
TrialModel load_trial_model(ResultsReader& db, const ModelChoice& choice);

// "trial 7 (softmax/sgd/lr=1e-2) of experiment fmnist": how messages name the trial.
std::string describe(const TrialModel& model);

}  // namespace losslab::report
