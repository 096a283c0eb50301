// The kernels of a training step's two products (core/src/slice_products): exact where float
// arithmetic is exact, each entry independent of the other rows and columns (a trial's bits do
// not depend on its group), the same with padded buffers, on every edge of their register tiles.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>

#include "../core/src/slice_products.hpp"
#include "support/small_integers.hpp"

namespace losslab {
namespace {

using testing::small_integers;

template <typename M>
M normals(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> value(0.0f, 1.0f);
  M m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = value(rng);
  return m;
}

// The textbook triple loop, in double.
Eigen::MatrixXd reference_product(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  Eigen::MatrixXd c = Eigen::MatrixXd::Zero(a.rows(), b.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < b.cols(); ++j)
      for (Eigen::Index k = 0; k < a.cols(); ++k) c(i, j) += a(i, k) * b(k, j);
  return c;
}

void expect_exact(const Matrix<float>& actual, const Eigen::MatrixXd& expected, const std::string& what) {
  ASSERT_EQ(actual.rows(), expected.rows()) << what;
  ASSERT_EQ(actual.cols(), expected.cols()) << what;
  for (Eigen::Index i = 0; i < actual.rows(); ++i)
    for (Eigen::Index j = 0; j < actual.cols(); ++j)
      ASSERT_EQ(double{actual(i, j)}, expected(i, j)) << what << " at (" << i << ", " << j << ")";
}

bool same_bits(const Eigen::Ref<const Matrix<float>>& a, const Eigen::Ref<const Matrix<float>>& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    for (Eigen::Index i = 0; i < a.rows(); ++i)
      if (std::bit_cast<std::uint32_t>(a(i, j)) != std::bit_cast<std::uint32_t>(b(i, j))) return false;
  return true;
}

TEST(SliceProducts, HandComputedScoresAndGradient) {
  RowMatrix<float> X(2, 3);
  X << 1, 2, 3,
       4, 5, 6;
  Matrix<float> W(3, 2);
  W << 1, -1,
       0, 2,
       -2, 0.5f;
  Matrix<float> S;
  detail::slice_scores(X, W, S);
  // Row 1: 1 + 0 - 6 = -5 and -1 + 4 + 1.5 = 4.5; row 2: 4 + 0 - 12 = -8 and -4 + 10 + 3 = 9.
  Matrix<float> expected_scores(2, 2);
  expected_scores << -5, 4.5f,
                     -8, 9;
  EXPECT_EQ(S, expected_scores);

  Matrix<float> dS(2, 2);
  dS << 1, 0,
        -1, 2;
  Matrix<float> G;
  detail::slice_gradient(X, dS, G);
  // G = X^T dS: feature k's row is (x1k - x2k, 2 x2k).
  Matrix<float> expected_gradient(3, 2);
  expected_gradient << -3, 8,
                       -3, 10,
                       -3, 12;
  EXPECT_EQ(G, expected_gradient);
}

// Every edge of the tiles: rows 1-5 (pairs and a single row), features around whole vectors of
// 8 and 16, columns 1-13 (whole tiles of 6 and every remainder), and a training step's width.
TEST(SliceProducts, ExactOnEveryTileEdge) {
  for (const Eigen::Index rows : {1, 2, 3, 5})
    for (const Eigen::Index depth : {1, 7, 8, 9, 15, 16, 17, 24, 33, 785})
      for (const Eigen::Index cols : {1, 2, 3, 4, 5, 6, 7, 11, 12, 13}) {
        const std::string what = std::to_string(rows) + " x " + std::to_string(depth) + " x " + std::to_string(cols);
        const auto X = small_integers<RowMatrix<float>>(rows, depth, 1);
        const auto W = small_integers<Matrix<float>>(depth, cols, 2);
        const auto dS = small_integers<Matrix<float>>(rows, cols, 3);
        Matrix<float> S, G;
        detail::slice_scores(X, W, S);
        expect_exact(S, reference_product(X.cast<double>(), W.cast<double>()), "scores " + what);
        detail::slice_gradient(X, dS, G);
        expect_exact(G, reference_product(X.transpose().cast<double>(), dS.cast<double>()), "gradient " + what);
      }
}

// More rows than one block of each kernel: the gradient's sums go on from one block to the next.
TEST(SliceProducts, ExactOverManyBlocksOfRows) {
  const auto X = small_integers<RowMatrix<float>>(1100, 41, 4);
  const auto W = small_integers<Matrix<float>>(41, 20, 5);
  const auto dS = small_integers<Matrix<float>>(1100, 20, 6);
  Matrix<float> S, G;
  detail::slice_scores(X, W, S);
  expect_exact(S, reference_product(X.cast<double>(), W.cast<double>()), "scores");
  detail::slice_gradient(X, dS, G);
  expect_exact(G, reference_product(X.transpose().cast<double>(), dS.cast<double>()), "gradient");
}

TEST(SliceProducts, CloseToTheDoubleProductOnRealValues) {
  const auto X = normals<RowMatrix<float>>(100, 785, 7);
  const auto W = normals<Matrix<float>>(785, 30, 8);
  const auto dS = normals<Matrix<float>>(100, 30, 9);
  Matrix<float> S, G;
  detail::slice_scores(X, W, S);
  detail::slice_gradient(X, dS, G);
  // Sums of 785 (and 100) products of unit normals: about sqrt(785) in size, float's relative
  // error about 1e-7 per addition.
  EXPECT_LT((S.cast<double>() - reference_product(X.cast<double>(), W.cast<double>())).cwiseAbs().maxCoeff(), 1e-3);
  EXPECT_LT((G.cast<double>() - reference_product(X.transpose().cast<double>(), dS.cast<double>()))
                .cwiseAbs()
                .maxCoeff(),
            1e-4);
}

// What makes a fused trial train as it would alone: its columns of S and G come out the same,
// bit for bit, whether the stack holds it alone or among others, in any position; and a row's
// scores do not depend on the rows around it.
TEST(SliceProducts, AnEntryDoesNotDependOnTheOtherColumnsOrRows) {
  const auto X = normals<RowMatrix<float>>(100, 785, 10);
  const auto W = normals<Matrix<float>>(785, 40, 11);
  const auto dS = normals<Matrix<float>>(100, 40, 12);
  Matrix<float> S, G;
  detail::slice_scores(X, W, S);
  detail::slice_gradient(X, dS, G);
  for (Eigen::Index first = 0; first < 40; first += 10) {
    Matrix<float> alone_S, alone_G;
    detail::slice_scores(X, W.middleCols(first, 10), alone_S);
    detail::slice_gradient(X, dS.middleCols(first, 10), alone_G);
    EXPECT_TRUE(same_bits(alone_S, S.middleCols(first, 10))) << "scores of columns " << first;
    EXPECT_TRUE(same_bits(alone_G, G.middleCols(first, 10))) << "gradient of columns " << first;
  }
  Matrix<float> some_rows;
  detail::slice_scores(X.middleRows(37, 11), W, some_rows);
  EXPECT_TRUE(same_bits(some_rows, S.middleRows(37, 11)));
}

// The trainer pads its buffers for speed (detail::padded_length): same bits as unpadded.
TEST(SliceProducts, PaddedBuffersGiveTheSameBits) {
  const Eigen::Index depth = 785;
  const auto X = normals<RowMatrix<float>>(100, depth, 13);
  const auto W = normals<Matrix<float>>(depth, 30, 14);
  const auto dS = normals<Matrix<float>>(100, 30, 15);
  RowMatrix<float> padded_X = RowMatrix<float>::Constant(100, detail::padded_length(depth), 1e30f);
  Matrix<float> padded_W = Matrix<float>::Constant(detail::padded_length(depth), 30, -1e30f);
  padded_X.leftCols(depth) = X;
  padded_W.topRows(depth) = W;
  EXPECT_EQ(detail::padded_length(depth), 792);
  Matrix<float> S, padded_S, G, padded_G;
  detail::slice_scores(X, W, S);
  detail::slice_scores(padded_X.leftCols(depth), padded_W.topRows(depth), padded_S);
  EXPECT_TRUE(same_bits(S, padded_S));
  detail::slice_gradient(X, dS, G);
  detail::slice_gradient(padded_X.leftCols(depth), dS, padded_G);
  EXPECT_TRUE(same_bits(G, padded_G));
}

TEST(SliceProducts, NoRowsGiveEmptyScoresAndAZeroGradient) {
  const RowMatrix<float> X(0, 9);
  const auto W = small_integers<Matrix<float>>(9, 4, 16);
  const Matrix<float> dS(0, 4);
  Matrix<float> S, G;
  detail::slice_scores(X, W, S);
  EXPECT_EQ(S.rows(), 0);
  EXPECT_EQ(S.cols(), 4);
  detail::slice_gradient(X, dS, G);
  EXPECT_EQ(G, Matrix<float>::Zero(9, 4));
}

TEST(SliceProducts, OwnKernelsForFashionMnistWidthsOpenBlasForCifar10) {
#if defined(__AVX2__) && defined(__FMA__)
  EXPECT_TRUE(detail::own_slice_kernels(785));
#else
  EXPECT_FALSE(detail::own_slice_kernels(785));
#endif
  EXPECT_FALSE(detail::own_slice_kernels(3073));
}

}  // namespace
}  // namespace losslab
