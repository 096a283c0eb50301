// How the HTML report writes a number into its JSON.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace losslab::report {

// Six significant digits are plenty for a chart and keep the page small; NaN and infinity are null.
inline nlohmann::json chart_number(double value) {
  if (!std::isfinite(value)) return nullptr;
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return std::strtod(text, nullptr);
}

}  // namespace losslab::report
