// Grouping trials for fused training.
#include <gtest/gtest.h>

#include "losslab/runner/trial_groups.hpp"

namespace losslab::runner {
namespace {

std::vector<TrainerConfig> configs_with_seeds(const std::vector<std::uint64_t>& seeds) {
  std::vector<TrainerConfig> configs;
  for (auto seed : seeds) {
    TrainerConfig c;
    c.training.seed = seed;
    configs.push_back(c);
  }
  return configs;
}

TEST(TrialGroups, SixteenFusableTrialsMakeTwoBalancedGroups) {
  const auto groups = group_trials(configs_with_seeds(std::vector<std::uint64_t>(16, 0)));
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(groups[1], (std::vector<std::size_t>{8, 9, 10, 11, 12, 13, 14, 15}));
}

TEST(TrialGroups, BalancedSizesWhenNotAMultiple) {
  // 18 fusable trials, at most 8 per group: 3 groups of 6.
  const auto groups = group_trials(configs_with_seeds(std::vector<std::uint64_t>(18, 0)));
  ASSERT_EQ(groups.size(), 3u);
  for (const auto& g : groups) EXPECT_EQ(g.size(), 6u);
}

TEST(TrialGroups, OnlyFusableTrialsShareAGroupAndOrderIsKept) {
  auto configs = configs_with_seeds({0, 1, 0, 1, 0});
  configs.push_back(configs[0]);
  configs.back().optimizer.kind = OptimizerKind::random_search;  // fuses with nothing
  const auto groups = group_trials(configs);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0], (std::vector<std::size_t>{0, 2, 4}));
  EXPECT_EQ(groups[1], (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(groups[2], (std::vector<std::size_t>{5}));
}

TEST(TrialGroups, MaxGroupOneDisablesFusion) {
  const auto groups = group_trials(configs_with_seeds({0, 0, 0}), 1);
  ASSERT_EQ(groups.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(groups[i], std::vector<std::size_t>{i});
}

}  // namespace
}  // namespace losslab::runner
