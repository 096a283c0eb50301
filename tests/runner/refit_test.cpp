// sweep.refit end to end, with the real losslab-run on real Fashion-MNIST files: after the search the
// best configuration by validation accuracy is trained once more on the training and validation
// examples and recorded as a trial of its own, scored on the test split; the summaries show it
// apart from the ranked search trials; a rerun does not refit again, a kill during the refit
// refits on the rerun, and the refit is the same for any --jobs. Without a validation split the
// config is rejected.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/db_query.hpp"
#include "support/fashion_config.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab {
namespace {

using test_support::column;
using test_support::kRun;
using test_support::program_path;
using test_support::run_program;
using test_support::RunResult;
using test_support::scalar;
using test_support::TempDir;

// 1000 training and 1000 validation images (dataset.limit 2000), two learning rates.
std::string refit_config(const std::string& name, int epochs) {
  return test_support::small_fashion_config(name, 2000, epochs,
                                            "  refit: true\n"
                                            "  grid:\n"
                                            "    optimizer.learning_rate: [1.0e-3, 1.0e-2]\n");
}

// The best search trial by the store's ranking, by SQL of the test's own.
const std::string kBestSearchTrial =
    "SELECT id FROM trials WHERE refit_of IS NULL AND status = 'completed' "
    "ORDER BY val_accuracy DESC, train_accuracy DESC, final_loss, id LIMIT 1";

// What a refit trial recorded that another run must reproduce exactly.
const std::string kRefitResult =
    "SELECT trial_key || ' ' || test_accuracy || ' ' || final_loss || ' ' || "
    "(SELECT hex(data) FROM trial_weights w WHERE w.trial_id = t.id) FROM trials t WHERE refit_of IS NOT NULL";

class Refit : public ::testing::Test {
 protected:
  // One sweep with a refit, run once for the suite (--jobs 2).
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    config_ = dir_->write("refit.yaml", refit_config("refit", 3));
    db_ = dir_->file("refit.db");
    first_ = new RunResult(run({config_, "--db", db_, "--jobs", "2"}));
  }
  static void TearDownTestSuite() {
    delete first_;
    delete dir_;
  }
  static RunResult run(std::vector<std::string> args) {
    args.insert(args.begin(), kRun);
    args.push_back("--no-progress");
    return run_program(args, dir_->path().string());
  }

  static TempDir* dir_;
  static std::string config_, db_;
  static RunResult* first_;
};

TempDir* Refit::dir_ = nullptr;
std::string Refit::config_, Refit::db_;
RunResult* Refit::first_ = nullptr;

TEST_F(Refit, RetrainsTheBestOnTrainingAndValidationDataAndScoresItOnTest) {
  ASSERT_EQ(first_->exit_code, 0) << first_->err;
  EXPECT_EQ(scalar(db_, "SELECT count(*) FROM trials"), "3");
  const std::string best = scalar(db_, kBestSearchTrial);
  EXPECT_EQ(scalar(db_, "SELECT count(*) || ' ' || refit_of || ' ' || status || ' ' || attempts FROM trials "
                        "WHERE refit_of IS NOT NULL"),
            "1 " + best + " completed 1");
  // Trained on both splits: 1000 + 1000 examples; the search trials on the 1000 training ones.
  EXPECT_EQ(column(db_, "SELECT train_examples FROM trials ORDER BY refit_of IS NOT NULL, id"),
            (std::vector<std::string>{"1000", "1000", "2000"}));
  EXPECT_EQ(scalar(db_, "SELECT (SELECT name FROM trials WHERE id = " + best + ") || '/refit' = name FROM trials "
                        "WHERE refit_of IS NOT NULL"),
            "1");
  // Scored once, on the test split (the 10000 test images); nothing on validation.
  EXPECT_EQ(scalar(db_, "SELECT typeof(val_accuracy) || ' ' || typeof(val_macro_f1) || ' ' || typeof(test_accuracy) || "
                        "' ' || typeof(test_macro_f1) FROM trials WHERE refit_of IS NOT NULL"),
            "null null real real");
  EXPECT_EQ(scalar(db_, "SELECT group_concat(DISTINCT c.split) FROM trial_confusion c JOIN trials t "
                        "ON t.id = c.trial_id WHERE t.refit_of IS NOT NULL"),
            "test");
  EXPECT_EQ(scalar(db_, "SELECT sum(c.count) FROM trial_confusion c JOIN trials t ON t.id = c.trial_id "
                        "WHERE t.refit_of IS NOT NULL"),
            "10000");
  EXPECT_EQ(scalar(db_, "SELECT count(*) FROM epoch_metrics m JOIN trials t ON t.id = m.trial_id "
                        "WHERE t.refit_of IS NOT NULL AND m.val_accuracy IS NULL"),
            "3");
  // Its parameters are the best trial's but for the validation split it trained on; its key is its own.
  EXPECT_EQ(column(db_, "SELECT p.name || '=' || p.value FROM trial_params p JOIN trials t ON t.id = p.trial_id "
                        "WHERE t.refit_of IS NOT NULL EXCEPT SELECT name || '=' || value FROM trial_params "
                        "WHERE trial_id = " + best),
            (std::vector<std::string>{"validation=0.0"}));
  EXPECT_EQ(scalar(db_, "SELECT count(DISTINCT trial_key) FROM trials"), "3");
}

