// The HTML report's parallel coordinates and compare views, and `losslab-report compare`, on a
// sweep the real losslab-run records (the spiral toy data: milliseconds per trial). The page is
// opened in headless Chromium and driven as a reader does: real mouse drags along an axis, clicks
// on the table's checkboxes. What it shows is checked against the database read by SQL.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "report/cli_support.hpp"
#include "report/page_views.hpp"
#include "support/db_query.hpp"

namespace losslab::report_test {
namespace {

using nlohmann::json;
using test_support::column;

// 2 losses (category) x 3 learning rates a decade apart (log) x 2 momenta (linear) = 12 trials of
// 8 epochs, ids in grid order (the last key fastest): 1 svm/0.01/0.5, 2 svm/0.01/0.9, 3 svm/0.1/0.5,
// 4 svm/0.1/0.9, 5 svm/1/0.5, 6 svm/1/0.9, then 7-12 the same for softmax.
const std::string kViewsConfig =
    "name: views\n"
    "dataset: {kind: synthetic, synthetic: {shape: spiral, per_class: 30}, validation: 0.2, test: 0.2, "
    "preprocess: [bias]}\n"
    "regularization: {kind: l2, strength: 1.0e-3}\n"
    "optimizer: {kind: momentum, batch_size: 0}\n"
    "training: {epochs: 8, seed: 0}\n"
    "sweep:\n"
    "  grid:\n"
    "    loss.kind: [svm, softmax]\n"
    "    optimizer.learning_rate: [0.01, 0.1, 1.0]\n"
    "    optimizer.momentum: [0.5, 0.9]\n";

std::set<int> ids(const std::vector<std::string>& values) {
  std::set<int> result;
  for (const auto& value : values) result.insert(std::stoi(value));
  return result;
}

// The trials whose parameter `name` satisfies `condition` (SQL on trial_params).
std::set<int> trials_where(const std::string& db, const std::string& name, const std::string& condition) {
  return ids(column(db, "SELECT trial_id FROM trial_params WHERE name = '" + name + "' AND value " + condition));
}

class ReportViews : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    db_ = dir_->file("results.db");
    const auto run = run_in({kRun, dir_->write("views.yaml", kViewsConfig), "--db", db_, "--no-progress"}, *dir_);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto html = run_report({"html", db_, "-o", dir_->file("report.html")}, *dir_);
    ASSERT_EQ(html.exit_code, 0) << html.err;
    browser_ = new DevToolsBrowser;
  }
  static void TearDownTestSuite() {
    delete browser_;
    delete dir_;
  }
  void SetUp() override {
    browser().navigate("file://" + dir_->file("report.html"));
    ASSERT_EQ(browser().evaluate("document.body.dataset.errors"), "");
  }
  void TearDown() override {
    EXPECT_EQ(browser().evaluate("document.body.dataset.errors"), "");
    EXPECT_EQ(console_lines(browser().err()), std::vector<std::string>{});
  }

  static DevToolsBrowser& browser() { return *browser_; }
  // The tick labels of an axis by their text, each with its height on the page.
  static json ticks(const std::string& param) {
    return browser().evaluate(with_param(R"js(Object.fromEntries([...document.querySelectorAll(
      '.pc-axis[data-param="PARAM"] text:not(.axis-label)')].map((t) => [t.textContent, t.getBoundingClientRect().top])))js",
                                         param));
  }

  static TempDir* dir_;
  static std::string db_;
  static DevToolsBrowser* browser_;
};

TempDir* ReportViews::dir_ = nullptr;
std::string ReportViews::db_;
DevToolsBrowser* ReportViews::browser_ = nullptr;

