// Parameter importance: hand-computed shares on a small database written through the results
// store, the grouping rules (levels, quantile bins, ties, missing values) on trials in memory, and
// a real sweep where one parameter provably does not matter (serve_support.hpp's seed_sweep: the
// seed of a strictly convex problem trained to its minimum).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "losslab/runner/results/store.hpp"
#include "param_importance.hpp"
#include "report/serve_support.hpp"

namespace losslab::report {
namespace {

using nlohmann::json;
using report_test::parse_csv;
using report_test::run_report;
using test_support::TempDir;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const ParamImportance& importance_of(const ImportanceResult& result, const std::string& param) {
  const auto it = std::find_if(result.params.begin(), result.params.end(),
                               [&](const ParamImportance& p) { return p.param == param; });
  if (it == result.params.end()) throw std::runtime_error("no importance for " + param);
  return *it;
}

std::vector<std::string> order(const ImportanceResult& result) {
  std::vector<std::string> names;
  for (const auto& param : result.params) names.push_back(param.param);
  return names;
}

// ---- hand-computed shares in a real database ---------------------------------------------------

runner::TrialSpec grid_trial(double learning_rate, const std::string& loss) {
  runner::TrialSpec trial;
  trial.name = loss + "/lr=" + runner::format_value(learning_rate);
  trial.key = "hand/" + trial.name;
  trial.params = {{"optimizer.learning_rate", learning_rate}, {"loss.kind", loss}, {"training.epochs", std::int64_t{5}}};
  trial.swept = {"optimizer.learning_rate", "loss.kind"};
  trial.short_names = {{"optimizer.learning_rate", "learning_rate"}, {"loss.kind", "loss"}, {"training.epochs", "epochs"}};
  trial.params_json = runner::params_to_json_text(trial.params);
  return trial;
}

// A 2 x 2 grid, learning rate {0.01, 0.1} x loss {svm, softmax}, with validation accuracies
//            svm   softmax
//   0.01     0.5   0.6
//   0.1      0.7   1.0
// mean 0.7, SS_total = 0.04 + 0.01 + 0 + 0.09 = 0.14;
// learning rate: means 0.55, 0.85 -> SS = 2 * 0.15^2 + 2 * 0.15^2 = 0.09 -> share 9/14;
// loss: means 0.6, 0.8 -> SS = 2 * 0.1^2 + 2 * 0.1^2 = 0.04 -> share 4/14;
// the interaction is the rest, 1/14. Chance with 2 groups of 4 trials: 1/3.
// Two more trials must not count: a diverged one (no accuracy) and a pruned one (0.99 at a
// smaller budget), which would change every share.
std::string hand_database(const TempDir& dir) {
  const std::string path = dir.file("hand.db");
  runner::ResultsStore store(path);
  const auto experiment = store.ensure_experiment({"hand", "name: hand\n", "hand.yaml"});
  const std::vector<std::tuple<double, std::string, runner::TrialStatus, double>> rows = {
      {0.01, "svm", runner::TrialStatus::completed, 0.5},   {0.01, "softmax", runner::TrialStatus::completed, 0.6},
      {0.1, "svm", runner::TrialStatus::completed, 0.7},    {0.1, "softmax", runner::TrialStatus::completed, 1.0},
      {1.0, "svm", runner::TrialStatus::diverged, kNaN},    {1.0, "softmax", runner::TrialStatus::pruned, 0.99}};
  std::vector<runner::TrialSpec> specs;
  for (const auto& row : rows) specs.push_back(grid_trial(std::get<0>(row), std::get<1>(row)));
  store.register_trials(experiment, specs);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    TrainResult result;
    result.val_accuracy = std::get<3>(rows[i]);
    result.train_accuracy = std::get<3>(rows[i]);
    result.test_accuracy = kNaN;
    result.final_loss = 1.0;
    runner::TrialOutcome outcome;
    outcome.status = std::get<2>(rows[i]);
    outcome.result = &result;
    store.record_outcome(store.trial_id(specs[i].key), outcome);
  }
  return path;
}

TEST(ParamImportance, HandComputedSharesOfASmallGrid) {
  TempDir dir;
  ResultsReader db(hand_database(dir));
  const ImportanceResult result = parameter_importance(db.trials(db.experiments().at(0).id));
  EXPECT_EQ(result.metric, "val_accuracy");
  EXPECT_EQ(result.trials, 4u);
  EXPECT_EQ(result.note, "");
  EXPECT_NEAR(result.mean, 0.7, 1e-12);
  EXPECT_NEAR(result.stddev, std::sqrt(0.14 / 4), 1e-12);
  EXPECT_EQ(order(result), (std::vector<std::string>{"learning_rate", "loss"}));
  EXPECT_NEAR(importance_of(result, "learning_rate").share, 9.0 / 14, 1e-12);
  EXPECT_NEAR(importance_of(result, "loss").share, 4.0 / 14, 1e-12);
  EXPECT_NEAR(result.rest(), 1.0 / 14, 1e-12);
  for (const auto& param : result.params) {
    EXPECT_EQ(param.groups, 2u) << param.param;
    EXPECT_FALSE(param.binned) << param.param;
    EXPECT_NEAR(param.chance, 1.0 / 3, 1e-12) << param.param;
  }
}

TEST(ParamImportance, SummaryPrintsTheTableInEveryFormat) {
  TempDir dir;
  const std::string db = hand_database(dir);
  const auto text = run_report({db, "--importance"}, dir);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("\nparameter importance: share of the variance of val_accuracy over 4 completed trials "
                          "(mean 0.7000, std 0.1871) explained by each parameter alone:\n"
                          "rank  parameter      share   groups  grouped_by  chance\n"
                          "----  -------------  ------  ------  ----------  ------\n"
                          "   1  learning_rate  0.6429       2  levels      0.3333\n"
                          "   2  loss           0.2857       2  levels      0.3333\n"
                          "rest (interactions and noise): 0.0714\n"),
            std::string::npos)
      << text.out;
  EXPECT_EQ(run_report({db}, dir).out.find("parameter importance"), std::string::npos) << "only when asked";

