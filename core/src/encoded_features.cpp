// Reading the rows of a dataset whose features may be kept as encoded bytes.
#include <cstdint>
#include <stdexcept>

#include "losslab/dataset.hpp"

namespace losslab {
namespace {

// One row: the byte row through every step, element by element exactly as Preprocessor's
// apply_step does it on a float matrix (subtract, then divide), then the bias 1.
// Plain loops the compiler vectorizes (byte to float conversion included); the minibatch gather
// runs this for every row of every step.
void decode_row(const EncodedFeatures& encoded, std::size_t example, float* __restrict out) {
  const Eigen::Index features = encoded.bytes.cols();
  const std::uint8_t* __restrict bytes = encoded.bytes.row(static_cast<Eigen::Index>(encoded.rows[example])).data();
  const auto& steps = encoded.steps;
  std::size_t first = 0;
  if (!steps.empty() && steps.front().scale.size() != 0) {  // standardize: one pass
    const float* __restrict offset = steps.front().offset.data();
    const float* __restrict scale = steps.front().scale.data();
    for (Eigen::Index d = 0; d < features; ++d) out[d] = (static_cast<float>(bytes[d]) - offset[d]) / scale[d];
    first = 1;
  } else {
    for (Eigen::Index d = 0; d < features; ++d) out[d] = static_cast<float>(bytes[d]);
  }
  for (std::size_t k = first; k < steps.size(); ++k) {
    const float* __restrict offset = steps[k].offset.data();
    for (Eigen::Index d = 0; d < features; ++d) out[d] -= offset[d];
    if (steps[k].scale.size() == 0) continue;
    const float* __restrict scale = steps[k].scale.data();
    for (Eigen::Index d = 0; d < features; ++d) out[d] /= scale[d];
  }
  if (encoded.bias) out[features] = 1.0f;
}

constexpr std::size_t kPrefetchAhead = 4;

void prefetch_row(const EncodedFeatures& encoded, std::size_t example) {
  const auto* bytes =
      reinterpret_cast<const char*>(encoded.bytes.row(static_cast<Eigen::Index>(encoded.rows[example])).data());
  for (Eigen::Index offset = 0; offset < encoded.bytes.cols(); offset += 64) __builtin_prefetch(bytes + offset);
}

void check_row(const Dataset& data, std::size_t row) {
  if (row >= data.size())
    throw std::out_of_range("read_rows: row " + std::to_string(row) + " of a dataset of " +
                            std::to_string(data.size()) + " examples");
}

}  // namespace

void read_rows(const Dataset& data, std::span<const std::size_t> indices, RowMatrix<float>& out) {
  out.resize(static_cast<Eigen::Index>(indices.size()), static_cast<Eigen::Index>(data.dimension()));
  for (std::size_t k = 0; k < indices.size(); ++k) check_row(data, indices[k]);
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const auto source = static_cast<Eigen::Index>(indices[k]);
    if (data.encoded) {
      // Rows come from anywhere in the split: ask for a later row's bytes while decoding this one,
      // so the wait for memory overlaps the work.
      if (k + kPrefetchAhead < indices.size()) prefetch_row(*data.encoded, indices[k + kPrefetchAhead]);
      decode_row(*data.encoded, indices[k], out.row(static_cast<Eigen::Index>(k)).data());
    } else {
      out.row(static_cast<Eigen::Index>(k)) = data.X.row(source);
    }
  }
}

void read_rows(const Dataset& data, std::size_t begin, std::size_t count, RowMatrix<float>& out) {
  if (count > 0) check_row(data, begin + count - 1);
  out.resize(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(data.dimension()));
  if (!data.encoded) {
    out = data.X.middleRows(static_cast<Eigen::Index>(begin), static_cast<Eigen::Index>(count));
    return;
  }
  for (std::size_t k = 0; k < count; ++k)
    decode_row(*data.encoded, begin + k, out.row(static_cast<Eigen::Index>(k)).data());
}

Dataset decoded(const Dataset& data) {
  Dataset out;
  read_rows(data, 0, data.size(), out.X);
  out.y = data.y;
  out.class_names = data.class_names;
  out.has_bias_column = data.has_bias_column;
  return out;
}

}  // namespace losslab
