// Dataset invariants shared by every loader and split.
#include "losslab/dataset.hpp"

#include "loader_support.hpp"

namespace losslab {

std::vector<std::string> numbered_class_names(std::size_t num_classes) {
  std::vector<std::string> names;
  names.reserve(num_classes);
  for (std::size_t c = 0; c < num_classes; ++c) names.push_back(std::to_string(c));
  return names;
}

Dataset to_float(const ByteDataset& data) {
  Dataset out;
  out.X = data.X.cast<float>();
  out.y = data.y;
  out.class_names = data.class_names;
  out.layout = data.layout;
  return out;
}

void validate_dataset(const Dataset& data, const std::string& source) {
  if (data.num_classes() == 0) detail::fail(source, "dataset has no classes");
  if (static_cast<std::size_t>(data.X.rows()) != data.y.size()) {
    detail::fail(source, "feature matrix has ", data.X.rows(), " rows but there are ", data.y.size(),
                 " labels");
  }
  const auto classes = static_cast<std::int64_t>(data.num_classes());
  for (std::size_t i = 0; i < data.y.size(); ++i) {
    if (data.y[i] < 0 || data.y[i] >= classes) {
      detail::fail(source, "label ", data.y[i], " of example ", i, " is outside [0, ", classes, ")");
    }
  }
}

}  // namespace losslab