TEST_F(ReportViews, ParallelCoordinatesHaveAnAxisPerSweptParameterOnItsScale) {
  EXPECT_EQ(browser().evaluate("document.body.dataset.rendered"),
            "loss-curves,marginals,parallel-coordinates,importance,table,compare,confusion,decision-regions");
  const json axes = browser().evaluate(
      "Object.fromEntries([...document.querySelectorAll('.pc-axis')].map((a) => [a.dataset.param, a.dataset.scale]))");
  EXPECT_EQ(axes, json({{"learning_rate", "log"}, {"loss", "category"}, {"momentum", "linear"},
                        {"val_accuracy", "linear"}}));
  // Left to right: the swept parameters by name, then the metric.
  EXPECT_EQ(browser().evaluate("[...document.querySelectorAll('.pc-axis')].map((a) => a.dataset.param).join()"),
            "learning_rate,loss,momentum,val_accuracy");
  EXPECT_EQ(browser().evaluate("document.querySelectorAll('.pc-line').length"), 12);

  // A log axis puts 0.01, 0.1 and 1 equally far apart (a linear one would squeeze the first two
  // together); a linear one 0.5, 0.7 and 0.9.
  const json lr = ticks("learning_rate");
  ASSERT_TRUE(lr.contains("0.01") && lr.contains("0.1") && lr.contains("1")) << lr.dump();
  const double decade = lr["0.01"].get<double>() - lr["0.1"].get<double>();
  EXPECT_GT(decade, 50);
  EXPECT_NEAR(lr["0.1"].get<double>() - lr["1"].get<double>(), decade, 1.0);
  const json momentum = ticks("momentum");
  ASSERT_TRUE(momentum.contains("0.5") && momentum.contains("0.7") && momentum.contains("0.9")) << momentum.dump();
  EXPECT_NEAR(momentum["0.5"].get<double>() - momentum["0.7"].get<double>(),
              momentum["0.7"].get<double>() - momentum["0.9"].get<double>(), 1.0);
  EXPECT_EQ(browser().evaluate(
                "[...document.querySelectorAll('.pc-axis[data-param=\"loss\"] text:not(.axis-label)')].map((t) => "
                "t.textContent).join()"),
            "softmax,svm");
}

TEST_F(ReportViews, BrushingAnAxisKeepsTheTableRowsInsideItsRange) {
  const std::set<int> all = ids(column(db_, "SELECT id FROM trials"));
  ASSERT_EQ(all.size(), 12u);
  EXPECT_EQ(visible_rows(browser()), all);

  brush_axis(browser(), "learning_rate", 0.05, 0.5);
  const std::set<int> lr_inside = trials_where(db_, "learning_rate", "BETWEEN 0.05 AND 0.5");
  EXPECT_EQ(lr_inside, (std::set<int>{3, 4, 9, 10}));
  EXPECT_EQ(visible_rows(browser()), lr_inside);
  EXPECT_EQ(bright_lines(browser()), lr_inside);
  EXPECT_EQ(browser().evaluate("document.querySelector('.table-filter').textContent"),
            "4 of 12 trials are inside the ranges brushed in the parallel coordinates.");

  // The categories' bands: softmax above svm. The lower half is svm; both ranges apply.
  drag_on_axis(browser(), "loss", 0.6, 0.95);
  const std::set<int> svm = ids(column(db_, "SELECT trial_id FROM trial_params WHERE name = 'loss' AND value = 'svm'"));
  std::set<int> both;
  for (int id : lr_inside)
    if (svm.count(id)) both.insert(id);
  EXPECT_EQ(both, (std::set<int>{3, 4}));
  EXPECT_EQ(visible_rows(browser()), both);
  EXPECT_EQ(bright_lines(browser()), both);

  // Sorting keeps the filter; a click on an axis clears its range, the button clears them all.
  browser().evaluate("document.querySelector('table.trials th[title=\"sort by id\"]').click()");
  EXPECT_EQ(visible_rows(browser()), both);
  drag_on_axis(browser(), "loss", 0.5, 0.5);
  EXPECT_EQ(visible_rows(browser()), lr_inside);
  browser().evaluate("document.querySelector('button.pc-clear').click()");
  EXPECT_EQ(visible_rows(browser()), all);
  EXPECT_EQ(bright_lines(browser()), all);
  EXPECT_EQ(browser().evaluate("document.querySelector('.table-filter').textContent"), "");
}

