// losslab-report end to end: a real database written by the real losslab-run on Fashion-MNIST,
// the real executable, and every answer checked against a query of our own on the same file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "report/cli_support.hpp"

namespace losslab::report_test {
namespace {

using nlohmann::json;

class ReportCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    db_ = dir_->file("results.db");
    for (const auto& [name, grid] : {std::pair{"sweep", kSweepGrid}, std::pair{"edge", kEdgeGrid}}) {
      const std::string config = dir_->write(std::string(name) + ".yaml", small_config(name, 2, grid));
      const auto run = test_support::run_program({kRun, config, "--db", db_, "--jobs", "2"}, dir_->path().string());
      ASSERT_EQ(run.exit_code, 0) << run.err;
      run_output_[name] = run.out;
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  RunResult report(std::vector<std::string> args) const { return run_report(std::move(args), scratch_); }

  static SQLite::Database open() { return SQLite::Database(db_, SQLite::OPEN_READONLY); }

  // The first column of every row, as text.
  static std::vector<std::string> strings(const std::string& sql) {
    auto db = open();
    SQLite::Statement query(db, sql);
    std::vector<std::string> values;
    while (query.executeStep()) values.push_back(query.getColumn(0).getString());
    return values;
  }
  static std::set<std::int64_t> ids(const std::string& sql) {
    std::set<std::int64_t> values;
    for (const auto& text : strings(sql)) values.insert(std::stoll(text));
    return values;
  }
  static std::int64_t scalar(const std::string& sql) { return std::stoll(strings(sql).at(0)); }
  static std::int64_t experiment_id(const std::string& name) {
    return scalar("SELECT id FROM experiments WHERE name = '" + name + "'");
  }
  // A parameter of trial t, as the queries of runner/results/README.md read it.
  static std::string p(const std::string& name) {
    return "(SELECT value FROM trial_params WHERE trial_id = t.id AND name = '" + name + "')";
  }
  // Trial names in the order the report ranks them.
  static std::vector<std::string> ranked_names(const std::string& experiment, const std::string& order, int limit) {
    return strings("SELECT name FROM trials WHERE experiment_id = " + std::to_string(experiment_id(experiment)) +
                   " AND status IN ('completed', 'pruned') AND " + order.substr(0, order.find(' ')) +
                   " IS NOT NULL ORDER BY " + order + ", train_accuracy DESC, final_loss IS NULL, final_loss, id LIMIT " +
                   std::to_string(limit));
  }
  static std::set<std::int64_t> exported_ids(const RunResult& run) {
    std::set<std::int64_t> values;
    for (const auto& row : json::parse(run.out)) values.insert(row.at("trial_id").get<std::int64_t>());
    return values;
  }

  static TempDir* dir_;
  static std::string db_;
  static inline std::map<std::string, std::string> run_output_;  // losslab-run's stdout per experiment
  TempDir scratch_;
};

TempDir* ReportCli::dir_ = nullptr;
std::string ReportCli::db_;

std::vector<std::string> json_names(const json& rows, const std::string& key) {
  std::vector<std::string> names;
  for (const auto& row : rows) names.push_back(row.at(key).get<std::string>());
  return names;
}

TEST_F(ReportCli, SummaryCountsTrialsByStatus) {
  ASSERT_GE(scalar("SELECT count(*) FROM trials WHERE status = 'diverged'"), 1);  // lr = 1e30
  const auto run = report({db_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const std::string experiment : {"sweep", "edge"}) {
    const std::string id = std::to_string(experiment_id(experiment));
    EXPECT_NE(run.out.find("== " + experiment + " (experiment " + id + ") =="), std::string::npos) << run.out;
    std::string expected = "trials: " + strings("SELECT count(*) FROM trials WHERE experiment_id = " + id)[0] + " (";
    std::string counts;
    for (const std::string status : {"completed", "pruned", "diverged", "failed"}) {
      const auto count = scalar("SELECT count(*) FROM trials WHERE status = '" + status + "' AND experiment_id = " + id);
      if (count > 0) counts += (counts.empty() ? "" : ", ") + std::to_string(count) + " " + status;
    }
    EXPECT_NE(run.out.find(expected + counts + ")"), std::string::npos) << expected + counts << "\n" << run.out;
  }
  EXPECT_NE(run.out.find("trials: 12 (8 completed, 4 diverged)"), std::string::npos) << run.out;
}

TEST_F(ReportCli, TopTrialsComeInTheOrderOfADirectQuery) {
  struct Case {
    std::vector<std::string> options;
    std::string order;
    int top;
  };
  for (const auto& c : std::vector<Case>{{{}, "val_accuracy DESC", 5},
                                         {{"--top", "3"}, "val_accuracy DESC", 3},
                                         {{"--sort", "final_loss"}, "final_loss ASC", 5},
                                         {{"--sort", "test_accuracy", "--top", "8"}, "test_accuracy DESC", 8},
                                         {{"--sort", "train_seconds:desc"}, "train_seconds DESC", 5}}) {
    std::vector<std::string> args = {db_, "--experiment", "sweep", "--format", "json"};
    args.insert(args.end(), c.options.begin(), c.options.end());
    const auto run = report(args);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto summary = json::parse(run.out);
    ASSERT_EQ(summary.size(), 1u);
    const auto expected = ranked_names("sweep", c.order, c.top);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(json_names(summary[0]["top"], "trial"), expected) << c.order;
    // Swept parameters are columns of their own, typed.
    for (const auto& row : summary[0]["top"]) {
      EXPECT_TRUE(row.at("learning_rate").is_number()) << row;
      EXPECT_TRUE(row.at("strength").is_number()) << row;
      EXPECT_TRUE(row.at("loss").is_string()) << row;
    }
  }
  // The text table lists the same trials in the same order, ranked 1, 2, 3.
  const auto text = report({db_, "--experiment", "sweep", "--top", "3"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::size_t position = 0;
  int rank = 1;
  for (const auto& name : ranked_names("sweep", "val_accuracy DESC", 3)) {
    const std::size_t found = text.out.find(std::to_string(rank++) + "  " + name, position);
    ASSERT_NE(found, std::string::npos) << name << "\n" << text.out;
    position = found;
  }
  EXPECT_NE(text.out.find("top 3 of 8 ranked trials by val_accuracy (highest first)"), std::string::npos) << text.out;
}

// One definition of "best": losslab-run's own summary at the end of the sweep ranks the same trials
// in the same order as losslab-report and the direct query (diverged trials are in this
// experiment, and the old runner summary ranked them by their last accuracy).
TEST_F(ReportCli, RunnersEndOfSweepSummaryRanksLikeTheReport) {
  const std::string& out = run_output_.at("sweep");
  const std::size_t table = out.find("top 5 trials by val_accuracy:");
  ASSERT_NE(table, std::string::npos) << out;
  std::istringstream lines(out.substr(table));
  std::string line;
  std::getline(lines, line);  // the title
  std::getline(lines, line);  // the header
  std::vector<std::string> listed;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string rank, name, status;
    if (!(fields >> rank >> name >> status) || rank != std::to_string(listed.size() + 1)) break;
    EXPECT_TRUE(status == "completed" || status == "pruned") << line;
    listed.push_back(name);
  }
  EXPECT_EQ(listed, ranked_names("sweep", "val_accuracy DESC", 5)) << out;
}

TEST_F(ReportCli, BestTrialOfEachLossAndOptimizerMatchesAWindowQuery) {
  const auto run = report({db_, "--experiment", "sweep", "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto summary = json::parse(run.out).at(0);
  for (const std::string parameter : {"loss", "optimizer"}) {
    const auto expected = strings(
        "SELECT value || '=' || name FROM (SELECT p.value, t.name, row_number() OVER (PARTITION BY p.value "
        "ORDER BY t.val_accuracy DESC, t.train_accuracy DESC, t.id) AS rank FROM trials t JOIN trial_params p "
        "ON p.trial_id = t.id AND p.name = '" + parameter + "' WHERE t.experiment_id = " +
        std::to_string(experiment_id("sweep")) +
        " AND t.status IN ('completed', 'pruned') AND t.val_accuracy IS NOT NULL) WHERE rank = 1 ORDER BY value");
    std::vector<std::string> actual;
    for (const auto& row : summary.at("best_per_" + parameter))
      actual.push_back(row.at(parameter).get<std::string>() + "=" + row.at("trial").get<std::string>());
    EXPECT_EQ(actual, expected) << parameter;
  }
  EXPECT_EQ(summary["best_per_loss"].size(), 2u);
  const auto text = report({db_, "--experiment", "sweep"});
  EXPECT_NE(text.out.find("best per loss (by val_accuracy):"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("best per optimizer (by val_accuracy):"), std::string::npos) << text.out;
}

TEST_F(ReportCli, EdgeWarningWhenTheBestValueIsTheLargestOrSmallestTried) {
  // What the database says: in "edge" the best learning rate is the largest of 3; in "sweep" it is
  // neither the smallest nor the largest, and the strength has only 2 values.
  const auto best_lr = [&](const std::string& experiment) {
    const auto best = ranked_names(experiment, "val_accuracy DESC", 1).at(0);
    return strings("SELECT " + p("learning_rate") + " FROM trials t WHERE t.name = '" + best +
                   "' AND t.experiment_id = " + std::to_string(experiment_id(experiment)))
        .at(0);
  };
  ASSERT_EQ(best_lr("edge"), "0.001");
  ASSERT_EQ(best_lr("sweep"), "0.01");

  const auto edge = report({db_, "--experiment", "edge"});
  ASSERT_EQ(edge.exit_code, 0) << edge.err;
  EXPECT_NE(edge.out.find("warning: the best learning_rate (0.001) is at the upper edge of the values tried "
                          "[1e-5 .. 0.001]; widen the range"),
            std::string::npos)
      << edge.out;
  const auto sweep = report({db_, "--experiment", "sweep"});
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  EXPECT_EQ(sweep.out.find("warning"), std::string::npos) << sweep.out;

  // Filtering away the largest rate moves the edge: 1e-4 is then the largest of only 2 values.
  const auto filtered = report({db_, "--experiment", "edge", "--where", "learning_rate < 1e-3"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_EQ(filtered.out.find("warning"), std::string::npos) << filtered.out;

  // JSON carries the warnings; CSV keeps them out of the table (on stderr).
  const auto as_json = json::parse(report({db_, "--experiment", "edge", "--format", "json"}).out);
  EXPECT_EQ(as_json.at(0).at("warnings").size(), 1u);
  const auto csv = report({db_, "--experiment", "edge", "--format", "csv"});
  EXPECT_EQ(csv.out.find("warning"), std::string::npos) << csv.out;
  EXPECT_NE(csv.err.find("edge: warning: the best learning_rate"), std::string::npos) << csv.err;
}

TEST_F(ReportCli, WhereFiltersExactlyLikeTheEquivalentSql) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"learning_rate < 1e-2 and loss = softmax", p("learning_rate") + " < 1e-2 AND " + p("loss") + " = 'softmax'"},
      {"loss in (svm) or strength >= 0.01", p("loss") + " IN ('svm') OR " + p("strength") + " >= 0.01"},
      {"not status = diverged", "NOT t.status = 'diverged'"},
      {"status not in ('completed', \"pruned\") and learning_rate > 1",
       "t.status NOT IN ('completed', 'pruned') AND " + p("learning_rate") + " > 1"},
      {"val_accuracy > 0.7 and optimizer.learning_rate <= 0.01",
       "t.val_accuracy > 0.7 AND " + p("learning_rate") + " <= 0.01"},
      {"final_loss is null", "t.final_loss IS NULL"},
      {"val_accuracy is not null and not (val_accuracy >= 0.75)",
       "t.val_accuracy IS NOT NULL AND NOT (t.val_accuracy >= 0.75)"},
      {"not (val_accuracy >= 0.75)", "NOT (t.val_accuracy >= 0.75)"},
      {"LOSS = 'softmax' AND NOT strength < 1e-3 OR (epochs_done >= 2 And loss <> svm)",
       p("loss") + " = 'softmax' AND NOT " + p("strength") + " < 1e-3 OR (t.epochs_done >= 2 AND " + p("loss") +
           " <> 'svm')"},
      {"name == \"svm/sgd/lr=0.01/reg=1e-4/seed=0\"", "t.name = 'svm/sgd/lr=0.01/reg=1e-4/seed=0'"},
      {"batch_size = 100 and regularize_bias = false and learning_rate != 1e30",
       p("batch_size") + " = 100 AND " + p("regularize_bias") + " = 0 AND " + p("learning_rate") + " != 1e30"},
      {"id <= 3 or id in (5, 7, 20)", "t.id <= 3 OR t.id IN (5, 7, 20)"},
      {"learning_rate in (1e-5, 0.001) and loss = softmax",
       p("learning_rate") + " IN (1e-5, 0.001) AND " + p("loss") + " = 'softmax'"},
  };
  const auto total = scalar("SELECT count(*) FROM trials");
  int strict_subsets = 0;
  for (const auto& [where, condition] : cases) {
    const auto expected = ids("SELECT t.id FROM trials t WHERE " + condition);
    const auto run = report({"export", db_, "--format", "json", "--where", where});
    ASSERT_EQ(run.exit_code, 0) << where << "\n" << run.err;
    EXPECT_EQ(exported_ids(run), expected) << where;
    if (!expected.empty() && static_cast<std::int64_t>(expected.size()) < total) ++strict_subsets;
  }
  EXPECT_GE(strict_subsets, 10);

  // The summary considers the same trials: its counts are those of the filtered set.
  const std::string where = "learning_rate < 1e-2 and loss = softmax";
  const auto summary = report({db_, "--experiment", "sweep", "--where", where, "--format", "json"});
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  const auto expected = ids("SELECT t.id FROM trials t WHERE t.experiment_id = " +
                            std::to_string(experiment_id("sweep")) + " AND " + p("learning_rate") +
                            " < 1e-2 AND " + p("loss") + " = 'softmax'");
  const auto object = json::parse(summary.out).at(0);
  EXPECT_EQ(object.at("matching").get<std::size_t>(), expected.size());
  EXPECT_EQ(object.at("trials").get<std::int64_t>(), 12);
  for (const auto& row : object.at("top")) {
    EXPECT_EQ(row.at("loss"), "softmax");
    EXPECT_LT(row.at("learning_rate").get<double>(), 1e-2);
  }
  const auto text = report({db_, "--experiment", "sweep", "--where", where});
  EXPECT_NE(text.out.find("trials: " + std::to_string(expected.size()) + " of 12 match --where"), std::string::npos)
      << text.out;
}

TEST_F(ReportCli, MaliciousOrMalformedWhereIsRejectedOrFilteredAndChangesNothing) {
  const std::string before = fingerprint(db_);
  const std::string evil = scratch_.file("evil.db");
  struct Case {
    std::string where;
    std::string error;      // expected in the message when the expression is rejected
    std::string condition;  // the SQL equivalent when it is a valid filter
  };
  const std::vector<Case> cases = {
      {"1=1; DROP TABLE trials", "expected a parameter or metric name at column 1, found '1'", ""},
      {"loss = 'x' or 1=1 --", "expected a parameter or metric name at column 15", ""},
      {"learning_rate < (SELECT 1)", "expected a value after '<' at column 15, found '('", ""},
      {"name = ''); DELETE FROM trials; --", "unmatched ')' at column 10", ""},
      {"((loss = svm)", "missing ')'", ""},
      {"loss = svm)", "unmatched ')' at column 11", ""},
      {"learning_rat < 1", "unknown name 'learning_rat' at column 1; did you mean 'learning_rate'?", ""},
      {"", "the expression is empty", ""},
      {"   ", "the expression is empty", ""},
      {"loss = 'svm", "unterminated string at column 8", ""},
      {"status = completed; ATTACH DATABASE '" + evil + "' AS evil", "unexpected character ';' at column 19", ""},
      {"learning_rate < 1e-3 union select * from trials", "expected 'and', 'or' or the end", ""},
      {"loss in ()", "expected a value after '('", ""},
      {"not", "expected a parameter or metric name", ""},
      {"strength <", "expected a value after '<' at column 10, found the end", ""},
      {"\" or \"\"=\"", "expected a parameter or metric name at column 1", ""},
      {std::string(500, '(') + "loss = svm" + std::string(500, ')'), "nested too deeply", ""},
      {"learning_rate < 1e999", "out of range", ""},
      {"loss = softmax\n; DROP TABLE trials", "unexpected character ';'", ""},
      {"sqlite_master = x", "unknown name 'sqlite_master'", ""},
      {"trials.status = completed", "unknown name 'trials.status'", ""},
      {"status = 'completed' /* comment */", "unexpected character '/'", ""},
      {"learning_rate = lr", "learning_rate is a number, but 'lr' at column 17 is text", ""},
      {"loss = 1", "loss is text, but 1 at column 8 is a number", ""},
      // Valid expressions whose values look like SQL: they are values, compared as text.
      {"name = '; DROP TABLE trials; --'", "", "t.name = '; DROP TABLE trials; --'"},
      {"loss = 'x'' OR ''1''=''1'", "", p("loss") + " = 'x'' OR ''1''=''1'"},
      {"loss = \"svm\" or name = \"') OR 1=1 --\"", "", p("loss") + " = 'svm' OR t.name = ''') OR 1=1 --'"},
      {"status in ('completed', 'x'')); DROP TABLE trials; --')", "",
       "t.status IN ('completed', 'x'')); DROP TABLE trials; --')"},
  };
  int rejected = 0, filtered = 0;
  for (const auto& c : cases) {
    const auto summary = report({db_, "--where", c.where, "--format", "json"});
    const auto exported = report({"export", db_, "--format", "json", "--where", c.where});
    if (!c.error.empty()) {
      ++rejected;
      for (const auto* run : {&summary, &exported}) {
        EXPECT_EQ(run->exit_code, 2) << c.where << "\n" << run->out;
        EXPECT_EQ(run->err.rfind("losslab-report: --where: ", 0), 0u) << run->err;
        EXPECT_NE(run->err.find(c.error), std::string::npos) << c.where << "\n" << run->err;
        EXPECT_TRUE(run->out.empty()) << run->out;
      }
    } else {
      ++filtered;
      ASSERT_EQ(exported.exit_code, 0) << c.where << "\n" << exported.err;
      ASSERT_EQ(summary.exit_code, 0) << c.where << "\n" << summary.err;
      EXPECT_EQ(exported_ids(exported), ids("SELECT t.id FROM trials t WHERE " + c.condition)) << c.where;
    }
  }
  EXPECT_GE(rejected, 10);
  EXPECT_GE(filtered, 3);
  EXPECT_EQ(fingerprint(db_), before);
  EXPECT_FALSE(std::filesystem::exists(evil));
}

TEST_F(ReportCli, QueryRejectsAnythingThatWritesAndMoreThanOneStatement) {
  const std::string before = fingerprint(db_);
  const std::string evil = scratch_.file("evil.db");
  const std::string copy = scratch_.file("copy.db");
  const std::vector<std::string> statements = {
      "INSERT INTO experiments (name) VALUES ('evil')",
      "UPDATE trials SET status = 'failed'",
      "DELETE FROM trials",
      "DROP TABLE trials",
      "ATTACH DATABASE '" + evil + "' AS evil",
      "PRAGMA user_version=5",
      "PRAGMA user_version = 5",
      "PRAGMA query_only = OFF",
      "PRAGMA journal_mode = DELETE",
      "PRAGMA writable_schema = ON",
      "CREATE TABLE evil (x)",
      "CREATE TEMP TABLE evil (x)",
      "CREATE INDEX evil ON trials (name)",
      "CREATE VIEW evil AS SELECT 1",
      "ALTER TABLE trials ADD COLUMN evil",
      "REPLACE INTO experiments (id, name) VALUES (1, 'evil')",
      "WITH doomed AS (SELECT id FROM trials) DELETE FROM trials WHERE id IN doomed",
      "UPDATE sqlite_master SET sql = 'evil'",
      "VACUUM INTO '" + copy + "'",
      "VACUUM",
      "REINDEX",
      "ANALYZE",
      "BEGIN IMMEDIATE",
      "DETACH DATABASE main",
      "SELECT 1; DROP TABLE trials",
      "SELECT 1; SELECT 2",
      "SELECT count(*) FROM trials; DELETE FROM trials; --",
      "",
      "-- only a comment",
      "SELECT * FROM no_such_table",
      "SELECT nonsense FROM",
  };
  for (const auto& sql : statements) {
    const auto run = report({"query", db_, sql, "--format", "csv"});
    EXPECT_EQ(run.exit_code, 2) << sql << "\n" << run.out;
    EXPECT_NE(run.err.find("losslab-report: query: "), std::string::npos) << sql << "\n" << run.err;
    EXPECT_TRUE(run.out.empty()) << sql << "\n" << run.out;
  }
  EXPECT_NE(report({"query", db_, "SELECT 1; DROP TABLE trials"}).err.find("only one statement"), std::string::npos);
  EXPECT_NE(report({"query", db_, "DELETE FROM trials"}).err.find("would change the database"), std::string::npos);
  EXPECT_NE(report({"query", db_, "SELECT * FROM no_such_table"}).err.find("no such table: no_such_table"),
            std::string::npos);
  EXPECT_EQ(fingerprint(db_), before);
  EXPECT_FALSE(std::filesystem::exists(evil));
  EXPECT_FALSE(std::filesystem::exists(copy));

  // Reading statements, a trailing ';' and comments are fine, and so are the PRAGMAs that report.
  for (const std::string sql : {"SELECT count(*) FROM trials;", "SELECT 1 -- one\n;\n", "PRAGMA user_version",
                                "PRAGMA table_info(trials)", "PRAGMA integrity_check",
                                "SELECT count(*) FROM json_each('[1, 2]')",
                                "SELECT name FROM pragma_table_info('trials')",
                                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) "
                                "SELECT x FROM n"}) {
    const auto run = report({"query", db_, sql});
    EXPECT_EQ(run.exit_code, 0) << sql << "\n" << run.err;
  }
}

TEST_F(ReportCli, QueryOutputParsesBackToTheDirectQuery) {
  const std::string sql =
      "SELECT t.id, t.name, t.status, t.val_accuracy, t.final_loss, t.error, p.value AS lr, "
      "'a,\"b\"' || char(10) || 'c' AS tricky, NULL AS missing "
      "FROM trials t JOIN trial_params p ON p.trial_id = t.id AND p.name = 'learning_rate' ORDER BY t.id";
  auto db = open();
  SQLite::Statement direct(db, sql);
  std::vector<std::string> columns;
  for (int c = 0; c < direct.getColumnCount(); ++c) columns.push_back(direct.getColumnName(c));
  struct Value {
    int type;
    std::string text;
    std::int64_t integer;
    double real;
  };
  std::vector<std::vector<Value>> rows;
  while (direct.executeStep()) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < direct.getColumnCount(); ++c) {
      const auto column = direct.getColumn(c);
      row.push_back({column.getType(), column.isNull() ? "" : column.getString(), column.getInt64(),
                     column.getDouble()});
    }
  }
  ASSERT_EQ(rows.size(), 15u);

  const auto as_json = report({"query", db_, sql, "--format", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto parsed = json::parse(as_json.out);
  ASSERT_EQ(parsed.size(), rows.size());
  bool saw_null = false;
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto& value = rows[r][c];
      const auto& cell = parsed[r].at(columns[c]);
      if (value.type == SQLite::Null) {
        EXPECT_TRUE(cell.is_null()) << cell;
        saw_null = true;
      } else if (value.type == SQLite::INTEGER) {
        EXPECT_EQ(cell.get<std::int64_t>(), value.integer);
      } else if (value.type == SQLite::FLOAT && std::isinf(value.real)) {
        EXPECT_TRUE(cell.is_null()) << cell;  // JSON has no infinity (a diverged trial's final_loss)
      } else if (value.type == SQLite::FLOAT) {
        EXPECT_EQ(cell.get<double>(), value.real) << columns[c];
      } else {
        EXPECT_EQ(cell.get<std::string>(), value.text);
      }
    }
  EXPECT_TRUE(saw_null);

  const auto as_csv = report({"query", db_, sql, "--format", "csv"});
  ASSERT_EQ(as_csv.exit_code, 0) << as_csv.err;
  const auto records = parse_csv(as_csv.out);
  ASSERT_EQ(records.size(), rows.size() + 1);
  EXPECT_EQ(records[0], columns);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    ASSERT_EQ(records[r + 1].size(), columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto& value = rows[r][c];
      const auto& field = records[r + 1][c];
      if (value.type == SQLite::FLOAT) EXPECT_EQ(std::stod(field), value.real) << field;
      else if (value.type == SQLite::INTEGER) EXPECT_EQ(field, std::to_string(value.integer));
      else EXPECT_EQ(field, value.text);
    }
  }
}

TEST_F(ReportCli, ExportHasOneRowPerTrialWithTypedParameterColumns) {
  // Every trial_params row, with its SQLite type.
  auto db = open();
  SQLite::Statement params(db, "SELECT trial_id, name, value, typeof(value) FROM trial_params");
  std::map<std::int64_t, std::map<std::string, std::pair<std::string, std::string>>> expected;
  std::set<std::string> names;
  while (params.executeStep()) {
    expected[params.getColumn(0).getInt64()][params.getColumn(1).getString()] = {params.getColumn(2).getString(),
                                                                                 params.getColumn(3).getString()};
    names.insert(params.getColumn(1).getString());
  }
  const auto trials = scalar("SELECT count(*) FROM trials");
  ASSERT_EQ(trials, 15);

  const auto as_json = report({"export", db_, "--format", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto rows = json::parse(as_json.out);
  ASSERT_EQ(static_cast<std::int64_t>(rows.size()), trials);
  for (const auto& row : rows) {
    const auto id = row.at("trial_id").get<std::int64_t>();
    EXPECT_EQ(row.at("name"), strings("SELECT name FROM trials WHERE id = " + std::to_string(id)).at(0));
    EXPECT_EQ(row.at("experiment"),
              strings("SELECT e.name FROM trials t JOIN experiments e ON e.id = t.experiment_id WHERE t.id = " +
                      std::to_string(id))
                  .at(0));
    for (const auto& name : names) {
      const auto& cell = row.at(name);
      const auto written = expected.at(id).find(name);
      if (written == expected.at(id).end()) {  // inactive for this trial's choices: not recorded
        EXPECT_TRUE(cell.is_null()) << name << " of trial " << id;
        continue;
      }
      const auto& [text, type] = written->second;
      if (type == "integer") EXPECT_EQ(cell.get<std::int64_t>(), std::stoll(text)) << name;
      else if (type == "real") EXPECT_EQ(cell.get<double>(), std::stod(text)) << name;
      else if (type == "null") EXPECT_TRUE(cell.is_null()) << name;
      else EXPECT_EQ(cell.get<std::string>(), text) << name;
    }
    EXPECT_TRUE(row.at("learning_rate").is_number_float());
    EXPECT_TRUE(row.at("batch_size").is_number_integer());
    EXPECT_TRUE(row.at("loss").is_string());
    EXPECT_TRUE(row.at("val_accuracy").is_number() || row.at("status") != "completed");
  }

  const auto as_csv = report({"export", db_, "--format", "csv", "--experiment", "sweep"});
  ASSERT_EQ(as_csv.exit_code, 0) << as_csv.err;
  const auto records = parse_csv(as_csv.out);
  ASSERT_EQ(records.size(), 13u);  // header + the 12 trials of "sweep"
  const auto& header = records[0];
  EXPECT_EQ(std::vector<std::string>(header.begin(), header.begin() + 5),
            (std::vector<std::string>{"experiment", "trial_id", "trial_key", "name", "status"}));
  // The parameters recorded for the trials of "sweep", sorted.
  const auto sweep_names = strings(
      "SELECT DISTINCT p.name FROM trial_params p JOIN trials t ON t.id = p.trial_id JOIN experiments e "
      "ON e.id = t.experiment_id WHERE e.name = 'sweep'");
  EXPECT_EQ(std::set<std::string>(header.begin() + 17, header.end()),
            std::set<std::string>(sweep_names.begin(), sweep_names.end()));
  EXPECT_TRUE(std::is_sorted(header.begin() + 17, header.end()));
  for (std::size_t r = 1; r < records.size(); ++r) {
    ASSERT_EQ(records[r].size(), header.size());
    EXPECT_EQ(records[r][0], "sweep");
    const auto id = std::stoll(records[r][1]);
    for (std::size_t c = 17; c < header.size(); ++c) {
      const auto written = expected.at(id).find(header[c]);
      if (written == expected.at(id).end()) {  // inactive for this trial's choices
        EXPECT_EQ(records[r][c], "") << header[c];
        continue;
      }
      const auto& [text, type] = written->second;
      if (type == "real") EXPECT_EQ(std::stod(records[r][c]), std::stod(text)) << header[c];
      else EXPECT_EQ(records[r][c], type == "null" ? "" : text) << header[c];
    }
  }
}

TEST_F(ReportCli, TextAndMarkdownTablesAreAligned) {
  const auto table = report({"query", db_, "SELECT id, name, val_accuracy FROM trials ORDER BY id"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::vector<std::string> lines;
  std::istringstream in(table.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 15u + 2);
  EXPECT_TRUE(std::regex_match(lines[1], std::regex("-+( +-+)*"))) << lines[1];
  const std::size_t id_width = lines[1].find(' ');
  const std::size_t name_start = lines[1].find('-', id_width);
  EXPECT_EQ(lines[0].find("name"), name_start);
  for (std::size_t i = 2; i < lines.size(); ++i) {
    EXPECT_NE(lines[i][id_width - 1], ' ') << lines[i];  // numbers right-aligned
    EXPECT_NE(lines[i][name_start], ' ') << lines[i];    // text left-aligned, in the same column
    EXPECT_EQ(lines[i][name_start - 1], ' ') << lines[i];
  }

  const auto markdown = report({db_, "--format", "markdown"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown.err;
  EXPECT_NE(markdown.out.find("## sweep (experiment "), std::string::npos);
  EXPECT_NE(markdown.out.find("### top 5 of 8 ranked trials by val_accuracy"), std::string::npos) << markdown.out;
  std::istringstream md(markdown.out);
  std::size_t pipes = 0, table_lines = 0;
  for (std::string line; std::getline(md, line);) {
    if (line.empty() || line[0] != '|') {
      pipes = 0;
      continue;
    }
    ++table_lines;
    const auto count = static_cast<std::size_t>(std::count(line.begin(), line.end(), '|'));
    if (pipes == 0) pipes = count;
    EXPECT_EQ(count, pipes) << line;
  }
  EXPECT_GE(table_lines, 10u);
  EXPECT_TRUE(std::regex_search(markdown.out, std::regex("\n\\|(---:?\\|)+\n")));

  const auto csv = report({db_, "--format", "csv", "--top", "2"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const auto records = parse_csv(csv.out);
  ASSERT_EQ(records.size(), 1u + 2 + 2);  // header + 2 per experiment
  EXPECT_EQ(records[0][0], "experiment");
}

TEST_F(ReportCli, MissingDatabaseIsAnErrorAndNoFileIsCreated) {
  const std::string missing = scratch_.file("missing.db");
  for (const auto& args : std::vector<std::vector<std::string>>{{missing},
                                                                {"query", missing, "SELECT 1"},
                                                                {"export", missing},
                                                                {"html", missing, "-o", scratch_.file("r.html")}}) {
    const auto run = report(args);
    EXPECT_EQ(run.exit_code, 1) << args[0];
    EXPECT_NE(run.err.find("no results database at " + missing), std::string::npos) << run.err;
  }
  EXPECT_FALSE(std::filesystem::exists(missing));
  EXPECT_FALSE(std::filesystem::exists(scratch_.file("r.html")));
  const std::string not_a_db = scratch_.write("notes.txt", "hello");
  EXPECT_EQ(report({not_a_db}).exit_code, 1);
}

TEST_F(ReportCli, BadArgumentsExitWithTwo) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{db_, "--experiment", "nope"}, "no experiment 'nope'"},
      {{db_, "--sort", "val_acc"}, "did you mean 'val_accuracy'?"},
      {{db_, "--sort", "final_loss:sideways"}, "unknown order"},
      {{db_, "--format", "xml"}, "xml"},
      {{db_, "--top", "-1"}, "--top"},
      {{}, "DB"},
      {{"export", db_, "--format", "markdown"}, "markdown"},
      {{"html", db_}, "--output"},
      {{"html", db_, "-o", "x.html", "--experiment", "nope"}, "no experiment 'nope'"},
  };
  for (const auto& [args, message] : cases) {
    const auto run = report(args);
    EXPECT_EQ(run.exit_code, 2) << message << "\n" << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
  }
  const auto help = report({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--where"), std::string::npos);
  EXPECT_NE(help.out.find("Examples:"), std::string::npos);
  // An experiment by id works as well as by name.
  const auto by_id = report({db_, "--experiment", std::to_string(experiment_id("edge"))});
  EXPECT_EQ(by_id.exit_code, 0);
  EXPECT_NE(by_id.out.find("== edge"), std::string::npos);
  EXPECT_EQ(by_id.out.find("== sweep"), std::string::npos);
}

TEST_F(ReportCli, HtmlSubcommandWritesTheReport) {
  const std::string output = scratch_.file("report.html");
  const auto run = report({"html", db_, "-o", output, "--experiment", "sweep", "--top", "3", "--log-scale"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = test_support::ChildProcess::slurp(output);
  EXPECT_NE(html.find("<html"), std::string::npos);
  EXPECT_NE(html.find("sweep"), std::string::npos);
}

}  // namespace
}  // namespace losslab::report_test
