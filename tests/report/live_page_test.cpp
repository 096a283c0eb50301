// The live report end to end: losslab-report serve on a database losslab-run wrote, the page open
// in headless Chromium, then losslab-run records more trials. The open page must show them
// without a reload, keep the reader's choices (table sort, log scale), draw what a fresh load of
// the page draws, and log nothing on the console.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "report/devtools_browser.hpp"
#include "report/page_views.hpp"
#include "report/serve_support.hpp"

namespace losslab::report_test {
namespace {

using nlohmann::json;

// What a reader sees of the first experiment, independent of the table's sort order: each row's
// text by trial id, the best row, the marginal points' positions, the heatmap cells' tooltips,
// the loss curves, the header and the sections drawn.
const char* const kVisibleState = R"js((() => {
  const sorted = (list) => list.sort();
  const rows = [...document.querySelectorAll("table.trials tbody tr")]
    .map((row) => [Number(row.dataset.trial), row.textContent]).sort((a, b) => a[0] - b[0]).map((row) => row[1]);
  const marginals = [...document.querySelectorAll(".marginal")].map((box) => box.querySelector("h4").textContent + ": " +
    sorted([...box.querySelectorAll("circle")].map((dot) => dot.getAttribute("cx") + "," + dot.getAttribute("cy"))).join(" "));
  return {
    rows: rows,
    best: document.querySelector("tr.best") && document.querySelector("tr.best").dataset.trial,
    marginals: marginals,
    cells: sorted([...document.querySelectorAll(".cells .cell")].map((cell) => cell.textContent)),
    curves: [...document.querySelectorAll(".curve")].map((line) => line.dataset.trial + " " + line.getAttribute("points")),
    header: [...document.querySelectorAll(".experiment > .meta")].map((line) => line.textContent),
    rendered: document.body.dataset.rendered,
    errors: document.body.dataset.errors,
  };
})())js";

bool has_completed_row(DevToolsBrowser& browser, int trial) {
  const std::string row = "document.querySelector('tr[data-trial=\"" + std::to_string(trial) + "\"] .status')";
  return browser.evaluate(row + " !== null && " + row + ".textContent === 'completed'") == true;
}

