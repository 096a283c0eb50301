#include "decision_regions.hpp"

#include <algorithm>
#include <cmath>

namespace losslab::report {
namespace {

int feature_rows(const Weights& weights) { return static_cast<int>(weights.rows) - (weights.has_bias_row ? 1 : 0); }

void check_matches(const Weights& weights, const Dataset& data, const char* split) {
  if (data.size() == 0) return;
  if (static_cast<std::int64_t>(data.dimension()) != weights.rows)
    throw ReportError(std::string(split) + " data has " + std::to_string(data.dimension()) + " columns but W has " +
                      std::to_string(weights.rows) + " rows");
}

}  // namespace

bool is_two_dimensional(const Weights& weights) { return feature_rows(weights) == 2 && weights.cols >= 1; }

DecisionRegions make_decision_regions(const Weights& weights, const Splits& splits,
                                      const DecisionRegionOptions& options) {
  if (!is_two_dimensional(weights))
    throw ReportError("decision regions need the weights of 2 features, W has " + std::to_string(weights.rows) +
                      " rows");
  const Dataset* parts[] = {&splits.train, &splits.val, &splits.test};
  const char* part_names[] = {"training", "validation", "test"};
  for (int s = 0; s < 3; ++s) check_matches(weights, *parts[s], part_names[s]);

  DecisionRegions regions;
  regions.class_names = splits.train.class_names;
  regions.class_names.resize(static_cast<std::size_t>(weights.cols));
  for (std::int64_t c = 0; c < weights.cols; ++c) {
    const float* w = weights.values.data() + c * weights.rows;
    regions.score_lines.push_back({w[0], w[1], weights.has_bias_row ? w[2] : 0.0});
  }

  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  for (int s = 0; s < 3; ++s) {
    const Dataset& data = *parts[s];
    const std::size_t stride = std::max<std::size_t>(1, (data.size() + options.max_points - 1) / options.max_points);
    for (std::size_t i = 0; i < data.size(); ++i) {
      const auto row = static_cast<Eigen::Index>(i);
      const float x = data.X(row, 0), y = data.X(row, 1);
      x_min = std::min<double>(x_min, x);
      x_max = std::max<double>(x_max, x);
      y_min = std::min<double>(y_min, y);
      y_max = std::max<double>(y_max, y);
      if (i % stride == 0) regions.points.push_back({x, y, data.y[i], s});
    }
  }
  if (regions.points.empty()) {  // no data: the square around the origin
    x_min = y_min = -1;
    x_max = y_max = 1;
  }
  // Square cells in data units: both axes get the larger of the two extents.
  const double half = 0.5 * std::max({x_max - x_min, y_max - y_min, 1e-6}) * (1 + 2 * options.margin);
  const double cx = 0.5 * (x_min + x_max), cy = 0.5 * (y_min + y_max);
  regions.x_min = cx - half;
  regions.x_max = cx + half;
  regions.y_min = cy - half;
  regions.y_max = cy + half;
  regions.nx = regions.ny = options.resolution;

  const double cell = 2 * half / options.resolution;
  regions.labels.reserve(static_cast<std::size_t>(regions.nx) * static_cast<std::size_t>(regions.ny));
  for (int j = 0; j < regions.ny; ++j) {
    const double y = regions.y_min + (j + 0.5) * cell;
    for (int i = 0; i < regions.nx; ++i) {
      const double x = regions.x_min + (i + 0.5) * cell;
      std::int32_t best = 0;
      double best_score = -INFINITY;
      for (std::size_t c = 0; c < regions.score_lines.size(); ++c) {
        const auto& [wx, wy, b] = regions.score_lines[c];
        const double score = wx * x + wy * y + b;
        if (score > best_score) {
          best_score = score;
          best = static_cast<std::int32_t>(c);
        }
      }
      regions.labels.push_back(best);
    }
  }
  return regions;
}

}  // namespace losslab::report