TEST_F(ReportViews, CompareOverlaysTheChosenTrialsAndHighlightsTheirDifferences) {
  EXPECT_EQ(browser().evaluate("document.querySelectorAll('.compare-curve').length"), 0);
  tick_compare(browser(), 3);   // svm, lr 0.1, momentum 0.5
  tick_compare(browser(), 10);  // softmax, lr 0.1, momentum 0.9
  EXPECT_EQ(browser().evaluate("document.querySelector('.compare-view').dataset.trials"), "3,10");

  // Each trial's loss and its validation and training accuracy, one point per recorded epoch.
  const json curves = browser().evaluate(R"js([...document.querySelectorAll(".compare-curve")].map((line) =>
    [line.closest("svg").classList[1], Number(line.dataset.trial), line.dataset.series, line.getAttribute("points").split(" ").length]))js");
  const std::string epochs3 = test_support::scalar(db_, "SELECT COUNT(*) FROM epoch_metrics WHERE trial_id = 3");
  const std::string epochs10 = test_support::scalar(db_, "SELECT COUNT(*) FROM epoch_metrics WHERE trial_id = 10");
  ASSERT_EQ(epochs3, "8");
  ASSERT_EQ(epochs10, "8");
  EXPECT_EQ(curves, json::parse(R"([["compare-loss", 3, "mean loss", 8], ["compare-loss", 10, "mean loss", 8],
    ["compare-accuracy", 3, "validation accuracy", 8], ["compare-accuracy", 3, "training accuracy", 8],
    ["compare-accuracy", 10, "validation accuracy", 8], ["compare-accuracy", 10, "training accuracy", 8]])"));

  const char* const differing =
      "[...document.querySelectorAll('table.compare-params tr.differs')].map((row) => row.dataset.name).join()";
  const char* const side_by_side =
      "[...document.querySelectorAll('table.compare-params tr[data-name=\"momentum\"] td')].map((c) => c.textContent).join()";
  EXPECT_EQ(browser().evaluate(differing), "loss,momentum");
  EXPECT_EQ(browser().evaluate(side_by_side), "0.5,0.9");
  const std::string val3 = test_support::scalar(db_, "SELECT printf('%.4f', val_accuracy) FROM trials WHERE id = 3");
  EXPECT_EQ(browser().evaluate("document.querySelector('table.compare-params tr[data-name=\"val_accuracy\"] td').textContent"),
            val3);

  tick_compare(browser(), 5);  // svm, lr 1, momentum 0.5: the learning rates differ too
  EXPECT_EQ(browser().evaluate(differing), "learning_rate,loss,momentum");
  tick_compare(browser(), 9);  // a fourth: the other boxes cannot be ticked
  EXPECT_EQ(browser().evaluate("document.querySelectorAll('input.compare-pick:disabled').length"), 8);
  EXPECT_EQ(browser().evaluate("document.querySelector('.compare-view').dataset.trials"), "3,10,5,9");
  tick_compare(browser(), 5);
  tick_compare(browser(), 9);
  EXPECT_EQ(browser().evaluate(differing), "loss,momentum");
  tick_compare(browser(), 10);
  EXPECT_EQ(browser().evaluate("document.querySelectorAll('.compare-curve').length"), 0);
}

// ---- losslab-report compare ---------------------------------------------------------------------

// The rows of a text table, cut at the columns its dashed rule marks (values may be empty).
std::vector<std::vector<std::string>> text_table_rows(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (lines.size() < 2) return {};
  std::vector<std::pair<std::size_t, std::size_t>> columns;  // begin, width
  const std::string& rule = lines[1];
  for (std::size_t at = rule.find('-'); at != std::string::npos; at = rule.find('-', at)) {
    const std::size_t end = std::min(rule.find(' ', at), rule.size());
    columns.emplace_back(at, end - at);
    at = end;
  }
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i == 1) continue;
    std::vector<std::string> row;
    for (const auto& [begin, width] : columns) {
      std::string cell = begin < lines[i].size() ? lines[i].substr(begin, width) : "";
      cell.erase(cell.find_last_not_of(' ') + 1);
      cell.erase(0, std::min(cell.find_first_not_of(' '), cell.size()));
      row.push_back(cell);
    }
    rows.push_back(row);
  }
  return rows;
}

std::string sql_fixed(const std::string& db, const std::string& column_name, int trial) {
  return test_support::scalar(db, "SELECT printf('%.4f', " + column_name + ") FROM trials WHERE id = " + std::to_string(trial));
}

