// Databases written by an earlier losslab keep working: tests/fixtures/schema1.db is a real
// database written by losslab 0.1.0 (schema version 1, before trial keys left out inactive
// parameters) for tests/fixtures/schema1.yaml; tests/fixtures/schema3.db, one written with schema
// version 3 (before the weights' preprocessing was recorded) for schema3.yaml; and
// tests/fixtures/schema3_metrics.db, another of version 3 (before confusion matrices, macro-F1 and
// refits) for schema3_metrics.yaml. Today's losslab-run migrates them in place and resumes them
// without rerunning a finished trial; the report reads them as they are; a migration that fails
// leaves the file as it was; a newer schema is refused by the runner and the report.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "losslab/runner/results/store.hpp"
#include "support/db_query.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab {
namespace {

using test_support::kRun;
using test_support::program_path;
using test_support::run_program;
using test_support::RunResult;
using test_support::TempDir;

const std::filesystem::path kFixtures = std::filesystem::path(LOSSLAB_SOURCE_DIR) / "tests" / "fixtures";

// A copy of a fixture database and its config in a fresh directory.
struct Copy {
  TempDir dir;
  std::string db, config;
  explicit Copy(const std::string& fixture = "schema1")
      : db(dir.file(fixture + ".db")), config(dir.file(fixture + ".yaml")) {
    std::filesystem::copy_file(kFixtures / (fixture + ".db"), db);
    std::filesystem::copy_file(kFixtures / (fixture + ".yaml"), config);
  }
  // Changes the copy as another program would, before losslab opens it.
  void exec(const std::string& sql) const {
    SQLite::Database database(db, SQLite::OPEN_READWRITE);
    database.exec(sql);
  }
  // losslab-report ARGS, by default the summary of the copy.
  RunResult report(std::vector<std::string> args = {}) const {
    if (args.empty()) args = {db};
    args.insert(args.begin(), program_path("losslab-report"));
    return run_program(args, dir.path().string());
  }
  RunResult run(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> argv{kRun, config, "--db", db, "--no-progress"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_program(argv, dir.path().string());
  }
};

using test_support::column;
using test_support::scalar;

// Every row of every results table, as text: what "the file as it was" means.
std::vector<std::string> contents(const std::string& db_path) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  std::vector<std::string> rows;
  for (const char* table : {"experiments", "runs", "trials", "trial_params", "loss_history", "epoch_metrics",
                            "trial_weights"}) {
    SQLite::Statement query(db, std::string("SELECT * FROM ") + table + " ORDER BY 1, 2");
    while (query.executeStep()) {
      std::string row = table;
      for (int i = 0; i < query.getColumnCount(); ++i)
        row += "|" + std::to_string(query.getColumn(i).getType()) + ":" + query.getColumn(i).getString();
      rows.push_back(row);
    }
  }
  rows.push_back("user_version " + db.execAndGet("PRAGMA user_version").getString());
  return rows;
}

TEST(SchemaMigration, TheFixtureIsASchemaOneDatabaseOfEightFinishedTrials) {
  const std::string db = (kFixtures / "schema1.db").string();
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), "1");
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed' AND attempts = 1"), "8");
}

TEST(SchemaMigration, VersionOneIsUpgradedAndResumedWithNothingRerun) {
  Copy copy;
  const auto history_before = column(copy.db, "SELECT trial_id || ':' || step || ':' || loss FROM loss_history");
  const auto weights_before = column(copy.db, "SELECT trial_id || ':' || hex(data) FROM trial_weights");
  const RunResult run = copy.run();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Version 2 counts 6 trials in this sweep: sgd's two momentums are one trial.
  EXPECT_NE(run.err.find("schema1: 6 trials, 0 to run, 6 already finished"), std::string::npos) << run.err;
  EXPECT_EQ(scalar(copy.db, "PRAGMA user_version"), std::to_string(runner::kResultsSchemaVersion));
  // Version 3's halving columns and tables are there, empty for this exhaustive sweep.
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM trials WHERE rung IS NULL"), scalar(copy.db, "SELECT COUNT(*) FROM trials"));
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM trial_rungs"), "0");
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM trial_checkpoints"), "0");
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM trials WHERE status = 'completed' AND attempts = 1"), "8");
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM runs"), "1");  // nothing ran: no run was begun
  EXPECT_EQ(column(copy.db, "SELECT trial_id || ':' || step || ':' || loss FROM loss_history"), history_before);
  EXPECT_EQ(column(copy.db, "SELECT trial_id || ':' || hex(data) FROM trial_weights"), weights_before);

  // Each of the 6 trials today's expansion lists owns a recorded trial under its new key; of sgd's
  // two trials per loss, the first (lowest id) took the key and the second kept its old one.
  const RunResult dry = copy.run({"--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  std::set<std::string> expanded;
  for (std::size_t at = 0; at < dry.out.size();) {
    const std::size_t end = dry.out.find('\n', at);
    const std::string line = dry.out.substr(at, end - at);
    const bool listed = line.size() > 16 && line[16] == ' ' &&
                        line.find_first_not_of("0123456789abcdef") == 16;  // "KEY  NAME ..."
    if (listed) expanded.insert(line.substr(0, 16));
    at = end + 1;
  }
  ASSERT_EQ(expanded.size(), 6u) << dry.out;
  const auto keys = column(copy.db, "SELECT trial_key FROM trials ORDER BY id");
  ASSERT_EQ(keys.size(), 8u);
  for (const std::string& key : expanded)
    EXPECT_EQ(std::count(keys.begin(), keys.end(), key), 1) << key << " is not recorded once";
  EXPECT_EQ(keys[1], "686087ab9ae72beb");  // svm/sgd/momentum=0.9: its version 1 key
  EXPECT_EQ(keys[5], "8562a0d018f76ef5");  // softmax/sgd/momentum=0.9
  // Momentum is inactive under sgd: those trials have no momentum row any more.
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM trial_params p JOIN trials t ON t.id = p.trial_id "
                            "WHERE p.name = 'momentum' AND t.name LIKE '%/sgd/%'"),
            "0");
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM trial_params WHERE name = 'momentum'"), "4");
  // An upgraded database is reported as before.
  const RunResult report = copy.report();
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("trials: 8 (8 completed)"), std::string::npos) << report.out;
}

