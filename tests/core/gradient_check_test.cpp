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
  return batch_objective(objective, p.X, p.y);
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
    // Entries below the floor (1e-3 max(1, |f|)) are judged against it, i.e. must match to about
    // 1e-9 absolute: with a loss near 1, h = 1e-5 and double rounding, a centered difference
    // resolves ~2e-11 at best (one bias entry here is 1.3e-6, whose plain relative error is 2e-5
    // from rounding alone).
    options.tiny = kGradientCheckFloor;
    const auto report = gradient_check(as_function(objective, p), p.W, options);
    EXPECT_EQ(report.coordinates.size(), static_cast<std::size_t>(p.W.size()));
    EXPECT_LT(report.max_relative_error, kGradientCheckThreshold) << "bias regularized: " << regularize_bias;
    EXPECT_EQ(judge(report), GradientCheckVerdict::pass);
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
  EXPECT_EQ(judge(report), GradientCheckVerdict::fail);
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

TEST(GradientCheck, AnUnpenalizedBiasRowHasNoL1Kink) {
  RowMatrix<double> X(1, 2);
  X << 0.5, 1.0;  // the feature, then the bias trick's 1
  Matrix<double> W(2, 2);
  W << 0.7, -0.4,  //
      1e-8, 0.3;   // the bias row: its first entry within h of 0
  testing::Problem p{X, {1}, W};
  GradientCheckOptions options;
  options.samples = 0;
  for (const bool regularize_bias : {false, true}) {
    Objective<double> objective({LossKind::softmax, 1.0}, {RegKind::l1, 0.1, 1.0, 3.0, regularize_bias}, true);
    const auto report = gradient_check(as_function(objective, p), W, options);
    ASSERT_EQ(report.coordinates.size(), 4u);
    // Every coordinate is checked, in column-major order: (0,0), (1,0), (0,1), (1,1).
    EXPECT_EQ(report.coordinates[1].kink_crossed, regularize_bias);
    EXPECT_EQ(report.kinks_crossed, regularize_bias ? 1u : 0u);
    EXPECT_LT(report.max_relative_error, kGradientCheckThreshold);
  }
}

// The verdict on hand-made pairs of gradient entries: relative errors computed by hand.
TEST(GradientCheckVerdict, PassFailAndKinksOnHandMadeGradients) {
  const auto coordinate = [](double analytic, double numerical, bool kink, double tiny = 1e-12) {
    CoordinateCheck check;
    check.analytic = analytic;
    check.numerical = numerical;
    check.kink_crossed = kink;
    check.relative_error = relative_error(analytic, numerical, tiny);
    return check;
  };
  // |0.5 - 0.5000001| / 0.5000001 = 1.99999960e-7; |-2 - -2.000001| / 2.000001 = 4.99999750e-7; both
  // entries of 1e-6 are below the floor 1e-3, so |1e-6 - 1.000002e-6| / 1e-3 = 2e-9.
  const GradientCheckReport good = summarize_gradient_check({coordinate(0.5, 0.5000001, false),
                                                             coordinate(-2.0, -2.000001, false),
                                                             coordinate(1e-6, 1.000002e-6, false, 1e-3)});
  EXPECT_NEAR(good.coordinates[0].relative_error, 1.99999960e-7, 1e-15);
  EXPECT_NEAR(good.coordinates[1].relative_error, 4.99999750e-7, 1e-15);
  EXPECT_NEAR(good.coordinates[2].relative_error, 2e-9, 1e-15);
  EXPECT_NEAR(good.max_relative_error, 4.99999750e-7, 1e-15);
  EXPECT_NEAR(good.mean_relative_error, (1.99999960e-7 + 4.99999750e-7 + 2e-9) / 3, 1e-15);
  EXPECT_EQ(good.kinks_crossed, 0u);
  EXPECT_EQ(judge(good), GradientCheckVerdict::pass);
  // The same worst error fails a stricter threshold.
  EXPECT_EQ(judge(good, 4e-7), GradientCheckVerdict::fail);

  // A gradient missing its factor 2 (e.g. of lambda W^2): error 1/2, far above the threshold.
  const GradientCheckReport broken = summarize_gradient_check({coordinate(0.3, 0.6, false), coordinate(0.5, 0.5, false)});
  EXPECT_DOUBLE_EQ(broken.max_relative_error, 0.5);
  EXPECT_DOUBLE_EQ(broken.mean_relative_error, 0.25);
  EXPECT_EQ(judge(broken), GradientCheckVerdict::fail);

  // A coordinate on a kink is reported but left out: its error of 1/2 fails nothing.
  const GradientCheckReport kinked =
      summarize_gradient_check({coordinate(1.0, 0.5000001, true), coordinate(0.5, 0.5000001, false)});
  EXPECT_EQ(kinked.kinks_crossed, 1u);
  EXPECT_EQ(kinked.kink_free(), 1u);
  EXPECT_NEAR(kinked.coordinates[0].relative_error, 0.4999999, 1e-12);
  EXPECT_NEAR(kinked.max_relative_error, 1.99999960e-7, 1e-15);
  EXPECT_EQ(judge(kinked), GradientCheckVerdict::pass);
  // Only kinks: nothing was checked.
  EXPECT_EQ(judge(summarize_gradient_check({coordinate(1.0, 0.0, true)})), GradientCheckVerdict::inconclusive);
  // A non-finite analytic entry is the worst error, even after a good one.
  const GradientCheckReport nan = summarize_gradient_check(
      {coordinate(0.5, 0.5, false), coordinate(std::nan(""), 0.5, false), coordinate(0.5, 0.5, false)});
  EXPECT_TRUE(std::isnan(nan.max_relative_error));
  EXPECT_EQ(judge(nan), GradientCheckVerdict::fail);
}

// The floor scales with the loss: at |f| = 40, an entry of 1e-3 is judged against 4e-2.
TEST(GradientCheck, FloorScalesWithTheLoss) {
  // f(W) = 40 + 1e-3 w0, analytic slope off by 1e-7: relative error 1e-7 / (1e-3 x 40) = 2.5e-6
  // (against the unscaled floor it would be 1e-7 / 1e-3 = 1e-4).
  DifferentiableFunction f;
  f.evaluate = [](const Matrix<double>& W, Matrix<double>* grad) {
    if (grad) {
      grad->resize(1, 1);
      (*grad)(0) = 1e-3 + 1e-7;
    }
    return 40 + 1e-3 * W(0);
  };
  Matrix<double> W(1, 1);
  W << 0.5;
  GradientCheckOptions options;
  options.tiny = kGradientCheckFloor;
  const auto report = gradient_check(f, W, options);
  ASSERT_EQ(report.coordinates.size(), 1u);
  // The difference itself is good to about eps x 40 / h = 1e-9, i.e. 2.5e-8 of the floor.
  EXPECT_NEAR(report.max_relative_error, 2.5e-6, 1e-7);
}
}  // namespace
}  // namespace losslab