TEST_F(ReportViews, CompareCommandPrintsParametersSideBySideWithDifferencesMarked) {
  const auto run = run_report({"compare", db_, "3", "10"}, *dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto rows = text_table_rows(run.out);
  ASSERT_GT(rows.size(), 10u) << run.out;
  EXPECT_EQ(rows[0], (std::vector<std::string>{"differs", "name", "trial 3", "trial 10"}));
  std::map<std::string, std::vector<std::string>> by_name;
  std::vector<std::string> order, marked;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    by_name[rows[i][1]] = {rows[i][2], rows[i][3]};
    order.push_back(rows[i][1]);
    if (rows[i][0] == "*") marked.push_back(rows[i][1]);
    else EXPECT_EQ(rows[i][0], "") << rows[i][1];
  }
  // From the config: trial 3 is svm / lr 0.1 / momentum 0.5, trial 10 softmax / 0.1 / 0.9; the
  // margin is a parameter of the SVM only (inactive, so missing, for softmax).
  EXPECT_EQ(marked, (std::vector<std::string>{"loss", "momentum", "margin"})) << run.out;
  EXPECT_EQ((std::vector<std::string>(order.begin(), order.begin() + 5)),
            (std::vector<std::string>{"experiment", "trial", "learning_rate", "loss", "momentum"}))
      << "the swept parameters come first";
  const auto both = [](const std::string& value) { return std::vector<std::string>{value, value}; };
  EXPECT_EQ(by_name["experiment"], both("views"));
  EXPECT_EQ(by_name["trial"], (std::vector<std::string>{test_support::scalar(db_, "SELECT name FROM trials WHERE id = 3"),
                                                          test_support::scalar(db_, "SELECT name FROM trials WHERE id = 10")}));
  EXPECT_EQ(by_name["learning_rate"], both("0.1"));
  EXPECT_EQ(by_name["loss"], (std::vector<std::string>{"svm", "softmax"}));
  EXPECT_EQ(by_name["momentum"], (std::vector<std::string>{"0.5", "0.9"}));
  EXPECT_EQ(by_name["margin"], (std::vector<std::string>{"1", ""}));
  EXPECT_EQ(by_name["strength"], both("0.001"));
  EXPECT_EQ(by_name["epochs"], both("8"));
  // The results: the database's, formatted with 4 decimals.
  EXPECT_EQ(by_name["status"], both("completed"));
  for (const char* metric : {"val_accuracy", "test_accuracy", "train_accuracy", "final_loss"})
    EXPECT_EQ(by_name[metric], (std::vector<std::string>{sql_fixed(db_, metric, 3), sql_fixed(db_, metric, 10)})) << metric;
  EXPECT_EQ(by_name["epochs_done"], both("8"));
  EXPECT_EQ(by_name.count("rung"), 0u) << "not a halving search";
  EXPECT_EQ(order.back(), "epochs_done");

  // JSON keeps the values typed; a trial may be named by its key.
  const std::string key = test_support::scalar(db_, "SELECT trial_key FROM trials WHERE id = 10");
  const auto as_json = run_report({"compare", db_, "3", key, "--format", "json"}, *dir_);
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json table = json::parse(as_json.out);
  ASSERT_EQ(table.size(), rows.size() - 1);
  EXPECT_EQ(table[4], json::parse(R"({"differs": "*", "name": "momentum", "trial 3": 0.5, "trial 10": 0.9})"));
}

TEST_F(ReportViews, CompareCommandRejectsTooFewTooManyUnknownAndRepeatedTrials) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"3"}, "losslab-report: compare takes 2 to 4 trial ids, got 1\n"},
      {{}, "losslab-report: compare takes 2 to 4 trial ids, got 0\n"},
      {{"1", "2", "3", "4", "5"}, "losslab-report: compare takes 2 to 4 trial ids, got 5\n"},
      {{"3", "99"}, "losslab-report: no trial '99' in " + db_ + " (compare takes a trial id or trial_key; "
                    "`losslab-report export " + db_ + "` lists them)\n"},
      {{"3", "10", "3"}, "losslab-report: compare: trial 3 is named twice ('3'); name 2 to 4 different trials\n"},
  };
  for (const auto& [ids, message] : cases) {
    std::vector<std::string> args = {"compare", db_};
    args.insert(args.end(), ids.begin(), ids.end());
    const auto run = run_report(args, *dir_);
    EXPECT_EQ(run.exit_code, 2) << message;
    EXPECT_EQ(run.err, message);
    EXPECT_EQ(run.out, "");
  }
}

}  // namespace
}  // namespace losslab::report_test
