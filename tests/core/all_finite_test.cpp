// The trainer's divergence check on weights: a sum-based shortcut that must agree with an
// entry-by-entry check, including when the sum overflows on entries that are all finite.
#include <gtest/gtest.h>

#include <limits>

#include "../core/src/all_finite.hpp"
#include "losslab/types.hpp"

namespace losslab::detail {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Matrix<float> filled(float value) { return Matrix<float>::Constant(785, 10, value); }

TEST(AllFinite, OrdinaryWeightsAreFinite) {
  EXPECT_TRUE(all_finite(Matrix<float>::Random(785, 10)));
  EXPECT_TRUE(all_finite(filled(0.0f)));
}

TEST(AllFinite, OneNanOrInfinityAnywhereIsCaught) {
  for (float bad : {kNaN, kInf, -kInf}) {
    for (auto [row, col] : {std::pair{0, 0}, std::pair{784, 9}, std::pair{391, 4}}) {
      Matrix<float> W = Matrix<float>::Random(785, 10);
      W(row, col) = bad;
      EXPECT_FALSE(all_finite(W)) << bad << " at " << row << "," << col;
    }
  }
  // +inf and -inf together: their sum is NaN, still not finite.
  Matrix<float> W = filled(1.0f);
  W(0, 0) = kInf;
  W(1, 0) = -kInf;
  EXPECT_FALSE(all_finite(W));
}

TEST(AllFinite, HugeFiniteWeightsWhoseSumOverflowsAreFinite) {
  // 7850 entries of 1e38: every one finite, their float sum far beyond FLT_MAX (3.4e38).
  const Matrix<float> W = filled(1e38f);
  ASSERT_FALSE(std::isfinite(W.sum()));
  EXPECT_TRUE(all_finite(W));
}

TEST(AllFinite, WorksOnABlockOfColumns) {
  Matrix<float> stack = Matrix<float>::Random(785, 30);
  stack(5, 25) = kNaN;  // in the third block only
  EXPECT_TRUE(all_finite(stack.middleCols(0, 10)));
  EXPECT_TRUE(all_finite(stack.middleCols(10, 10)));
  EXPECT_FALSE(all_finite(stack.middleCols(20, 10)));
}

}  // namespace
}  // namespace losslab::detail
