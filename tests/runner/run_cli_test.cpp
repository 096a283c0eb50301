// losslab-run end to end: real YAML files, the real Fashion-MNIST files, a real SQLite database,
// the real executable (started as a child process, signalled and killed).
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/cifar_fixture.hpp"
#include "support/idx_fixture.hpp"
#include "support/fashion_config.hpp"
#include "support/process.hpp"
#include "support/scoped_environment.hpp"
#include "support/temp_dir.hpp"

namespace losslab {
namespace {

using test_support::ChildProcess;
using test_support::kRun;
using test_support::run_program;
using test_support::ScopedEnvironment;
using test_support::TempDir;

// A small Fashion-MNIST sweep: `limit` training examples, the given sweep block.
std::string small_config(const std::string& name, int limit, int epochs, const std::string& sweep) {
  return test_support::small_fashion_config(name, limit, epochs, sweep);
}

const std::string kGrid2x2 =
    "  grid:\n"
    "    optimizer.learning_rate: [1.0e-3, 1.0e-2]\n"
    "    regularization.strength: [1.0e-4, 1.0e-2]\n";
// 18 trials: three fused groups of 6.
const std::string kGrid6x3 =
    "  grid:\n"
    "    optimizer.learning_rate: [1.0e-3, 2.0e-3, 3.0e-3, 5.0e-3, 1.0e-2, 2.0e-2]\n"
    "    regularization.strength: [1.0e-5, 1.0e-4, 1.0e-3]\n";

std::int64_t count(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement query(db, sql);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

// trial_key -> every loss of its history, in step order.
std::map<std::string, std::vector<double>> loss_histories(const std::string& db_path) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  SQLite::Statement query(db,
                          "SELECT t.trial_key, h.loss FROM loss_history h JOIN trials t ON t.id = h.trial_id "
                          "ORDER BY t.trial_key, h.step");
  std::map<std::string, std::vector<double>> histories;
  while (query.executeStep()) histories[query.getColumn(0).getString()].push_back(query.getColumn(1).getDouble());
  return histories;
}

TEST(RunCli, QuickstartReachesEightyPercentValidationAccuracy) {
  TempDir dir;
  const std::string db = dir.file("results.db");
  const auto run = run_program({kRun, std::string(LOSSLAB_SOURCE_DIR) + "/configs/quickstart.yaml", "--db", db},
                               dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials"), 12);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), 12);
  SQLite::Statement best(results, "SELECT MAX(val_accuracy) FROM trials");
  ASSERT_TRUE(best.executeStep());
  EXPECT_GE(best.getColumn(0).getDouble(), 0.80);
  // The summary table on stdout names the best trials.
  EXPECT_NE(run.out.find("top 5 trials"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("softmax/sgd/"), std::string::npos) << run.out;
  // Every trial has a loss history and per-epoch metrics; the experiment keeps its config text.
  EXPECT_EQ(count(results, "SELECT COUNT(DISTINCT trial_id) FROM loss_history"), 12);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM epoch_metrics"), 12 * 5);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM experiments WHERE config_yaml LIKE '%quickstart%'"), 1);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM runs WHERE git_commit <> '' AND compiler <> '' AND host <> '' "
                           "AND dataset_checksums LIKE '%crc32:%'"),
            1);
}

