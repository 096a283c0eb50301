// Resuming: a run continued from the result of the same trial trained for fewer epochs (the
// ground successive halving builds on) must be the run trained straight through, bit for bit,
// for every update rule, sampling and group of fused trials; and what cannot be continued is refused.
#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>

#include "losslab/loaders.hpp"
#include "losslab/splits.hpp"
#include "losslab/trainer.hpp"
#include "losslab/update_rules.hpp"
#include "support/identical_results.hpp"

namespace losslab {
namespace {

// Four overlapping blobs in 10-D, standardized, with the bias trick: 300 training and 100
// validation examples, so a run neither converges nor stalls within a few epochs.
const Splits& blobs() {
  static const Splits splits = [] {
    const Dataset data = make_blobs({.classes = 4, .dimension = 10, .per_class = 100, .spread = 4.0, .seed = 3});
    return prepare_splits(TrainTest{data, data}, 100, 0, {PreprocessStep::standardize, PreprocessStep::bias}, 5);
  }();
  return splits;
}

TrainerConfig config_of(OptimizerKind kind, Sampling sampling, ScheduleKind schedule) {
  TrainerConfig c;
  c.loss.kind = LossKind::softmax;
  c.regularization = {RegKind::l2, 1e-3};
  c.optimizer.kind = kind;
  c.optimizer.learning_rate = kind == OptimizerKind::adam || kind == OptimizerKind::rmsprop ? 1e-2 : 5e-2;
  // Step changes the rate at epochs 2 and 4: at the first resume point and after it.
  c.schedule = {schedule, 0.5, 2, 0.3};
  c.training.batch_size = 40;
  c.training.sampling = sampling;
  c.training.seed = 11;
  c.training.epochs = 5;
  return c;
}

TrainerConfig with_epochs(TrainerConfig config, int epochs) {
  config.training.epochs = epochs;
  return config;
}

bool same_bits(const Matrix<float>& a, const Matrix<float>& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

// Everything but the wall times.
void expect_same_run(const TrainResult& resumed, const TrainResult& straight) {
  testing::expect_identical(resumed, straight);
  EXPECT_TRUE(same_bits(resumed.W, straight.W)) << "weights differ";
  EXPECT_EQ(resumed.steps_per_epoch, straight.steps_per_epoch);
  EXPECT_PRED2(testing::same_value, resumed.final_loss, straight.final_loss);
  ASSERT_EQ(resumed.epochs.size(), straight.epochs.size());
  for (std::size_t e = 0; e < resumed.epochs.size(); ++e) {
    EXPECT_EQ(resumed.epochs[e].epoch, straight.epochs[e].epoch);
    EXPECT_EQ(resumed.epochs[e].learning_rate, straight.epochs[e].learning_rate) << "epoch " << e;
  }
  EXPECT_EQ(resumed.optimizer_steps, straight.optimizer_steps);
  ASSERT_EQ(resumed.optimizer_state.size(), straight.optimizer_state.size());
  for (std::size_t i = 0; i < resumed.optimizer_state.size(); ++i)
    EXPECT_TRUE(same_bits(resumed.optimizer_state[i], straight.optimizer_state[i])) << "optimizer state " << i;
}

std::vector<const TrainResult*> pointers(const std::vector<TrainResult>& results) {
  std::vector<const TrainResult*> out;
  for (const auto& r : results) out.push_back(&r);
  return out;
}

std::size_t state_matrices(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::momentum:
    case OptimizerKind::nesterov:
    case OptimizerKind::adagrad:
    case OptimizerKind::rmsprop: return 1;
    case OptimizerKind::adam: return 2;
    default: return 0;
  }
}

class ResumeEveryOptimizer : public ::testing::TestWithParam<OptimizerKind> {};

TEST_P(ResumeEveryOptimizer, TwoEpochsThenFiveEqualFiveStraight) {
  const auto& data = blobs();
  for (auto sampling : {Sampling::with_replacement, Sampling::shuffled_epochs}) {
    for (auto schedule : {ScheduleKind::step, ScheduleKind::exponential}) {
      SCOPED_TRACE(to_string(sampling) + ", " + to_string(schedule));
      const auto config = config_of(GetParam(), sampling, schedule);
      const auto straight = train(data, config);
      const auto first = train(data, with_epochs(config, 2));
      ASSERT_EQ(first.status, TrainStatus::completed);
      EXPECT_EQ(first.optimizer_state.size(), state_matrices(GetParam()));
      EXPECT_EQ(first.optimizer_steps, uses_gradient(GetParam())
                                           ? static_cast<std::int64_t>(first.loss_history.size())
                                           : 0);
      const auto resumed = train(data, config, {}, 1, &first);
      EXPECT_EQ(resumed.status, TrainStatus::completed);
      expect_same_run(resumed, straight);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, ResumeEveryOptimizer,
    ::testing::Values(OptimizerKind::gd, OptimizerKind::sgd, OptimizerKind::momentum, OptimizerKind::nesterov,
                      OptimizerKind::adagrad, OptimizerKind::rmsprop, OptimizerKind::adam,
                      OptimizerKind::random_search, OptimizerKind::random_local_search),
    [](const ::testing::TestParamInfo<OptimizerKind>& info) { return to_string(info.param); });

// Three trials of one minibatch sequence with different rules, rates and losses.
std::vector<TrainerConfig> group_of_three(Sampling sampling, int epochs) {
  std::vector<TrainerConfig> configs{config_of(OptimizerKind::sgd, sampling, ScheduleKind::step),
                                     config_of(OptimizerKind::momentum, sampling, ScheduleKind::exponential),
                                     config_of(OptimizerKind::adam, sampling, ScheduleKind::step)};
  configs[1].optimizer.learning_rate = 2e-2;
  configs[1].loss.kind = LossKind::svm;
  configs[2].optimizer.learning_rate = 3e-3;
  for (auto& c : configs) c.training.epochs = epochs;
  return configs;
}

TEST(ResumeTraining, AFusedGroupResumedAsTheSameGroupEqualsItsStraightRun) {
  const auto& data = blobs();
  for (auto sampling : {Sampling::with_replacement, Sampling::shuffled_epochs}) {
    SCOPED_TRACE(to_string(sampling));
    const auto straight = train_fused(data, group_of_three(sampling, 5));
    const auto first = train_fused(data, group_of_three(sampling, 2));
    const auto resumed = train_fused(data, group_of_three(sampling, 5), {}, 1, nullptr, pointers(first));
    ASSERT_EQ(resumed.size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) {
      SCOPED_TRACE("trial " + std::to_string(k));
      expect_same_run(resumed[k], straight[k]);
    }
  }
}

TEST(ResumeTraining, AChainOfRungsEqualsTheStraightRun) {
  // Successive halving with eta = 3: 1 epoch, then on to 3, then on to 9.
  const auto& data = blobs();
  const auto straight = train_fused(data, group_of_three(Sampling::shuffled_epochs, 9));
  const auto rung1 = train_fused(data, group_of_three(Sampling::shuffled_epochs, 1));
  const auto rung3 = train_fused(data, group_of_three(Sampling::shuffled_epochs, 3), {}, 1, nullptr, pointers(rung1));
  const auto rung9 = train_fused(data, group_of_three(Sampling::shuffled_epochs, 9), {}, 1, nullptr, pointers(rung3));
  for (std::size_t k = 0; k < 3; ++k) {
    SCOPED_TRACE("trial " + std::to_string(k));
    expect_same_run(rung9[k], straight[k]);
  }
  // And a trial on its own, through train().
  const auto config = with_epochs(config_of(OptimizerKind::nesterov, Sampling::with_replacement, ScheduleKind::step), 9);
  const auto one = train(data, with_epochs(config, 1));
  const auto three = train(data, with_epochs(config, 3), {}, 1, &one);
  expect_same_run(train(data, config, {}, 1, &three), train(data, config));
}

TEST(ResumeTraining, ARunStoppedAtAnEpochEndGoesOnAsTheStraightRun) {
  const auto& data = blobs();
  const auto config = config_of(OptimizerKind::adam, Sampling::shuffled_epochs, ScheduleKind::step);
  TrainCallbacks stop_after_two;
  stop_after_two.on_epoch_end = [](const EpochMetrics& metrics) { return metrics.epoch == 2; };
  const auto stopped = train(data, config, stop_after_two);
  ASSERT_EQ(stopped.status, TrainStatus::stopped);
  const auto resumed = train(data, config, {}, 1, &stopped);
  EXPECT_EQ(resumed.status, TrainStatus::completed);
  EXPECT_TRUE(resumed.message.empty());
  expect_same_run(resumed, train(data, config));
}

TEST(ResumeTraining, CallbacksSeeTheStepsEpochsAndRatesOfTheStraightRun) {
  const auto& data = blobs();
  const auto config = config_of(OptimizerKind::momentum, Sampling::with_replacement, ScheduleKind::step);
  struct Seen {
    std::vector<std::int64_t> steps;
    std::vector<int> step_epochs, epochs;
    std::vector<double> rates;
  };
  auto record = [](Seen& seen) {
    TrainCallbacks callbacks;
    callbacks.on_step = [&seen](const StepInfo& info) {
      seen.steps.push_back(info.step);
      seen.step_epochs.push_back(info.epoch);
      seen.rates.push_back(info.learning_rate);
      return false;
    };
    callbacks.on_epoch_end = [&seen](const EpochMetrics& metrics) {
      seen.epochs.push_back(metrics.epoch);
      return false;
    };
    return callbacks;
  };
  Seen straight, resumed;
  train(data, config, record(straight));
  const auto first = train(data, with_epochs(config, 2));
  train(data, config, record(resumed), 1, &first);
  const auto skipped = static_cast<std::ptrdiff_t>(2 * first.steps_per_epoch);
  EXPECT_EQ(resumed.steps, std::vector<std::int64_t>(straight.steps.begin() + skipped, straight.steps.end()));
  EXPECT_EQ(resumed.step_epochs, std::vector<int>(straight.step_epochs.begin() + skipped, straight.step_epochs.end()));
  EXPECT_EQ(resumed.rates, std::vector<double>(straight.rates.begin() + skipped, straight.rates.end()));
  EXPECT_EQ(resumed.epochs, (std::vector<int>{3, 4, 5}));
}

TEST(ResumeTraining, RefusesWhatCannotBeContinued) {
  const auto& data = blobs();
  const auto config = config_of(OptimizerKind::adam, Sampling::shuffled_epochs, ScheduleKind::constant);
  const auto two = train(data, with_epochs(config, 2));
  // As many epochs done as the target, or more.
  EXPECT_THROW(train(data, with_epochs(config, 2), {}, 1, &two), std::invalid_argument);
  EXPECT_THROW(train(data, with_epochs(config, 1), {}, 1, &two), std::invalid_argument);
  // Weights of another shape.
  auto other_shape = two;
  other_shape.W = Matrix<float>::Zero(two.W.rows() + 1, two.W.cols());
  EXPECT_THROW(train(data, config, {}, 1, &other_shape), std::invalid_argument);
  // The state of another update rule: momentum keeps one matrix, Adam two.
  auto momentum = config;
  momentum.optimizer.kind = OptimizerKind::momentum;
  EXPECT_THROW(train(data, momentum, {}, 1, &two), std::invalid_argument);
  // Another minibatch sequence (another batch size gives another number of steps per epoch).
  auto other_batch = config;
  other_batch.training.batch_size = 20;
  EXPECT_THROW(train(data, other_batch, {}, 1, &two), std::invalid_argument);
  // Stopped within an epoch.
  TrainCallbacks stop_mid_epoch;
  stop_mid_epoch.on_step = [](const StepInfo& info) { return info.step == 3; };
  const auto cut = train(data, config, stop_mid_epoch);
  ASSERT_EQ(cut.status, TrainStatus::stopped);
  EXPECT_THROW(train(data, config, {}, 1, &cut), std::invalid_argument);
  // Diverged.
  auto diverged = two;
  diverged.status = TrainStatus::diverged;
  EXPECT_THROW(train(data, config, {}, 1, &diverged), std::invalid_argument);
  // A group: one result per config, all at the same epoch.
  const auto group = group_of_three(Sampling::shuffled_epochs, 5);
  const auto first = train_fused(data, group_of_three(Sampling::shuffled_epochs, 2));
  auto short_list = pointers(first);
  short_list.pop_back();
  EXPECT_THROW(train_fused(data, group, {}, 1, nullptr, short_list), std::invalid_argument);
  const auto one_epoch = train_fused(data, group_of_three(Sampling::shuffled_epochs, 1));
  EXPECT_THROW(train_fused(data, group, {}, 1, nullptr, {&first[0], &first[1], &one_epoch[2]}),
               std::invalid_argument);
  EXPECT_THROW(train_fused(data, group, {}, 1, nullptr, {&first[0], nullptr, &first[2]}), std::invalid_argument);
}

TEST(UpdateRuleState, RestoredRuleTakesTheSameStepsAsTheOriginal) {
  for (auto kind : {OptimizerKind::sgd, OptimizerKind::momentum, OptimizerKind::nesterov, OptimizerKind::adagrad,
                    OptimizerKind::rmsprop, OptimizerKind::adam}) {
    SCOPED_TRACE(to_string(kind));
    OptimizerSpec spec;
    spec.kind = kind;
    Matrix<double> W(2, 1), dW(2, 1);
    W << 1, -2;
    dW << 0.5, -0.1;
    auto original = make_update_rule<double>(spec);
    original->reset(2, 1);
    for (int i = 0; i < 3; ++i) original->step(W, dW * (i + 1), 0.1);
    EXPECT_EQ(original->steps(), 3);
    EXPECT_EQ(original->state().size(), state_matrices(kind));
    auto restored = make_update_rule<double>(spec);
    restored->reset(2, 1);
    restored->restore(original->state(), original->steps());
    Matrix<double> W_restored = W;
    original->step(W, -dW, 0.1);
    restored->step(W_restored, -dW, 0.1);
    EXPECT_EQ(W, W_restored);
    EXPECT_EQ(restored->steps(), 4);
  }
}

TEST(UpdateRuleState, RestoreRefusesAnotherCountOrShape) {
  OptimizerSpec spec;
  spec.kind = OptimizerKind::adam;
  auto rule = make_update_rule<double>(spec);
  rule->reset(2, 3);
  EXPECT_THROW(rule->restore({Matrix<double>::Zero(2, 3)}, 1), std::invalid_argument);
  EXPECT_THROW(rule->restore({Matrix<double>::Zero(2, 3), Matrix<double>::Zero(3, 2)}, 1), std::invalid_argument);
  EXPECT_THROW(rule->restore({Matrix<double>::Zero(2, 3), Matrix<double>::Zero(2, 3)}, -1), std::invalid_argument);
  EXPECT_NO_THROW(rule->restore({Matrix<double>::Zero(2, 3), Matrix<double>::Zero(2, 3)}, 1));
  spec.kind = OptimizerKind::sgd;
  auto sgd = make_update_rule<double>(spec);
  sgd->reset(2, 3);
  EXPECT_THROW(sgd->restore({Matrix<double>::Zero(2, 3)}, 1), std::invalid_argument);
}

}  // namespace
}  // namespace losslab
