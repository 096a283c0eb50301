// The successive-halving plan against values worked out by hand, and Hyperband's brackets against
// the table of Li et al. 2018 (R = 81, eta = 3: 81/34/15/8/5 trials starting at 1/3/9/27/81 epochs).
#include <gtest/gtest.h>

#include <stdexcept>

#include "halving_plan.hpp"

namespace losslab::runner {
namespace {

TEST(HalvingPlan, RungBudgetsEndAtTheMaximum) {
  EXPECT_EQ(rung_epochs(1, 10, 3), (std::vector<int>{1, 3, 10}));
  EXPECT_EQ(rung_epochs(1, 50, 3), (std::vector<int>{1, 5, 16, 50}));
  EXPECT_EQ(rung_epochs(1, 81, 3), (std::vector<int>{1, 3, 9, 27, 81}));
  EXPECT_EQ(rung_epochs(2, 10, 3), (std::vector<int>{3, 10}));
  EXPECT_EQ(rung_epochs(1, 8, 2), (std::vector<int>{1, 2, 4, 8}));
  EXPECT_EQ(rung_epochs(4, 4, 3), (std::vector<int>{4}));
}

TEST(HalvingPlan, RejectsSettingsWithoutAPlan) {
  EXPECT_THROW(rung_epochs(0, 10, 3), std::invalid_argument);
  EXPECT_THROW(rung_epochs(11, 10, 3), std::invalid_argument);
  EXPECT_THROW(rung_epochs(1, 10, 1), std::invalid_argument);
}

TEST(HalvingPlan, OneInEtaGoesOnAndAtLeastOne) {
  EXPECT_EQ(promoted_count(243, 3), 81u);
  EXPECT_EQ(promoted_count(10, 3), 3u);
  EXPECT_EQ(promoted_count(2, 3), 1u);
  EXPECT_EQ(promoted_count(1, 3), 1u);
  EXPECT_EQ(promoted_count(0, 3), 0u);
}

TEST(HalvingPlan, HyperbandBracketsAsInThePaper) {
  const auto brackets = hyperband_brackets(1, 81, 3);
  ASSERT_EQ(brackets.size(), 5u);
  const std::size_t trials[] = {81, 34, 15, 8, 5};
  const int first_budget[] = {1, 3, 9, 27, 81};
  for (std::size_t i = 0; i < brackets.size(); ++i) {
    EXPECT_EQ(brackets[i].s, 4 - static_cast<int>(i));
    EXPECT_EQ(brackets[i].trials, trials[i]) << "bracket s=" << brackets[i].s;
    EXPECT_EQ(brackets[i].epochs.front(), first_budget[i]);
    EXPECT_EQ(brackets[i].epochs.back(), 81);
    EXPECT_EQ(brackets[i].epochs.size(), static_cast<std::size_t>(brackets[i].s + 1));
  }
}

}  // namespace
}  // namespace losslab::runner
