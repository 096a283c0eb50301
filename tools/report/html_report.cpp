#include "html_report.hpp"

#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

#include "html_data.hpp"
#include "report_assets.hpp"
#include "trial_selection.hpp"

namespace losslab::report {
namespace {

std::string escape_html(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

// Writes `page` with each {{name}} replaced by its value, in one pass: substituted text is never
// scanned again, so a value containing "{{...}}" stays as it is.
void fill_page(std::string_view page, const std::vector<std::pair<std::string_view, std::string_view>>& values,
               std::ostream& out) {
  std::size_t at = 0;
  while (true) {
    const std::size_t open = page.find("{{", at);
    const std::size_t close = open == std::string_view::npos ? open : page.find("}}", open);
    if (close == std::string_view::npos) break;
    const std::string_view name = page.substr(open + 2, close - open - 2);
    out << page.substr(at, open - at);
    bool known = false;
    for (const auto& [key, value] : values)
      if (key == name) {
        out << value;
        known = true;
      }
    if (!known) out << page.substr(open, close + 2 - open);
    at = close + 2;
  }
  out << page.substr(at);
}

}  // namespace

void write_html_report(ResultsReader& db, const HtmlOptions& options, std::ostream& out) {
  write_html_page(build_report_data(db, select_experiments(db, options.experiment), options), out);
}

void write_html_page(const nlohmann::json& data, std::ostream& out) {
  const auto& experiments = data.at("experiments");
  std::string title = "losslab report";
  if (experiments.size() == 1) title += ": " + experiments.front().at("name").get<std::string>();
  const std::string source = "Results database " + data.at("database").get<std::string>();
  fill_page(assets::kPage,
            {{"title", escape_html(title)},
             {"source", escape_html(source)},
             {"style", assets::kStyle},
             {"data", json_for_script(data)},
             {"script", assets::kScript}},
            out);
  if (!out) throw ReportError("cannot write the HTML report");
}

}  // namespace losslab::report
