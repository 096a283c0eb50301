// Fused training (several trials stacked into one GEMM per step) must give what separate runs
// give: the same loss histories (to float rounding) and accuracies.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "losslab/loaders.hpp"
#include "losslab/objective.hpp"
#include "losslab/splits.hpp"
#include "losslab/trainer.hpp"

namespace losslab {
namespace {

// A real problem: the first 6000 Fashion-MNIST training images, standardized, with the bias trick.
const Splits& fashion_subset() {
  static const Splits splits = [] {
    auto data = load_mnist_directory(LOSSLAB_FASHION_MNIST_DIR, MnistFlavor::fashion_mnist);
    return prepare_splits(std::move(data), 1000, 6000, {PreprocessStep::standardize, PreprocessStep::bias}, 0);
  }();
  return splits;
}

TrainerConfig base_config() {
  TrainerConfig c;
  c.training.batch_size = 100;
  c.training.epochs = 3;
  c.training.seed = 7;
  return c;
}

// Six trials differing in everything a fused group allows to differ.
std::vector<TrainerConfig> varied_configs() {
  std::vector<TrainerConfig> configs(6, base_config());
  configs[0].loss.kind = LossKind::softmax;
  configs[0].optimizer.learning_rate = 1e-2;
  configs[1].loss.kind = LossKind::svm;
  configs[1].regularization = {RegKind::l2, 1e-2};
  configs[2].loss.kind = LossKind::squared_hinge;
  configs[2].optimizer.learning_rate = 1e-3;
  configs[2].regularization = {RegKind::l1, 1e-4};
  configs[3].optimizer.kind = OptimizerKind::momentum;
  configs[3].optimizer.learning_rate = 1e-3;
  configs[3].schedule = {ScheduleKind::step, 0.5, 1, 0.0};
  configs[4].optimizer.kind = OptimizerKind::adam;
  configs[4].optimizer.learning_rate = 1e-3;
  configs[4].regularization = {RegKind::elastic_net, 1e-4, 0.5};
  configs[5].optimizer.kind = OptimizerKind::nesterov;
  configs[5].regularization = {RegKind::max_norm, 0.0};
  configs[5].regularization.max_norm = 1.0;
  return configs;
}

void expect_close_histories(const std::vector<float>& fused, const std::vector<float>& alone, const char* what) {
  ASSERT_EQ(fused.size(), alone.size()) << what;
  double worst = 0;
  for (std::size_t i = 0; i < fused.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(fused[i]) - alone[i]) / std::max(1e-12, std::abs(double(alone[i]))));
  EXPECT_LT(worst, 1e-5) << what << ": largest relative difference of the loss histories";
}

TEST(FusedTraining, EqualsSeparateRunsForEveryTrial) {
  const auto& data = fashion_subset();
  const auto configs = varied_configs();
  const auto fused = train_fused(data, configs);
  ASSERT_EQ(fused.size(), configs.size());
  for (std::size_t k = 0; k < configs.size(); ++k) {
    SCOPED_TRACE("trial " + std::to_string(k));
    const auto alone = train(data, configs[k]);
    EXPECT_EQ(fused[k].status, alone.status);
    expect_close_histories(fused[k].loss_history, alone.loss_history, "loss history");
    ASSERT_EQ(fused[k].epochs.size(), alone.epochs.size());
    // Accuracies count argmax hits; float rounding may at most flip a near-tie or two.
    EXPECT_NEAR(fused[k].val_accuracy, alone.val_accuracy, 2.0 / 1000);
    EXPECT_NEAR(fused[k].test_accuracy, alone.test_accuracy, 2.0 / 10000);
    EXPECT_LT((fused[k].W - alone.W).cwiseAbs().maxCoeff(), 1e-4f * (1 + alone.W.cwiseAbs().maxCoeff()));
  }
}

TEST(FusedTraining, ADivergingTrialLeavesTheGroupWithoutDisturbingTheOthers) {
  const auto& data = fashion_subset();
  auto configs = varied_configs();
  configs[2].optimizer.learning_rate = 1e30;
  std::vector<int> epochs_seen(configs.size(), 0);
  std::vector<TrainCallbacks> callbacks(configs.size());
  for (std::size_t k = 0; k < configs.size(); ++k)
    callbacks[k].on_epoch_end = [&epochs_seen, k](const EpochMetrics&) {
      ++epochs_seen[k];
      return k == 4 && epochs_seen[k] == 1;  // trial 4 stops itself after one epoch
    };
  const auto fused = train_fused(data, configs, callbacks);
  EXPECT_EQ(fused[2].status, TrainStatus::diverged);
  EXPECT_EQ(fused[2].loss_history.size(), static_cast<std::size_t>(fused[2].diverged_step + 1));
  EXPECT_EQ(fused[4].status, TrainStatus::stopped);
  EXPECT_EQ(fused[4].epochs.size(), 1u);
  EXPECT_EQ(epochs_seen[0], 3);
  for (std::size_t k : {0u, 1u, 3u, 5u}) {
    SCOPED_TRACE("trial " + std::to_string(k));
    EXPECT_EQ(fused[k].status, TrainStatus::completed);
    expect_close_histories(fused[k].loss_history, train(data, configs[k]).loss_history, "loss history");
  }
}

TEST(FusedTraining, OneSgdStepFollowsTheGradientCheckedObjective) {
  // Full-batch gradient descent, one epoch = one step: W1 must be W0 - lr * dL/dW(W0) as the
  // Objective (whose gradient the gradient-check tests verify) computes it.
  const auto& data = fashion_subset();
  TrainerConfig config = base_config();
  config.optimizer.kind = OptimizerKind::gd;
  config.optimizer.learning_rate = 0.5;
  config.regularization = {RegKind::l2, 1e-2};
  config.training.epochs = 1;
  const auto one_step = train(data, config);
  config.optimizer.learning_rate = 0.0;  // the same start, not moved
  const auto start = train(data, config);
  Objective<float> objective(config.loss, config.regularization, data.train.has_bias_column);
  Matrix<float> gradient;
  const float loss = objective.evaluate(data.train.X, data.train.y, start.W, &gradient);
  EXPECT_NEAR(one_step.loss_history.front(), loss, 1e-5f * loss);
  const Matrix<float> expected = start.W - 0.5f * gradient;
  EXPECT_LT((one_step.W - expected).cwiseAbs().maxCoeff(), 1e-5f);
}

TEST(FusedTraining, WhatCanBeFused) {
  const TrainerConfig a = base_config();
  TrainerConfig b = a;
  b.loss.kind = LossKind::svm;
  b.optimizer.kind = OptimizerKind::adam;
  b.optimizer.learning_rate = 0.3;
  EXPECT_TRUE(can_fuse(a, b));
  for (auto change : {0, 1, 2, 3, 4}) {
    TrainerConfig c = a;
    if (change == 0) c.training.seed = 8;
    if (change == 1) c.training.batch_size = 50;
    if (change == 2) c.training.epochs = 4;
    if (change == 3) c.training.sampling = Sampling::shuffled_epochs;
    if (change == 4) c.optimizer.kind = OptimizerKind::random_search;
    EXPECT_FALSE(can_fuse(a, c)) << "change " << change;
  }
  TrainerConfig search = a;
  search.optimizer.kind = OptimizerKind::random_search;
  EXPECT_THROW(train_fused(fashion_subset(), {a, search}), std::invalid_argument);
}

}  // namespace
}  // namespace losslab
