// Regularizers against hand-computed values, and the lecture's points about why they exist.
#include <gtest/gtest.h>

#include "losslab/objective.hpp"
#include "losslab/regularizer.hpp"

namespace losslab {
namespace {

Matrix<double> weights_2x2(double a, double b, double c, double d) {
  Matrix<double> W(2, 2);
  W << a, b, c, d;
  return W;
}

TEST(Penalty, ValuesByHand) {
  const auto W = weights_2x2(1, -2, 3, -4);  // sum W^2 = 30, sum |W| = 10
  EXPECT_DOUBLE_EQ(regularization_penalty<double>({RegKind::l2, 0.5}, W, false), 15.0);
  EXPECT_DOUBLE_EQ(regularization_penalty<double>({RegKind::l1, 0.5}, W, false), 5.0);
  // Elastic net as the lecture writes it: lambda * sum(beta W^2 + |W|) = 0.5 * (0.1 * 30 + 10)
  EXPECT_DOUBLE_EQ(regularization_penalty<double>({RegKind::elastic_net, 0.5, 0.1}, W, false), 6.5);
  EXPECT_DOUBLE_EQ(regularization_penalty<double>({RegKind::none, 0.5}, W, false), 0.0);
  EXPECT_DOUBLE_EQ(regularization_penalty<double>({RegKind::max_norm, 0.5}, W, false), 0.0);
}

TEST(Penalty, BiasRowIsExcludedUnlessAsked) {
  const auto W = weights_2x2(1, -2, 3, -4);  // last row (3, -4) is the bias row
  EXPECT_DOUBLE_EQ(regularization_penalty<double>({RegKind::l2, 1.0}, W, true), 5.0);
  RegSpec with_bias{RegKind::l2, 1.0};
  with_bias.regularize_bias = true;
  EXPECT_DOUBLE_EQ(regularization_penalty<double>(with_bias, W, true), 30.0);
}

TEST(Gradient, ValuesByHand) {
  const auto W = weights_2x2(1, -2, 3, -4);
  Matrix<double> g = Matrix<double>::Zero(2, 2);
  add_regularization_gradient<double>({RegKind::l2, 0.5}, W, true, g);
  // 2 * lambda * W on the first row only (the bias row is not regularized).
  EXPECT_EQ(g, weights_2x2(1, -2, 0, 0));
  g.setZero();
  add_regularization_gradient<double>({RegKind::elastic_net, 0.5, 0.1}, W, false, g);
  // lambda (2 beta W + sign W) = 0.5 (0.2 W + sign W)
  EXPECT_NEAR(g(0, 0), 0.5 * (0.2 + 1), 1e-15);
  EXPECT_NEAR(g(1, 1), 0.5 * (-0.8 - 1), 1e-15);
}

TEST(MaxNorm, ProjectsEachClassColumnButNotTheBias) {
  Matrix<double> W(3, 2);
  W << 3, 0.1,  //
      4, 0.2,   //
      100, 100;  // bias row
  RegSpec spec{RegKind::max_norm, 0.0};
  spec.max_norm = 1.0;
  apply_constraint<double>(spec, W, true);
  // Column 0 had norm 5 over its weights -> scaled to (0.6, 0.8). Column 1 is inside the ball.
  EXPECT_NEAR(W(0, 0), 0.6, 1e-15);
  EXPECT_NEAR(W(1, 0), 0.8, 1e-15);
  EXPECT_DOUBLE_EQ(W(0, 1), 0.1);
  EXPECT_DOUBLE_EQ(W(2, 0), 100.0);
}

// The lecture: a W with zero data loss is not unique, since any multiple lambda > 1 of it also
// has zero loss; regularization is what picks among them.
TEST(LectureNonUniqueness, DoublingAZeroLossSvmSolutionKeepsZeroLossL2PrefersSmaller) {
  RowMatrix<double> X(3, 3);
  X.setIdentity();
  const std::vector<std::int32_t> y{0, 1, 2};
  // Scores = W: correct class 2, others 0: every margin is 0 - 2 + 1 < 0.
  Matrix<double> W = 2 * Matrix<double>::Identity(3, 3);
  Objective<double> svm({LossKind::svm, 1.0}, {RegKind::none, 0.0}, false);
  EXPECT_DOUBLE_EQ(svm.evaluate(X, y, W, nullptr), 0.0);
  const Matrix<double> W2 = 2 * W;
  EXPECT_DOUBLE_EQ(svm.evaluate(X, y, W2, nullptr), 0.0);
  // With L2 (lambda = 0.1): 0.1 * 12 = 1.2 for W against 0.1 * 48 = 4.8 for 2W.
  Objective<double> svm_l2({LossKind::svm, 1.0}, {RegKind::l2, 0.1}, false);
  EXPECT_NEAR(svm_l2.evaluate(X, y, W, nullptr), 1.2, 1e-12);
  EXPECT_NEAR(svm_l2.evaluate(X, y, W2, nullptr), 4.8, 1e-12);
}

TEST(LectureL2Motivation, SpreadOutWeightsArePreferred) {
  // x = [1,1,1,1]; w1 = [1,0,0,0], w2 = [.25,.25,.25,.25]: both score w^T x = 1.
  Vector<double> x = Vector<double>::Ones(4);
  Matrix<double> w1 = Matrix<double>::Zero(4, 1), w2 = Matrix<double>::Constant(4, 1, 0.25);
  w1(0, 0) = 1;
  EXPECT_DOUBLE_EQ((w1.transpose() * x)(0), 1.0);
  EXPECT_DOUBLE_EQ((w2.transpose() * x)(0), 1.0);
  // L2: R(w1) = 1 > R(w2) = 4 * 0.0625 = 0.25, so L2 prefers w2.
  EXPECT_DOUBLE_EQ(regularization_penalty<double>({RegKind::l2, 1.0}, w1, false), 1.0);
  EXPECT_DOUBLE_EQ(regularization_penalty<double>({RegKind::l2, 1.0}, w2, false), 0.25);
  // L1 cannot tell them apart (both sum to 1), which is why the lecture uses L2 here.
  EXPECT_DOUBLE_EQ(regularization_penalty<double>({RegKind::l1, 1.0}, w1, false),
                   regularization_penalty<double>({RegKind::l1, 1.0}, w2, false));
}

TEST(Names, ParseAndPrint) {
  EXPECT_EQ(parse_reg_kind("elastic_net"), RegKind::elastic_net);
  EXPECT_EQ(to_string(RegKind::max_norm), "max_norm");
  EXPECT_THROW(parse_reg_kind("l3"), std::invalid_argument);
}

}  // namespace
}  // namespace losslab
