// losslab-gradcheck: the check of real configs (Fashion-MNIST, synthetic data) through the library,
// the choice of trial, and the executable's output and exit codes. The verdict's logic on
// hand-made gradients is tested with the core (tests/core/gradient_check_test.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "losslab/runner/config.hpp"
#include "losslab/runner/trials.hpp"
#include "losslab/trainer.hpp"
#include "support/fashion_config.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "trial_gradients.hpp"

namespace losslab::gradcheck {
namespace {

using test_support::run_program;
using test_support::TempDir;

const std::string kGradcheck = test_support::program_path("losslab-gradcheck");

// 2000 Fashion-MNIST images (1000 of them validation), batch 100, softmax; svm with --set.
std::string fashion_config(const TempDir& dir) {
  return dir.write("fashion.yaml", test_support::small_fashion_config(
                                       "gradcheck", 2000, 1, "  grid: {optimizer.learning_rate: [1.0e-3, 1.0e-2]}\n"));
}

GradcheckResult check(const std::string& config, const std::vector<std::string>& overrides = {},
                      const std::string& trial = "") {
  GradcheckOptions options;
  options.config_path = config;
  options.overrides = overrides;
  options.trial_key = trial;
  return check_trial_gradients(options);
}

void expect_passes_on_fashion_mnist(const GradcheckResult& result) {
  EXPECT_EQ(result.verdict, GradientCheckVerdict::pass);
  EXPECT_EQ(result.batch, 100u);  // the config's batch size
  EXPECT_EQ(result.training_examples, 1000u);
  EXPECT_EQ(result.rows, 785);  // 28 x 28 pixels + the bias
  EXPECT_EQ(result.classes, 10);
  ASSERT_EQ(result.points.size(), 2u);
  EXPECT_EQ(result.points[0].name, "initial W");
  EXPECT_EQ(result.points[1].name, "after 10 steps");
  for (const CheckedPoint& point : result.points) {
    EXPECT_EQ(point.report.coordinates.size(), 20u);
    EXPECT_LT(point.report.max_relative_error, kGradientCheckThreshold) << point.name;
    EXPECT_GT(point.report.mean_relative_error, 0.0) << point.name;  // a real difference, not a copy
  }
  EXPECT_EQ(result.overall.coordinates.size(), 40u);
  // The two points check other coordinates, at other weights.
  EXPECT_NE(result.points[0].report.coordinates[0].analytic, result.points[1].report.coordinates[0].analytic);
}

TEST(Gradcheck, SoftmaxPassesOnFashionMnist) {
  TempDir dir;
  const GradcheckResult result = check(fashion_config(dir));
  EXPECT_EQ(result.trial.name, "softmax/sgd/lr=1e-3/seed=0");
  EXPECT_EQ(result.known_trials, 2u);
  expect_passes_on_fashion_mnist(result);
}

TEST(Gradcheck, SvmPassesOnFashionMnist) {
  TempDir dir;
  const GradcheckResult result = check(fashion_config(dir), {"loss.kind=svm"});
  EXPECT_EQ(result.trial.name, "svm/sgd/lr=1e-3/seed=0");
  expect_passes_on_fashion_mnist(result);
}

// Blobs in 4-D, 3 classes; softmax with an L1 penalty from a W so small that most entries lie
// within h of 0, where |w| has its kink.
std::string l1_config(const TempDir& dir) {
  return dir.write("l1.yaml", std::string("name: l1\n"
                                          "dataset: {kind: synthetic, synthetic: {dimension: 4, per_class: 500}}\n"
                                          "loss: {kind: softmax}\n"
                                          "regularization: {kind: l1, strength: 0.01}\n"
                                          "optimizer: {kind: gd, learning_rate: 0.1}\n"
                                          "training: {epochs: 5, init_scale: 1.0e-5}\n"));
}

TEST(Gradcheck, CountsL1KinksAndLeavesThemOut) {
  TempDir dir;
  GradcheckOptions options;
  options.config_path = l1_config(dir);
  options.samples = 0;  // every coordinate
  options.steps = 0;
  const GradcheckResult result = check_trial_gradients(options);
  ASSERT_EQ(result.points.size(), 1u);
  ASSERT_EQ(result.rows, 5);  // 4 features + the bias
  // The kinks are the penalized entries (not the bias row) with |w| < h, as counted here.
  const runner::ExperimentConfig config = runner::load_experiment_config(options.config_path);
  const Matrix<float> W = initial_weights(runner::to_trainer_config(config.base), 5, 3);
  std::size_t near_zero = 0;
  for (Eigen::Index c = 0; c < 3; ++c)
    for (Eigen::Index r = 0; r < 4; ++r) near_zero += std::abs(static_cast<double>(W(r, c))) < 1e-5;
  ASSERT_GT(near_zero, 0u);
  const GradientCheckReport& report = result.points[0].report;
  EXPECT_EQ(report.coordinates.size(), 15u);
  EXPECT_EQ(report.kinks_crossed, near_zero);
  EXPECT_EQ(result.verdict, GradientCheckVerdict::pass);
  // Across a kink the difference averages the slopes on both sides: counted, those coordinates
  // would fail the check.
  std::vector<CoordinateCheck> counted = report.coordinates;
  for (CoordinateCheck& c : counted) c.kink_crossed = false;
  EXPECT_EQ(judge(summarize_gradient_check(counted)), GradientCheckVerdict::fail);
}

TEST(Gradcheck, FullBatchIsCappedAndTheStepsCountedAsTaken) {
  TempDir dir;
  GradcheckOptions options;
  options.config_path = l1_config(dir);
  options.steps = 50;  // the config trains 5 epochs of one full-batch step
  const GradcheckResult result = check_trial_gradients(options);
  // 1500 blobs: 300 held out for test, 120 of the rest for validation.
  EXPECT_EQ(result.training_examples, 1080u);
  EXPECT_EQ(result.batch, kMaxBatch);
  ASSERT_EQ(result.points.size(), 2u);
  EXPECT_EQ(result.points[1].name, "after 5 steps");
}

TEST(Gradcheck, SelectsTrialsByKey) {
  TempDir dir;
  const runner::ExperimentConfig config = runner::load_experiment_config(fashion_config(dir));
  const std::vector<runner::Trial> trials = runner::known_trials(config);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(&select_trial(trials, ""), &trials[0]);
  EXPECT_EQ(&select_trial(trials, trials[1].key), &trials[1]);
  std::string typo = trials[1].key;
  typo[3] = typo[3] == '0' ? '1' : '0';
  try {
    select_trial(trials, typo);
    FAIL() << "expected UnknownTrial";
  } catch (const UnknownTrial& error) {
    EXPECT_EQ(std::string(error.what()), "no trial with key '" + typo +
                                             "' among the sweep's 2 (losslab-run CONFIG --dry-run lists them); did "
                                             "you mean '" + trials[1].key + "'?");
  }
}

TEST(GradcheckCli, PassesFailsAndRejectsWithItsExitCodes) {
  TempDir dir;
  const std::string config = fashion_config(dir);
  // The key of the second trial as losslab-run --dry-run prints it (the first word of line 2).
  const auto dry_run = run_program({test_support::kRun, config, "--dry-run"}, dir.path().string());
  ASSERT_EQ(dry_run.exit_code, 0) << dry_run.err;
  std::istringstream lines(dry_run.out);
  std::string line, key;
  std::getline(lines, line);
  std::getline(lines, line);
  std::istringstream(line) >> key;
  ASSERT_EQ(key.size(), 16u) << dry_run.out;

  const auto pass = run_program({kGradcheck, config, "--trial", key, "--samples", "10"}, dir.path().string());
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_NE(pass.out.find("trial " + key + "  softmax/sgd/lr=0.01/seed=0  (one of 2 trials)"), std::string::npos)
      << pass.out;
  EXPECT_NE(pass.out.find("PASS: worst relative error"), std::string::npos) << pass.out;
  EXPECT_NE(pass.out.find("over 20 coordinates off a kink (0 on a kink, left out)"), std::string::npos) << pass.out;

  // No float64 difference gets within 1e-20 of the analytic gradient everywhere.
  const auto strict = run_program({kGradcheck, config, "--threshold", "1e-20"}, dir.path().string());
  EXPECT_EQ(strict.exit_code, 1) << strict.err;
  EXPECT_NE(strict.out.find("FAIL: worst relative error"), std::string::npos) << strict.out;
  EXPECT_NE(strict.out.find("> threshold 1e-20"), std::string::npos) << strict.out;

  const auto unknown = run_program({kGradcheck, config, "--trial", "0123"}, dir.path().string());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no trial with key '0123' among the sweep's 2"), std::string::npos) << unknown.err;

  const auto bad_config = run_program({kGradcheck, config, "--set", "loss.kind=hinge"}, dir.path().string());
  EXPECT_EQ(bad_config.exit_code, 2);
  EXPECT_NE(bad_config.err.find("loss.kind"), std::string::npos) << bad_config.err;

  const auto bad_samples = run_program({kGradcheck, config, "--steps", "-1"}, dir.path().string());
  EXPECT_EQ(bad_samples.exit_code, 2);

  // The label column is checked when the config is read; a bad cell further down only when the data loads.
  const std::string csv = dir.write("bad.csv", std::string("a,label\n1,0\n2,1\nx,0\n"));
  const std::string csv_config = dir.write("csv.yaml", "dataset: {kind: csv, path: " + csv + "}\n");
  const auto bad_data = run_program({kGradcheck, csv_config}, dir.path().string());
  EXPECT_EQ(bad_data.exit_code, 3);
  EXPECT_NE(bad_data.err.find(csv + ":4:1: 'x' in column 'a' is not a number"), std::string::npos) << bad_data.err;
}

}  // namespace
}  // namespace losslab::gradcheck
