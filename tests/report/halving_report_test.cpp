// losslab-report on a halving search: one successive-halving sweep of 9 trials (3000 Fashion-MNIST
// images, rungs of 1, 3 and 9 epochs) run by the real losslab-run, then the summary, --where and
// export of the real executable and the HTML page in headless Chromium, each checked against a
// query of our own on the same file. Rounds, which no sampler records yet, on hand-made trials.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "chart_number.hpp"
#include "html_data.hpp"
#include "html_report.hpp"
#include "report/browser_support.hpp"
#include "report/cli_support.hpp"
#include "search_tables.hpp"

namespace losslab::report {
namespace {

using nlohmann::json;
using report_test::attribute;
using report_test::BrowserRun;
using report_test::console_lines;
using report_test::embedded_data;
using report_test::kRun;
using report_test::run_chromium;
using report_test::run_report;
using test_support::RunResult;
using test_support::TempDir;

const std::string kHalvingSweep =
    "  strategy: successive_halving\n"
    "  grid:\n"
    "    optimizer.learning_rate: [1.0e-3, 1.0e-2, 1.0e-1]\n"
    "    regularization.strength: [1.0e-5, 1.0e-3, 1.0e-1]\n";

class HalvingReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    db_ = dir_->file("results.db");
    const std::string config =
        dir_->write("halving.yaml", test_support::small_fashion_config("halving", 3000, 9, kHalvingSweep));
    const auto run = test_support::run_program({kRun, config, "--db", db_, "--jobs", "2"}, dir_->path().string());
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  RunResult report(std::vector<std::string> args) const { return run_report(std::move(args), scratch_); }

  // Every row of `sql`, its columns joined by spaces.
  static std::vector<std::string> rows(const std::string& sql) {
    SQLite::Database db(db_, SQLite::OPEN_READONLY);
    SQLite::Statement query(db, sql);
    std::vector<std::string> result;
    while (query.executeStep()) {
      std::string row;
      for (int c = 0; c < query.getColumnCount(); ++c)
        row += (c ? " " : "") + (query.getColumn(c).isNull() ? std::string("null") : query.getColumn(c).getString());
      result.push_back(row);
    }
    return result;
  }
  static std::set<std::int64_t> ids(const std::string& where) {
    std::set<std::int64_t> result;
    for (const auto& id : rows("SELECT id FROM trials WHERE " + where)) result.insert(std::stoll(id));
    return result;
  }

  // trial_rungs counted per rung, as the summary's rungs table lists them.
  static std::vector<std::string> rung_counts() {
    return rows(
        "SELECT bracket, rung, epochs, COUNT(*), SUM(outcome = 'promoted'), SUM(outcome = 'pruned'), "
        "SUM(outcome = 'completed'), SUM(outcome IN ('diverged', 'failed')), SUM(outcome IS NULL) "
        "FROM trial_rungs GROUP BY bracket, rung ORDER BY bracket, rung");
  }

