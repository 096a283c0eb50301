// One training loop for every optimizer: epochs, minibatches, schedule, evaluation,
// divergence detection and callbacks. Trains in float32 on data shared read-only.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "losslab/classification_metrics.hpp"
#include "losslab/dataset.hpp"
#include "losslab/loss.hpp"
#include "losslab/optimizer.hpp"
#include "losslab/regularizer.hpp"

namespace losslab {

class SpareThreads;

enum class Sampling {
  with_replacement,  // each step draws B random examples, as in the course's code
  shuffled_epochs,   // each epoch visits a fresh permutation in N / B batches
};
// Every Sampling, in the order users see the names (see enum_names.hpp).
inline constexpr std::array kSamplings{Sampling::with_replacement, Sampling::shuffled_epochs};

Sampling parse_sampling(const std::string& name);  // throws std::invalid_argument
std::string to_string(Sampling sampling);  // its config name

// What an epoch's train_accuracy measures.
enum class TrainAccuracy {
  running,  // the epoch's minibatch examples classified right at their step, before its update:
            // free (the step's scores are at hand), what Keras reports; lags the end-of-epoch W
  sample,   // the end-of-epoch weights on the first eval_train_limit training examples: one more
            // pass over them every epoch
};
// Every TrainAccuracy, in the order users see the names (see enum_names.hpp).
inline constexpr std::array kTrainAccuracies{TrainAccuracy::running, TrainAccuracy::sample};
TrainAccuracy parse_train_accuracy(const std::string& name);  // throws std::invalid_argument
std::string to_string(TrainAccuracy mode);  // its config name

struct TrainingSpec {
  int epochs = 10;
  std::size_t batch_size = 200;  // 0 = the whole training set (gradient descent)
  Sampling sampling = Sampling::with_replacement;
  std::uint64_t seed = 0;
  double init_scale = 1e-3;      // W starts as randn * init_scale
  TrainAccuracy epoch_train_accuracy = TrainAccuracy::running;
  std::size_t eval_train_limit = 10000;  // sample: per-epoch train accuracy on the first N examples (0 = all)
  // Whether the run ends by scoring the whole training and test splits with its final weights, as a
  // finished trial is recorded. false: train_accuracy is the last epoch's, and test is left unscored
  // (NaN, no confusion matrix): for a halving rung that pauses its trials, most of which are
  // pruned there and would spend those two passes on scores nobody ranks by.
  bool score_at_end = true;
};

// Everything that decides a training run.
struct TrainerConfig {
  LossSpec loss;
  RegSpec regularization;
  OptimizerSpec optimizer;
  ScheduleSpec schedule;
  TrainingSpec training;
};

struct StepInfo {
  std::int64_t step = 0;  // 0-based over the whole run
  int epoch = 0;          // 0-based
  double loss = 0;        // full loss on this step's minibatch (before the update)
  double learning_rate = 0;
};

struct EpochMetrics {
  int epoch = 0;  // 1-based: the number of epochs finished
  double mean_loss = 0;  // mean minibatch loss over the epoch
  double train_accuracy = 0;
  double val_accuracy = 0;  // NaN without a validation set
  double learning_rate = 0;
  double seconds = 0;  // wall time since the start of training (of the first run, when resumed)
};

enum class TrainStatus { completed, diverged, stopped };
// Every TrainStatus (see enum_names.hpp).
inline constexpr std::array kTrainStatuses{TrainStatus::completed, TrainStatus::diverged, TrainStatus::stopped};
std::string to_string(TrainStatus status);  // its name in messages between processes

struct TrainResult {
  TrainStatus status = TrainStatus::completed;
  Matrix<float> W;
  std::vector<float> loss_history;  // one entry per step
  std::size_t steps_per_epoch = 0;  // step s belongs to epoch s / steps_per_epoch (0-based)
  std::vector<EpochMetrics> epochs;
  std::int64_t diverged_step = -1;
  std::string message;  // why it diverged or stopped
  double final_loss = 0;  // mean minibatch loss of the last epoch
  double train_accuracy = 0, val_accuracy = 0, test_accuracy = 0;  // NaN for an empty split
  // The predictions behind val_accuracy and test_accuracy, truth x predicted: all zero for an empty
  // split; no classes (ConfusionMatrix{}) when the run diverged and its weights were not scored.
  ConfusionMatrix val_confusion, test_confusion;
  double train_seconds = 0;  // wall time; in a fused group of K trials, the group's time / K
  // The update rule's state after the last step (UpdateRule::state(): momentum, nesterov {v};
  // adagrad, rmsprop {cache}; adam {m, v}; sgd, gd and random search none) and the updates it
  // applied (Adam's t; 0 for random search). With W, what a later run needs to continue this one.
  std::vector<Matrix<float>> optimizer_state;
  std::int64_t optimizer_steps = 0;
};

// Callbacks return true to stop training early.
struct TrainCallbacks {
  std::function<bool(const StepInfo&)> on_step;
  std::function<bool(const EpochMetrics&)> on_epoch_end;
  std::function<void(const TrainResult&)> on_end;
};

// Throws std::invalid_argument for settings that cannot run (no training data, epochs < 1, ...).
// `threads` (>= 1) share each step: the minibatch is cut into slices of ~100 rows (by the batch
// size alone) that the threads compute in parallel, and their gradients are summed in slice
// order, so the result is bit for bit the same for any number of threads.
//
// With `resume_from`, the run continues another: the result of this same config trained for
// e0 < config.training.epochs epochs, completed or stopped at the end of an epoch (not diverged,
// not stopped within one). Its W and update rule state are the start; the minibatch sequence
// (and random search's candidates) are drawn past its e0 epochs; the schedule, StepInfo::step and
// EpochMetrics::epoch count from there; the result's loss_history and epochs extend its own, and
// train_seconds adds to its. The result is then bit for bit that of the straight run, but for
// the wall times (EpochMetrics::seconds). That the config is the same is up to the caller: a
// checkpoint carries no config, and only its shapes, epochs and steps are checked (else
// std::invalid_argument).
TrainResult train(const Splits& data, const TrainerConfig& config, const TrainCallbacks& callbacks = {},
                  unsigned threads = 1, const TrainResult* resume_from = nullptr);

// The W a run of `config` starts from on `rows` features and `classes` classes: randn * init_scale
// (random search: randn * search_scale), seeded by training.seed. What train() starts from, for
// anything that needs the same point (the gradient check of a trial).
Matrix<float> initial_weights(const TrainerConfig& config, Eigen::Index rows, Eigen::Index classes);

// Whether two configs can be trained together: both gradient-based, with the same minibatch
// sequence (batch size, sampling, seed, epochs) and the same evaluation settings.
bool can_fuse(const TrainerConfig& a, const TrainerConfig& b);

// Trains several configs that can_fuse() together. Their weight matrices are stacked side by side
// so each step reads the minibatch once and one GEMM computes every trial's scores (and one more
// every gradient); each trial keeps its own loss, regularization, learning rate and update rule.
// results[k] equals train(data, configs[k], callbacks[k]) up to float rounding. A trial that
// diverges or is stopped leaves the group; the others go on. `callbacks` is empty or one per config.
// With `spares`, threads calling spares->help() join the group's `threads` while it trains.
// `resume_from` is empty or one result per config to continue, as for train(), all with the same
// number of finished epochs. Only a group stacked the same way gives the same bits: results[k]
// equals train_fused() of these configs straight through when the checkpoints come from that same
// group (a GEMM's rounding may depend on the stack's width), all still in it at their last epoch.
std::vector<TrainResult> train_fused(const Splits& data, const std::vector<TrainerConfig>& configs,
                                     const std::vector<TrainCallbacks>& callbacks = {}, unsigned threads = 1,
                                     SpareThreads* spares = nullptr,
                                     const std::vector<const TrainResult*>& resume_from = {});

}  // namespace losslab
