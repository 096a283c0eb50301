// Reading the rows of a dataset whose features may be kept as encoded bytes.
#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "losslab/dataset.hpp"

namespace losslab {
namespace {

constexpr std::size_t kPrefetchAhead = 4;  // rows

// (byte - offset) / scale through the reciprocal: q = a r is within an ulp of a / scale, the FMA
// gives its remainder a - q scale exactly, and one more FMA rounds q + remainder r. That is the
// correctly rounded quotient in all but rare cases, so decoding_step checks every byte value.
float divide_by_reciprocal(float a, float scale, float reciprocal) {
  const float q = a * reciprocal;
  return std::fma(std::fma(-q, scale, a), reciprocal, q);
}

// One row: the byte row through every step, element by element exactly as Preprocessor's
// apply_step does it on a float matrix (subtract, then divide), then the bias 1. Plain loops the
// compiler vectorizes (byte to float conversion included): the minibatch gather runs this for
// every row of every step.
void decode_row(const EncodedFeatures& encoded, const std::uint8_t* __restrict bytes, float* __restrict out) {
  const Eigen::Index features = encoded.bytes.cols();
  const auto& steps = encoded.steps;
  std::size_t first = 0;
  if (!steps.empty() && steps.front().reciprocal.size() != 0) {  // standardize, without division
    const float* __restrict offset = steps.front().offset.data();
    const float* __restrict scale = steps.front().scale.data();
    const float* __restrict reciprocal = steps.front().reciprocal.data();
    for (Eigen::Index d = 0; d < features; ++d)
      out[d] = divide_by_reciprocal(static_cast<float>(bytes[d]) - offset[d], scale[d], reciprocal[d]);
    first = 1;
  } else if (!steps.empty() && steps.front().scale.size() != 0) {  // standardize: one pass
    const float* __restrict offset = steps.front().offset.data();
    const float* __restrict scale = steps.front().scale.data();
    for (Eigen::Index d = 0; d < features; ++d) out[d] = (static_cast<float>(bytes[d]) - offset[d]) / scale[d];
    first = 1;
  } else if (!steps.empty()) {  // mean_subtract: one pass
    const float* __restrict offset = steps.front().offset.data();
    for (Eigen::Index d = 0; d < features; ++d) out[d] = static_cast<float>(bytes[d]) - offset[d];
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

// Decodes the examples `examples(k)`, k < count, into the rows of `out`. Their byte rows are
// looked up first, in one pass whose loads overlap, then each is decoded while a later row's
// bytes are prefetched: rows come from anywhere in the split, and waiting for memory one row at
// a time would dominate.
template <typename Examples>
void decode_rows(const EncodedFeatures& encoded, std::size_t count, const Examples& examples,
                 Eigen::Ref<RowMatrix<float>> out) {
  thread_local std::vector<const std::uint8_t*> sources;
  sources.resize(count);
  for (std::size_t k = 0; k < count; ++k)
    sources[k] = encoded.bytes.row(static_cast<Eigen::Index>(encoded.rows[examples(k)])).data();
  for (std::size_t k = 0; k < count; ++k) {
    if (k + kPrefetchAhead < count) {
      const auto* ahead = reinterpret_cast<const char*>(sources[k + kPrefetchAhead]);
      for (Eigen::Index offset = 0; offset < encoded.bytes.cols(); offset += 64) __builtin_prefetch(ahead + offset);
    }
    decode_row(encoded, sources[k], out.row(static_cast<Eigen::Index>(k)).data());
  }
}

void check_row(const Dataset& data, std::size_t row) {
  if (row >= data.size())
    throw std::out_of_range("read_rows: row " + std::to_string(row) + " of a dataset of " +
                            std::to_string(data.size()) + " examples");
}

void check_shape(const Dataset& data, std::size_t rows, const Eigen::Ref<RowMatrix<float>>& out) {
  if (static_cast<std::size_t>(out.rows()) != rows || static_cast<std::size_t>(out.cols()) != data.dimension())
    throw std::invalid_argument("read_rows_into: the buffer is " + std::to_string(out.rows()) + " x " +
                                std::to_string(out.cols()) + ", the rows " + std::to_string(rows) + " x " +
                                std::to_string(data.dimension()));
}

}  // namespace

void read_rows_into(const Dataset& data, std::span<const std::size_t> indices, Eigen::Ref<RowMatrix<float>> out) {
  check_shape(data, indices.size(), out);
  for (std::size_t k = 0; k < indices.size(); ++k) check_row(data, indices[k]);
  if (data.encoded) {
    decode_rows(*data.encoded, indices.size(), [&](std::size_t k) { return indices[k]; }, out);
    return;
  }
  for (std::size_t k = 0; k < indices.size(); ++k)
    out.row(static_cast<Eigen::Index>(k)) = data.X.row(static_cast<Eigen::Index>(indices[k]));
}

void read_rows_into(const Dataset& data, std::size_t begin, Eigen::Ref<RowMatrix<float>> out) {
  const auto count = static_cast<std::size_t>(out.rows());
  check_shape(data, count, out);
  if (count > 0) check_row(data, begin + count - 1);
  if (!data.encoded) {
    out = data.X.middleRows(static_cast<Eigen::Index>(begin), static_cast<Eigen::Index>(count));
    return;
  }
  decode_rows(*data.encoded, count, [&](std::size_t k) { return begin + k; }, out);
}

void read_rows(const Dataset& data, std::span<const std::size_t> indices, RowMatrix<float>& out) {
  out.resize(static_cast<Eigen::Index>(indices.size()), static_cast<Eigen::Index>(data.dimension()));
  read_rows_into(data, indices, out);
}

void read_rows(const Dataset& data, std::size_t begin, std::size_t count, RowMatrix<float>& out) {
  out.resize(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(data.dimension()));
  read_rows_into(data, begin, out);
}

EncodedFeatures::Step decoding_step(Vector<float> offset, Vector<float> scale) {
  EncodedFeatures::Step step{std::move(offset), std::move(scale), {}};
  if (step.scale.size() == 0) return step;
  Vector<float> reciprocal = step.scale.cwiseInverse();
  for (Eigen::Index d = 0; d < step.scale.size(); ++d)
    for (int byte = 0; byte < 256; ++byte) {
      const float a = static_cast<float>(byte) - step.offset[d];
      const float exact = a / step.scale[d];
      const float fast = divide_by_reciprocal(a, step.scale[d], reciprocal[d]);
      if (std::bit_cast<std::uint32_t>(exact) != std::bit_cast<std::uint32_t>(fast)) return step;
    }
  step.reciprocal = std::move(reciprocal);
  return step;
}

Dataset decoded(const Dataset& data) {
  Dataset out;
  read_rows(data, 0, data.size(), out.X);
  out.y = data.y;
  out.class_names = data.class_names;
  out.layout = data.layout;
  out.has_bias_column = data.has_bias_column;
  return out;
}

}  // namespace losslab