// configs/fashion_mnist_best.yaml's promise (configs/README.md): its best trial by validation
// accuracy (the one ranking, ties as the README says) beats 0.845 on the test set, above every
// linear row of the Fashion-MNIST benchmark table (logistic regression: 0.842).
TEST(RunCli, BestFashionMnistConfigBeatsLogisticRegressionOnTheTestSet) {
  TempDir dir;
  const std::string db = dir.file("results.db");
  const auto run = run_program(
      {kRun, std::string(LOSSLAB_SOURCE_DIR) + "/configs/fashion_mnist_best.yaml", "--db", db, "--jobs", "2"},
      dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  SQLite::Statement best(results, "SELECT test_accuracy, epochs_done FROM trials WHERE status = 'completed' "
                                  "ORDER BY val_accuracy DESC, train_accuracy DESC, final_loss, id LIMIT 1");
  ASSERT_TRUE(best.executeStep());
  EXPECT_GE(best.getColumn(0).getDouble(), 0.845);
  EXPECT_LE(best.getColumn(1).getInt(), 50);
}

// Fashion-MNIST ships gzip'd: the first run keeps inflated copies of its image files where
// LOSSLAB_CACHE_DIR says, the next reads them back, --no-cache keeps none; the histories are the same.
TEST(RunCli, KeepsInflatedCopiesOfTheImagesAndReadsThemBack) {
  TempDir dir;
  const std::string config = dir.write("cache.yaml", small_config("cache", 2000, 1, kGrid2x2));
  const std::string cache = dir.file("copies");
  const ScopedEnvironment cached({{"LOSSLAB_CACHE_DIR", cache}});
  const auto first = run_program({kRun, config, "--db", dir.file("first.db"), "--log-level", "debug"},
                                 dir.path().string());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("kept an inflated copy of " LOSSLAB_FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz"),
            std::string::npos)
      << first.err;
  std::size_t copies = 0;
  for (const auto& entry : std::filesystem::directory_iterator(cache)) copies += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(copies, 2u);

  const auto second = run_program({kRun, config, "--db", dir.file("second.db"), "--log-level", "debug"},
                                  dir.path().string());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("read " LOSSLAB_FASHION_MNIST_DIR "/train-images-idx3-ubyte.gz from its inflated copy " +
                            cache + "/train-images-idx3-ubyte-"),
            std::string::npos)
      << second.err;
  EXPECT_EQ(second.err.find("kept an inflated copy"), std::string::npos) << second.err;

  {
    // --no-cache wins over a folder the environment names.
    const std::string unused = dir.file("unused");
    const ScopedEnvironment elsewhere({{"LOSSLAB_CACHE_DIR", unused}});
    const auto uncached = run_program(
        {kRun, config, "--db", dir.file("uncached.db"), "--log-level", "debug", "--no-cache"}, dir.path().string());
    ASSERT_EQ(uncached.exit_code, 0) << uncached.err;
    EXPECT_EQ(uncached.err.find("inflated copy"), std::string::npos) << uncached.err;
    EXPECT_FALSE(std::filesystem::exists(unused));
  }

  const auto histories = loss_histories(dir.file("first.db"));
  ASSERT_EQ(histories.size(), 4u);
  EXPECT_EQ(loss_histories(dir.file("second.db")), histories);
  EXPECT_EQ(loss_histories(dir.file("uncached.db")), histories);
}

