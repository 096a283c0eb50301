// Gradient checks of every loss x regularizer, the checker's own behaviour, and kink detection.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <tuple>

#include "losslab/gradient_check.hpp"
#include "losslab/objective.hpp"
#include "support/random_problem.hpp"

namespace losslab {
namespace {

DifferentiableFunction as_function(Objective<double>& objective, const testing::Problem& p) {
  DifferentiableFunction f;
  f.evaluate = [&objective, &p](const Matrix<double>& W, Matrix<double>* grad) {
    return objective.evaluate(p.X, p.y, W, grad);
  };
  f.kink_signature = [&objective, &p](const Matrix<double>& W) {
    return objective.kink_signature(p.X, p.y, W);
  };
  return f;
}

TEST(NumericalGradient, MatchesAHandDerivative) {
  // f(W) = w0^2 + 3 w0 w1 at (1, 2): df/dw0 = 2 w0 + 3 w1 = 8, df/dw1 = 3 w0 = 3.
  auto f = [](const Matrix<double>& W) { return W(0) * W(0) + 3 * W(0) * W(1); };
  Matrix<double> W(2, 1);
  W << 1, 2;
  const auto centered = numerical_gradient(f, W, 1e-5, Difference::centered);
  EXPECT_NEAR(centered(0), 8.0, 1e-8);
  EXPECT_NEAR(centered(1), 3.0, 1e-8);
  // Forward differences carry an O(h) error: (f(w0 + h) - f(w0)) / h = 8 + h.
  const auto forward = numerical_gradient(f, W, 1e-4, Difference::forward);
  EXPECT_NEAR(forward(0), 8.0 + 1e-4, 1e-8);
  EXPECT_NEAR(forward(1), 3.0, 1e-8);
}

TEST(RelativeError, Definition) {
  EXPECT_NEAR(relative_error(1.0, 1.1), 0.1 / 1.1, 1e-15);
  EXPECT_DOUBLE_EQ(relative_error(-2.0, 2.0), 2.0);
  EXPECT_DOUBLE_EQ(relative_error(0.0, 0.0), 0.0);
  // Below the floor the error is measured against the floor: |1e-6 - 2e-6| / 1e-4.
  EXPECT_NEAR(relative_error(1e-6, 2e-6, 1e-4), 1e-2, 1e-15);
}

using LossReg = std::tuple<LossKind, RegKind>;
class GradientCheckAll : public ::testing::TestWithParam<LossReg> {};

TEST_P(GradientCheckAll, RelativeErrorBelow1e6AwayFromKinks) {
  const auto [loss_kind, reg_kind] = GetParam();
  auto p = testing::random_problem(30, 8, 4, 0.5, 3);
  for (bool regularize_bias : {false, true}) {
    RegSpec reg{reg_kind, 0.1, 0.7, 3.0, regularize_bias};
    Objective<double> objective({loss_kind, 1.0}, reg, true);
    GradientCheckOptions options;
    options.samples = 0;  // every coordinate
    // Entries below 1e-4 are judged against 1e-4, i.e. must match to 1e-10 absolute: with a loss
    // near 1, h = 1e-5 and double rounding, a centered difference resolves ~2e-11 at best (one
    // bias entry here is 1.3e-6, whose plain relative error is 2e-5 from rounding alone).
    options.tiny = 1e-4;
    const auto report = gradient_check(as_function(objective, p), p.W, options);
    EXPECT_EQ(report.coordinates.size(), static_cast<std::size_t>(p.W.size()));
    EXPECT_LT(report.max_relative_error, 1e-6) << "bias regularized: " << regularize_bias;
    // Almost all coordinates must be usable, or the check proves nothing.
    EXPECT_LT(report.kinks_crossed, report.coordinates.size() / 4);
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryLossTimesRegularizer, GradientCheckAll,
    ::testing::Combine(::testing::Values(LossKind::svm, LossKind::squared_hinge, LossKind::softmax),
                       ::testing::Values(RegKind::none, RegKind::l2, RegKind::l1, RegKind::elastic_net,
                                         RegKind::max_norm)),
    [](const auto& info) {
      return to_string(std::get<0>(info.param)) + "_" + to_string(std::get<1>(info.param));
    });

TEST(GradientCheck, CatchesAWrongGradient) {
  auto p = testing::random_problem(30, 8, 4, 0.5, 5);
  Objective<double> objective({LossKind::softmax, 1.0}, {RegKind::l2, 0.1}, true);
  DifferentiableFunction f = as_function(objective, p);
  auto correct = f.evaluate;
  // A gradient off by 1% (a typical forgotten factor) must show up far above 1e-6.
  f.evaluate = [correct](const Matrix<double>& W, Matrix<double>* grad) {
    const double value = correct(W, grad);
    if (grad) *grad *= 1.01;
    return value;
  };
  const auto report = gradient_check(f, p.W, {});
  EXPECT_GT(report.max_relative_error, 1e-3);
}

TEST(GradientCheck, ForwardDifferencesAreLessAccurateThanCentered) {
  auto p = testing::random_problem(30, 8, 4, 0.5, 9);
  Objective<double> objective({LossKind::softmax, 1.0}, {RegKind::l2, 0.1}, true);
  GradientCheckOptions centered;
  centered.samples = 0;
  GradientCheckOptions forward = centered;
  forward.difference = Difference::forward;
  const auto f = as_function(objective, p);
  const double centered_error = gradient_check(f, p.W, centered).max_relative_error;
  const double forward_error = gradient_check(f, p.W, forward).max_relative_error;
  EXPECT_GT(forward_error, 10 * centered_error);
  EXPECT_LT(forward_error, 1e-2);
}

TEST(GradientCheck, SamplesTheRequestedNumberOfDistinctCoordinates) {
  auto p = testing::random_problem(10, 8, 4, 0.5, 1);
  Objective<double> objective({LossKind::softmax, 1.0}, {RegKind::none, 0.0}, true);
  GradientCheckOptions options;
  options.samples = 7;
  const auto report = gradient_check(as_function(objective, p), p.W, options);
  ASSERT_EQ(report.coordinates.size(), 7u);
  std::set<std::pair<Eigen::Index, Eigen::Index>> seen;
  for (const auto& c : report.coordinates) seen.insert({c.row, c.col});
  EXPECT_EQ(seen.size(), 7u);
}

TEST(GradientCheck, FlagsACrossedHingeKink) {
  // One example, two classes, W chosen so that the SVM margin s_1 - s_0 + 1 is 1e-7: moving
  // W(0, 1) by +-h = 1e-5 switches the hinge on and off.
  RowMatrix<double> X(1, 2);
  X << 1.0, 1.0;
  std::vector<std::int32_t> y{0};
  Matrix<double> W(2, 2);
  W << 1.0, 0.0,  //
      0.0, 1e-7;  // s_0 = 1, s_1 = 1e-7, margin = 1e-7 - 1 + 1 = 1e-7
  Objective<double> objective({LossKind::svm, 1.0}, {RegKind::none, 0.0}, false);
  testing::Problem p{X, y, W};
  GradientCheckOptions options;
  options.samples = 0;
  const auto report = gradient_check(as_function(objective, p), W, options);
  EXPECT_EQ(report.kinks_crossed, 4u);  // every coordinate moves s_1 - s_0 across the kink
  for (const auto& c : report.coordinates) {
    EXPECT_TRUE(c.kink_crossed);
    // Half-way across a kink the numerical slope is about half the one-sided slope.
    EXPECT_GT(c.relative_error, 0.1);
  }
  EXPECT_EQ(report.max_relative_error, 0.0);  // no kink-free coordinate to report on
}

TEST(GradientCheck, FlagsL1SignChangeAsKink) {
  RowMatrix<double> X(1, 1);
  X << 1.0;
  Matrix<double> W(1, 2);
  W << 1e-8, 1.0;
  Objective<double> objective({LossKind::softmax, 1.0}, {RegKind::l1, 1.0}, false);
  testing::Problem p{X, {0}, W};
  GradientCheckOptions options;
  options.samples = 0;
  const auto report = gradient_check(as_function(objective, p), W, options);
  ASSERT_EQ(report.coordinates.size(), 2u);
  EXPECT_TRUE(report.coordinates[0].kink_crossed || report.coordinates[1].kink_crossed);
  EXPECT_EQ(report.kinks_crossed, 1u);
  EXPECT_LT(report.max_relative_error, 1e-6);
}

}  // namespace
}  // namespace losslab
