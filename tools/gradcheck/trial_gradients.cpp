#include "trial_gradients.hpp"

#include "losslab/batch_sampler.hpp"
#include "losslab/objective.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/runner/dataset_source.hpp"
#include "losslab/runner/did_you_mean.hpp"
#include "losslab/trainer.hpp"

namespace losslab::gradcheck {
namespace {

// The checked examples: a seeded draw without repeats from the training split, as many as a step
// of the trial takes (the whole split for gd or batch 0), at most kMaxBatch.
struct CheckBatch {
  RowMatrix<double> X;
  Labels y;
};

CheckBatch draw_batch(const Dataset& train, const TrainerConfig& config) {
  const std::size_t n = train.size();
  const bool whole = config.optimizer.kind == OptimizerKind::gd || config.training.batch_size == 0;
  const std::size_t size = std::min({whole ? n : config.training.batch_size, n, kMaxBatch});
  BatchSampler sampler(n, size, Sampling::shuffled_epochs, config.training.seed);
  const auto indices = sampler.next();
  RowMatrix<float> rows;
  read_rows(train, indices, rows);
  CheckBatch batch{rows.cast<double>(), {}};
  for (const std::size_t i : indices) batch.y.push_back(train.y[i]);
  return batch;
}

GradientCheckOptions check_options(const GradcheckOptions& options, std::uint64_t seed, std::uint64_t point) {
  GradientCheckOptions check;
  check.samples = options.samples;
  check.seed = derive_seed(seed, point);  // other coordinates at each point
  check.tiny = kGradientCheckFloor;
  return check;
}

// The trial's W after `steps` steps of its own training, or nothing (and `note` says why).
std::optional<Matrix<float>> trained_weights(const Splits& splits, const TrainerConfig& config, std::int64_t steps,
                                             std::int64_t& steps_taken, std::string& note) {
  TrainCallbacks callbacks;
  callbacks.on_step = [steps](const StepInfo& info) { return info.step + 1 >= steps; };
  const TrainResult result = train(splits, config, callbacks);
  steps_taken = static_cast<std::int64_t>(result.loss_history.size());
  if (result.status == TrainStatus::diverged) {
    note = "training diverged (" + result.message + "): only the initial W was checked";
    return std::nullopt;
  }
  return result.W;
}

}  // namespace

const runner::Trial& select_trial(const std::vector<runner::Trial>& trials, const std::string& key) {
  if (trials.empty()) throw UnknownTrial("the sweep has no trials");
  if (key.empty()) return trials.front();
  for (const runner::Trial& trial : trials)
    if (trial.key == key) return trial;
  std::vector<std::string> keys;
  for (const runner::Trial& trial : trials) keys.push_back(trial.key);
  throw UnknownTrial("no trial with key '" + key + "' among the sweep's " + std::to_string(trials.size()) +
                     " (losslab-run CONFIG --dry-run lists them)" + runner::detail::did_you_mean(key, keys));
}

GradcheckResult check_trial_gradients(const GradcheckOptions& options) {
  const runner::ExperimentConfig config = runner::load_experiment_config(options.config_path, options.overrides);
  const std::vector<runner::Trial> trials = runner::known_trials(config);
  GradcheckResult result;
  result.trial = select_trial(trials, options.trial_key);
  result.known_trials = trials.size();
  const TrainerConfig trainer = runner::to_trainer_config(result.trial.params);

  const runner::LoadedDataset loaded = runner::load_dataset(result.trial.params);
  const Dataset& train = loaded.splits->train;
  const CheckBatch batch = draw_batch(train, trainer);
  result.batch = batch.y.size();
  result.training_examples = train.size();
  result.rows = static_cast<std::int64_t>(train.dimension());
  result.classes = static_cast<std::int64_t>(train.num_classes());

  Objective<double> objective(trainer.loss, trainer.regularization, train.has_bias_column);
  const DifferentiableFunction function = batch_objective(objective, batch.X, batch.y);
  const Matrix<double> initial = initial_weights(trainer, result.rows, result.classes).cast<double>();
  result.points.push_back(
      {"initial W", gradient_check(function, initial, check_options(options, trainer.training.seed, 0))});
  if (options.steps > 0) {
    std::int64_t taken = 0;
    if (const auto W = trained_weights(*loaded.splits, trainer, options.steps, taken, result.note)) {
      result.points.push_back({"after " + std::to_string(taken) + " step" + (taken == 1 ? "" : "s"),
                               gradient_check(function, W->cast<double>(),
                                              check_options(options, trainer.training.seed, 1))});
    }
  }

  std::vector<CoordinateCheck> all;
  for (const CheckedPoint& point : result.points)
    all.insert(all.end(), point.report.coordinates.begin(), point.report.coordinates.end());
  result.overall = summarize_gradient_check(std::move(all));
  result.verdict = judge(result.overall, options.threshold);
  return result;
}

int exit_code(GradientCheckVerdict verdict) { return verdict == GradientCheckVerdict::pass ? 0 : 1; }

}  // namespace losslab::gradcheck
