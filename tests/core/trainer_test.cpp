// The training loop: overfitting a tiny set, divergence, callbacks, determinism, schedules,
// and every optimizer making progress on separable synthetic data.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "losslab/batch_sampler.hpp"
#include "losslab/classification_metrics.hpp"
#include "losslab/model.hpp"
#include "losslab/trainer.hpp"

namespace losslab {
namespace {

// N random Gaussian examples in D dimensions (+ bias column) with random labels: for N <= D
// they are linearly separable, so a linear classifier can fit them exactly.
Splits random_splits(std::size_t n, Eigen::Index d, std::size_t classes, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Splits s;
  s.train.X.resize(static_cast<Eigen::Index>(n), d + 1);
  for (Eigen::Index i = 0; i < s.train.X.rows(); ++i) {
    for (Eigen::Index k = 0; k < d; ++k) s.train.X(i, k) = normal(rng);
    s.train.X(i, d) = 1.0f;
  }
  for (std::size_t i = 0; i < n; ++i) s.train.y.push_back(static_cast<std::int32_t>(i % classes));
  for (std::size_t c = 0; c < classes; ++c) s.train.class_names.push_back("c" + std::to_string(c));
  s.train.has_bias_column = true;
  s.val = s.train;
  s.test = s.train;
  return s;
}

// Two well separated blobs per class along the coordinate axes.
Splits separable_splits(std::size_t per_class, std::uint64_t seed) {
  const std::size_t classes = 3;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.3f);
  Splits s;
  s.train.X.resize(static_cast<Eigen::Index>(per_class * classes), 4);
  for (std::size_t i = 0; i < per_class * classes; ++i) {
    const auto c = static_cast<Eigen::Index>(i % classes);
    for (Eigen::Index k = 0; k < 3; ++k) s.train.X(i, k) = (k == c ? 2.0f : 0.0f) + normal(rng);
    s.train.X(i, 3) = 1.0f;
    s.train.y.push_back(static_cast<std::int32_t>(c));
  }
  s.train.class_names = {"a", "b", "c"};
  s.train.has_bias_column = true;
  s.val = s.train;
  s.test = s.train;
  return s;
}

TEST(Trainer, OverfitsTwentyExamplesWithoutRegularization) {
  const auto data = random_splits(20, 50, 5, 1);
  TrainerConfig config;
  config.loss.kind = LossKind::softmax;
  config.regularization = {RegKind::none, 0.0};
  config.optimizer.kind = OptimizerKind::gd;
  config.optimizer.learning_rate = 0.5;
  config.training.epochs = 2000;
  const auto result = train(data, config);
  ASSERT_EQ(result.status, TrainStatus::completed) << result.message;
  EXPECT_LT(result.final_loss, 0.01);
  EXPECT_DOUBLE_EQ(result.train_accuracy, 1.0);
  EXPECT_EQ(result.loss_history.size(), 2000u);  // full batch: one step per epoch
}

TEST(Trainer, TooLargeLearningRateDivergesAndReportsTheStep) {
  const auto data = random_splits(50, 10, 3, 2);
  TrainerConfig config;
  config.loss.kind = LossKind::squared_hinge;
  config.optimizer.learning_rate = 1e30;
  config.training.batch_size = 10;
  config.training.epochs = 5;
  const auto result = train(data, config);
  ASSERT_EQ(result.status, TrainStatus::diverged);
  EXPECT_GE(result.diverged_step, 0);
  EXPECT_LT(result.diverged_step, 25);
  EXPECT_EQ(result.loss_history.size(), static_cast<std::size_t>(result.diverged_step + 1));
  EXPECT_NE(result.message.find("step " + std::to_string(result.diverged_step)), std::string::npos)
      << result.message;
  EXPECT_TRUE(std::isnan(result.val_accuracy));
}

// The confusion matrices are the predictions the accuracies count, for every way a member of a
// group ends: trained to the end (the last epoch's validation pass), stopped by a callback
// (scored again at the end) and diverged (not scored). The validation split spans several
// evaluation chunks, shared by two threads.
TEST(Trainer, ConfusionMatricesAreThePredictionsBehindTheAccuracies) {
  Splits data = separable_splits(30, 5);
  data.train.X.col(0) *= 0.2f;  // classes a and b overlap a little: the matrices are not diagonal
  data.val = separable_splits(1000, 6).train;  // 3000 rows
  data.val.X.col(0) *= 0.2f;
  data.test = separable_splits(40, 7).train;
  data.test.X.col(0) *= 0.2f;
  TrainerConfig config;
  config.loss.kind = LossKind::softmax;
  config.optimizer.learning_rate = 0.05;
  config.training.batch_size = 30;
  config.training.epochs = 3;
  std::vector<TrainerConfig> configs(3, config);
  configs[1].loss.kind = LossKind::svm;
  configs[2].optimizer.learning_rate = 1e30;
  std::vector<TrainCallbacks> callbacks(3);
  callbacks[1].on_epoch_end = [](const EpochMetrics& metrics) { return metrics.epoch == 2; };
  const auto results = train_fused(data, configs, callbacks, 2);
  ASSERT_EQ(results[0].status, TrainStatus::completed);
  ASSERT_EQ(results[1].status, TrainStatus::stopped);
  ASSERT_EQ(results[2].status, TrainStatus::diverged);
  for (std::size_t k = 0; k < 2; ++k) {
    const TrainResult& r = results[k];
    const ConfusionMatrix val = confusion_matrix(data.val.y, predict<float>(data.val.X, r.W), 3);
    const ConfusionMatrix test = confusion_matrix(data.test.y, predict<float>(data.test.X, r.W), 3);
    EXPECT_EQ(r.val_confusion.classes, 3) << k;
    EXPECT_EQ(r.val_confusion.counts, val.counts) << k;
    EXPECT_EQ(r.test_confusion.counts, test.counts) << k;
    EXPECT_EQ(r.val_confusion.total(), 3000) << k;
    EXPECT_EQ(r.test_confusion.total(), 120) << k;
    EXPECT_EQ(accuracy(r.val_confusion), r.val_accuracy) << k;
    EXPECT_EQ(accuracy(r.test_confusion), r.test_accuracy) << k;
    EXPECT_LT(r.val_accuracy, 1.0) << k << ": some examples land in another class";
    EXPECT_GT(r.val_accuracy, 0.5) << k;
  }
  EXPECT_EQ(results[2].val_confusion.classes, 0);
  EXPECT_EQ(results[2].test_confusion.classes, 0);
}

// A run that pauses (a halving rung) is scored on validation only: the same weights and history
// as a run that ends, its epoch's train accuracy, and no test score.
TEST(Trainer, ARunThatPausesSkipsTheTrainAndTestPasses) {
  Splits data = separable_splits(30, 5);
  data.train.X.col(0) *= 0.2f;
  data.test = separable_splits(40, 7).train;
  TrainerConfig config;
  config.optimizer.learning_rate = 0.05;
  config.training.batch_size = 30;
  config.training.epochs = 2;
  const TrainResult ends = train(data, config);
  config.training.score_at_end = false;
  const TrainResult pauses = train(data, config);
  ASSERT_EQ(pauses.status, TrainStatus::completed);
  EXPECT_EQ(pauses.W, ends.W);
  EXPECT_EQ(pauses.loss_history, ends.loss_history);
  EXPECT_EQ(pauses.val_accuracy, ends.val_accuracy);
  EXPECT_EQ(pauses.val_confusion.counts, ends.val_confusion.counts);
  EXPECT_EQ(pauses.train_accuracy, pauses.epochs.back().train_accuracy);
  EXPECT_TRUE(std::isnan(pauses.test_accuracy));
  EXPECT_EQ(pauses.test_confusion.classes, 0);
  EXPECT_EQ(ends.test_confusion.total(), 120);
  // The whole training split scored, not the epoch's running count of its minibatches.
  EXPECT_EQ(ends.train_accuracy, accuracy(confusion_matrix(data.train.y, predict<float>(data.train.X, ends.W), 3)));
  TrainerConfig other = config;
  other.training.score_at_end = true;
  EXPECT_FALSE(can_fuse(config, other));
}

// An empty split is scored as nothing: an all-zero matrix and no accuracy.
TEST(Trainer, AnEmptyValidationSplitHasAnEmptyMatrix) {
  Splits data = separable_splits(10, 3);
  data.val = Dataset{};
  data.val.X.resize(0, data.train.X.cols());
  data.val.class_names = data.train.class_names;
  TrainerConfig config;
  config.training.epochs = 1;
  config.training.batch_size = 10;
  const TrainResult result = train(data, config);
  EXPECT_EQ(result.val_confusion.classes, 3);
  EXPECT_EQ(result.val_confusion.total(), 0);
  EXPECT_TRUE(std::isnan(result.val_accuracy));
  EXPECT_EQ(result.test_confusion.total(), 30);
}

TEST(Trainer, CallbacksSeeEveryStepAndCanStopEarly) {
  const auto data = random_splits(100, 10, 3, 3);
  TrainerConfig config;
  config.training.batch_size = 20;  // 5 steps per epoch
  config.training.epochs = 10;
  std::vector<std::int64_t> steps;
  int epochs_seen = 0;
  bool ended = false;
  TrainCallbacks callbacks;
  callbacks.on_step = [&](const StepInfo& info) {
    steps.push_back(info.step);
    return false;
  };
  callbacks.on_epoch_end = [&](const EpochMetrics& metrics) {
    ++epochs_seen;
    EXPECT_EQ(metrics.epoch, epochs_seen);
    return metrics.epoch == 3;  // early stop after the third epoch
  };
  callbacks.on_end = [&](const TrainResult& result) { ended = result.status == TrainStatus::stopped; };
  const auto result = train(data, config, callbacks);
  EXPECT_EQ(result.status, TrainStatus::stopped);
  EXPECT_EQ(epochs_seen, 3);
  EXPECT_TRUE(ended);
  ASSERT_EQ(steps.size(), 15u);
  for (std::size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i], static_cast<std::int64_t>(i));
  EXPECT_EQ(result.loss_history.size(), 15u);
  EXPECT_EQ(result.epochs.size(), 3u);
}

