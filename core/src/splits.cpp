// Train/validation splits and preprocessing fitted on the training split only.
#include "losslab/splits.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <type_traits>

#include "huge_pages.hpp"
#include "losslab/portable_random.hpp"
#include "two_halves.hpp"

namespace losslab {
namespace {

// Below this a feature is treated as constant: dividing by its std would only amplify rounding noise
// (e.g. image border pixels that are 0 in every training example).
constexpr double kMinScale = 1e-8;

template <typename Data>
Data empty_like(const Data& data, std::size_t rows) {
  Data out;
  out.X.resize(static_cast<Eigen::Index>(rows), data.X.cols());
  out.y.reserve(rows);
  out.class_names = data.class_names;
  out.layout = data.layout;
  return out;
}

template <typename Data>
Data select_rows_of(const Data& data, const std::vector<std::size_t>& indices) {
  Data out = empty_like(data, indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    if (indices[k] >= data.size()) {
      throw std::out_of_range("select_rows: index " + std::to_string(indices[k]) + " but the dataset has " +
                              std::to_string(data.size()) + " examples");
    }
    out.X.row(static_cast<Eigen::Index>(k)) = data.X.row(static_cast<Eigen::Index>(indices[k]));
    out.y.push_back(data.y[indices[k]]);
  }
  return out;
}

std::vector<std::size_t> all_rows(std::size_t n) {
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return rows;
}

template <typename Data>
Data take_first_of(const Data& data, std::size_t limit) {
  if (limit == 0 || limit >= data.size()) return data;
  return select_rows_of(data, all_rows(limit));
}

// Whether a split's matrix asks for huge pages. Training reads rows at random, one minibatch at a
// time, and gathers about 5 % faster from 2 MiB pages; validation and test are read front to back,
// and on a VM a fresh huge page costs several times more to fault in than its 512 small ones.
enum class Pages { small, huge };

// Rows `indices` of `source` as float, in one freshly allocated matrix that already has the bias
// column when `bias` is set: appending it later would copy the whole matrix (the load's memory peak).
template <typename Source>
Dataset gather_split(const Source& source, const std::vector<std::size_t>& indices, bool bias, Pages pages) {
  Dataset out;
  const auto features = static_cast<Eigen::Index>(source.dimension());
  out.X.resize(static_cast<Eigen::Index>(indices.size()), features + (bias ? 1 : 0));
  if (pages == Pages::huge)
    detail::advise_huge_pages(out.X.data(), static_cast<std::size_t>(out.X.size()) * sizeof(float));
  out.y.resize(indices.size());
  const auto copy_rows = [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k) {
      const auto row = static_cast<Eigen::Index>(k);
      out.X.row(row).head(features) = source.X.row(static_cast<Eigen::Index>(indices[k])).template cast<float>();
      out.y[k] = source.y[indices[k]];
    }
  };
  // Filling fresh memory is mostly the kernel clearing its pages: worth both cores.
  detail::in_two_halves(indices.size(), copy_rows);
  if (bias) out.X.col(features).setOnes();
  out.has_bias_column = bias;
  out.class_names = source.class_names;
  out.layout = source.layout;
  return out;
}

// A split of image bytes, kept encoded (EncodedFeatures) and decoded as it is read: row by row for
// minibatches, a chunk at a time for accuracies. A quarter of the float matrix's memory and
// bandwidth, and no float matrix to fill at load (on a VM fresh pages cost more than copying them).
// It takes over `source`'s byte matrix and names its rows, so it allocates and copies nothing.
Dataset encoded_split(ByteDataset&& source, std::vector<std::size_t> indices, bool bias) {
  Dataset out;
  out.y.resize(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) out.y[k] = source.y[indices[k]];
  EncodedFeatures encoded;
  encoded.bytes = std::move(source.X);
  encoded.rows = std::move(indices);
  encoded.bias = bias;
  out.encoded = std::move(encoded);
  out.has_bias_column = bias;
  out.class_names = std::move(source.class_names);
  out.layout = std::move(source.layout);
  return out;
}

std::size_t validation_count(double validation, std::size_t n) {
  if (!(validation >= 0) || !std::isfinite(validation)) {
    throw std::invalid_argument("validation must be a count >= 1, a fraction in (0, 1) or 0, got " +
                                std::to_string(validation));
  }
  if (validation == 0) return 0;
  std::size_t count = 0;
  if (validation < 1) {
    // A fraction asks for a validation set, so it never rounds down to none.
    count = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(validation * static_cast<double>(n))));
  } else {
    if (validation != std::floor(validation)) {
      throw std::invalid_argument("validation count must be a whole number, got " + std::to_string(validation));
    }
    count = static_cast<std::size_t>(validation);
  }
  if (count >= n) {
    throw std::invalid_argument("validation set of " + std::to_string(count) + " examples leaves no training data (" +
                                std::to_string(n) + " examples in all)");
  }
  return count;
}