TEST_F(Refit, TheSummariesShowItApartFromTheRankedSearchTrials) {
  ASSERT_EQ(first_->exit_code, 0) << first_->err;
  const std::string refit_name = scalar(db_, "SELECT name FROM trials WHERE refit_of IS NOT NULL");
  const std::string& out = first_->out;
  const auto top = out.find("top 2 trials by val_accuracy:");
  const auto refits = out.find("refit on training + validation data, scored once on test (not ranked):");
  ASSERT_NE(top, std::string::npos) << out;
  ASSERT_NE(refits, std::string::npos) << out;
  EXPECT_EQ(out.find(refit_name), out.rfind(refit_name)) << "listed once\n" << out;
  EXPECT_GT(out.find(refit_name), refits) << "among the refits, not the ranked trials\n" << out;
  EXPECT_NE(out.find(" 2000 ", refits), std::string::npos) << out;

  const RunResult report = run_program({program_path("losslab-report"), db_}, dir_->path().string());
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const auto ranked = report.out.find("top 2 of 2 ranked trials by val_accuracy");
  const auto apart = report.out.find("refit on training + validation data, scored once on test (not ranked):");
  ASSERT_NE(ranked, std::string::npos) << report.out;
  ASSERT_NE(apart, std::string::npos) << report.out;
  EXPECT_EQ(report.out.find(refit_name), report.out.rfind(refit_name)) << report.out;
  EXPECT_GT(report.out.find(refit_name), apart) << report.out;
  // Asked for by name, it is there with the metrics it has.
  const RunResult where = run_program({program_path("losslab-report"), "export", db_, "--format", "csv", "--where",
                                       "refit_of is not null and val_accuracy is null and test_macro_f1 > 0"},
                                      dir_->path().string());
  ASSERT_EQ(where.exit_code, 0) << where.err;
  EXPECT_NE(where.out.find(refit_name), std::string::npos) << where.out;
}

TEST_F(Refit, ARerunAfterTheRefitRefitsNothing) {
  ASSERT_EQ(first_->exit_code, 0) << first_->err;
  const RunResult again = run({config_, "--db", db_, "--jobs", "2"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("refit: 2 trials, 0 to run, 2 already finished"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("on the training and validation data: already finished"), std::string::npos) << again.err;
  EXPECT_EQ(scalar(db_, "SELECT group_concat(attempts) FROM trials"), "1,1,1");
  EXPECT_EQ(scalar(db_, "SELECT count(*) FROM runs"), "1") << "nothing ran: no run was begun";
}

TEST_F(Refit, IsTheSameForAnyNumberOfJobs) {
  ASSERT_EQ(first_->exit_code, 0) << first_->err;
  const std::string one_job = dir_->file("one-job.db");
  const RunResult run_one = run({config_, "--db", one_job, "--jobs", "1"});
  ASSERT_EQ(run_one.exit_code, 0) << run_one.err;
  EXPECT_EQ(column(one_job, kRefitResult), column(db_, kRefitResult));
  EXPECT_EQ(column(one_job, "SELECT h.loss FROM loss_history h JOIN trials t ON t.id = h.trial_id "
                            "WHERE t.refit_of IS NOT NULL ORDER BY h.step"),
            column(db_, "SELECT h.loss FROM loss_history h JOIN trials t ON t.id = h.trial_id "
                        "WHERE t.refit_of IS NOT NULL ORDER BY h.step"));
}

// SIGKILL while the refit trains: the rerun recovers it from the dead process and trains it again,
// to the same result as a run that was never stopped.
TEST_F(Refit, AKillDuringTheRefitRefitsOnTheRerun) {
  const std::string config = dir_->write("slow.yaml", refit_config("slow", 100));
  const std::string killed = dir_->file("killed.db"), straight = dir_->file("straight.db");
  std::string err;
  ASSERT_TRUE(test_support::kill_when({kRun, config, "--db", killed, "--jobs", "2"}, dir_->path().string(), killed,
                                      "SELECT count(*) FROM trials WHERE refit_of IS NOT NULL AND status = 'running'",
                                      "1", err))
      << err;
  EXPECT_EQ(scalar(killed, "SELECT count(*) FROM trials WHERE refit_of IS NULL AND status = 'completed'"), "2");
  const RunResult rerun = run({config, "--db", killed, "--jobs", "2"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.err.find("slow: 2 trials, 0 to run, 2 already finished"), std::string::npos) << rerun.err;
  EXPECT_NE(rerun.err.find("on the training and validation data: to run"), std::string::npos) << rerun.err;
  EXPECT_EQ(scalar(killed, "SELECT status || ' ' || attempts FROM trials WHERE refit_of IS NOT NULL"), "completed 2");
  EXPECT_EQ(scalar(killed, "SELECT group_concat(attempts) FROM trials WHERE refit_of IS NULL"), "1,1");

  const RunResult reference = run({config, "--db", straight, "--jobs", "2"});
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  EXPECT_EQ(column(killed, kRefitResult), column(straight, kRefitResult));
}

TEST(RefitConfig, NeedsAValidationSplit) {
  TempDir dir;
  std::string text = refit_config("no-validation", 1);
  text.replace(text.find("validation: 1000"), 16, "validation: 0");
  const std::string config = dir.write("no-validation.yaml", text);
  const RunResult run = run_program({kRun, config, "--db", dir.file("results.db")}, dir.path().string());
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("no-validation.yaml:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("sweep.refit: true retrains the best configuration by validation accuracy on the training "
                         "and validation data, but dataset.validation is 0"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("results.db")));
}

}  // namespace
}  // namespace losslab
