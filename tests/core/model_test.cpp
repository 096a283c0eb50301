// The score function's read-outs, by hand: the top class of each row and the predictions built on it.
#include <gtest/gtest.h>

#include "losslab/model.hpp"

namespace losslab {
namespace {

TEST(TopClasses, TheHighestScoreAndTheFirstOfEqualOnes) {
  RowMatrix<float> scores(3, 3);
  scores << 0.5f, 2.0f, -1.0f,  // class 1
      3.0f, 3.0f, 1.0f,         // a tie of classes 0 and 1: the first
      -4.0f, -3.0f, -2.5f;      // class 2, every score negative
  EXPECT_EQ(top_classes(scores), (Labels{1, 0, 2}));
}

TEST(TopClasses, PredictIsTheTopClassOfXW) {
  // X = [1 0; 0 1; 1 1], W = [1 0 2; 0 3 -1]: scores [1 0 2; 0 3 -1; 1 3 1] -> 2, 1, 1.
  RowMatrix<float> X(3, 2);
  X << 1, 0, 0, 1, 1, 1;
  Matrix<float> W(2, 3);
  W << 1, 0, 2, 0, 3, -1;
  EXPECT_EQ(predict<float>(X, W), (Labels{2, 1, 1}));
  RowMatrix<float> scores;
  compute_scores<float>(X, W, scores);
  EXPECT_EQ(top_classes(scores), (Labels{2, 1, 1}));
}

}  // namespace
}  // namespace losslab