// Runs `config` with --jobs 1 and --jobs 2 and expects `trials` loss histories, equal bit for bit.
void expect_same_histories_with_one_and_two_jobs(const TempDir& dir, const std::string& config,
                                                 std::size_t trials) {
  const auto one = run_program({kRun, config, "--db", dir.file("one.db"), "--jobs", "1"}, dir.path().string());
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const auto two = run_program({kRun, config, "--db", dir.file("two.db"), "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(two.exit_code, 0) << two.err;
  const auto a = loss_histories(dir.file("one.db"));
  ASSERT_EQ(a.size(), trials);
  EXPECT_EQ(a, loss_histories(dir.file("two.db")));  // exact equality of every double
}

TEST(RunCli, SameHistoriesBitForBitWithOneOrTwoJobs) {
  TempDir dir;
  expect_same_histories_with_one_and_two_jobs(dir, dir.write("det.yaml", small_config("det", 3000, 2, kGrid2x2)), 4);
}

TEST(RunCli, SameHistoriesWhenASpareWorkerJoinsTheLastGroup) {
  // 18 fusable trials make 3 groups of 6: with 2 jobs, the worker that finds no group left joins
  // the last one still training. Its histories must be those of one job, bit for bit.
  TempDir dir;
  expect_same_histories_with_one_and_two_jobs(dir, dir.write("spare.yaml", small_config("spare", 3000, 2, kGrid6x3)),
                                              18);
}

TEST(RunCli, RerunSkipsCompletedTrialsAndForceRerunsThem) {
  TempDir dir;
  const std::string config = dir.write("resume.yaml", small_config("resume", 2000, 1, kGrid2x2));
  const std::string db = dir.file("r.db");
  ASSERT_EQ(run_program({kRun, config, "--db", db}, dir.path().string()).exit_code, 0);
  const auto again = run_program({kRun, config, "--db", db}, dir.path().string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 to run, 4 already finished"), std::string::npos) << again.err;
  {
    SQLite::Database results(db, SQLite::OPEN_READONLY);
    EXPECT_EQ(count(results, "SELECT SUM(attempts) FROM trials"), 4);
  }
  const auto forced = run_program({kRun, config, "--db", db, "--force"}, dir.path().string());
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials"), 4);
  EXPECT_EQ(count(results, "SELECT SUM(attempts) FROM trials"), 8);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM runs"), 2);  // the no-op rerun starts no run
}

TEST(RunCli, ResumeAfterSigkillLosesAndRepeatsNothing) {
  TempDir dir;
  const std::string config = dir.write("kill.yaml", small_config("kill", 20000, 3, kGrid6x3));
  const std::string db = dir.file("kill.db");
  std::map<std::string, std::vector<double>> before_kill;
  {
    ChildProcess child({kRun, config, "--db", db, "--jobs", "2"}, dir.file("o1"), dir.file("e1"));
    // Kill once a few trials are committed, while others are in flight.
    const bool some_done = test_support::wait_until(
        [&] {
          try {
            SQLite::Database results(db, SQLite::OPEN_READONLY);
            return count(results, "SELECT COUNT(*) FROM trials WHERE status = 'completed'") >= 3;
          } catch (const std::exception&) {
            return false;
          }
        },
        std::chrono::seconds(120));
    ASSERT_TRUE(some_done) << child.err();
    child.signal(SIGKILL);
    EXPECT_EQ(child.wait(), 128 + SIGKILL);
    SQLite::Database results(db, SQLite::OPEN_READONLY);
    SQLite::Statement done(results,
                           "SELECT t.trial_key, h.loss FROM loss_history h JOIN trials t ON t.id = h.trial_id "
                           "WHERE t.status = 'completed' ORDER BY t.trial_key, h.step");
    while (done.executeStep()) before_kill[done.getColumn(0).getString()].push_back(done.getColumn(1).getDouble());
  }
  ASSERT_GE(before_kill.size(), 3u);
  ASSERT_LT(before_kill.size(), 18u) << "the sweep finished before the kill; the test proves nothing";

  const auto resumed = run_program({kRun, config, "--db", db, "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials"), 18);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), 18);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM (SELECT trial_key FROM trials GROUP BY trial_key HAVING COUNT(*) > 1)"), 0);
  SQLite::Statement integrity(results, "PRAGMA integrity_check");
  ASSERT_TRUE(integrity.executeStep());
  EXPECT_EQ(integrity.getColumn(0).getString(), "ok");
  // Trials finished before the kill were not run again and their results are unchanged.
  const auto after = loss_histories(db);
  for (const auto& [key, history] : before_kill) {
    EXPECT_EQ(after.at(key), history) << key;
    SQLite::Statement attempts(results, "SELECT attempts FROM trials WHERE trial_key = ?");
    attempts.bind(1, key);
    ASSERT_TRUE(attempts.executeStep());
    EXPECT_EQ(attempts.getColumn(0).getInt(), 1) << key;
  }
  // Every history is complete: 3 epochs of (19000 / 100) steps.
  for (const auto& [key, history] : after) EXPECT_EQ(history.size(), 3u * 190u) << key;
  // And bit for bit what one uninterrupted run records: a resumed trial trains in the same fused
  // group as it would have.
  const auto fresh = run_program({kRun, config, "--db", dir.file("fresh.db"), "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_EQ(after, loss_histories(dir.file("fresh.db")));
}

TEST(RunCli, SigintMarksInFlightTrialsInterruptedAndExits130) {
  TempDir dir;
  const std::string sweep =
      "  grid:\n"
      "    optimizer.learning_rate: [1.0e-3, 2.0e-3, 3.0e-3, 5.0e-3, 1.0e-2, 2.0e-2]\n";
  const std::string config = dir.write("int.yaml", small_config("int", 50000, 30, sweep));
  const std::string db = dir.file("int.db");
  ChildProcess child({kRun, config, "--db", db, "--jobs", "2"}, dir.file("o"), dir.file("e"));
  const bool running = test_support::wait_until(
      [&] {
        try {
          SQLite::Database results(db, SQLite::OPEN_READONLY);
          return count(results, "SELECT COUNT(*) FROM trials WHERE status = 'running'") >= 1;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(running) << child.err();
  child.signal(SIGINT);
  EXPECT_EQ(child.wait(), 130) << child.err();
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  EXPECT_GE(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'interrupted'"), 1);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'running'"), 0);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM runs WHERE status = 'interrupted'"), 1);
}

TEST(RunCli, DivergedTrialIsRecordedAndTheSweepGoesOn) {
  TempDir dir;
  const std::string sweep = "  grid:\n    optimizer.learning_rate: [1.0e-2, 1.0e+30]\n";
  const std::string config = dir.write("div.yaml", small_config("div", 2000, 2, sweep));
  const auto run = run_program({kRun, config, "--db", dir.file("d.db")}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  SQLite::Database results(dir.file("d.db"), SQLite::OPEN_READONLY);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), 1);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'diverged' AND diverged_step >= 0 "
                           "AND error LIKE '%step%'"),
            1);
}

TEST(RunCli, InvalidConfigExitsTwoWithEveryProblemAndRunsNothing) {
  TempDir dir;
  const std::string config = dir.write("bad.yaml",
                                       "name: bad\n"
                                       "loss: {kind: softmax}\n"
                                       "optimizer:\n"
                                       "  learning_rat: 0.1\n"
                                       "training:\n"
                                       "  epochs: -3\n");
  const auto run = run_program({kRun, config, "--db", dir.file("bad.db")}, dir.path().string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("bad.yaml:4:3:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("learning_rate"), std::string::npos) << run.err;  // did you mean
  EXPECT_NE(run.err.find("bad.yaml:6:11:"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("bad.db")));
}

TEST(RunCli, DryRunListsTrialsAndTheirCount) {
  TempDir dir;
  const std::string config = dir.write("dry.yaml", small_config("dry", 1000, 1, kGrid2x2));
  const auto run = run_program({kRun, config, "--dry-run", "--set", "sweep.grid.loss.kind=[svm,softmax]"},
                               dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("8 trials"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("svm/sgd/"), std::string::npos) << run.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("results.db")));
}

}  // namespace
}  // namespace losslab

namespace losslab {
namespace {

TEST(RunCli, Cifar10ConfigRunsWhenPointedAtBinaryBatches) {
  test_support::TempDir dir, data;
  test_support::write_cifar10_directory(data, 300, 200);
  const auto run = test_support::run_program(
      {kRun, std::string(LOSSLAB_SOURCE_DIR) + "/configs/cifar10.yaml", "--db", dir.file("c.db"), "--set",
       "dataset.path=" + data.path().string(), "--set", "training.epochs=2"},
      dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // The course's split shape on 1500 training images: 1000 validation, the rest training; the
  // first 1000 (here: all 200) test images; 3072 pixels + the bias feature.
  EXPECT_NE(run.err.find("cifar10: 500 train / 1000 val / 200 test, 3073 features, 10 classes"), std::string::npos)
      << run.err;
  SQLite::Database results(dir.file("c.db"), SQLite::OPEN_READONLY);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), 16);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM runs WHERE dataset_checksums LIKE '%test_batch.bin%'"), 1);
}

// A UCI-style file: gzip'd, no header row, the class name in the first column; the test file plain.
TEST(RunCli, HeaderlessGzipCsvTrainsEndToEnd) {
  TempDir dir;
  const std::string train = "north,0.2,5.1\neast,4.8,-0.3\nsouthwest,-5.2,-4.9\n"
                            "north,-0.4,4.7\neast,5.3,0.6\nsouthwest,-4.6,-5.5\n";
  test_support::write_gzip(dir, "train.data.gz", test_support::Bytes(train.begin(), train.end()));
  dir.write("test.data", std::string("east,4.9,0.1\nnorth,0.3,5.4\nsouthwest,-5.0,-5.1\n"));
  const std::string config = dir.write("headerless.yaml", std::string("name: headerless\n"
                                                                      "dataset:\n"
                                                                      "  kind: csv\n"
                                                                      "  path: train.data.gz\n"
                                                                      "  test_path: test.data\n"
                                                                      "  header: false\n"
                                                                      "  label_column: 0\n"
                                                                      "  validation: 0\n"
                                                                      "  preprocess: [bias]\n"
                                                                      "loss: {kind: softmax}\n"
                                                                      "regularization: {kind: none}\n"
                                                                      "optimizer: {kind: gd, learning_rate: 0.1}\n"
                                                                      "training: {epochs: 20}\n"));
  const std::string db = dir.file("h.db");
  const auto run = run_program({kRun, config, "--db", db, "--no-progress"}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Two features plus the bias; three class names, from both files.
  EXPECT_NE(run.err.find("csv: 6 train / 0 val / 3 test, 3 features, 3 classes"), std::string::npos) << run.err;
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), 1);
  // The three clusters are separable: every training and test example right.
  SQLite::Statement accuracy(results, "SELECT train_accuracy, test_accuracy FROM trials");
  ASSERT_TRUE(accuracy.executeStep());
  EXPECT_EQ(accuracy.getColumn(0).getDouble(), 1.0);
  EXPECT_EQ(accuracy.getColumn(1).getDouble(), 1.0);
  // Step 0 starts from W ~ 1e-3 (scores ~1e-2): the loss of uniform guessing over 3 classes, ln 3.
  SQLite::Statement first(results, "SELECT loss FROM loss_history WHERE step = 0");
  ASSERT_TRUE(first.executeStep());
  EXPECT_NEAR(first.getColumn(0).getDouble(), std::log(3.0), 0.02);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM runs WHERE dataset_checksums LIKE '%train.data.gz%'"), 1);
}

}  // namespace
}  // namespace losslab

