// In-memory datasets and the errors loaders raise.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "losslab/types.hpp"

namespace losslab {

// Features kept as the bytes an image file stores (a quarter of their float size) and decoded
// when read: x = byte, then x = (x - offset) / scale for each step in order (per feature; an empty
// scale divides by nothing), then the constant 1 of the bias trick when `bias` is set. These are
// the very operations Preprocessor applies to float data, in the same order, so decoding gives
// the same floats bit for bit.
struct EncodedFeatures {
  struct Step {
    Vector<float> offset;
    Vector<float> scale;  // empty: the step only subtracts
    // 1 / scale when multiplying by it, with one FMA correction, gives exactly (byte - offset) /
    // scale for all 256 byte values of every feature (checked); empty otherwise: decoding divides.
    Vector<float> reciprocal;
  };
  RowMatrix<std::uint8_t> bytes;   // without the bias column; may hold more rows than the split
  std::vector<std::size_t> rows;   // example k is bytes row rows[k]
  std::vector<Step> steps;
  bool bias = false;
};

// The decoding step that subtracts `offset` and then divides by `scale` (if not empty), exactly as
// preprocessing does it on floats; with its reciprocal where that gives the same bits, faster.
EncodedFeatures::Step decoding_step(Vector<float> offset, Vector<float> scale);

// How the files lay out one example's features, so that inputs can be checked against a model
// trained on them: an image's shape ({rows, cols} for IDX, {3, 32, 32} for CIFAR-10's channel
// planes) or the names of a table's feature columns. An empty shape is a flat vector of features.
struct FeatureLayout {
  std::vector<std::size_t> shape;
  std::vector<std::string> names;  // CSV: the feature columns' header names, in order; else empty
};

// One set of examples: X is N x D (float32, row-major), y holds N labels in [0, num_classes).
// A split built from image bytes keeps its features `encoded` instead and X is empty: read its
// rows with read_rows() (the trainer does), or decoded() for a plain copy.
struct Dataset {
  RowMatrix<float> X;
  std::optional<EncodedFeatures> encoded;
  Labels y;
  std::vector<std::string> class_names;  // size = number of classes
  FeatureLayout layout;          // of the features as loaded (without the bias column)
  bool has_bias_column = false;  // the last column is the constant 1 of the bias trick

  std::size_t size() const { return y.size(); }
  std::size_t dimension() const {
    return encoded ? static_cast<std::size_t>(encoded->bytes.cols()) + (encoded->bias ? 1 : 0)
                   : static_cast<std::size_t>(X.cols());
  }
  std::size_t num_classes() const { return class_names.size(); }
};

// Rows `indices` (or [begin, begin + count)) of `data` as floats in `out` (resized to
// rows x dimension()): copied from X, or decoded.
void read_rows(const Dataset& data, std::span<const std::size_t> indices, RowMatrix<float>& out);
void read_rows(const Dataset& data, std::size_t begin, std::size_t count, RowMatrix<float>& out);
// The same into `out`, already rows x dimension(): the left columns of a wider buffer, say.
void read_rows_into(const Dataset& data, std::span<const std::size_t> indices, Eigen::Ref<RowMatrix<float>> out);
void read_rows_into(const Dataset& data, std::size_t begin, Eigen::Ref<RowMatrix<float>> out);
// The same examples with every feature in X (decodes an encoded dataset; otherwise a copy).
Dataset decoded(const Dataset& data);

// The training and test sets as a dataset's files ship them (before any validation split).
struct TrainTest {
  Dataset train;
  Dataset test;
};

// Examples whose features are still the bytes an image file stores (IDX and CIFAR-10 pixels),
// a quarter of their float size. prepare_splits converts them to float once, straight into the
// final split matrices, so the float data is never held twice while loading.
struct ByteDataset {
  RowMatrix<std::uint8_t> X;
  Labels y;
  std::vector<std::string> class_names;
  FeatureLayout layout;

  std::size_t size() const { return y.size(); }
  std::size_t dimension() const { return static_cast<std::size_t>(X.cols()); }
  std::size_t num_classes() const { return class_names.size(); }
};
struct ByteTrainTest {
  ByteDataset train;
  ByteDataset test;
};

// The same examples with float features.
Dataset to_float(const ByteDataset& data);

enum class PreprocessStep { mean_subtract, standardize, scale_unit, bias };

// One preprocessing step as fitted on a training split (Preprocessor, splits.hpp): every feature x
// becomes x - offset, then that divided by scale (per feature, float32, in this order); bias
// appends the constant 1.
struct FittedPreprocessStep {
  PreprocessStep kind = PreprocessStep::bias;
  Vector<float> offset;  // subtracted per feature (empty for bias)
  Vector<float> scale;   // divides per feature after the offset (empty: divides by nothing)
};

// The three splits a trial sees. Shared read-only by concurrent trials.
struct Splits {
  Dataset train;
  Dataset val;
  Dataset test;
  // The preprocessing fitted on `train` and applied to all three (splits.hpp), in order: what
  // scoring new examples with a trial's weights must apply to them first.
  std::vector<FittedPreprocessStep> preprocessing;
};
using SharedSplits = std::shared_ptr<const Splits>;

// Raised by every loader: names the file and says what is wrong with it.
class DatasetError : public std::runtime_error {
 public:
  DatasetError(const std::string& file, const std::string& reason)
      : std::runtime_error(file + ": " + reason), file_(file), reason_(reason) {}
  // For text formats: the message reads "file:LINE: reason" or "file:LINE:COLUMN: reason"
  // (column 0 = none), the form editors and terminals jump to.
  DatasetError(const std::string& file, std::size_t line, std::size_t column, const std::string& reason)
      : std::runtime_error(location(file, line, column) + ": " + reason),
        file_(file),
        reason_(reason),
        line_(line),
        column_(column) {}
  const std::string& file() const { return file_; }
  const std::string& reason() const { return reason_; }
  std::size_t line() const { return line_; }      // 0 when the error is not tied to a line
  std::size_t column() const { return column_; }  // 0 when the error is not tied to a cell

 private:
  static std::string location(const std::string& file, std::size_t line, std::size_t column) {
    std::string where = file;
    where.append(":").append(std::to_string(line));
    if (column > 0) where.append(":").append(std::to_string(column));
    return where;
  }

  std::string file_;
  std::string reason_;
  std::size_t line_ = 0;
  std::size_t column_ = 0;
};

// Builds class names "0", "1", ... for datasets that carry none.
std::vector<std::string> numbered_class_names(std::size_t num_classes);

// Checks that X and y agree and every label lies in [0, num_classes); throws DatasetError naming `source`.
void validate_dataset(const Dataset& data, const std::string& source);

}  // namespace losslab
