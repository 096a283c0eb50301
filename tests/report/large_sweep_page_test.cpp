// A sweep of thousands of trials in headless Chromium: the trial table shows 100 rows at a time
// and its pager walks through all of them in the table's sort order, and the scatter plots
// (marginals, the random search's heat map) draw their points as a few paths instead of a circle
// each; no error, no console message.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "report/cli_support.hpp"
#include "report/devtools_browser.hpp"

namespace losslab::report_test {
namespace {

using nlohmann::json;

// 2100 trials of the lecture's 9 toy points: above the page's 2000-point limit, in two seconds.
const std::string kLargeSweep =
    "name: large\n"
    "dataset: {kind: synthetic, synthetic: {shape: toy2d}, test: 0, validation: 0, preprocess: [bias]}\n"
    "optimizer: {kind: gd}\n"
    "training: {epochs: 5}\n"
    "sweep:\n"
    "  random:\n"
    "    trials: 2100\n"
    "    space:\n"
    "      optimizer.learning_rate: {log_uniform: [1.0e-3, 1.0]}\n"
    "      regularization.strength: {log_uniform: [1.0e-5, 1.0e-1]}\n";

// The rows shown: their trial ids and training accuracies (the sort column), and the pager's text.
const char* const kShownRows = R"js((() => {
  const column = [...document.querySelectorAll("table.trials th")].findIndex((th) => th.textContent === "train_accuracy");
  const rows = [...document.querySelectorAll("table.trials tbody tr")];
  return {
    ids: rows.map((row) => Number(row.dataset.trial)),
    accuracies: rows.map((row) => Number(row.children[column].textContent)),
    pager: document.querySelector(".pager .page-rows").textContent.trim(),
  };
})())js";

TEST(LargeSweepPage, PagesTheTableAndDrawsDensePointsAsPaths) {
  TempDir dir;
  const std::string db = dir.file("large.db");
  const auto run = run_in({kRun, dir.write("large.yaml", kLargeSweep), "--db", db, "--jobs", "2", "--no-progress"}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string page = dir.file("large.html");
  const auto html = run_report({"html", db, "-o", page}, dir);
  ASSERT_EQ(html.exit_code, 0) << html.err;

  DevToolsBrowser browser;
  browser.navigate("file://" + page);
  const json first = browser.evaluate(kShownRows);
  ASSERT_EQ(first.at("ids").size(), 100u) << first.dump();
  EXPECT_EQ(first.at("pager"), "rows 1–100 of 2100");
  EXPECT_EQ(browser.evaluate("document.querySelector('.pager .page-previous').disabled"), true);

  browser.evaluate("document.querySelector('.pager .page-next').click()");
  const json second = browser.evaluate(kShownRows);
  ASSERT_EQ(second.at("ids").size(), 100u);
  EXPECT_EQ(second.at("pager"), "rows 101–200 of 2100");
  // The second page goes on where the first ended, highest training accuracy first.
  EXPECT_GE(first.at("accuracies").back().get<double>(), second.at("accuracies").front().get<double>());
  std::set<int> ids;
  for (const auto* shown : {&first, &second})
    for (const auto& id : shown->at("ids")) ids.insert(id.get<int>());
  EXPECT_EQ(ids.size(), 200u) << "no trial on both pages";

  browser.evaluate("document.querySelector('.pager .page-last').click()");
  const json last = browser.evaluate(kShownRows);
  EXPECT_EQ(last.at("pager"), "rows 2001–2100 of 2100");
  EXPECT_EQ(last.at("ids").size(), 100u);
  EXPECT_EQ(browser.evaluate("document.querySelector('.pager .page-next').disabled"), true);

  EXPECT_EQ(browser.evaluate("document.querySelectorAll('.marginal circle, .cells circle').length"), 0);
  EXPECT_EQ(browser.evaluate("document.querySelectorAll('.marginal path.dots').length"), 2);  // one colour each
  EXPECT_GE(browser.evaluate("document.querySelectorAll('.cells path.dots').length").get<int>(), 2);
  EXPECT_EQ(browser.evaluate("document.body.dataset.errors"), "");
  EXPECT_EQ(console_lines(browser.err()), std::vector<std::string>{});
}

}  // namespace
}  // namespace losslab::report_test
