// The learned weights of an image classifier drawn as one template image per class (the lecture's
// "templates" view): each class's weight column, without the bias row, reshaped to the image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report_data.hpp"

namespace losslab::report {

struct ImageShape {
  int width = 0, height = 0, channels = 0;  // channels: 1 (gray) or 3 (RGB)
  std::vector<std::string> class_names;
};

// The image layout of a dataset kind (fashion-mnist, mnist: 28x28 gray; cifar10: 32x32 RGB), with
// its class names; nullopt for kinds whose features are not pixels.
std::optional<ImageShape> image_shape_of(const std::string& dataset_kind);

struct ClassTemplates {
  ImageShape shape;
  // One image per class, width * height * channels bytes in row-major order with the channels of
  // a pixel interleaved (R, G, B). Rescaled to 0..255 with the minimum and maximum over all classes,
  // as the course's visualization does, so templates are comparable with each other.
  std::vector<std::vector<std::uint8_t>> pixels;
};

// Throws ReportError when W does not have one row per pixel value (plus the bias row) or one
// column per class name. Features are in the loaders' order: row-major pixels, and for RGB the
// R plane, then the G plane, then the B plane (CIFAR-10's file order).
ClassTemplates make_class_templates(const Weights& weights, const ImageShape& shape);

}  // namespace losslab::report
