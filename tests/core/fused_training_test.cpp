// Fused training (several trials stacked into one GEMM per step) must give what separate runs
// give: the same loss histories (to float rounding) and accuracies.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <thread>

#include "losslab/batch_sampler.hpp"
#include "losslab/loaders.hpp"
#include "losslab/model.hpp"
#include "losslab/objective.hpp"
#include "losslab/spare_threads.hpp"
#include "losslab/splits.hpp"
#include "losslab/trainer.hpp"
#include "support/identical_results.hpp"
#include "../core/src/slice_products.hpp"

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

// Where losslab's own kernels compute a step's products (core/README.md, Products), an entry of
// the scores and of the gradient does not depend on the other trials' columns, and the update
// rules' element-wise arithmetic does not depend on where a trial's columns lie (Eigen's fast
// square root, which did, is off): a fused trial trains exactly as it does alone. Adam, RMSprop
// and Adagrad are the rules with a square root.
TEST(FusedTraining, BitForBitAsAloneWhereLosslabsKernelsComputeTheProducts) {
  const auto& data = fashion_subset();
  if (!detail::own_slice_kernels(static_cast<Eigen::Index>(data.train.dimension())))
    GTEST_SKIP() << "this build computes the products with Eigen/OpenBLAS (no AVX2 + FMA)";
  auto configs = varied_configs();
  for (const OptimizerKind kind : {OptimizerKind::rmsprop, OptimizerKind::adagrad}) {
    configs.push_back(configs[4]);
    configs.back().optimizer.kind = kind;
  }
  const auto fused = train_fused(data, configs);
  ASSERT_EQ(fused.size(), configs.size());
  for (std::size_t k = 0; k < configs.size(); ++k) {
    SCOPED_TRACE("trial " + std::to_string(k));
    testing::expect_identical(fused[k], train(data, configs[k]));
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
  for (auto change : {0, 1, 2, 3, 4, 5}) {
    TrainerConfig c = a;
    if (change == 5) c.training.epoch_train_accuracy = TrainAccuracy::sample;
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

using testing::expect_identical;

TEST(ParallelSteps, AnyNumberOfThreadsGivesTheSameBits) {
  // A step's batch is cut into slices by its size alone (200 or 250 rows: 2 slices; 1000: 8; the
  // whole 5000-example set for gd: 8), so 1, 2 or 3 threads must agree bit for bit, fused or
  // alone. Batch 200 alone: two slices of 100 rows of one trial's 10 scores are small enough for
  // OpenBLAS's small-product kernels, which round differently from its usual ones, so a product
  // over the whole batch on one thread would not give the bits of the slices' products.
  const auto& data = fashion_subset();
  for (std::size_t batch : {200u, 250u, 1000u, 0u}) {
    SCOPED_TRACE("batch size " + std::to_string(batch));
    auto configs = varied_configs();
    for (auto& config : configs) {
      config.training.batch_size = batch;
      config.training.epochs = 2;
      if (batch == 0) config.optimizer.kind = OptimizerKind::gd;
    }
    if (batch == 0) configs.resize(2);  // gd replaces every update rule: two trials suffice
    const auto one = train_fused(data, configs, {}, 1);
    for (unsigned threads : {2u, 3u}) {
      SCOPED_TRACE(std::to_string(threads) + " threads");
      const auto many = train_fused(data, configs, {}, threads);
      ASSERT_EQ(many.size(), one.size());
      for (std::size_t k = 0; k < one.size(); ++k) expect_identical(many[k], one[k]);
    }
    expect_identical(train(data, configs.front(), {}, 2), train(data, configs.front(), {}, 1));
  }
}

TEST(ParallelSteps, SpareThreadsThatJoinAGroupGiveTheSameBits) {
  // A sweep's worker with no group left joins one still training, part way through: the group's
  // results must be those it gets alone, bit for bit.
  const auto& data = fashion_subset();
  auto configs = varied_configs();
  for (auto& config : configs) config.training.epochs = 2;
  const auto alone = train_fused(data, configs, {}, 1);
  SpareThreads spares(1);
  std::atomic<bool> trained{false};
  std::size_t helped = 0;
  std::thread spare([&] {
    while (!trained.load() && helped == 0) {
      helped += spares.help();
      std::this_thread::yield();
    }
  });
  const auto joined = train_fused(data, configs, {}, 1, &spares);
  trained = true;
  spare.join();
  EXPECT_EQ(helped, 1u) << "the spare thread never joined the group";
  ASSERT_EQ(joined.size(), alone.size());
  for (std::size_t k = 0; k < alone.size(); ++k) expect_identical(joined[k], alone[k]);
  EXPECT_EQ(spares.help(), 0u);  // nothing trains any more: returns at once
}

TEST(ParallelSteps, RunningTrainAccuracyCountsEachStepsBatchBeforeItsUpdate) {
  // With learning rate 0 the weights never move, so the running accuracy of an epoch must be
  // the share of that epoch's minibatch rows the initial weights classify right. The batches
  // are drawn here again from the sampler's own stream (derive_seed(seed, 1), the trainer's
  // batch stream), and the hits counted with predict().
  const auto& data = fashion_subset();
  TrainerConfig config = base_config();
  config.training.batch_size = 250;
  config.optimizer.learning_rate = 0.0;
  const TrainResult result = train(data, config, {}, 2);
  ASSERT_EQ(result.epochs.size(), 3u);
  BatchSampler sampler(data.train.size(), 250, config.training.sampling, derive_seed(config.training.seed, 1));
  for (std::size_t epoch = 0; epoch < 3; ++epoch) {
    std::size_t correct = 0, seen = 0;
    for (std::size_t step = 0; step < sampler.steps_per_epoch(); ++step) {
      const auto indices = sampler.next();
      RowMatrix<float> X(static_cast<Eigen::Index>(indices.size()), data.train.X.cols());
      for (std::size_t i = 0; i < indices.size(); ++i)
        X.row(static_cast<Eigen::Index>(i)) = data.train.X.row(static_cast<Eigen::Index>(indices[i]));
      const Labels predicted = predict<float>(X, result.W);
      for (std::size_t i = 0; i < indices.size(); ++i) correct += predicted[i] == data.train.y[indices[i]];
      seen += indices.size();
    }
    EXPECT_EQ(result.epochs[epoch].train_accuracy, static_cast<double>(correct) / static_cast<double>(seen))
        << "epoch " << epoch + 1;
  }
  // A frozen random W is near chance on 10 classes, far from a trained model's 0.8.
  EXPECT_LT(result.epochs.front().train_accuracy, 0.3);
}

TEST(ParallelSteps, SampleTrainAccuracyEvaluatesTheFirstExamplesAtEpochEnd) {
  const auto& data = fashion_subset();
  TrainerConfig config = base_config();
  config.training.epoch_train_accuracy = TrainAccuracy::sample;
  config.training.eval_train_limit = 700;
  config.training.epochs = 2;
  const TrainResult result = train(data, config, {}, 2);
  // The last epoch's weights are the final W: its sample accuracy is theirs on rows 0..699.
  const double expected =
      accuracy<float>(data.train.X.topRows(700), std::span(data.train.y.data(), 700), result.W);
  EXPECT_EQ(result.epochs.back().train_accuracy, expected);
  EXPECT_EQ(result.val_accuracy, result.epochs.back().val_accuracy);
  EXPECT_EQ(result.val_accuracy, accuracy<float>(data.val.X, data.val.y, result.W));
}

}  // namespace
}  // namespace losslab