// The columns preprocessing transforms: all but the bias trick's constant 1.
auto feature_columns(Dataset& data) { return data.X.leftCols(data.X.cols() - (data.has_bias_column ? 1 : 0)); }
Eigen::Index feature_count(const Dataset& data) {
  return static_cast<Eigen::Index>(data.dimension()) - (data.has_bias_column ? 1 : 0);
}

// Calls fn(block) with the feature columns of `data` in blocks of rows, first row first: X itself,
// or an encoded dataset decoded a few thousand rows at a time.
template <typename Fn>
void for_feature_blocks(Dataset& data, const Fn& fn) {
  if (!data.encoded) {
    fn(feature_columns(data));
    return;
  }
  constexpr std::size_t kBlockRows = 4096;
  RowMatrix<float> block;
  for (std::size_t begin = 0; begin < data.size(); begin += kBlockRows) {
    read_rows(data, begin, std::min(kBlockRows, data.size() - begin), block);
    fn(block.leftCols(feature_count(data)));
  }
}

// Per-feature mean and population standard deviation.
struct ColumnMoments {
  Vector<double> mean;
  Vector<double> std_dev;
};

// Integer sums of x and x^2 per column of a byte matrix's rows [begin, end) of `rows`.
struct ByteSums {
  std::vector<std::uint64_t> sum, sum_sq;
};
ByteSums byte_sums(const EncodedFeatures& encoded, std::size_t begin, std::size_t end) {
  const auto d = static_cast<std::size_t>(encoded.bytes.cols());
  ByteSums sums{std::vector<std::uint64_t>(d, 0), std::vector<std::uint64_t>(d, 0)};
  // 32-bit partial sums vectorize twice as wide; 255^2 * 65536 rows still fits in them.
  constexpr std::size_t kBlockRows = 65536;
  std::vector<std::uint32_t> part(d), part_sq(d);
  for (std::size_t block = begin; block < end; block += kBlockRows) {
    std::fill(part.begin(), part.end(), 0u);
    std::fill(part_sq.begin(), part_sq.end(), 0u);
    for (std::size_t k = block; k < std::min(end, block + kBlockRows); ++k) {
      const std::uint8_t* __restrict bytes = encoded.bytes.row(static_cast<Eigen::Index>(encoded.rows[k])).data();
      std::uint32_t* __restrict sum = part.data();
      std::uint32_t* __restrict sum_sq = part_sq.data();
      for (std::size_t j = 0; j < d; ++j) {
        const std::uint32_t x = bytes[j];
        sum[j] += x;
        sum_sq[j] += x * x;
      }
    }
    for (std::size_t j = 0; j < d; ++j) {
      sums.sum[j] += part[j];
      sums.sum_sq[j] += part_sq[j];
    }
  }
  return sums;
}

