#include "trial_model.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <functional>
#include <numeric>

#include "losslab/runner/results/ranking.hpp"
#include "trial_selection.hpp"
#include "usage_error.hpp"

namespace losslab::report {
namespace {

std::string name_of(const TrialRecord& trial, const ExperimentInfo& experiment) {
  return "trial " + std::to_string(trial.id) + " (" + trial.name + ") of experiment " + experiment.name;
}

// The experiment --best ranks: the one named, or the only one there is.
ExperimentInfo best_experiment(ResultsReader& db, const std::optional<std::string>& experiment) {
  const std::vector<ExperimentInfo> chosen = select_experiments(db, experiment);
  if (chosen.size() == 1) return chosen.front();
  std::string names;
  for (const auto& info : chosen) names += (names.empty() ? "" : ", ") + info.name;
  throw UsageError(chosen.empty() ? "--best: " + db.path() + " holds no experiment"
                                  : "--best needs --experiment: " + db.path() + " holds " +
                                        std::to_string(chosen.size()) + " experiments (" + names + ")");
}

std::pair<ExperimentInfo, TrialRecord> choose_trial(ResultsReader& db, const ModelChoice& choice) {
  if (choice.best) {
    ExperimentInfo experiment = best_experiment(db, choice.experiment);
    const std::vector<TrialRecord> trials = db.trials(experiment.id);
    const auto ranked = runner::rank_trials(trials);
    if (ranked.empty())
      throw UsageError("--best: experiment " + experiment.name + " has no completed or pruned trial to rank");
    return {std::move(experiment), *ranked.front()};
  }
  auto [experiment, trial] = find_named_trial(db, choice.trial.value(), "--trial");
  if (choice.experiment) {
    const ExperimentInfo named = select_experiments(db, choice.experiment).front();
    if (named.id != experiment.id)
      throw UsageError(name_of(trial, experiment) + " is not in experiment " + named.name);
  }
  return {std::move(experiment), std::move(trial)};
}

LossKind loss_of(const TrialRecord& trial, const std::string& name) {
  const auto loss = trial.params.find("loss");
  if (loss == trial.params.end() || !std::holds_alternative<std::string>(loss->second))
    throw ReportError(name + " has no loss parameter");
  try {
    return parse_loss_kind(std::get<std::string>(loss->second));
  } catch (const std::invalid_argument& error) {
    throw ReportError(name + ": " + error.what());
  }
}

std::size_t feature_count(const runner::Preprocessing& preprocessing) {
  const auto& shape = preprocessing.layout.shape;
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

}  // namespace

TrialModel load_trial_model(ResultsReader& db, const ModelChoice& choice) {
  try {
    ResultsReader::Snapshot snapshot(db);
    auto [experiment, trial] = choose_trial(db, choice);
    const std::string name = name_of(trial, experiment);
    const std::optional<Weights> weights = db.weights(trial.id);
    if (!weights)
      throw UsageError(name + " has no weights: its status is " + trial.status +
                       ", and only completed and pruned trials keep theirs");
    const std::optional<runner::Preprocessing> preprocessing =
        weights->preprocessing_id < 0 ? std::nullopt : db.preprocessing(weights->preprocessing_id);
    if (!preprocessing)
      throw UsageError(name + " was recorded by an older losslab without its preprocessing; rerun it "
                       "(losslab-run CONFIG --force) to score inputs with it");
    TrialModel model;
    model.W = Eigen::Map<const Matrix<float>>(weights->values.data(), weights->rows, weights->cols);
    model.has_bias_row = weights->has_bias_row;
    model.preprocessing = *preprocessing;
    model.loss = loss_of(trial, name);
    model.experiment = std::move(experiment);
    model.trial = std::move(trial);
    const auto features = static_cast<std::size_t>(model.features());
    if (model.preprocessing.class_names.size() != static_cast<std::size_t>(model.W.cols()) ||
        feature_count(model.preprocessing) != features)
      throw ReportError(name + ": its weights are " + std::to_string(model.W.rows()) + " x " +
                        std::to_string(model.W.cols()) + " but its preprocessing describes " +
                        std::to_string(feature_count(model.preprocessing)) + " features and " +
                        std::to_string(model.preprocessing.class_names.size()) + " classes");
    return model;
  } catch (const SQLite::Exception& error) {
    throw ReportError("cannot read the model from " + db.path() + ": " + error.what());
  }
}

std::string describe(const TrialModel& model) { return name_of(model.trial, model.experiment); }

}  // namespace losslab::report