TEST(Trainer, StopFromOnStepEndsTheEpochThere) {
  const auto data = random_splits(100, 10, 3, 3);
  TrainerConfig config;
  config.training.batch_size = 20;
  TrainCallbacks callbacks;
  callbacks.on_step = [](const StepInfo& info) { return info.step == 7; };
  const auto result = train(data, config, callbacks);
  EXPECT_EQ(result.status, TrainStatus::stopped);
  EXPECT_EQ(result.loss_history.size(), 8u);
  EXPECT_EQ(result.epochs.size(), 2u);  // epoch 1 complete, epoch 2 cut short
}

TEST(Trainer, SameConfigSameHistoryBitForBit) {
  const auto data = random_splits(200, 10, 4, 4);
  for (auto sampling : {Sampling::with_replacement, Sampling::shuffled_epochs}) {
    TrainerConfig config;
    config.optimizer.kind = OptimizerKind::adam;
    config.optimizer.learning_rate = 1e-2;
    config.training.batch_size = 32;
    config.training.sampling = sampling;
    config.training.seed = 42;
    const auto a = train(data, config);
    const auto b = train(data, config);
    EXPECT_EQ(a.loss_history, b.loss_history);
    EXPECT_EQ(a.W, b.W);
    config.training.seed = 43;
    EXPECT_NE(train(data, config).loss_history, a.loss_history);
  }
}