  const auto as_json = run_report({db, "--importance", "--format", "json"}, dir);
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json importance = json::parse(as_json.out).at(0).at("importance");
  EXPECT_EQ(importance.at("trials"), 4);
  ASSERT_EQ(importance.at("shares").size(), 2u);
  EXPECT_EQ(importance.at("shares")[0].at("param"), "learning_rate");
  EXPECT_NEAR(importance.at("shares")[0].at("share").get<double>(), 9.0 / 14, 1e-6);
  EXPECT_NEAR(importance.at("shares")[1].at("share").get<double>(), 4.0 / 14, 1e-6);

  const auto csv = run_report({db, "--importance", "--format", "csv"}, dir);
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const auto records = parse_csv(csv.out);
  ASSERT_EQ(records.size(), 3u) << csv.out;
  EXPECT_EQ(records[0], (std::vector<std::string>{"experiment", "rank", "parameter", "share", "groups", "grouped_by",
                                                  "chance"}));
  EXPECT_EQ(records[1].at(2), "learning_rate");
  EXPECT_NEAR(std::stod(records[1].at(3)), 9.0 / 14, 1e-12);  // CSV keeps every digit

  // --where narrows the trials the shares are computed over: one learning rate leaves the loss alone.
  const auto narrowed = run_report({db, "--importance", "--where", "learning_rate = 0.1", "--format", "json"}, dir);
  ASSERT_EQ(narrowed.exit_code, 0) << narrowed.err;
  const json shares = json::parse(narrowed.out).at(0).at("importance").at("shares");
  EXPECT_EQ(shares[0].at("param"), "loss");
  EXPECT_EQ(shares[0].at("share"), 1.0);
  EXPECT_EQ(shares[1].at("share"), 0.0);
}

// ---- grouping rules, on trials in memory --------------------------------------------------------

TrialRecord trial(std::int64_t id, double val_accuracy, std::map<std::string, ParamValue> params) {
  TrialRecord t;
  t.id = id;
  t.name = "t" + std::to_string(id);
  t.status = "completed";
  t.val_accuracy = val_accuracy;
  t.train_accuracy = val_accuracy;
  for (const auto& [name, value] : params) t.swept.insert(name);
  t.params = std::move(params);
  return t;
}

TEST(ParamImportance, ManyValuedNumbersAreCutIntoQuantileBins) {
  // 100 trials, learning rate 1 .. 100: 10 bins of 10 (1-10, 11-20, ...); accuracy 0.05 x bin, and
  // a loss alternating svm / softmax that does not matter (5 of each in every bin).
  std::vector<TrialRecord> trials;
  for (int i = 1; i <= 100; ++i)
    trials.push_back(trial(i, 0.05 * ((i - 1) / 10), {{"learning_rate", 1e-4 * i}, {"loss", std::string(i % 2 ? "svm" : "softmax")}}));
  const ImportanceResult result = parameter_importance(trials);
  EXPECT_NEAR(importance_of(result, "learning_rate").share, 1.0, 1e-12);
  EXPECT_EQ(importance_of(result, "learning_rate").groups, 10u);
  EXPECT_TRUE(importance_of(result, "learning_rate").binned);
  EXPECT_NEAR(importance_of(result, "learning_rate").chance, 9.0 / 99, 1e-12);
  EXPECT_LT(importance_of(result, "loss").share, 1e-12);
  EXPECT_FALSE(importance_of(result, "loss").binned);

  // The order trials come in changes nothing.
  std::reverse(trials.begin(), trials.end());
  const ImportanceResult reversed = parameter_importance(trials);
  EXPECT_EQ(importance_json(reversed), importance_json(result));
}

