// The one definition of "the best trial" (runner/results/README.md), on hand-made trials whose
// order is worked out by hand: which statuses are ranked, each tie-break in turn, the default
// metric, and the order of the status counts.
#include <gtest/gtest.h>

#include <limits>

#include "losslab/runner/results/ranking.hpp"

namespace losslab::runner {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TrialRecord trial(std::int64_t id, const std::string& status, double val_accuracy, double train_accuracy,
                  double final_loss) {
  TrialRecord t;
  t.id = id;
  t.status = status;
  t.val_accuracy = val_accuracy;
  t.train_accuracy = train_accuracy;
  t.final_loss = final_loss;
  return t;
}

std::vector<std::int64_t> ids(const std::vector<const TrialRecord*>& trials) {
  std::vector<std::int64_t> result;
  for (const auto* t : trials) result.push_back(t->id);
  return result;
}

TEST(Ranking, OnlyCompletedAndPrunedTrialsWithTheMetricAreRanked) {
  const std::vector<TrialRecord> trials = {
      trial(1, "completed", 0.5, 0.5, 1.0), trial(2, "diverged", 0.9, 0.9, 0.1),   trial(3, "failed", 0.9, 0.9, 0.1),
      trial(4, "running", 0.9, 0.9, 0.1),   trial(5, "pending", kNaN, kNaN, kNaN), trial(6, "pruned", 0.6, 0.6, 1.0),
      trial(7, "interrupted", 0.9, 0.9, 0.1), trial(8, "completed", kNaN, 0.9, 0.1)};
  EXPECT_EQ(ids(rank_trials(trials)), (std::vector<std::int64_t>{6, 1}));
}

TEST(Ranking, TiesGoToHigherTrainAccuracyThenLowerFinalLossThenLowerId) {
  // All four share val_accuracy 0.8. Trial 4 has the highest train accuracy; 1, 2 and 3 tie on it,
  // 3 has the lowest final loss, and 1 and 2 tie on everything but their ids.
  const std::vector<TrialRecord> trials = {trial(2, "completed", 0.8, 0.7, 0.5), trial(1, "completed", 0.8, 0.7, 0.5),
                                           trial(3, "completed", 0.8, 0.7, 0.4), trial(4, "pruned", 0.8, 0.75, 0.9),
                                           trial(5, "completed", 0.81, 0.1, 2.0)};
  EXPECT_EQ(ids(rank_trials(trials)), (std::vector<std::int64_t>{5, 4, 3, 1, 2}));
  // A missing train accuracy or final loss loses its tie-break.
  const std::vector<TrialRecord> missing = {trial(1, "completed", 0.8, kNaN, 0.5), trial(2, "completed", 0.8, 0.1, 0.5),
                                            trial(3, "completed", 0.8, 0.1, kNaN), trial(4, "completed", 0.8, 0.1, 0.6)};
  EXPECT_EQ(ids(rank_trials(missing)), (std::vector<std::int64_t>{2, 4, 3, 1}));
}

TEST(Ranking, OtherMetricsAndDirections) {
  const std::vector<TrialRecord> trials = {trial(1, "completed", 0.7, 0.6, 0.3), trial(2, "completed", 0.9, 0.6, 0.2),
                                           trial(3, "completed", 0.8, 0.6, 0.2)};
  EXPECT_EQ(ids(rank_trials(trials, {"final_loss", false})), (std::vector<std::int64_t>{2, 3, 1}));
  EXPECT_EQ(ids(rank_trials(trials, {"val_accuracy", false})), (std::vector<std::int64_t>{1, 3, 2}));
  EXPECT_TRUE(rank_metrics().at("val_accuracy").higher_is_better);
  EXPECT_FALSE(rank_metrics().at("final_loss").higher_is_better);
  EXPECT_FALSE(rank_metrics().at("train_seconds").higher_is_better);
}

TEST(Ranking, WithoutAnyValidationAccuracyTheDefaultMetricIsTrainAccuracy) {
  const std::vector<TrialRecord> toy = {trial(1, "completed", kNaN, 0.6, 0.3), trial(2, "completed", kNaN, 0.9, 0.4)};
  EXPECT_EQ(default_sort_key(toy).metric, "train_accuracy");
  EXPECT_EQ(ids(rank_trials(toy)), (std::vector<std::int64_t>{2, 1}));
  const std::vector<TrialRecord> split = {trial(1, "completed", kNaN, 0.6, 0.3), trial(2, "completed", 0.5, 0.9, 0.4)};
  EXPECT_EQ(default_sort_key(split).metric, "val_accuracy");
}

TEST(Ranking, StatusCountsComeInLifeCycleOrder) {
  const std::vector<TrialRecord> trials = {trial(1, "pending", 0, 0, 0), trial(2, "completed", 0, 0, 0),
                                           trial(3, "failed", 0, 0, 0),  trial(4, "completed", 0, 0, 0),
                                           trial(5, "pruned", 0, 0, 0)};
  const std::vector<std::pair<std::string, std::int64_t>> expected = {
      {"completed", 2}, {"pruned", 1}, {"failed", 1}, {"pending", 1}};
  EXPECT_EQ(count_by_status(trials), expected);
}

TEST(Ranking, TheStrategyIsWhatTheRecordedRungsShow) {
  EXPECT_EQ(search_strategy({}), "exhaustive");
  RungRecord first;
  first.bracket = 0;
  EXPECT_EQ(search_strategy({first, first}), "successive_halving");
  RungRecord later = first;
  later.bracket = 1;
  EXPECT_EQ(search_strategy({first, later}), "hyperband");
  EXPECT_EQ(search_strategy({later}), "hyperband");
}

TEST(Ranking, EachRoundCountsItsTrialsAndNamesItsBestByTheOneRanking) {
  std::vector<TrialRecord> trials = {trial(1, "completed", 0.7, 0.6, 0.3), trial(2, "completed", 0.7, 0.8, 0.3),
                                     trial(3, "diverged", 0.99, 0.9, 0.1), trial(4, "completed", 0.5, 0.5, 0.5),
                                     trial(5, "completed", 0.95, 0.5, 0.5)};
  for (const int id : {1, 2, 3}) trials[static_cast<std::size_t>(id - 1)].round = 0;
  trials[3].round = 1;  // trial 5 has no round: not counted, and never the best of one
  const auto rounds = summarize_rounds(trials, SortKey{});
  ASSERT_EQ(rounds.size(), 2u);
  EXPECT_EQ(rounds[0].round, 0);
  EXPECT_EQ(rounds[0].trials, 3u);
  ASSERT_NE(rounds[0].best, nullptr);
  EXPECT_EQ(rounds[0].best->id, 2) << "ties go to the higher training accuracy; a diverged trial is not ranked";
  EXPECT_EQ(rounds[1].trials, 1u);
  EXPECT_EQ(rounds[1].best->id, 4);
  EXPECT_TRUE(summarize_rounds({trial(1, "completed", 0.5, 0.5, 0.5)}, SortKey{}).empty());
}

}  // namespace
}  // namespace losslab::runner