namespace losslab {
namespace {

TEST(RunCli, FusedAndUnfusedSweepsRecordTheSameHistories) {
  test_support::TempDir dir;
  const std::string sweep =
      "  grid:\n"
      "    loss.kind: [svm, softmax]\n"
      "    optimizer.learning_rate: [1.0e-3, 1.0e-2, 3.0e-2]\n";
  const std::string config = dir.write("fuse.yaml", small_config("fuse", 3000, 2, sweep));
  const auto fused = test_support::run_program({kRun, config, "--db", dir.file("f.db")}, dir.path().string());
  ASSERT_EQ(fused.exit_code, 0) << fused.err;
  EXPECT_NE(fused.err.find("6 trials in 1 group"), std::string::npos) << fused.err;
  const auto alone =
      test_support::run_program({kRun, config, "--db", dir.file("a.db"), "--no-fuse"}, dir.path().string());
  ASSERT_EQ(alone.exit_code, 0) << alone.err;
  EXPECT_NE(alone.err.find("6 trials in 6 groups"), std::string::npos) << alone.err;
  const auto a = loss_histories(dir.file("f.db"));
  const auto b = loss_histories(dir.file("a.db"));
  ASSERT_EQ(a.size(), 6u);
  for (const auto& [key, history] : a) {
    const auto& other = b.at(key);
    ASSERT_EQ(history.size(), other.size()) << key;
    for (std::size_t i = 0; i < history.size(); ++i)
      ASSERT_NEAR(history[i], other[i], 1e-5 * std::abs(other[i])) << key << " step " << i;
  }
}

}  // namespace
}  // namespace losslab
