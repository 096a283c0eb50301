// The decision regions of a linear classifier on 2-D data (the view of the lecture's web demo):
// the predicted class argmax_c (W^T [x, y, 1])_c on a grid over the data, with the data points.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "losslab/dataset.hpp"
#include "report_data.hpp"

namespace losslab::report {

struct LabelledPoint {
  float x = 0, y = 0;
  std::int32_t label = 0;
  int split = 0;  // 0 train, 1 validation, 2 test
};

struct DecisionRegions {
  double x_min = 0, x_max = 0, y_min = 0, y_max = 0;  // the grid's extent
  int nx = 0, ny = 0;
  // Predicted class of each cell, row by row from y_min upwards, x_min to x_max within a row;
  // a cell's value is the prediction at its center.
  std::vector<std::int32_t> labels;
  // Per class (w_x, w_y, b): the class's score is w_x x + w_y y + b (b = 0 without a bias row).
  std::vector<std::array<double, 3>> score_lines;
  std::vector<LabelledPoint> points;  // at most max_points per split, evenly thinned
  std::vector<std::string> class_names;
};

struct DecisionRegionOptions {
  int resolution = 160;           // grid cells along each axis
  double margin = 0.15;           // added around the data's bounding box, as a fraction of its size
  std::size_t max_points = 2000;  // per split
};

// True when W scores 2 features (plus the bias row): the weights of a 2-D dataset.
bool is_two_dimensional(const Weights& weights);

// `splits` are the trial's preprocessed splits (what load_dataset returns), so the grid lives in
// the space W was trained in. Throws ReportError when W is not 2-D or does not match the data.
DecisionRegions make_decision_regions(const Weights& weights, const Splits& splits,
                                      const DecisionRegionOptions& options = {});

}  // namespace losslab::report
