// losslab-report reading a database while losslab-run is writing to it: every read succeeds (no
// "database is locked"), sees a consistent state, and the sweep is not disturbed.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "report/cli_support.hpp"

namespace losslab::report_test {
namespace {

using nlohmann::json;
using test_support::ChildProcess;

std::int64_t count(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  // The test's own probe: when the sweep closes its database, SQLite checkpoints under an
  // exclusive lock for a moment, and a reader without a timeout would fail with "locked".
  db.setBusyTimeout(10000);
  SQLite::Statement query(db, sql);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

TEST(ReportLive, ReadsWhileASweepIsWriting) {
  TempDir dir, scratch;
  // 2 losses x 3 learning rates x 3 strengths = 18 trials of 4 epochs on 20000 examples, one at a
  // time: a few seconds of commits to read through.
  const std::string config = dir.write(
      "live.yaml", small_config("live", 4,
                                "  grid:\n"
                                "    loss.kind: [svm, softmax]\n"
                                "    optimizer.learning_rate: [1.0e-3, 1.0e-2, 3.0e-2]\n"
                                "    regularization.strength: [1.0e-4, 1.0e-3, 1.0e-2]\n",
                                20000));
  const std::string db = dir.file("live.db");
  ChildProcess sweep({kRun, config, "--db", db, "--jobs", "1"}, dir.file("run.out"), dir.file("run.err"));
  const auto sweep_running = [&] {
    return count(db, "SELECT count(*) FROM runs WHERE finished_at IS NULL") > 0;
  };
  ASSERT_TRUE(test_support::wait_until(
      [&] {
        try {
          return count(db, "SELECT count(*) FROM trials") == 18 && sweep_running();
        } catch (const std::exception&) {
          return false;  // not created yet
        }
      },
      std::chrono::seconds(120)))
      << ChildProcess::slurp(dir.file("run.err"));

  int reads = 0, reads_mid_sweep = 0;
  std::int64_t last_completed = 0;
  for (bool running = true; running;) {
    running = sweep_running();
    const auto summary = run_in({kReport, db, "--format", "json"}, scratch);
    const auto query = run_in({kReport, "query", db, "SELECT count(*) AS n FROM trials WHERE status = 'completed'",
                               "--format", "json"},
                              scratch);
    const auto exported = run_in({kReport, "export", db, "--format", "csv"}, scratch);
    for (const auto* run : {&summary, &query, &exported}) {
      ASSERT_EQ(run->exit_code, 0) << run->err;
      EXPECT_EQ(run->err.find("locked"), std::string::npos) << run->err;
      EXPECT_EQ(run->err.find("busy"), std::string::npos) << run->err;
    }
    // One snapshot: the status counts add up to the trials, and completed trials only accumulate.
    const auto experiment = json::parse(summary.out).at(0);
    std::int64_t counted = 0;
    for (const auto& [status, n] : experiment.at("status_counts").items()) counted += n.get<std::int64_t>();
    EXPECT_EQ(counted, 18);
    EXPECT_EQ(parse_csv(exported.out).size(), 1u + 18);
    const auto completed = json::parse(query.out).at(0).at("n").get<std::int64_t>();
    EXPECT_GE(completed, last_completed);
    last_completed = completed;
    ++reads;
    if (running && completed < 18) ++reads_mid_sweep;
  }
  EXPECT_EQ(sweep.wait(), 0) << sweep.err();
  EXPECT_GE(reads_mid_sweep, 1) << "the sweep finished before the report could read it mid-way";
  EXPECT_EQ(count(db, "SELECT count(*) FROM trials WHERE status = 'completed'"), 18);

  const auto final_summary = run_in({kReport, db, "--format", "json"}, scratch);
  ASSERT_EQ(final_summary.exit_code, 0) << final_summary.err;
  EXPECT_EQ(json::parse(final_summary.out).at(0).at("status_counts").at("completed"), 18);
  std::cout << reads << " reads, " << reads_mid_sweep << " while the sweep was writing\n";
}

}  // namespace
}  // namespace losslab::report_test
