// The losses against numbers computed by hand, the lecture's worked example, and
// independent per-example loops.
#include <gtest/gtest.h>

#include <cmath>

#include "losslab/loss.hpp"
#include "losslab/objective.hpp"
#include "support/naive_losses.hpp"
#include "support/random_problem.hpp"

namespace losslab {
namespace {

// The lecture's score table, one example per row. Columns: cat, car, frog scores.
// Row 0 is the cat image (label cat), row 1 the car image, row 2 the frog image.
RowMatrix<double> lecture_scores() {
  RowMatrix<double> s(3, 3);
  s << 3.2, 5.1, -1.7,  //
      1.3, 4.9, 2.0,    //
      2.2, 2.5, -3.1;
  return s;
}
const std::vector<std::int32_t> kLectureLabels{0, 1, 2};

TEST(LectureExample, SvmLossPerExampleAndMean) {
  const auto losses = example_losses<double>({LossKind::svm, 1.0}, lecture_scores(), kLectureLabels);
  // cat:  max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9 + 0
  EXPECT_NEAR(losses[0], 2.9, 1e-12);
  // car:  max(0, 1.3 - 4.9 + 1) + max(0, 2.0 - 4.9 + 1) = 0 + 0
  EXPECT_NEAR(losses[1], 0.0, 1e-12);
  // frog: max(0, 2.2 - (-3.1) + 1) + max(0, 2.5 - (-3.1) + 1) = 6.3 + 6.6 = 12.9.
  // The lecture's slide prints 10.9 here, which is an arithmetic slip on the slide; the
  // computation gives 12.9, and that is what we test.
  EXPECT_NEAR(losses[2], 12.9, 1e-12);
  // Mean: (2.9 + 0 + 12.9) / 3 = 5.2666... (the slide's 4.6 follows from its 10.9).
  const double mean = data_loss<double>({LossKind::svm, 1.0}, lecture_scores(), kLectureLabels, nullptr);
  EXPECT_NEAR(mean, 15.8 / 3.0, 1e-12);
}

TEST(LectureExample, SoftmaxOfTheCatImage) {
  RowMatrix<double> cat = lecture_scores().topRows(1);
  // exp: e^3.2 = 24.5325, e^5.1 = 164.0219, e^-1.7 = 0.1827; sum = 188.7371
  const double e_cat = std::exp(3.2), e_car = std::exp(5.1), e_frog = std::exp(-1.7);
  const double sum = e_cat + e_car + e_frog;
  const auto p = softmax_probabilities<double>(cat);
  EXPECT_NEAR(p(0, 0), e_cat / sum, 1e-12);
  EXPECT_NEAR(p(0, 1), e_car / sum, 1e-12);
  EXPECT_NEAR(p(0, 2), e_frog / sum, 1e-12);
  // The slide's rounded figures: 0.13, 0.87, 0.00.
  EXPECT_NEAR(p(0, 0), 0.13, 0.005);
  EXPECT_NEAR(p(0, 1), 0.87, 0.005);
  EXPECT_NEAR(p(0, 2), 0.00, 0.005);
  // L = -ln(0.1300) = 2.04 with the natural log. The slide's 0.89 is -log10(0.13); the loss
  // (and its gradient p - onehot) is defined with ln, so we test 2.04.
  const double loss = data_loss<double>({LossKind::softmax, 1.0}, cat, std::vector<std::int32_t>{0}, nullptr);
  EXPECT_NEAR(loss, -std::log(e_cat / sum), 1e-12);
  EXPECT_NEAR(loss, 2.04, 0.005);
  EXPECT_NEAR(-std::log10(e_cat / sum), 0.89, 0.005);
}

TEST(LossValues, SquaredHingeByHand) {
  // cat row: terms 2.9 and 0 -> 2.9^2 = 8.41
  const auto losses = example_losses<double>({LossKind::squared_hinge, 1.0}, lecture_scores(), kLectureLabels);
  EXPECT_NEAR(losses[0], 8.41, 1e-12);
  EXPECT_NEAR(losses[1], 0.0, 1e-12);
  EXPECT_NEAR(losses[2], 6.3 * 6.3 + 6.6 * 6.6, 1e-10);
}

TEST(LossValues, MarginIsASetting) {
  // With delta = 2 the cat row: max(0, 5.1 - 3.2 + 2) + max(0, -1.7 - 3.2 + 2) = 3.9
  const auto losses = example_losses<double>({LossKind::svm, 2.0}, lecture_scores(), kLectureLabels);
  EXPECT_NEAR(losses[0], 3.9, 1e-12);
}

TEST(LossGradient, SvmGradientOfTheCatRowByHand) {
  RowMatrix<double> grad;
  data_loss<double>({LossKind::svm, 1.0}, lecture_scores().topRows(1), std::vector<std::int32_t>{0}, &grad);
  // Only the car margin is active: d/ds_car = 1, d/ds_cat = -1, frog 0.
  EXPECT_DOUBLE_EQ(grad(0, 0), -1.0);
  EXPECT_DOUBLE_EQ(grad(0, 1), 1.0);
  EXPECT_DOUBLE_EQ(grad(0, 2), 0.0);
}

// With W = 0 every score is 0: softmax gives ln C, the SVM (C - 1) * delta.
TEST(InitialLoss, NearZeroWeightsGiveLnCAndCMinusOneTimesDelta) {
  const Eigen::Index classes = 10;
  auto p = testing::random_problem(200, 30, classes, 1e-6, 7);
  Objective<double> softmax({LossKind::softmax, 1.0}, {RegKind::none, 0.0}, true);
  EXPECT_NEAR(softmax.evaluate(p.X, p.y, p.W, nullptr), std::log(10.0), 1e-3);
  Objective<double> svm({LossKind::svm, 1.0}, {RegKind::none, 0.0}, true);
  EXPECT_NEAR(svm.evaluate(p.X, p.y, p.W, nullptr), 9.0, 1e-3);
  Objective<double> svm_delta2({LossKind::svm, 2.0}, {RegKind::none, 0.0}, true);
  EXPECT_NEAR(svm_delta2.evaluate(p.X, p.y, p.W, nullptr), 18.0, 1e-3);
}

TEST(Stability, HugeScoresGiveFiniteSoftmaxLossAndGradient) {
  RowMatrix<float> s(2, 3);
  s << 1e4f, -1e4f, 0.0f,  //
      -1e4f, -1e4f, 1e4f;
  RowMatrix<float> grad;
  // Row 0 labelled 1: loss = logsumexp(s) - s_1 = 1e4 - (-1e4) = 2e4. Row 1 labelled 2: 0.
  const float loss = data_loss<float>({LossKind::softmax, 1.0}, s, std::vector<std::int32_t>{1, 2}, &grad);
  ASSERT_TRUE(std::isfinite(loss));
  EXPECT_NEAR(loss, (2e4f + 0.0f) / 2, 1.0f);
  ASSERT_TRUE(grad.allFinite());
  // Row 0: p = (1, 0, 0), gradient (p - onehot(1)) / 2 = (0.5, -0.5, 0).
  EXPECT_NEAR(grad(0, 0), 0.5f, 1e-6f);
  EXPECT_NEAR(grad(0, 1), -0.5f, 1e-6f);
  EXPECT_NEAR(grad(0, 2), 0.0f, 1e-6f);
  EXPECT_NEAR(grad(1, 2), 0.0f, 1e-6f);
}

TEST(LossErrors, RejectsLabelsOutOfRangeAndShapeMismatch) {
  const LossSpec spec{LossKind::svm, 1.0};
  EXPECT_THROW(data_loss<double>(spec, lecture_scores(), std::vector<std::int32_t>{0, 1, 3}, nullptr),
               std::invalid_argument);
  EXPECT_THROW(data_loss<double>(spec, lecture_scores(), std::vector<std::int32_t>{0, 1}, nullptr),
               std::invalid_argument);
  EXPECT_THROW(parse_loss_kind("svn"), std::invalid_argument);
  EXPECT_EQ(parse_loss_kind("squared_hinge"), LossKind::squared_hinge);
}

// The vectorized objective equals an independent per-example loop to 1e-10.
class VectorizedVsNaive : public ::testing::TestWithParam<LossKind> {};

TEST_P(VectorizedVsNaive, LossAndGradientAgree) {
  const LossKind kind = GetParam();
  auto p = testing::random_problem(50, 12, 5, 0.3, 11);
  const double lambda = 0.05;
  for (bool regularize_bias : {false, true}) {
    Objective<double> objective({kind, 1.0}, {RegKind::l2, lambda, 1.0, 3.0, regularize_bias}, true);
    Matrix<double> dW, naive_dW;
    const double loss = objective.evaluate(p.X, p.y, p.W, &dW);
    const double naive = kind == LossKind::softmax
                             ? testing::naive_softmax(p.X, p.y, p.W, lambda, !regularize_bias, naive_dW)
                             : testing::naive_svm(p.X, p.y, p.W, 1.0, kind == LossKind::squared_hinge,
                                                  lambda, !regularize_bias, naive_dW);
    EXPECT_NEAR(loss, naive, 1e-10);
    EXPECT_LT((dW - naive_dW).cwiseAbs().maxCoeff(), 1e-10);
  }
}

INSTANTIATE_TEST_SUITE_P(AllLosses, VectorizedVsNaive,
                         ::testing::Values(LossKind::svm, LossKind::squared_hinge, LossKind::softmax),
                         [](const auto& info) { return to_string(info.param); });

// The fused trainer's layout: three trials' scores side by side, one column per class. Each
// trial's block gives its own loss and gradient (against the independent loop), and writes only
// its own columns of dscores.
TEST(StackedScores, EachTrialsBlockGivesItsOwnLossAndGradient) {
  const LossKind kinds[] = {LossKind::svm, LossKind::squared_hinge, LossKind::softmax};
  const Eigen::Index classes = 5;
  auto p = testing::random_problem(40, 9, classes, 0.4, 23);
  Matrix<double> stack(p.W.rows(), 3 * classes);
  std::vector<Matrix<double>> weights;
  for (int k = 0; k < 3; ++k) {
    weights.push_back(testing::random_problem(40, 9, classes, 0.4, 30 + k).W);
    stack.middleCols(k * classes, classes) = weights.back();
  }
  const Matrix<double> scores = p.X * stack;
  Matrix<double> dscores = Matrix<double>::Constant(scores.rows(), scores.cols(), std::nan(""));
  for (int k = 0; k < 3; ++k) {
    auto block = dscores.middleCols(k * classes, classes);
    const double loss =
        data_loss_by_class<double>({kinds[k], 1.0}, scores.middleCols(k * classes, classes), p.y, block);
    Matrix<double> naive_dW;
    const double naive = kinds[k] == LossKind::softmax
                             ? testing::naive_softmax(p.X, p.y, weights[k], 0.0, true, naive_dW)
                             : testing::naive_svm(p.X, p.y, weights[k], 1.0, kinds[k] == LossKind::squared_hinge,
                                                  0.0, true, naive_dW);
    EXPECT_NEAR(loss, naive, 1e-10) << to_string(kinds[k]);
    const Matrix<double> dW = p.X.transpose() * dscores.middleCols(k * classes, classes);
    EXPECT_LT((dW - naive_dW).cwiseAbs().maxCoeff(), 1e-10) << to_string(kinds[k]);
    // The blocks not yet computed still hold their NaN sentinels.
    if (k < 2) EXPECT_TRUE(dscores.rightCols((2 - k) * classes).array().isNaN().all()) << to_string(kinds[k]);
  }
}

// By hand: the first top class counts, as in argmax.
TEST(StackedScores, TheTopClassIsTheFirstTopScore) {
  Matrix<float> scores(4, 3);
  scores << 1, 3, 3,   // tie between classes 1 and 2: the top class is 1
      5, 0, 4,         // top 0
      -2, -1, -3,      // top 1
      2, 2, 2;         // all tied: top 0
  EXPECT_EQ(count_top_is_label<float>(scores, std::vector<std::int32_t>{1, 0, 1, 0}), 4u);
  EXPECT_EQ(count_top_is_label<float>(scores, std::vector<std::int32_t>{2, 0, 1, 2}), 2u);
  EXPECT_EQ(count_top_is_label<float>(scores, std::vector<std::int32_t>{0, 1, 2, 1}), 0u);
  EXPECT_THROW(count_top_is_label<float>(scores, std::vector<std::int32_t>{0, 1, 3, 1}), std::invalid_argument);
  std::vector<std::int32_t> top(4, -1);
  top_classes<float>(scores, top);
  EXPECT_EQ(top, (std::vector<std::int32_t>{1, 0, 1, 0}));
  // A block of columns of a wider matrix: the fused trainer's layout.
  Matrix<float> stacked(4, 6);
  stacked << scores, -scores;
  top_classes<float>(stacked.middleCols(3, 3), top);
  EXPECT_EQ(top, (std::vector<std::int32_t>{0, 1, 2, 0}));
  std::vector<std::int32_t> too_short(3);
  EXPECT_THROW(top_classes<float>(scores, too_short), std::invalid_argument);
}

}  // namespace
}  // namespace losslab
