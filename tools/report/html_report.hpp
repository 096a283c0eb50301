// losslab-report html: one self-contained HTML file (no network access needed to view it).
#pragma once

#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "report_data.hpp"

namespace losslab::report {

struct HtmlOptions {
  std::optional<std::string> experiment;  // name or id; all experiments when absent
  int top = 10;                           // trials whose loss curves are drawn
  bool log_scale = false;                 // initial state of the loss chart's log-scale toggle
};

// Writes the report: loss curves of the top trials, validation accuracy over learning rate x
// regularization strength, a marginal plot per swept parameter, a sortable trial table, the best
// trial's weights as class templates (image datasets) or its decision regions (2-D datasets).
void write_html_report(ResultsReader& db, const HtmlOptions& options, std::ostream& out);

// The page around report data already built (build_report_data in html_data.hpp), which the live
// server extends with where to ask for changes.
void write_html_page(const nlohmann::json& data, std::ostream& out);

}  // namespace losslab::report
