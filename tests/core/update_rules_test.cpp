// Each update rule against its formula worked by hand, schedules, and the ill-conditioned
// quadratic where momentum-type methods must beat vanilla SGD.
#include <gtest/gtest.h>

#include <cmath>

#include "losslab/update_rules.hpp"

namespace losslab {
namespace {

Matrix<double> vec(double a, double b) {
  Matrix<double> m(2, 1);
  m << a, b;
  return m;
}

OptimizerSpec spec_of(OptimizerKind kind) {
  OptimizerSpec spec;
  spec.kind = kind;
  return spec;
}

// Two steps of a rule from W = (1, -2) with gradients g1 = (0.5, -0.1) then g2 = (0.2, 0.4), lr 0.1.
Matrix<double> two_steps(const OptimizerSpec& spec) {
  auto rule = make_update_rule<double>(spec);
  Matrix<double> W = vec(1, -2);
  rule->reset(2, 1);
  rule->step(W, vec(0.5, -0.1), 0.1);
  rule->step(W, vec(0.2, 0.4), 0.1);
  return W;
}

TEST(UpdateRule, Sgd) {
  // W - 0.1 g1 - 0.1 g2 = (1 - 0.05 - 0.02, -2 + 0.01 - 0.04)
  const auto W = two_steps(spec_of(OptimizerKind::sgd));
  EXPECT_NEAR(W(0), 0.93, 1e-15);
  EXPECT_NEAR(W(1), -2.03, 1e-15);
}

TEST(UpdateRule, Momentum) {
  // mu 0.9: v1 = -0.1 g1 = (-0.05, 0.01); W1 = (0.95, -1.99)
  // v2 = 0.9 v1 - 0.1 g2 = (-0.045 - 0.02, 0.009 - 0.04) = (-0.065, -0.031); W2 = (0.885, -2.021)
  const auto W = two_steps(spec_of(OptimizerKind::momentum));
  EXPECT_NEAR(W(0), 0.885, 1e-15);
  EXPECT_NEAR(W(1), -2.021, 1e-15);
}

TEST(UpdateRule, Nesterov) {
  // W += -mu v_prev + (1 + mu) v.
  // Step 1: v = (-0.05, 0.01); W = (1, -2) + 1.9 v = (0.905, -1.981)
  // Step 2: v = (-0.065, -0.031); W = (0.905, -1.981) - 0.9 (-0.05, 0.01) + 1.9 (-0.065, -0.031)
  //       = (0.905 + 0.045 - 0.1235, -1.981 - 0.009 - 0.0589) = (0.8265, -2.0489)
  const auto W = two_steps(spec_of(OptimizerKind::nesterov));
  EXPECT_NEAR(W(0), 0.8265, 1e-12);
  EXPECT_NEAR(W(1), -2.0489, 1e-12);
}

TEST(UpdateRule, Adagrad) {
  // cache1 = (0.25, 0.01): W1 = (1 - 0.1 * 0.5 / 0.5, -2 + 0.1 * 0.1 / 0.1) = (0.9, -1.9)
  // cache2 = (0.29, 0.17): W2 = (0.9 - 0.02 / sqrt(0.29), -1.9 - 0.04 / sqrt(0.17))
  auto spec = spec_of(OptimizerKind::adagrad);
  spec.epsilon = 0;
  const auto W = two_steps(spec);
  EXPECT_NEAR(W(0), 0.9 - 0.02 / std::sqrt(0.29), 1e-12);
  EXPECT_NEAR(W(1), -1.9 - 0.04 / std::sqrt(0.17), 1e-12);
}

TEST(UpdateRule, RmsProp) {
  // decay 0.9: cache1 = 0.1 g1^2 = (0.025, 0.001): W1 = (1 - 0.05 / sqrt(0.025), -2 + 0.01 / sqrt(0.001))
  // cache2 = 0.9 cache1 + 0.1 g2^2 = (0.0265, 0.0169)
  auto spec = spec_of(OptimizerKind::rmsprop);
  spec.decay_rate = 0.9;
  spec.epsilon = 0;
  const auto W = two_steps(spec);
  EXPECT_NEAR(W(0), 1 - 0.05 / std::sqrt(0.025) - 0.02 / std::sqrt(0.0265), 1e-12);
  EXPECT_NEAR(W(1), -2 + 0.01 / std::sqrt(0.001) - 0.04 / std::sqrt(0.0169), 1e-12);
}

TEST(UpdateRule, Adam) {
  // Step 1 with bias correction: m_hat = g1, v_hat = g1^2 -> W moves by lr * sign(g1):
  //   W1 = (0.9, -1.9).
  // Step 2: m = 0.9 * 0.1 g1 + 0.1 g2 = (0.045 + 0.02, -0.009 + 0.04) = (0.065, 0.031)
  //         v = 0.999 * 0.001 g1^2 + 0.001 g2^2 = (0.00024975 + 0.00004, 0.00000999 + 0.00016)
  //         m_hat = m / (1 - 0.81) = m / 0.19, v_hat = v / (1 - 0.998001) = v / 0.001999
  auto spec = spec_of(OptimizerKind::adam);
  spec.epsilon = 0;
  const auto W = two_steps(spec);
  const double m0 = 0.065 / 0.19, v0 = 0.00028975 / 0.001999;
  const double m1 = 0.031 / 0.19, v1 = 0.00016999 / 0.001999;
  EXPECT_NEAR(W(0), 0.9 - 0.1 * m0 / std::sqrt(v0), 1e-12);
  EXPECT_NEAR(W(1), -1.9 - 0.1 * m1 / std::sqrt(v1), 1e-12);
}

TEST(UpdateRule, ResetClearsState) {
  auto rule = make_update_rule<double>(spec_of(OptimizerKind::momentum));
  Matrix<double> W = vec(1, -2);
  rule->reset(2, 1);
  rule->step(W, vec(0.5, -0.1), 0.1);
  rule->reset(2, 1);
  W = vec(1, -2);
  rule->step(W, vec(0.5, -0.1), 0.1);  // without velocity: a plain SGD step
  EXPECT_NEAR(W(0), 0.95, 1e-15);
}

TEST(UpdateRule, RandomSearchHasNoUpdateRule) {
  EXPECT_THROW(make_update_rule<double>(spec_of(OptimizerKind::random_search)), std::invalid_argument);
}

// f(w) = 0.5 (w0^2 + 100 w1^2): condition number 100, gradient (w0, 100 w1).
double quadratic_after(const OptimizerSpec& spec, double lr, int steps) {
  auto rule = make_update_rule<double>(spec);
  Matrix<double> W = vec(1, 1);
  rule->reset(2, 1);
  for (int i = 0; i < steps; ++i) rule->step(W, vec(W(0), 100 * W(1)), lr);
  return 0.5 * (W(0) * W(0) + 100 * W(1) * W(1));
}

TEST(IllConditionedQuadratic, MomentumNesterovAndAdamBeatSgd) {
  // SGD must keep lr < 2 / 100 to stay stable on the stiff direction; along the flat one it then
  // crawls: after 100 steps w0 = (1 - 0.01)^100 = 0.37. (Nesterov with mu = 0.9 is only stable
  // for lr * 100 < 3.8 / 2.8, so lr = 0.015 would diverge it; 0.01 is inside every method's range.)
  const int steps = 100;
  const double lr = 0.01;
  const double sgd = quadratic_after(spec_of(OptimizerKind::sgd), lr, steps);
  EXPECT_NEAR(sgd, 0.5 * std::pow(1 - lr, 2 * steps), 1e-9);
  const double momentum = quadratic_after(spec_of(OptimizerKind::momentum), lr, steps);
  const double nesterov = quadratic_after(spec_of(OptimizerKind::nesterov), lr, steps);
  const double adam = quadratic_after(spec_of(OptimizerKind::adam), 0.1, steps);
  EXPECT_LT(momentum, sgd / 10);
  EXPECT_LT(nesterov, sgd / 10);
  EXPECT_LT(adam, sgd / 10);
}

TEST(Schedule, ValuesByHand) {
  ScheduleSpec step{ScheduleKind::step, 0.5, 2, 0.0};
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(0.1, step, 0), 0.1);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(0.1, step, 1), 0.1);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(0.1, step, 2), 0.05);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(0.1, step, 5), 0.025);
  ScheduleSpec exponential{ScheduleKind::exponential, 0.0, 1, 0.5};
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(0.1, exponential, 2), 0.1 * std::exp(-1.0));
  ScheduleSpec inverse{ScheduleKind::inverse_time, 0.0, 1, 0.5};
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(0.1, inverse, 2), 0.05);
  EXPECT_DOUBLE_EQ(scheduled_learning_rate(0.1, ScheduleSpec{}, 7), 0.1);
  EXPECT_THROW(parse_schedule_kind("cosine"), std::invalid_argument);
}

}  // namespace
}  // namespace losslab
