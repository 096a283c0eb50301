#include "templates.hpp"

#include <algorithm>
#include <cmath>

#include "losslab/dataset.hpp"

namespace losslab::report {

std::optional<ImageShape> image_shape_of(const std::string& dataset_kind) {
  if (dataset_kind == "fashion-mnist")
    return ImageShape{28, 28, 1, {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                  "Sneaker", "Bag", "Ankle boot"}};
  if (dataset_kind == "mnist") return ImageShape{28, 28, 1, numbered_class_names(10)};
  if (dataset_kind == "cifar10")
    return ImageShape{32, 32, 3, {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                                  "truck"}};
  return std::nullopt;
}

ClassTemplates make_class_templates(const Weights& weights, const ImageShape& shape) {
  const std::int64_t plane = std::int64_t{shape.width} * shape.height;
  const std::int64_t features = plane * shape.channels;
  const std::int64_t pixel_rows = weights.rows - (weights.has_bias_row ? 1 : 0);
  if (pixel_rows != features || weights.cols != static_cast<std::int64_t>(shape.class_names.size()))
    throw ReportError("weights of " + std::to_string(weights.rows) + " x " + std::to_string(weights.cols) +
                      " do not fit " + std::to_string(shape.class_names.size()) + " images of " +
                      std::to_string(features) + " values");

  // Min and max over the pixel rows of every class; the bias row is not part of an image.
  float low = INFINITY, high = -INFINITY;
  for (std::int64_t c = 0; c < weights.cols; ++c) {
    const auto column = weights.values.begin() + c * weights.rows;
    const auto [min, max] = std::minmax_element(column, column + features);
    low = std::min(low, *min);
    high = std::max(high, *max);
  }
  const float range = high > low ? high - low : 1.0f;

  ClassTemplates templates{shape, {}};
  for (std::int64_t c = 0; c < weights.cols; ++c) {
    const float* column = weights.values.data() + c * weights.rows;
    std::vector<std::uint8_t> image(static_cast<std::size_t>(features));
    for (std::int64_t pixel = 0; pixel < plane; ++pixel)
      for (int channel = 0; channel < shape.channels; ++channel) {
        const float scaled = 255.0f * (column[channel * plane + pixel] - low) / range;
        image[static_cast<std::size_t>(pixel * shape.channels + channel)] =
            static_cast<std::uint8_t>(std::lround(std::clamp(scaled, 0.0f, 255.0f)));
      }
    templates.pixels.push_back(std::move(image));
  }
  return templates;
}

}  // namespace losslab::report
