// The parameter importance chart in headless Chromium, served live: one bar per swept parameter
// in the order and at the widths the summary's shares give, the seed's bar empty, no console
// message; and when more trials are recorded, the open page redraws the bars with the new shares.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "report/devtools_browser.hpp"
#include "report/serve_support.hpp"

namespace losslab::report_test {
namespace {

using nlohmann::json;

// The bars top to bottom: parameter, rank, share, width and the label at the bar's end.
const char* const kBars = R"js((() => {
  const labels = [...document.querySelectorAll(".importance-label")];
  return [...document.querySelectorAll(".importance-bar")].map((bar, i) => ({
    param: bar.dataset.param, rank: Number(bar.dataset.rank), share: Number(bar.dataset.share),
    y: Number(bar.getAttribute("y")), width: Number(bar.getAttribute("width")), label: labels[i].textContent,
  })).sort((a, b) => a.y - b.y);
})())js";

// The summary's shares (--importance --format json), best first.
json summary_shares(const TempDir& dir, const std::string& db) {
  const auto summary = run_report({db, "--importance", "--format", "json"}, dir);
  EXPECT_EQ(summary.exit_code, 0) << summary.err;
  return json::parse(summary.out).at(0).at("importance").at("shares");
}

void expect_bars_match(const json& bars, const json& shares) {
  ASSERT_EQ(bars.size(), shares.size()) << bars.dump(1);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    EXPECT_EQ(bars[i].at("param"), shares[i].at("param")) << bars.dump(1);
    EXPECT_EQ(bars[i].at("rank"), static_cast<int>(i + 1));
    EXPECT_NEAR(bars[i].at("share").get<double>(), shares[i].at("share").get<double>(), 1e-9);
    if (i > 0) {
      EXPECT_GE(bars[i - 1].at("width").get<double>(), bars[i].at("width").get<double>()) << bars.dump(1);
    }
  }
}

TEST(ImportancePage, BarsFollowTheSharesAndTheLiveUpdates) {
  TempDir dir;
  const std::string db = dir.file("results.db");
  record_seed_sweep(dir, db, "[1.0e-3, 3.0]");
  LivePage page(db, dir);

  EXPECT_NE(page.browser.evaluate("document.body.dataset.rendered").get<std::string>().find("parallel-coordinates,importance,table"),
            std::string::npos);
  const json bars = page.browser.evaluate(kBars);
  expect_bars_match(bars, summary_shares(dir, db));
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[0].at("param"), "strength");
  EXPECT_EQ(bars[0].at("label"), "100.0%");
  EXPECT_EQ(bars[1].at("param"), "seed");
  EXPECT_LT(bars[1].at("width").get<double>(), 0.01);  // a share below 1e-12
  EXPECT_EQ(bars[1].at("label").get<std::string>().rfind("0.0", 0), 0u) << bars[1].dump();
  EXPECT_EQ(page.browser.evaluate("document.querySelectorAll('.importance-chance').length"), 2);
  const std::string caption = "over the 6 completed trials";
  EXPECT_EQ(page.browser.evaluate("document.querySelector('.importance-bars').closest('section').textContent.includes('" +
                             caption + "')"),
            true);

  // A third strength, recorded while the page is open: the chart is redrawn over 9 trials.
  page.browser.evaluate("window.loadedOnce = true");
  record_seed_sweep(dir, db, "[1.0e-3, 3.0, 0.3]");
  ASSERT_TRUE(page.browser.wait_for("document.querySelector('.importance-bars') && document.querySelector('.importance-bars')"
                               ".closest('section').textContent.includes('over the 9 completed trials')",
                               std::chrono::seconds(30)));
  EXPECT_EQ(page.browser.evaluate("window.loadedOnce"), true) << "the page was reloaded";
  expect_bars_match(page.browser.evaluate(kBars), summary_shares(dir, db));

  EXPECT_EQ(page.browser.evaluate("document.body.dataset.errors"), "");
  EXPECT_EQ(console_lines(page.browser.err()), std::vector<std::string>{});
  EXPECT_EQ(page.server.stop(SIGINT), 0) << page.server.err();
}

}  // namespace
}  // namespace losslab::report_test