  static TempDir* dir_;
  static std::string db_;
  TempDir scratch_;
};

TempDir* HalvingReport::dir_ = nullptr;
std::string HalvingReport::db_;

TEST_F(HalvingReport, SummaryShowsTheStrategyAndTheRungsTrialRungsRecords) {
  ASSERT_EQ(rung_counts(), (std::vector<std::string>{"0 0 1 9 3 6 0 0 0", "0 1 3 3 1 2 0 0 0", "0 2 9 1 0 0 1 0 0"}));

  const auto as_json = report({db_, "--format", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json summary = json::parse(as_json.out).at(0);
  EXPECT_EQ(summary.at("strategy"), "successive_halving");
  std::vector<std::string> listed;
  for (const auto& rung : summary.at("rungs")) {
    std::string row;
    for (const char* key : {"bracket", "rung", "epochs", "trials", "promoted", "pruned", "completed",
                            "diverged_or_failed", "undecided"})
      row += (row.empty() ? "" : " ") + rung.at(key).dump();
    listed.push_back(row);
    const auto best = rows("SELECT MAX(val_accuracy) FROM trial_rungs WHERE rung = " + rung.at("rung").dump());
    EXPECT_DOUBLE_EQ(rung.at("best_val_accuracy").get<double>(), std::stod(best.at(0)));
  }
  EXPECT_EQ(listed, rung_counts());
  EXPECT_FALSE(summary.contains("rounds")) << "no sampler chose these trials";
  for (const auto& trial : summary.at("top"))
    EXPECT_EQ(trial.at("rung").dump(), rows("SELECT rung FROM trials WHERE name = '" +
                                            trial.at("trial").get<std::string>() + "'").at(0));

  const auto as_text = report({db_});
  ASSERT_EQ(as_text.exit_code, 0) << as_text.err;
  EXPECT_NE(as_text.out.find("trials: 9 (1 completed, 8 pruned)\nsearch: successive_halving\n\nrungs:\n"),
            std::string::npos)
      << as_text.out;
  // Each rung's line: its numbers as trial_rungs counts them, then the best accuracy.
  for (const auto& counts : rung_counts()) {
    const std::regex line("\n *" + std::regex_replace(counts, std::regex(" "), " +") + " +0\\.\\d{4}\n");
    EXPECT_TRUE(std::regex_search(as_text.out, line)) << counts << "\n" << as_text.out;
  }

  const auto as_markdown = report({db_, "--format", "markdown"});
  ASSERT_EQ(as_markdown.exit_code, 0) << as_markdown.err;
  EXPECT_NE(as_markdown.out.find("\n**Search:** successive_halving\n\n### rungs\n\n| bracket | rung |"), std::string::npos)
      << as_markdown.out;
}

TEST_F(HalvingReport, WhereSelectsByRungLikeADirectQuery) {
  for (const std::string where : {"rung = 1", "rung >= 1 and status = pruned", "status = pruned", "rung is null",
                                  "not rung = 2", "rung in (0, 2)", "round < 2", "round is null"}) {
    const auto run = report({"export", db_, "--format", "json", "--where", where});
    ASSERT_EQ(run.exit_code, 0) << where << "\n" << run.err;
    std::set<std::int64_t> exported;
    for (const auto& row : json::parse(run.out)) {
      exported.insert(row.at("trial_id").get<std::int64_t>());
      EXPECT_EQ(row.at("rung").dump(),
                rows("SELECT rung FROM trials WHERE id = " + std::to_string(row.at("trial_id").get<int>())).at(0));
      EXPECT_FALSE(row.contains("round")) << "no trial has a round";
    }
    const std::string sql = std::regex_replace(where, std::regex("pruned"), "'pruned'");
    EXPECT_EQ(exported, ids(sql)) << where;
  }
  // trials.rung is the rung a trial last trained in: the 2 pruned at rung 1 (the third went on).
  EXPECT_EQ(ids("rung = 1").size(), 2u);

  const auto summary = report({db_, "--where", "rung = 1", "--format", "json"});
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  const json object = json::parse(summary.out).at(0);
  EXPECT_EQ(object.at("matching"), 2);
  EXPECT_EQ(object.at("strategy"), "successive_halving");
  // The rungs table counts the rung rows of the matching trials only.
  std::vector<std::string> listed;
  for (const auto& rung : object.at("rungs"))
    listed.push_back(rung.at("rung").dump() + " " + rung.at("trials").dump() + " " + rung.at("pruned").dump());
  EXPECT_EQ(listed, rows("SELECT r.rung, COUNT(*), SUM(r.outcome = 'pruned') FROM trial_rungs r JOIN trials t "
                         "ON t.id = r.trial_id WHERE t.rung = 1 GROUP BY r.rung ORDER BY r.rung"));
  EXPECT_EQ(listed, (std::vector<std::string>{"0 2 0", "1 2 2"}));
}

TEST_F(HalvingReport, PageDrawsEachTrialsAccuracyByEpochEndingWhereItStopped) {
  ResultsReader reader(db_);
  std::ostringstream html;
  write_html_report(reader, {}, html);
  const std::string page = dir_->write("report.html", html.str());
  const json experiment = embedded_data(html.str()).at("experiments").at(0);
  EXPECT_EQ(experiment.at("strategy"), "successive_halving");
  const json& chart = experiment.at("epoch_chart");
  ASSERT_TRUE(chart.is_object());
  EXPECT_EQ(chart.at("metric"), "val_accuracy");
  std::vector<int> budgets;
  for (const auto& rung : chart.at("rungs")) budgets.push_back(rung.at("epochs").get<int>());
  EXPECT_EQ(budgets, (std::vector<int>{1, 3, 9}));
  ASSERT_EQ(chart.at("lines").size(), 9u);
  std::map<std::string, std::string> last_epochs;  // trial id -> the epoch its line ends at
  for (const auto& line : chart.at("lines")) {
    const std::string id = line.at("trial_id").dump();
    const auto& points = line.at("points");
    ASSERT_FALSE(points.empty());
    EXPECT_EQ(points.back()[0].dump(), rows("SELECT epochs_done FROM trials WHERE id = " + id).at(0));
    EXPECT_EQ(points.size(), static_cast<std::size_t>(line.at("epochs_done").get<int>()));
    EXPECT_EQ(points.back()[1].get<double>(),
              chart_number(std::stod(rows("SELECT val_accuracy FROM trials WHERE id = " + id).at(0))).get<double>());
    last_epochs[id] = points.back()[0].dump();
  }
  for (const auto& row : experiment.at("trials")) EXPECT_TRUE(row.at("rung").is_number_integer());

  const BrowserRun dom = run_chromium(page, "--dump-dom");
  ASSERT_FALSE(dom.out.empty()) << dom.err;
  EXPECT_EQ(attribute(dom.out, "body", "data-errors"), "");
  EXPECT_EQ(attribute(dom.out, "article", "data-rendered"),
            "loss-curves,epoch-chart,heatmap,marginals,parallel-coordinates,table,compare,confusion,templates");
  EXPECT_EQ(console_lines(dom.err), std::vector<std::string>{});
  std::map<std::string, std::string> drawn;
  const std::regex polyline("<polyline class=\"epoch-line( completed)?\" data-trial=\"(\\d+)\" data-last-epoch=\"(\\d+)\"");
  for (std::sregex_iterator it(dom.out.begin(), dom.out.end(), polyline), end; it != end; ++it)
    drawn[(*it)[2]] = (*it)[3];
  EXPECT_EQ(drawn, last_epochs);
  EXPECT_NE(dom.out.find("class=\"epoch-line completed\""), std::string::npos);
  std::size_t budget_lines = 0;
  for (auto at = dom.out.find("class=\"rung-budget\""); at != std::string::npos;
       at = dom.out.find("class=\"rung-budget\"", at + 1))
    ++budget_lines;
  EXPECT_EQ(budget_lines, 3u);
}

// ---- rounds, on hand-made trials ----------------------------------------------------------------

TrialRecord chosen(std::int64_t id, int round, double learning_rate, double val_accuracy) {
  TrialRecord t;
  t.id = id;
  t.name = "t" + std::to_string(id);
  t.status = "completed";
  t.round = round;
  t.params = {{"learning_rate", learning_rate}};
  t.swept = {"learning_rate"};
  t.val_accuracy = val_accuracy;
  t.train_accuracy = val_accuracy;
  t.final_loss = 1 - val_accuracy;
  return t;
}

TEST(SamplerRounds, MarginalPointsAndTableRowsCarryTheirRoundAndEachRoundItsBest) {
  const std::vector<TrialRecord> trials = {chosen(1, 0, 1e-3, 0.6), chosen(2, 0, 1e-2, 0.7), chosen(3, 1, 1e-1, 0.9),
                                           chosen(4, 1, 1e-2, 0.8), chosen(5, 2, 3e-2, 0.75), chosen(6, -1, 1e-4, 0.5)};
  const json views = trial_views_json(trials);
  EXPECT_EQ(views.at("strategy"), "exhaustive");
  ASSERT_EQ(views.at("marginals").size(), 1u);
  std::vector<std::string> rounds;
  for (const auto& point : views.at("marginals")[0].at("points")) rounds.push_back(point.at("round").dump());
  EXPECT_EQ(rounds, (std::vector<std::string>{"0", "0", "1", "1", "2", "null"}));
  rounds.clear();
  for (const auto& row : views.at("trials")) rounds.push_back(row.at("round").dump());
  EXPECT_EQ(rounds, (std::vector<std::string>{"0", "0", "1", "1", "2", "null"}));
  EXPECT_EQ(views.at("rounds"), json::parse(R"([{"round": 0, "trials": 2, "best": "t2", "metric": 0.7},
                                                 {"round": 1, "trials": 2, "best": "t3", "metric": 0.9},
                                                 {"round": 2, "trials": 1, "best": "t5", "metric": 0.75}])"));

  const Table table = rounds_table(trials, runner::SortKey{});
  EXPECT_EQ(table.header, (std::vector<std::string>{"round", "trials", "best_trial", "best_val_accuracy"}));
  std::ostringstream csv;
  write_csv(table, csv);
  EXPECT_EQ(csv.str(), "round,trials,best_trial,best_val_accuracy\n0,2,t2,0.7\n1,2,t3,0.9\n2,1,t5,0.75\n");
}

}  // namespace
}  // namespace losslab::report
