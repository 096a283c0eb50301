#include "input_examples.hpp"

#include <filesystem>

#include "losslab/loaders.hpp"

namespace losslab::predictions {
namespace {

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? " x " : "") + std::to_string(shape[i]);
  return text;
}

Dataset read_idx_input(const report::TrialModel& model, const InputOptions& options) {
  const IdxImages images = read_idx_images(options.path);
  const std::vector<std::size_t> shape{images.rows, images.cols};
  if (shape != model.preprocessing.layout.shape)
    throw DatasetError(options.path, "images are " + shape_text(shape) + " pixels; " + report::describe(model) +
                                         " was trained on " + shape_text(model.preprocessing.layout.shape) +
                                         " pixel images");
  ByteDataset bytes;
  bytes.X = Eigen::Map<const RowMatrix<std::uint8_t>>(images.pixels.data(), static_cast<Eigen::Index>(images.count),
                                                      static_cast<Eigen::Index>(images.rows * images.cols));
  const std::string labels = options.labels_path.empty() ? idx_labels_beside(options.path) : options.labels_path;
  if (!labels.empty()) {
    bytes.y = read_idx_labels(labels);
    if (bytes.y.size() != images.count)
      throw DatasetError(labels, "has " + std::to_string(bytes.y.size()) + " labels for the " +
                                     std::to_string(images.count) + " images of " + options.path);
  }
  bytes.class_names = model.preprocessing.class_names;
  return to_float(bytes);
}

Dataset read_cifar_input(const report::TrialModel& model, const InputOptions& options) {
  if (model.preprocessing.layout.shape != std::vector<std::size_t>{3, 32, 32})
    throw DatasetError(options.path, report::describe(model) + " was trained on " +
                                         shape_text(model.preprocessing.layout.shape) +
                                         " examples, not on CIFAR-10's 3 x 32 x 32 images");
  Dataset data = read_cifar10_batch(options.path);
  data.class_names = model.preprocessing.class_names;
  return data;
}

Dataset read_csv_input(const report::TrialModel& model, const InputOptions& options) {
  CsvInputOptions csv;
  csv.feature_names = model.preprocessing.layout.names;
  csv.features = static_cast<std::size_t>(model.features());
  if (!model.preprocessing.label_column.empty()) csv.label_column = model.preprocessing.label_column;
  csv.class_names = model.preprocessing.class_names;
  // A training file without a header row names no columns (dataset.header: false): its inputs have
  // none either, and the label column is a position.
  csv.header = !(model.preprocessing.dataset_kind == "csv" && csv.feature_names.empty());
  return load_csv_input(options.path, csv);
}

}  // namespace

InputFormat input_format(const std::string& dataset_kind, const std::string& path) {
  if (path.ends_with(".csv") || path.ends_with(".csv.gz")) return InputFormat::csv;
  if (dataset_kind == "fashion-mnist" || dataset_kind == "mnist") return InputFormat::idx;
  if (dataset_kind == "cifar10") return InputFormat::cifar10;
  return InputFormat::csv;
}

std::string to_string(InputFormat format) {
  static const char* const kNames[] = {"IDX images", "a CIFAR-10 batch", "CSV"};  // in InputFormat's order
  return kNames[static_cast<int>(format)];
}

std::string idx_labels_beside(const std::string& images_path) {
  const std::filesystem::path path(images_path);
  std::string name = path.filename().string();
  const auto at = name.find("images-idx3");
  if (at == std::string::npos) return "";
  name.replace(at, 11, "labels-idx1");
  const std::string stem = name.ends_with(".gz") ? name.substr(0, name.size() - 3) : name;
  for (const std::string& candidate : {name, stem, stem + ".gz"}) {
    const std::filesystem::path labels = path.parent_path() / candidate;
    std::error_code ignored;
    if (std::filesystem::is_regular_file(labels, ignored)) return labels.string();
  }
  return "";
}

Dataset read_input(const report::TrialModel& model, const InputOptions& options) {
  switch (input_format(model.preprocessing.dataset_kind, options.path)) {
    case InputFormat::idx: return read_idx_input(model, options);
    case InputFormat::cifar10: return read_cifar_input(model, options);
    case InputFormat::csv: return read_csv_input(model, options);
  }
  return {};
}

}  // namespace losslab::predictions
