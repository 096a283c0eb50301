// The summary's rules in process: which trials are ranked and how, --sort parsing, edge warnings.
#include <gtest/gtest.h>

#include <limits>

#include "summary_report.hpp"

namespace losslab::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TrialRecord trial(std::int64_t id, double learning_rate, double val_accuracy, const std::string& status = "completed",
                  double train_accuracy = 0.5) {
  TrialRecord t;
  t.id = id;
  t.name = "t" + std::to_string(id);
  t.status = status;
  t.params = {{"learning_rate", learning_rate}, {"loss", std::string("svm")}, {"batch_size", std::int64_t{100}}};
  t.swept = {"learning_rate", "loss"};
  t.val_accuracy = val_accuracy;
  t.train_accuracy = train_accuracy;
  t.final_loss = 1 - val_accuracy;
  t.train_seconds = static_cast<double>(id);
  return t;
}

std::vector<std::int64_t> ids(const std::vector<const TrialRecord*>& trials) {
  std::vector<std::int64_t> result;
  for (const auto* t : trials) result.push_back(t->id);
  return result;
}

TEST(SummaryReport, RanksCompletedAndPrunedTrialsWithTheMetricTiesByTrainAccuracyThenId) {
  const std::vector<TrialRecord> trials = {
      trial(1, 1e-3, 0.7),       trial(2, 1e-2, 0.8),         trial(3, 1.0, 0.9, "diverged"),
      trial(4, 1e-1, 0.8, "pruned", 0.9), trial(5, 1e-4, kNaN), trial(6, 1e-2, 0.8),
      trial(7, 1e-2, 0.95, "running"),    trial(8, 1e-2, 0.99, "failed")};
  EXPECT_EQ(ids(rank_trials(trials, parse_sort_key("val_accuracy"))), (std::vector<std::int64_t>{4, 2, 6, 1}));
  EXPECT_EQ(ids(rank_trials(trials, parse_sort_key("final_loss"))), (std::vector<std::int64_t>{4, 2, 6, 1}));
  EXPECT_EQ(ids(rank_trials(trials, parse_sort_key("val_accuracy:asc"))), (std::vector<std::int64_t>{1, 4, 2, 6}));
  EXPECT_EQ(ids(rank_trials(trials, parse_sort_key("train_seconds"))), (std::vector<std::int64_t>{1, 2, 4, 5, 6}));
}

TEST(SummaryReport, SortKeysHaveDirectionsAndHelpfulErrors) {
  EXPECT_TRUE(parse_sort_key("val_accuracy").descending);
  EXPECT_TRUE(parse_sort_key("test_accuracy").descending);
  EXPECT_TRUE(parse_sort_key("train_accuracy").descending);
  EXPECT_FALSE(parse_sort_key("final_loss").descending);
  EXPECT_FALSE(parse_sort_key("train_seconds").descending);
  EXPECT_TRUE(parse_sort_key("final_loss:desc").descending);
  EXPECT_THROW(parse_sort_key("loss"), UsageError);
  EXPECT_THROW(parse_sort_key("val_accuracy:up"), UsageError);
  try {
    parse_sort_key("final_los");
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("did you mean 'final_loss'?"), std::string::npos) << error.what();
  }
}

TEST(SummaryReport, EdgeWarningsForSweptNumbersWithThreeOrMoreValues) {
  std::vector<TrialRecord> trials = {trial(1, 1e-3, 0.7), trial(2, 1e-2, 0.8), trial(3, 1e-1, 0.9)};
  EXPECT_EQ(edge_warnings(trials, trials[2]),
            std::vector<std::string>{"warning: the best learning_rate (0.1) is at the upper edge of the values tried "
                                     "[0.001 .. 0.1]; widen the range"});
  EXPECT_EQ(edge_warnings(trials, trials[0]),
            std::vector<std::string>{"warning: the best learning_rate (0.001) is at the lower edge of the values "
                                     "tried [0.001 .. 0.1]; widen the range"});
  EXPECT_TRUE(edge_warnings(trials, trials[1]).empty());  // inside the range
  trials.pop_back();
  EXPECT_TRUE(edge_warnings(trials, trials[1]).empty());  // only 2 values: every value is an edge
  // A value tried by a diverged trial still counts as tried; text and unswept parameters never warn.
  trials.push_back(trial(3, 1e30, kNaN, "diverged"));
  EXPECT_TRUE(edge_warnings(trials, trials[1]).empty());
  for (auto& t : trials) t.params["batch_size"] = t.id * std::int64_t{10};
  EXPECT_TRUE(edge_warnings(trials, trials[1]).empty());
}

}  // namespace
}  // namespace losslab::report