// Raw bytes: the integer sums are exact in any order, and so is n^2 var = n sum(x^2) - sum(x)^2:
// only the final conversions, division and square root round. One pass, on both cores (the
// two-pass double sums took ~30 ms of the Fashion-MNIST load on one).
// With fewer than 2^24 rows, n sum(x^2) <= n^2 255^2 stays below 2^64.
constexpr std::size_t kMaxExactRows = std::size_t{1} << 24;
ColumnMoments byte_moments(const EncodedFeatures& encoded) {
  const std::size_t n = encoded.rows.size();
  ByteSums halves[2];
  detail::in_two_halves(n, [&](std::size_t begin, std::size_t end) {
    halves[begin == 0 ? 0 : 1] = byte_sums(encoded, begin, end);  // (the second half may be empty)
  });
  const auto d = static_cast<Eigen::Index>(encoded.bytes.cols());
  ColumnMoments moments{Vector<double>(d), Vector<double>(d)};
  const double count = static_cast<double>(n);
  for (Eigen::Index j = 0; j < d; ++j) {
    const auto column = static_cast<std::size_t>(j);
    const std::uint64_t sum = halves[0].sum[column] + halves[1].sum[column];
    const std::uint64_t sum_sq = halves[0].sum_sq[column] + halves[1].sum_sq[column];
    const std::uint64_t scaled_variance = n * sum_sq - sum * sum;  // both terms < 2^64: see kMaxExactRows
    moments.mean(j) = static_cast<double>(sum) / count;
    moments.std_dev(j) = std::sqrt(static_cast<double>(scaled_variance) / (count * count));
  }
  return moments;
}

// Float features: accumulated in double (float sums over 60000 rows lose several digits), rows
// added in order whatever the blocks; two passes rather than E[x^2] - E[x]^2, which cancels
// catastrophically for large-mean pixels.
ColumnMoments column_moments(Dataset& data) {
  if (data.encoded && data.encoded->steps.empty() && data.size() < kMaxExactRows) return byte_moments(*data.encoded);
  const auto n = static_cast<double>(data.size());
  const Eigen::Index d = feature_count(data);
  ColumnMoments moments{Vector<double>::Zero(d), Vector<double>::Zero(d)};
  for_feature_blocks(data, [&](const auto& X) {
    for (Eigen::Index i = 0; i < X.rows(); ++i) moments.mean += X.row(i).transpose().template cast<double>();
  });
  moments.mean /= n;
  for_feature_blocks(data, [&](const auto& X) {
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      moments.std_dev += (X.row(i).transpose().template cast<double>() - moments.mean).array().square().matrix();
    }
  });
  moments.std_dev = (moments.std_dev / n).cwiseSqrt();
  return moments;
}

void apply_step(const FittedPreprocessStep& step, Dataset& data) {
  if (step.kind == PreprocessStep::bias) {
    if (data.has_bias_column) return;  // prepare_splits allocated it already
    if (data.encoded) {
      data.encoded->bias = true;
      data.has_bias_column = true;
      return;
    }
    RowMatrix<float>& X = data.X;
    X.conservativeResize(Eigen::NoChange, X.cols() + 1);
    X.col(X.cols() - 1).setOnes();
    data.has_bias_column = true;  // the regularizer and the report know the last row of W is b
    return;
  }
  if (step.offset.size() != feature_count(data)) {
    throw std::invalid_argument("preprocessing was fitted on " + std::to_string(step.offset.size()) +
                                " features but the data has " + std::to_string(feature_count(data)));
  }
  if (data.encoded) {  // decoding applies it, with the very same operations as below
    data.encoded->steps.push_back(decoding_step(step.offset, step.scale));
    return;
  }
  auto X = feature_columns(data);
  // Element by element, so any cut of the rows gives the same bits.
  detail::in_two_halves(static_cast<std::size_t>(X.rows()), [&](std::size_t begin, std::size_t end) {
    auto rows = X.middleRows(static_cast<Eigen::Index>(begin), static_cast<Eigen::Index>(end - begin));
    rows.rowwise() -= step.offset.transpose();
    if (step.scale.size() != 0) rows.array().rowwise() /= step.scale.transpose().array();
  });
}

Vector<float> safe_scale(const Vector<double>& scale) {
  return scale.unaryExpr([](double s) { return s < kMinScale ? 1.0 : s; }).cast<float>();
}

// Row selection works on X: an encoded split (the output of prepare_splits) must be decoded first.
const Dataset& plain(const Dataset& data, const char* what) {
  if (data.encoded) throw std::invalid_argument(std::string(what) + ": the dataset is encoded; decode it first");
  return data;
}

}  // namespace

