// Hand-computed confusion matrices and the metrics read off them.
#include "losslab/classification_metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace losslab {
namespace {

// truth 0 0 0 1 1 2, predicted 0 0 1 1 2 2, four classes (class 3 never occurs).
ConfusionMatrix six_examples() {
  const std::vector<std::int32_t> truth{0, 0, 0, 1, 1, 2};
  const std::vector<std::int32_t> predicted{0, 0, 1, 1, 2, 2};
  return confusion_matrix(truth, predicted, 4);
}

TEST(ConfusionMatrix, CountsEachPairAtTruthRowPredictedColumn) {
  const ConfusionMatrix m = six_examples();
  const std::vector<std::int64_t> expected{2, 1, 0, 0,  //
                                           0, 1, 1, 0,  //
                                           0, 0, 1, 0,  //
                                           0, 0, 0, 0};
  EXPECT_EQ(m.classes, 4);
  EXPECT_EQ(m.counts, expected);
  EXPECT_EQ(m.at(1, 2), 1);
  EXPECT_EQ(m.total(), 6);
  EXPECT_DOUBLE_EQ(accuracy(m), 4.0 / 6.0);
}

TEST(ConfusionMatrix, PerClassPrecisionRecallF1ByHand) {
  const std::vector<ClassMetrics> m = per_class_metrics(six_examples());
  ASSERT_EQ(m.size(), 4u);
  // class 0: 2 of its 3 found, both predictions right
  EXPECT_DOUBLE_EQ(m[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(m[0].recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m[0].f1, 0.8);
  EXPECT_EQ(m[0].support, 3);
  EXPECT_EQ(m[0].predicted, 2);
  // class 1: 1 of 2 found, 1 of 2 predictions right
  EXPECT_DOUBLE_EQ(m[1].precision, 0.5);
  EXPECT_DOUBLE_EQ(m[1].recall, 0.5);
  EXPECT_DOUBLE_EQ(m[1].f1, 0.5);
  // class 2: its one example found, 1 of 2 predictions right
  EXPECT_DOUBLE_EQ(m[2].precision, 0.5);
  EXPECT_DOUBLE_EQ(m[2].recall, 1.0);
  EXPECT_DOUBLE_EQ(m[2].f1, 2.0 / 3.0);
  // class 3: never seen, never predicted
  EXPECT_EQ(m[3].support, 0);
  EXPECT_EQ(m[3].predicted, 0);
  EXPECT_EQ(m[3].f1, 0.0);
}

TEST(ConfusionMatrix, MacroF1AveragesTheClassesThatOccur) {
  // (0.8 + 0.5 + 2/3) / 3: class 3 occurs in neither truth nor predictions
  EXPECT_NEAR(macro_f1(six_examples()), 59.0 / 90.0, 1e-15);
  // a class only predicted counts, with F1 0: (2/3 + 0) / 2
  const std::vector<std::int32_t> truth{0, 0};
  const std::vector<std::int32_t> predicted{0, 1};
  EXPECT_NEAR(macro_f1(confusion_matrix(truth, predicted, 2)), 1.0 / 3.0, 1e-15);
}

TEST(ConfusionMatrix, EmptyHasNoAccuracyOrMacroF1) {
  const ConfusionMatrix m = confusion_matrix({}, {}, 3);
  EXPECT_EQ(m.total(), 0);
  EXPECT_TRUE(std::isnan(accuracy(m)));
  EXPECT_TRUE(std::isnan(macro_f1(m)));
}

TEST(ConfusionMatrix, RejectsLabelsOutsideTheClassesAndUnequalLengths) {
  const std::vector<std::int32_t> two{0, 1};
  const std::vector<std::int32_t> out{0, 3};
  const std::vector<std::int32_t> one{0};
  EXPECT_THROW(confusion_matrix(two, out, 3), std::invalid_argument);
  EXPECT_THROW(confusion_matrix(out, two, 3), std::invalid_argument);
  EXPECT_THROW(confusion_matrix(two, one, 3), std::invalid_argument);
  EXPECT_THROW(confusion_matrix(two, two, 0), std::invalid_argument);
}

}  // namespace
}  // namespace losslab
