// The kernels behind the float matrix products (OpenBLAS through EIGEN_USE_BLAS, or Eigen's own):
// they must compute the products training uses exactly where float arithmetic is exact, and
// training must keep them on the calling thread.
#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <random>

#include "losslab/products.hpp"
#include "losslab/trainer.hpp"
#include "support/small_integers.hpp"

namespace losslab {
namespace {

using testing::small_integers;

// The textbook triple loop, in double.
template <typename A, typename B>
Eigen::MatrixXd reference_product(const A& a, const B& b) {
  Eigen::MatrixXd c = Eigen::MatrixXd::Zero(a.rows(), b.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < b.cols(); ++j)
      for (Eigen::Index k = 0; k < a.cols(); ++k) c(i, j) += double{a(i, k)} * double{b(k, j)};
  return c;
}

template <typename M>
void expect_equal(const M& actual, const Eigen::MatrixXd& expected) {
  ASSERT_EQ(actual.rows(), expected.rows());
  ASSERT_EQ(actual.cols(), expected.cols());
  for (Eigen::Index i = 0; i < actual.rows(); ++i)
    for (Eigen::Index j = 0; j < actual.cols(); ++j)
      ASSERT_EQ(double{actual(i, j)}, expected(i, j)) << "at (" << i << ", " << j << ")";
}

// A training step's shapes: 200 rows of 785 features, 8 stacked trials of 10 classes.
TEST(Products, ForwardScoresOfAStepAreExact) {
  const auto X = small_integers<RowMatrix<float>>(200, 785, 1);
  const auto W = small_integers<Matrix<float>>(785, 80, 2);
  RowMatrix<float> S;
  S.noalias() = X * W;
  expect_equal(S, reference_product(X, W));
}

TEST(Products, BackwardGradientOfAStepIsExact) {
  const auto X = small_integers<RowMatrix<float>>(100, 785, 3);
  const auto dS = small_integers<RowMatrix<float>>(100, 80, 4);
  Matrix<float> G;
  G.noalias() = X.transpose() * dS;
  expect_equal(G, reference_product(Matrix<float>(X.transpose()), dS));
}

TEST(Products, ScoresOfARowBlockAreExact) {
  const auto X = small_integers<RowMatrix<float>>(300, 97, 5);
  const auto W = small_integers<Matrix<float>>(97, 30, 6);
  RowMatrix<float> S;
  S.noalias() = X.middleRows(123, 77) * W;
  expect_equal(S, reference_product(RowMatrix<float>(X.middleRows(123, 77)), W));
}

TEST(Products, BackendIsNamed) {
  const std::string backend = product_backend();
#ifdef LOSSLAB_WITH_OPENBLAS
  EXPECT_EQ(backend.rfind("OpenBLAS", 0), 0u) << backend;
#else
  EXPECT_EQ(backend.rfind("Eigen ", 0), 0u) << backend;
#endif
}

// Each test runs in its own process (gtest_discover_tests), so nothing before this training run
// has touched OpenBLAS's thread count, which starts at the number of cores.
TEST(Products, TrainingKeepsProductsOnTheCallingThread) {
  Splits data;
  data.train.X = small_integers<RowMatrix<float>>(64, 20, 7);
  for (std::int32_t i = 0; i < 64; ++i) data.train.y.push_back(i % 3);
  data.train.class_names = {"a", "b", "c"};
  data.val = data.train;
  data.test = data.train;
  TrainerConfig config;
  config.training.epochs = 1;
  config.training.batch_size = 16;
  train(data, config);
  EXPECT_EQ(product_threads(), 1);
}

std::size_t threads_of_this_process() {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator("/proc/self/task"),
                                                std::filesystem::directory_iterator{}));
}

// OpenBLAS's pthread build starts a helper thread per extra core as it loads, each polling for
// work for a while: with products kept on the calling thread they must be gone, leaving this
// test's one thread (each test runs in its own process).
TEST(Products, NoIdleProductThreadsAreLeft) {
  keep_products_on_calling_thread();
  EXPECT_EQ(threads_of_this_process(), 1u);
}

}  // namespace
}  // namespace losslab