TEST(SchemaMigration, TheReportReadsAVersionOneDatabaseWithoutChangingIt) {
  Copy copy;
  const auto before = contents(copy.db);
  const RunResult report = copy.report();
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("trials: 8 (8 completed)"), std::string::npos) << report.out;
  EXPECT_EQ(contents(copy.db), before);
}

TEST(SchemaMigration, TheVersionThreeFixtureHasFourTrialsWithoutMatrices) {
  const std::string db = (kFixtures / "schema3_metrics.db").string();
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), "3");
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed' AND val_accuracy IS NOT NULL"), "4");
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'trial_confusion'"), "0");
}

// The report reads a version 3 file as it is: the trials have no macro-F1 (NULL, shown as missing),
// sorting by it ranks nothing, and nothing fails or changes the file.
TEST(SchemaMigration, TheReportReadsVersionThreeTrialsWithoutMetricsAsMissing) {
  Copy copy("schema3_metrics");
  const auto before = contents(copy.db);
  const RunResult summary = copy.report({copy.db, "--sort", "macro_f1"});
  EXPECT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_NE(summary.out.find("trials: 4 (4 completed)"), std::string::npos) << summary.out;
  EXPECT_NE(summary.out.find("no completed or pruned trial with a macro_f1 to rank"), std::string::npos) << summary.out;
  const RunResult where = copy.report({"export", copy.db, "--format", "json", "--where", "macro_f1 is null and refit_of is null"});
  EXPECT_EQ(where.exit_code, 0) << where.err;
  const auto rows = nlohmann::json::parse(where.out);
  ASSERT_EQ(rows.size(), 4u) << where.out;
  for (const auto& row : rows)
    for (const char* missing : {"val_macro_f1", "test_macro_f1", "train_examples", "refit_of"})
      EXPECT_TRUE(row.at(missing).is_null()) << missing;
  const RunResult html = copy.report({"html", copy.db, "-o", copy.dir.file("report.html")});
  EXPECT_EQ(html.exit_code, 0) << html.err;
  std::ifstream page(copy.dir.file("report.html"));
  const std::string text((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"confusion\":null"), std::string::npos);
  EXPECT_NE(text.find("has no confusion matrix: it was recorded before losslab recorded them"), std::string::npos);
  EXPECT_EQ(contents(copy.db), before);
}

// losslab-run upgrades a version 3 file: the new columns are NULL for the trials recorded before,
// nothing is rerun, and a refit asked for now trains on top of them with its matrices recorded.
TEST(SchemaMigration, VersionThreeIsUpgradedAndTheNewMetricsStartWithTheNextTrial) {
  Copy copy("schema3_metrics");
  const auto weights_before = column(copy.db, "SELECT trial_id || ':' || hex(data) FROM trial_weights");
  const RunResult run = copy.run();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("schema3: 4 trials, 0 to run, 4 already finished"), std::string::npos) << run.err;
  EXPECT_EQ(scalar(copy.db, "PRAGMA user_version"), std::to_string(runner::kResultsSchemaVersion));
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM trials WHERE val_macro_f1 IS NULL AND test_macro_f1 IS NULL AND "
                            "train_examples IS NULL AND refit_of IS NULL"),
            "4");
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM trial_confusion"), "0");
  EXPECT_EQ(column(copy.db, "SELECT trial_id || ':' || hex(data) FROM trial_weights"), weights_before);

  const RunResult refit = copy.run({"--set", "sweep.refit=true"});
  ASSERT_EQ(refit.exit_code, 0) << refit.err;
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM trials WHERE attempts = 1"), "5");
  // 120 blobs: 30 held out for test, 18 of the other 90 for validation; the refit trains on 72 + 18.
  EXPECT_EQ(scalar(copy.db, "SELECT train_examples || ' ' || (SELECT sum(count) FROM trial_confusion) FROM trials "
                            "WHERE refit_of IS NOT NULL"),
            "90 30");
  const RunResult report = copy.report();
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("/refit"), std::string::npos) << report.out;
}

