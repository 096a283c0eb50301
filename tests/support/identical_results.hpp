// Bit-for-bit comparison of two training results (runs that must not differ at all).
#pragma once

#include <gtest/gtest.h>

#include <cmath>

#include "losslab/trainer.hpp"

namespace losslab::testing {

// Equal, or both NaN (an accuracy a run does not measure, such as random search's running one).
inline bool same_value(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

inline void expect_identical(const TrainResult& a, const TrainResult& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.loss_history, b.loss_history) << "loss histories differ";
  ASSERT_EQ(a.W.rows(), b.W.rows());
  ASSERT_EQ(a.W.cols(), b.W.cols());
  EXPECT_TRUE((a.W.array() == b.W.array()).all()) << "weights differ";
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (std::size_t e = 0; e < a.epochs.size(); ++e) {
    EXPECT_PRED2(same_value, a.epochs[e].mean_loss, b.epochs[e].mean_loss) << "epoch " << e;
    EXPECT_PRED2(same_value, a.epochs[e].train_accuracy, b.epochs[e].train_accuracy) << "epoch " << e;
    EXPECT_PRED2(same_value, a.epochs[e].val_accuracy, b.epochs[e].val_accuracy) << "epoch " << e;
  }
  EXPECT_PRED2(same_value, a.train_accuracy, b.train_accuracy);
  EXPECT_PRED2(same_value, a.val_accuracy, b.val_accuracy);
  EXPECT_PRED2(same_value, a.test_accuracy, b.test_accuracy);
}

}  // namespace losslab::testing
