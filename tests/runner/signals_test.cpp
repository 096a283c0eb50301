// SIGTERM stops losslab-run as cleanly as Ctrl-C: trials in flight are marked interrupted, what
// finished stays, the exit code is 143, and rerunning the same command completes the sweep
// without touching what was recorded. (SIGINT: RunCli.SigintMarksInFlightTrialsInterruptedAndExits130.)
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/fashion_config.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab {
namespace {

using test_support::ChildProcess;
using test_support::kRun;
using test_support::run_program;
using test_support::TempDir;

// Two learning rates x three seeds: trials of different seeds draw different minibatches, so they
// train in three separate fused groups of two, one after the other with --jobs 1.
std::string three_group_config(const std::string& name, int limit, int epochs) {
  return test_support::small_fashion_config(name, limit, epochs,
                                            "  grid:\n"
                                            "    optimizer.learning_rate: [1.0e-3, 1.0e-2]\n"
                                            "  seeds: [0, 1, 2]\n");
}
constexpr int kTrials = 6;

std::int64_t count(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement query(db, sql);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

// Polls the database (which may not exist yet) until `sql` counts at least `at_least` rows.
bool wait_for_count(const std::string& db, const std::string& sql, std::int64_t at_least) {
  return test_support::wait_until(
      [&] {
        try {
          SQLite::Database results(db, SQLite::OPEN_READONLY);
          return count(results, sql) >= at_least;
        } catch (const std::exception&) {
          return false;
        }
      },
      std::chrono::seconds(120));
}

// What a finished trial's record must keep across a stop and a resume.
struct Recorded {
  std::string finished_at;
  std::int64_t attempts;
  std::vector<double> losses;
  bool operator==(const Recorded&) const = default;
};

std::map<std::string, Recorded> completed_trials(const std::string& db_path) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  std::map<std::string, Recorded> trials;
  SQLite::Statement rows(db, "SELECT trial_key, finished_at, attempts FROM trials WHERE status = 'completed'");
  while (rows.executeStep())
    trials[rows.getColumn(0).getString()] = {rows.getColumn(1).getString(), rows.getColumn(2).getInt64(), {}};
  SQLite::Statement losses(db,
                           "SELECT t.trial_key, h.loss FROM loss_history h JOIN trials t ON t.id = h.trial_id "
                           "WHERE t.status = 'completed' ORDER BY t.trial_key, h.step");
  while (losses.executeStep()) trials[losses.getColumn(0).getString()].losses.push_back(losses.getColumn(1).getDouble());
  return trials;
}

TEST(Signals, SigtermMarksInFlightTrialsInterruptedExits143AndResumeCompletes) {
  TempDir dir;
  const std::string config = dir.write("term.yaml", three_group_config("term", 50000, 8));
  const std::string db = dir.file("term.db");
  std::map<std::string, Recorded> before;
  std::int64_t interrupted = 0;
  {
    ChildProcess child({kRun, config, "--db", db, "--jobs", "1"}, dir.file("o1"), dir.file("e1"));
    // Stop once the first group has completed and a later one is training. Both trials of a group
    // must count: its outcomes are recorded one at a time, so "one completed, one running" can be
    // the first group between its two records, and a signal then leaves nothing in flight (seen in CI).
    ASSERT_TRUE(wait_for_count(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed'", 2)) << child.err();
    ASSERT_TRUE(wait_for_count(db, "SELECT COUNT(*) FROM trials WHERE status = 'running'", 2)) << child.err();
    child.signal(SIGTERM);
    EXPECT_EQ(child.wait(), 143) << child.err();
    EXPECT_NE(child.err().find("stopped by signal 15"), std::string::npos) << child.err();

    SQLite::Database results(db, SQLite::OPEN_READONLY);
    EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'running'"), 0);
    interrupted = count(results, "SELECT COUNT(*) FROM trials WHERE status = 'interrupted' "
                                 "AND error = 'interrupted by signal 15' AND finished_at IS NOT NULL");
    EXPECT_GE(interrupted, 1);
    EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'interrupted'"), interrupted);
    EXPECT_EQ(count(results, "SELECT COUNT(*) FROM runs WHERE status = 'interrupted' AND finished_at IS NOT NULL"), 1);
    SQLite::Statement integrity(results, "PRAGMA integrity_check");
    ASSERT_TRUE(integrity.executeStep());
    EXPECT_EQ(integrity.getColumn(0).getString(), "ok");
    before = completed_trials(db);
  }
  ASSERT_GE(before.size(), 2u);  // the first group
  ASSERT_LT(before.size(), static_cast<std::size_t>(kTrials)) << "the sweep finished before SIGTERM";

  const auto resumed = run_program({kRun, config, "--db", db, "--jobs", "1"}, dir.path().string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find(std::to_string(kTrials - static_cast<int>(before.size())) + " to run"), std::string::npos)
      << resumed.err;
  const auto after = completed_trials(db);
  EXPECT_EQ(after.size(), static_cast<std::size_t>(kTrials));
  // Finished before the stop: not run again, recorded exactly as before.
  for (const auto& [key, recorded] : before) {
    ASSERT_TRUE(after.count(key)) << key;
    EXPECT_EQ(after.at(key), recorded) << key;
    EXPECT_EQ(recorded.attempts, 1) << key;
  }
  // Every history complete: 8 epochs of (49000 / 100) steps.
  for (const auto& [key, recorded] : after) EXPECT_EQ(recorded.losses.size(), 8u * 490u) << key;
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials"), kTrials);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM runs WHERE status = 'completed'"), 1);
  // Each trial completed once; only the interrupted attempts were repeated.
  EXPECT_EQ(count(results, "SELECT SUM(attempts) FROM trials"), kTrials + interrupted);
}

TEST(Signals, SigtermDuringStartupExits143AndLeavesNothingRunning) {
  TempDir dir;
  const std::string config = dir.write("early.yaml", three_group_config("early", 2000, 1));
  const std::string db = dir.file("early.db");
  {
    // --no-cache: the 60000 gzip-compressed images are inflated (~0.2 s), not read back from a
    // kept copy (~0.03 s), so the signal comes while the dataset loads, before any trial runs.
    ChildProcess child({kRun, config, "--db", db, "--jobs", "1", "--no-cache"}, dir.file("o1"), dir.file("e1"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    child.signal(SIGTERM);
    EXPECT_EQ(child.wait(), 143) << child.err();
  }
  if (std::filesystem::exists(db)) {
    SQLite::Database results(db, SQLite::OPEN_READONLY);
    EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'running'"), 0);
  }
  const auto resumed = run_program({kRun, config, "--db", db, "--jobs", "1"}, dir.path().string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(count(results, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), kTrials);
}

}  // namespace
}  // namespace losslab
