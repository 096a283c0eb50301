// Several losslab-run processes on one database: trials are claimed atomically, so each is run
// exactly once; a process that dies mid-sweep has its trials taken over by the others.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <csignal>
#include <memory>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab {
namespace {

using test_support::ChildProcess;
using test_support::kRun;
using test_support::TempDir;

// 24 trials (fused in groups of 8 at most, so at least 3 groups); small data so it runs fast.
std::string sweep_config() {
  return "name: together\n"
         "dataset: {kind: fashion-mnist, path: " LOSSLAB_FASHION_MNIST_DIR ", validation: 1000, limit: 8000}\n"
         "optimizer: {batch_size: 100}\n"
         "training: {epochs: 2}\n"
         "sweep:\n"
         "  grid:\n"
         "    loss.kind: [svm, softmax]\n"
         "    optimizer.learning_rate: [1.0e-3, 3.0e-3, 1.0e-2, 3.0e-2]\n"
         "    regularization.strength: [1.0e-5, 1.0e-4, 1.0e-3]\n"
         "  seeds: [0]\n";
}

std::int64_t count(const std::string& db, const std::string& sql) {
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  SQLite::Statement query(results, sql);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

TEST(Concurrency, FourProcessesFinishTheSweepTogetherRunningEachTrialOnce) {
  TempDir dir;
  const std::string config = dir.write("together.yaml", sweep_config());
  const std::string db = dir.file("shared.db");
  std::vector<std::unique_ptr<ChildProcess>> processes;
  for (int i = 0; i < 4; ++i)
    processes.push_back(std::make_unique<ChildProcess>(
        std::vector<std::string>{kRun, config, "--db", db, "--jobs", "1"}, dir.file("out" + std::to_string(i)),
        dir.file("err" + std::to_string(i))));
  for (auto& p : processes) {
    EXPECT_EQ(p->wait(), 0) << p->err();
    EXPECT_EQ(p->err().find("locked"), std::string::npos) << p->err();
    EXPECT_EQ(p->err().find("busy"), std::string::npos) << p->err();
  }
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials"), 24);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), 24);
  EXPECT_EQ(count(db, "SELECT SUM(attempts) FROM trials"), 24);  // nothing ran twice
  EXPECT_EQ(count(db, "SELECT COUNT(DISTINCT trial_id) FROM loss_history"), 24);
  EXPECT_GE(count(db, "SELECT COUNT(DISTINCT run_id) FROM trials"), 2);  // the work was shared
}

TEST(Concurrency, SurvivorsTakeOverTheTrialsOfAProcessThatDied) {
  TempDir dir;
  const std::string config = dir.write("together.yaml", sweep_config());
  const std::string db = dir.file("shared.db");
  ChildProcess victim({kRun, config, "--db", db, "--jobs", "1"}, dir.file("o0"), dir.file("e0"));
  // Wait until the victim holds running trials, then start a survivor and kill the victim.
  ASSERT_TRUE(test_support::wait_until(
      [&] {
        try {
          return count(db, "SELECT COUNT(*) FROM trials WHERE status = 'running'") > 0;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(60)));
  ChildProcess survivor({kRun, config, "--db", db, "--jobs", "1"}, dir.file("o1"), dir.file("e1"));
  victim.signal(SIGKILL);
  EXPECT_EQ(victim.wait(), 128 + SIGKILL);
  EXPECT_EQ(survivor.wait(), 0) << survivor.err();
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), 24);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'running'"), 0);
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  SQLite::Statement integrity(results, "PRAGMA integrity_check");
  ASSERT_TRUE(integrity.executeStep());
  EXPECT_EQ(integrity.getColumn(0).getString(), "ok");
}

}  // namespace
}  // namespace losslab