TEST(Trainer, EveryOptimizerLearnsSeparableData) {
  const auto data = separable_splits(100, 5);
  for (auto kind : {OptimizerKind::gd, OptimizerKind::sgd, OptimizerKind::momentum, OptimizerKind::nesterov,
                    OptimizerKind::adagrad, OptimizerKind::rmsprop, OptimizerKind::adam}) {
    TrainerConfig config;
    config.optimizer.kind = kind;
    config.optimizer.learning_rate = 0.05;
    config.training.batch_size = 30;
    config.training.epochs = 20;
    for (auto loss : {LossKind::svm, LossKind::squared_hinge, LossKind::softmax}) {
      config.loss.kind = loss;
      const auto result = train(data, config);
      EXPECT_EQ(result.status, TrainStatus::completed) << to_string(kind);
      EXPECT_GT(result.train_accuracy, 0.95) << to_string(kind) << " " << to_string(loss);
      EXPECT_LT(result.final_loss, result.loss_history.front()) << to_string(kind) << " " << to_string(loss);
    }
  }
}

TEST(Trainer, RandomLocalSearchImprovesOnItsStart) {
  const auto data = separable_splits(100, 6);
  TrainerConfig config;
  config.optimizer.kind = OptimizerKind::random_local_search;
  config.optimizer.learning_rate = 0.05;  // step size of the random perturbation
  config.training.batch_size = 0;         // whole set: the best loss never goes up
  config.training.epochs = 300;
  const auto result = train(data, config);
  for (std::size_t i = 1; i < result.loss_history.size(); ++i)
    ASSERT_LE(result.loss_history[i], result.loss_history[i - 1]);
  EXPECT_LT(result.loss_history.back(), 0.5 * result.loss_history.front());
  EXPECT_GT(result.train_accuracy, 0.9);
}