Dataset take_first(const Dataset& data, std::size_t limit) { return take_first_of(plain(data, "take_first"), limit); }
ByteDataset take_first(const ByteDataset& data, std::size_t limit) { return take_first_of(data, limit); }

Dataset select_rows(const Dataset& data, const std::vector<std::size_t>& indices) {
  Dataset out = select_rows_of(plain(data, "select_rows"), indices);
  out.has_bias_column = data.has_bias_column;
  return out;
}

SplitIndices split_indices(std::size_t n, double validation, std::uint64_t seed) {
  const std::size_t count = validation_count(validation, n);
  if (count == 0) return {all_rows(n), {}};

  // Partial Fisher–Yates written out (not std::shuffle, whose algorithm each library picks) so a
  // seed selects the same validation examples everywhere.
  std::vector<std::size_t> order = all_rows(n);
  std::mt19937_64 generator(seed);
  for (std::size_t i = 0; i < count; ++i) {
    std::swap(order[i], order[i + uniform_index(generator, n - i)]);
  }
  // Both parts keep the original order, so a split only chooses examples and never reorders them
  // (one pass over a mark per example: ascending without sorting).
  std::vector<char> held_out(n, 0);
  for (std::size_t i = 0; i < count; ++i) held_out[order[i]] = 1;
  SplitIndices parts;
  parts.train.reserve(n - count);
  parts.val.reserve(count);
  for (std::size_t i = 0; i < n; ++i) (held_out[i] ? parts.val : parts.train).push_back(i);
  return parts;
}

TrainVal split_validation(const Dataset& data, double validation, std::uint64_t seed) {
  plain(data, "split_validation");
  const SplitIndices parts = split_indices(data.size(), validation, seed);
  if (parts.val.empty()) return {data, empty_like(data, 0)};
  return {select_rows_of(data, parts.train), select_rows_of(data, parts.val)};
}

PreprocessStep parse_preprocess_step(const std::string& name) {
  std::string expected;  // "a, b, c or d"
  for (std::size_t i = 0; i < kPreprocessSteps.size(); ++i) {
    const PreprocessStep step = kPreprocessSteps[i];
    if (to_string(step) == name) return step;
    expected += (i == 0 ? "" : i + 1 == kPreprocessSteps.size() ? " or " : ", ") + to_string(step);
  }
  throw std::invalid_argument("unknown preprocessing step '" + name + "' (expected " + expected + ")");
}

std::string to_string(PreprocessStep step) {
  switch (step) {
    case PreprocessStep::mean_subtract: return "mean_subtract";
    case PreprocessStep::standardize: return "standardize";
    case PreprocessStep::scale_unit: return "scale_unit";
    case PreprocessStep::bias: return "bias";
  }
  throw std::invalid_argument("invalid PreprocessStep value");
}

void Preprocessor::fit_apply(Dataset& train) {
  fitted_.clear();
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    // Any step after bias would shift or scale the constant-1 column and break the bias trick.
    if (steps_[i] == PreprocessStep::bias && i + 1 != steps_.size()) {
      throw std::invalid_argument("preprocessing step '" + to_string(steps_[i + 1]) +
                                  "' comes after 'bias'; bias must be the last step");
    }
  }
  for (PreprocessStep step : steps_) {
    if (step != PreprocessStep::bias && train.size() == 0) {
      throw std::invalid_argument("cannot fit preprocessing step '" + to_string(step) + "' on an empty training set");
    }
    FittedPreprocessStep fitted{step, {}, {}};
    const Eigen::Index d = feature_count(train);
    if (step == PreprocessStep::mean_subtract || step == PreprocessStep::standardize) {
      const ColumnMoments moments = column_moments(train);
      fitted.offset = moments.mean.cast<float>();
      if (step == PreprocessStep::standardize) fitted.scale = safe_scale(moments.std_dev);
    } else if (step == PreprocessStep::scale_unit) {
      double low = std::numeric_limits<double>::infinity(), high = -low;
      for_feature_blocks(train, [&](const auto& X) {
        low = std::min<double>(low, X.minCoeff());
        high = std::max<double>(high, X.maxCoeff());
      });
      fitted.offset = Vector<float>::Constant(d, static_cast<float>(low));
      fitted.scale = safe_scale(Vector<double>::Constant(d, high - low));
    }
    // Later steps are fitted on what this one produced.
    apply_step(fitted, train);
    fitted_.push_back(std::move(fitted));
  }
}