TEST(ParamImportance, EqualValuesShareABinAndMissingValuesAreAGroup) {
  // 12 trials, 11 distinct values: 2 bins of 6 by position, but the two trials at 6 straddle the
  // cut and both go to the first bin. Accuracy 1 up to 6, else 0: the bins explain it all only if
  // the tie is kept together.
  std::vector<TrialRecord> trials;
  const double values[] = {1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 11};
  for (int i = 0; i < 12; ++i) trials.push_back(trial(i + 1, values[i] <= 6 ? 1.0 : 0.0, {{"batch_size", std::int64_t(values[i])}}));
  const ImportanceResult tied = parameter_importance(trials);
  EXPECT_EQ(importance_of(tied, "batch_size").groups, 2u);
  EXPECT_NEAR(importance_of(tied, "batch_size").share, 1.0, 1e-12);

  // momentum only where the optimizer has it: the trials without it are a level of their own.
  const std::vector<TrialRecord> mixed = {trial(1, 0.5, {{"optimizer", std::string("sgd")}}),
                                          trial(2, 0.5, {{"optimizer", std::string("sgd")}}),
                                          trial(3, 0.7, {{"optimizer", std::string("momentum")}, {"momentum", 0.9}}),
                                          trial(4, 0.9, {{"optimizer", std::string("momentum")}, {"momentum", 0.5}})};
  const ImportanceResult result = parameter_importance(mixed);
  // mean 0.65, SS_total = 2 * 0.15^2 + 0.05^2 + 0.25^2 = 0.11; optimizer: means 0.5, 0.8 ->
  // 2 * 0.15^2 * 2 = 0.09; momentum: levels none (0.5, 0.5), 0.5 (0.9), 0.9 (0.7) -> all of it.
  EXPECT_EQ(importance_of(result, "momentum").groups, 3u);
  EXPECT_NEAR(importance_of(result, "momentum").share, 1.0, 1e-12);
  EXPECT_NEAR(importance_of(result, "optimizer").share, 0.09 / 0.11, 1e-12);
  EXPECT_NEAR(importance_of(result, "momentum").chance, 2.0 / 3, 1e-12);
}

TEST(ParamImportance, SaysWhyWhenThereIsNothingToExplain) {
  EXPECT_EQ(parameter_importance({trial(1, 0.5, {{"loss", std::string("svm")}})}).note,
            "Parameter importance needs at least 2 completed trials with a val_accuracy; there is 1.");
  const ImportanceResult flat =
      parameter_importance({trial(1, 0.5, {{"loss", std::string("svm")}}), trial(2, 0.5, {{"loss", std::string("softmax")}})});
  EXPECT_EQ(flat.note, "All 2 completed trials have the same val_accuracy: there is no variance to explain.");
  EXPECT_TRUE(flat.params.empty());
  EXPECT_EQ(importance_table(flat).rows.size(), 0u);
  TrialRecord alone = trial(1, 0.5, {});
  EXPECT_EQ(parameter_importance({alone, trial(2, 0.7, {})}).note,
            "Nothing was swept: every trial ran the same configuration.");
}

// ---- a parameter that provably does not matter --------------------------------------------------

TEST(ParamImportance, ASeedThatCannotMatterGetsNothing) {
  TempDir dir;
  const std::string db = dir.file("seeds.db");
  report_test::record_seed_sweep(dir, db, "[1.0e-3, 0.3, 3.0]");
  ResultsReader reader(db);
  const ImportanceResult result = parameter_importance(reader.trials(reader.experiments().at(0).id));
  ASSERT_EQ(result.trials, 9u);
  ASSERT_EQ(order(result), (std::vector<std::string>{"strength", "seed"})) << importance_json(result).dump(1);
  // Each strength's three seeds end at the same accuracy, so the seeds' means are equal: a share
  // of 0 up to rounding (1e-12) where the strength explains everything.
  EXPECT_LT(importance_of(result, "seed").share, 1e-12);
  EXPECT_GT(importance_of(result, "strength").share, 1 - 1e-12);
  EXPECT_EQ(importance_of(result, "seed").groups, 3u);
  EXPECT_GT(result.stddev, 0.01) << "the strengths must differ, or the test shows nothing";
}

}  // namespace
}  // namespace losslab::report