TEST(LivePage, ShowsTrialsRecordedAfterItLoadedWithoutAReload) {
  TempDir dir;
  const std::string db = dir.file("results.db");
  record_toy_sweep(dir, db, "[0.1, 1.0]");
  LivePage page(db, dir);
  ServeProcess& server = page.server;
  DevToolsBrowser& browser = page.browser;

  EXPECT_EQ(browser.evaluate("document.body.dataset.rendered"),
            "loss-curves,heatmap,marginals,parallel-coordinates,table,compare,decision-regions");
  EXPECT_EQ(browser.evaluate("document.body.dataset.errors"), "");
  EXPECT_EQ(browser.evaluate("document.body.dataset.live"), "following");
  EXPECT_EQ(browser.evaluate("document.querySelectorAll('table.trials tbody tr').length"), 4);
  // The reader's choices, which an update must not undo: the table sorted by id (highest first),
  // the loss chart on a log scale, trials 1 and 4 ticked for comparison, a learning-rate range
  // brushed in the parallel coordinates (it keeps trials 3 and 4, of learning rate 1, in the
  // table). And a mark that a reload would wipe out.
  browser.evaluate("document.querySelector('table.trials th[title=\"sort by id\"]').click()");
  browser.evaluate("document.querySelector('input.log-scale').click()");
  tick_compare(browser, 1);
  tick_compare(browser, 4);
  brush_axis(browser, "learning_rate", 0.5, 2.0);  // from 0.5 to the axis's top
  ASSERT_EQ(visible_rows(browser), (std::set<int>{3, 4}));
  browser.evaluate("window.loadedOnce = true");
  ASSERT_EQ(browser.evaluate("document.querySelector('table.trials tbody tr').dataset.trial"), "4");

  record_toy_sweep(dir, db, "[0.1, 1.0, 0.01]");  // two more trials, 5 and 6
  ASSERT_TRUE(browser.wait_for("document.querySelector('.experiment > .meta').textContent.includes('6 trials: 6 completed')",
                               std::chrono::seconds(30)))
      << browser.evaluate(kVisibleState).dump(1);

  EXPECT_EQ(browser.evaluate("window.loadedOnce"), true) << "the page was reloaded";
  EXPECT_EQ(browser.evaluate("document.querySelector('table.trials th[title=\"sort by id\"]').className"), "sorted-desc");
  EXPECT_EQ(browser.evaluate("document.querySelector('input.log-scale').checked"), true);
  EXPECT_EQ(browser.evaluate("document.querySelectorAll('.cells .cell').length"), 6);  // 3 learning rates x 2 strengths
  // The new trials (learning rate 0.01) have their lines, outside the brushed range, and no row
  // while it is brushed; the compare view still shows trials 1 and 4.
  EXPECT_EQ(browser.evaluate("document.querySelectorAll('.pc-line').length"), 6);
  EXPECT_EQ(bright_lines(browser), (std::set<int>{3, 4}));
  EXPECT_EQ(visible_rows(browser), (std::set<int>{3, 4}));
  EXPECT_EQ(browser.evaluate("document.querySelector('.compare-view').dataset.trials"), "1,4");
  // Without the range, the new rows come first in the kept sort, and a new trial ticked joins the
  // compared ones with its curves.
  browser.evaluate("document.querySelector('.pc-clear').click()");
  ASSERT_TRUE(has_completed_row(browser, 5) && has_completed_row(browser, 6)) << browser.evaluate(kVisibleState).dump(1);
  EXPECT_EQ(browser.evaluate("document.querySelector('table.trials tbody tr').dataset.trial"), "6");
  tick_compare(browser, 6);
  EXPECT_EQ(browser.evaluate("[...document.querySelectorAll('.compare-loss .compare-curve')].map((l) => l.dataset.trial).join()"),
            "1,4,6");
  const json live = browser.evaluate(kVisibleState);
  EXPECT_NE(live.at("header").at(0).get<std::string>().find("6 trials: 6 completed"), std::string::npos) << live.dump(1);

  // A fresh load of the page draws the same (once its loss chart is on a log scale too).
  browser.navigate(server.url());
  browser.evaluate("document.querySelector('input.log-scale').click()");
  EXPECT_EQ(browser.evaluate("window.loadedOnce"), nullptr);
  EXPECT_EQ(browser.evaluate(kVisibleState), live);

  // A second experiment recorded in the database appears as a section of its own, in the menu.
  browser.evaluate("window.loadedOnce = true");
  record_toy_sweep(dir, db, "[0.5]", "second");
  ASSERT_TRUE(browser.wait_for("document.querySelector('article[data-experiment=\"second\"] tr[data-trial=\"7\"]')",
                               std::chrono::seconds(30)));
  EXPECT_EQ(browser.evaluate("window.loadedOnce"), true);
  EXPECT_EQ(browser.evaluate("[...document.querySelectorAll('#experiment-nav a')].map((a) => a.textContent).join()"),
            "live,second");
  EXPECT_EQ(browser.evaluate("document.querySelectorAll('article.experiment').length"), 2);

  EXPECT_EQ(browser.evaluate("document.body.dataset.errors"), "");
  EXPECT_EQ(console_lines(browser.err()), std::vector<std::string>{});
  EXPECT_EQ(server.stop(SIGINT), 0) << server.err();
}

TEST(LivePage, SavedAndOpenedAsAFileItIsAStaticReport) {
  TempDir dir;
  const std::string db = dir.file("results.db");
  record_toy_sweep(dir, db, "[0.1, 1.0]");
  ServeProcess server(db, {}, dir);
  auto client = server.client();
  const std::string page = dir.write("saved.html", get_body(client, "/"));
  EXPECT_EQ(server.stop(SIGINT), 0);

  const BrowserRun dom = run_chromium(page, "--dump-dom");
  EXPECT_EQ(attribute(dom.out, "body", "data-rendered"),
            "loss-curves,heatmap,marginals,parallel-coordinates,table,compare,decision-regions");
  EXPECT_EQ(attribute(dom.out, "body", "data-live"), "<no data-live>");  // it never asked the (gone) server
  EXPECT_EQ(dom.out.find("class=\"live-status\""), std::string::npos);
  EXPECT_EQ(console_lines(dom.err), std::vector<std::string>{});
}

}  // namespace
}  // namespace losslab::report_test