void Preprocessor::apply(Dataset& data) const {
  if (fitted_.size() != steps_.size()) throw std::logic_error("Preprocessor::apply called before fit_apply");
  for (const FittedPreprocessStep& step : fitted_) apply_step(step, data);
}

Preprocessor Preprocessor::from_fitted(std::vector<FittedPreprocessStep> fitted) {
  std::vector<PreprocessStep> steps;
  for (std::size_t i = 0; i < fitted.size(); ++i) {
    const FittedPreprocessStep& step = fitted[i];
    const std::string which = "fitted preprocessing step " + std::to_string(i) + " (" + to_string(step.kind) + ")";
    if (step.kind == PreprocessStep::bias) {
      if (i + 1 != fitted.size()) throw std::invalid_argument(which + " is not the last step");
      if (step.offset.size() != 0 || step.scale.size() != 0)
        throw std::invalid_argument(which + " has an offset or a scale");
    } else {
      if (step.offset.size() == 0) throw std::invalid_argument(which + " has no offset");
      if (step.scale.size() != 0 && step.scale.size() != step.offset.size())
        throw std::invalid_argument(which + " has " + std::to_string(step.offset.size()) + " offsets but " +
                                    std::to_string(step.scale.size()) + " scales");
      if (i > 0 && step.offset.size() != fitted[i - 1].offset.size())
        throw std::invalid_argument(which + " has " + std::to_string(step.offset.size()) +
                                    " features, the step before it " + std::to_string(fitted[i - 1].offset.size()));
    }
    steps.push_back(step.kind);
  }
  Preprocessor preprocessor(std::move(steps));
  preprocessor.fitted_ = std::move(fitted);
  return preprocessor;
}

namespace {

template <typename Source>
Splits prepare_splits_of(Source train, Source test, double validation, std::size_t limit,
                         const std::vector<PreprocessStep>& steps, std::uint64_t seed) {
  const std::size_t n = limit != 0 ? std::min(limit, train.size()) : train.size();
  const SplitIndices parts = split_indices(n, validation, seed);
  const bool bias = std::find(steps.begin(), steps.end(), PreprocessStep::bias) != steps.end();
  Splits splits;
  if constexpr (std::is_same_v<Source, ByteDataset>) {
    // Every split stays bytes. Validation copies its rows (a tenth of the bytes) so that training
    // can take over the loader's matrix; test takes over its own.
    splits.val = encoded_split(select_rows_of(train, parts.val), all_rows(parts.val.size()), bias);
    splits.test = encoded_split(std::move(test), all_rows(test.size()), bias);
    splits.train = encoded_split(std::move(train), parts.train, bias);
  } else {
    // Each split is converted once into its final matrix. The test source is released before the
    // other two are gathered, the training source only after them: the memory peak holds the
    // float training examples twice.
    splits.test = gather_split(test, all_rows(test.size()), bias, Pages::small);
    test = Source{};
    splits.val = gather_split(train, parts.val, bias, Pages::small);
    splits.train = gather_split(train, parts.train, bias, Pages::huge);
    train = Source{};
  }
  Preprocessor preprocessor(steps);
  preprocessor.fit_apply(splits.train);
  preprocessor.apply(splits.val);
  preprocessor.apply(splits.test);
  splits.preprocessing = preprocessor.fitted();
  return splits;
}

}  // namespace

Splits prepare_splits(TrainTest data, double validation, std::size_t limit, const std::vector<PreprocessStep>& steps,
                      std::uint64_t seed) {
  return prepare_splits_of(std::move(data.train), std::move(data.test), validation, limit, steps, seed);
}

Splits prepare_splits(ByteTrainTest data, double validation, std::size_t limit,
                      const std::vector<PreprocessStep>& steps, std::uint64_t seed) {
  return prepare_splits_of(std::move(data.train), std::move(data.test), validation, limit, steps, seed);
}

}  // namespace losslab