TEST(SchemaMigration, AFailedMigrationLeavesTheFileAsItWas) {
  Copy copy;
  copy.exec("UPDATE trials SET params_json = '{\"training.epochs\": [1, 2]}' WHERE id = 3");
  const auto before = contents(copy.db);
  const RunResult run = copy.run();
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("migrating to schema version 2: trial 3 has unreadable params_json"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("the file was left as it was"), std::string::npos) << run.err;
  EXPECT_EQ(contents(copy.db), before);
}

// Every row of the tables version 3 had, with the columns it had (what "its rows" are).
std::vector<std::string> version_three_rows(const std::string& db_path) {
  std::vector<std::string> rows;
  for (const char* table : {"experiments", "trials", "trial_params", "loss_history", "epoch_metrics",
                            "trial_rungs", "trial_checkpoints", "runs"}) {
    const auto part = column(db_path, std::string("SELECT '") + table + "' || ':' || json_array(*) FROM (SELECT * FROM " +
                                          table + " ORDER BY 1, 2)");
    rows.insert(rows.end(), part.begin(), part.end());
  }
  const auto weights = column(db_path, "SELECT json_array(trial_id, rows, cols, dtype, layout, has_bias_row, hex(data)) "
                                       "FROM trial_weights ORDER BY trial_id");
  rows.insert(rows.end(), weights.begin(), weights.end());
  return rows;
}

TEST(SchemaMigration, TheVersionThreeFixtureHoldsTwoFinishedTrialsWithWeights) {
  const std::string db = (kFixtures / "schema3.db").string();
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), "3");
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), "2");
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trial_weights"), "2");
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM pragma_table_info('trial_weights') WHERE name = 'preprocessing_id'"), "0");
}

TEST(SchemaMigration, VersionThreeIsUpgradedKeepingItsRowsAndResumedWithNothingRerun) {
  Copy copy("schema3");
  const auto before = version_three_rows(copy.db);
  ASSERT_GT(before.size(), 20u);
  const RunResult run = copy.run();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("schema3: 2 trials, 0 to run, 2 already finished"), std::string::npos) << run.err;
  EXPECT_EQ(scalar(copy.db, "PRAGMA user_version"), std::to_string(runner::kResultsSchemaVersion));
  EXPECT_EQ(version_three_rows(copy.db), before);
  // Version 4's tables are there, and the old weights refer to no preprocessing.
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM preprocessing"), "0");
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM preprocessing_steps"), "0");
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM trial_weights WHERE preprocessing_id IS NULL"), "2");
  EXPECT_EQ(scalar(copy.db, "PRAGMA integrity_check"), "ok");
  EXPECT_TRUE(column(copy.db, "PRAGMA foreign_key_check").empty());

  // A forced rerun records the preprocessing of its weights, one row for both trials.
  const RunResult force = copy.run({"--force"});
  ASSERT_EQ(force.exit_code, 0) << force.err;
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(*) FROM preprocessing"), "1");
  EXPECT_EQ(scalar(copy.db, "SELECT COUNT(DISTINCT preprocessing_id) || ',' || COUNT(*) FROM trial_weights"), "1,2");
  EXPECT_EQ(column(copy.db, "SELECT step FROM preprocessing_steps ORDER BY position"),
            (std::vector<std::string>{"standardize", "bias"}));
  EXPECT_EQ(scalar(copy.db, "SELECT dataset_kind || ' ' || input_shape || ' ' || class_names FROM preprocessing"),
            R"(synthetic [2] ["0","1","2"])");
}

TEST(SchemaMigration, ANewerSchemaIsRefusedByTheRunnerAndTheReport) {
  Copy copy;
  const std::string newer = std::to_string(runner::kResultsSchemaVersion + 1);
  const std::string message =
      "its schema version " + newer + " is newer than this losslab's (" + std::to_string(runner::kResultsSchemaVersion) + ")";
  copy.exec("PRAGMA user_version = " + newer);
  const RunResult run = copy.run();
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find(message + "; use a newer losslab"), std::string::npos) << run.err;
  const RunResult report = copy.report();
  EXPECT_EQ(report.exit_code, 1) << report.err;
  EXPECT_NE(report.err.find(message), std::string::npos) << report.err;
  EXPECT_EQ(scalar(copy.db, "PRAGMA user_version"), newer);
}

}  // namespace
}  // namespace losslab
