// Driving the HTML report's parallel coordinates and compare views in a DevToolsBrowser the way a
// reader does (dragging along an axis with the mouse, ticking trials in the table) and reading back
// what the table and the lines show.
#pragma once

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "report/devtools_browser.hpp"

namespace losslab::report_test {

// `script` with each PARAM replaced by `param`.
inline std::string with_param(std::string script, const std::string& param) {
  for (auto at = script.find("PARAM"); at != std::string::npos; at = script.find("PARAM", at + param.size()))
    script.replace(at, 5, param);
  return script;
}

// The axis of `param` in the first experiment's parallel coordinates, scrolled into view: its
// scale, its domain ("low high"; empty for categories) and the viewport box of its brushing strip.
inline nlohmann::json parallel_axis(DevToolsBrowser& browser, const std::string& param) {
  return browser.evaluate(with_param(R"js((() => {
    const axis = document.querySelector('.pc-axis[data-param="PARAM"]');
    axis.scrollIntoView({ block: "center" });
    const box = axis.querySelector(".pc-brush-area").getBoundingClientRect();
    return { scale: axis.dataset.scale, domain: axis.dataset.domain || "", x: box.left + box.width / 2,
             top: box.top, height: box.height };
  })())js", param));
}

// Drags along the axis of `param` between two heights given as fractions of it from its top.
inline void drag_on_axis(DevToolsBrowser& browser, const std::string& param, double from, double to) {
  const nlohmann::json axis = parallel_axis(browser, param);
  const double top = axis.at("top"), height = axis.at("height"), x = axis.at("x");
  browser.drag(x, top + from * height, x, top + to * height);
}

// Where `value` lies on a numeric axis, as a fraction of it from its top: the test's own log or
// linear mapping of the axis's domain, so a wrongly scaled axis brushes the wrong trials.
inline double axis_fraction(const nlohmann::json& axis, double value) {
  double low = 0, high = 0;
  std::sscanf(axis.at("domain").get<std::string>().c_str(), "%lf %lf", &low, &high);
  const bool log = axis.at("scale") == "log";
  const auto t = [&](double v) { return log ? std::log10(v) : v; };
  return 1.0 - (t(value) - t(low)) / (t(high) - t(low));
}

// Brushes the numeric axis of `param` from value `low` to value `high`: the drag starts at `low`,
// which must be on the axis; `high` may lie beyond its end (the range then ends there).
inline void brush_axis(DevToolsBrowser& browser, const std::string& param, double low, double high) {
  const nlohmann::json axis = parallel_axis(browser, param);
  drag_on_axis(browser, param, axis_fraction(axis, low), axis_fraction(axis, high));
}

// The trial ids of the rows the first experiment's table shows (not hidden by a brush).
inline std::set<int> visible_rows(DevToolsBrowser& browser) {
  return browser.evaluate(R"js([...document.querySelector("article.experiment").querySelectorAll("table.trials tbody tr")]
    .filter((row) => !row.hidden && getComputedStyle(row).display !== "none").map((row) => Number(row.dataset.trial)))js")
      .get<std::set<int>>();
}

// The trial ids of the parallel-coordinates lines inside every brushed range.
inline std::set<int> bright_lines(DevToolsBrowser& browser) {
  return browser.evaluate(R"js([...document.querySelector("article.experiment").querySelectorAll(".pc-line:not(.dimmed)")]
    .map((line) => Number(line.dataset.trial)))js")
      .get<std::set<int>>();
}

// Ticks (or unticks) trial `id` in the first experiment's compare column.
inline void tick_compare(DevToolsBrowser& browser, int id) {
  browser.evaluate("document.querySelector('article.experiment input.compare-pick[data-trial=\"" + std::to_string(id) +
                   "\"]').click()");
}

}  // namespace losslab::report_test