TEST(Trainer, ScheduleChangesTheEpochLearningRate) {
  const auto data = random_splits(40, 5, 2, 7);
  TrainerConfig config;
  config.optimizer.learning_rate = 0.1;
  config.schedule = {ScheduleKind::step, 0.5, 1, 0.0};
  config.training.epochs = 3;
  const auto result = train(data, config);
  ASSERT_EQ(result.epochs.size(), 3u);
  EXPECT_DOUBLE_EQ(result.epochs[0].learning_rate, 0.1);
  EXPECT_DOUBLE_EQ(result.epochs[1].learning_rate, 0.05);
  EXPECT_DOUBLE_EQ(result.epochs[2].learning_rate, 0.025);
}

TEST(Trainer, MaxNormKeepsEveryClassVectorInsideTheBall) {
  const auto data = separable_splits(50, 8);
  TrainerConfig config;
  config.regularization = {RegKind::max_norm, 0.0};
  config.regularization.max_norm = 0.5;
  config.optimizer.learning_rate = 1.0;
  const auto result = train(data, config);
  const auto weights = result.W.topRows(result.W.rows() - 1);  // the bias row is not constrained
  for (Eigen::Index c = 0; c < weights.cols(); ++c) EXPECT_LE(weights.col(c).norm(), 0.5f + 1e-5f);
}

TEST(Trainer, RejectsSettingsThatCannotRun) {
  auto data = random_splits(10, 3, 2, 9);
  TrainerConfig config;
  config.training.epochs = 0;
  EXPECT_THROW(train(data, config), std::invalid_argument);
  config.training.epochs = 1;
  data.train = Dataset{};
  EXPECT_THROW(train(data, config), std::invalid_argument);
}

TEST(BatchSampler, ShuffledEpochsVisitEveryExampleOncePerEpoch) {
  BatchSampler sampler(10, 5, Sampling::shuffled_epochs, 1);
  ASSERT_EQ(sampler.steps_per_epoch(), 2u);
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<int> seen(10, 0);
    for (std::size_t s = 0; s < 2; ++s)
      for (auto i : sampler.next()) ++seen[i];
    EXPECT_EQ(seen, std::vector<int>(10, 1));
  }
}

TEST(BatchSampler, WithReplacementDrawsInRangeAndRepeats) {
  BatchSampler sampler(10, 8, Sampling::with_replacement, 2);
  EXPECT_EQ(sampler.steps_per_epoch(), 1u);  // max(1, 10 / 8)
  bool repeated = false;
  for (int s = 0; s < 20; ++s) {
    std::vector<int> seen(10, 0);
    for (auto i : sampler.next()) {
      ASSERT_LT(i, 10u);
      repeated |= ++seen[i] > 1;
    }
  }
  EXPECT_TRUE(repeated);
}

}  // namespace
}  // namespace losslab
