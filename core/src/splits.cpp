// Train/validation splits and preprocessing fitted on the training split only.
#include "losslab/splits.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "portable_random.hpp"

namespace losslab {
namespace {

// Below this a feature is treated as constant: dividing by its std would only amplify rounding noise
// (e.g. image border pixels that are 0 in every training example).
constexpr double kMinScale = 1e-8;

Dataset empty_like(const Dataset& data, std::size_t rows) {
  Dataset out;
  out.X.resize(static_cast<Eigen::Index>(rows), data.X.cols());
  out.y.reserve(rows);
  out.class_names = data.class_names;
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

// Per-feature mean and population standard deviation, accumulated in double: float sums over
// 60000 rows lose several digits.
struct ColumnMoments {
  Vector<double> mean;
  Vector<double> std_dev;
};
ColumnMoments column_moments(const RowMatrix<float>& X) {
  const auto n = static_cast<double>(X.rows());
  ColumnMoments moments{Vector<double>::Zero(X.cols()), Vector<double>::Zero(X.cols())};
  for (Eigen::Index i = 0; i < X.rows(); ++i) moments.mean += X.row(i).transpose().cast<double>();
  moments.mean /= n;
  // Two passes rather than E[x^2] - E[x]^2, which cancels catastrophically for large-mean pixels.
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    moments.std_dev += (X.row(i).transpose().cast<double>() - moments.mean).array().square().matrix();
  }
  moments.std_dev = (moments.std_dev / n).cwiseSqrt();
  return moments;
}

// A template only so it can take Preprocessor's private FittedStep.
template <typename FittedStep>
void apply_step(const FittedStep& step, Dataset& data) {
  RowMatrix<float>& X = data.X;
  if (step.kind == PreprocessStep::bias) {
    X.conservativeResize(Eigen::NoChange, X.cols() + 1);
    X.col(X.cols() - 1).setOnes();
    data.has_bias_column = true;  // the regularizer and the report know the last row of W is b
    return;
  }
  if (step.offset.size() != X.cols()) {
    throw std::invalid_argument("preprocessing was fitted on " + std::to_string(step.offset.size()) +
                                " features but the data has " + std::to_string(X.cols()));
  }
  X.rowwise() -= step.offset.transpose();
  if (step.scale.size() != 0) X.array().rowwise() /= step.scale.transpose().array();
}

Vector<float> safe_scale(const Vector<double>& scale) {
  return scale.unaryExpr([](double s) { return s < kMinScale ? 1.0 : s; }).cast<float>();
}

}  // namespace

Dataset take_first(const Dataset& data, std::size_t limit) {
  if (limit == 0 || limit >= data.size()) return data;
  std::vector<std::size_t> indices(limit);
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  return select_rows(data, indices);
}

Dataset select_rows(const Dataset& data, const std::vector<std::size_t>& indices) {
  Dataset out = empty_like(data, indices.size());
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

TrainVal split_validation(const Dataset& data, double validation, std::uint64_t seed) {
  const std::size_t n = data.size();
  const std::size_t count = validation_count(validation, n);
  if (count == 0) return {data, empty_like(data, 0)};

  // Partial Fisher–Yates written out (not std::shuffle, whose algorithm each library picks) so a
  // seed selects the same validation examples everywhere.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 generator(seed);
  for (std::size_t i = 0; i < count; ++i) {
    std::swap(order[i], order[i + detail::uniform_index(generator, n - i)]);
  }
  // Both parts keep the original order, so a split only chooses examples and never reorders them.
  std::vector<std::size_t> val(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count));
  std::vector<std::size_t> train(order.begin() + static_cast<std::ptrdiff_t>(count), order.end());
  std::sort(val.begin(), val.end());
  std::sort(train.begin(), train.end());
  return {select_rows(data, train), select_rows(data, val)};
}

PreprocessStep parse_preprocess_step(const std::string& name) {
  for (PreprocessStep step :
       {PreprocessStep::mean_subtract, PreprocessStep::standardize, PreprocessStep::scale_unit, PreprocessStep::bias}) {
    if (to_string(step) == name) return step;
  }
  throw std::invalid_argument("unknown preprocessing step '" + name +
                              "' (expected mean_subtract, standardize, scale_unit or bias)");
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
    FittedStep fitted{step, {}, {}};
    const Eigen::Index d = train.X.cols();
    if (step == PreprocessStep::mean_subtract || step == PreprocessStep::standardize) {
      const ColumnMoments moments = column_moments(train.X);
      fitted.offset = moments.mean.cast<float>();
      if (step == PreprocessStep::standardize) fitted.scale = safe_scale(moments.std_dev);
    } else if (step == PreprocessStep::scale_unit) {
      const double low = train.X.minCoeff();
      const double high = train.X.maxCoeff();
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
  for (const FittedStep& step : fitted_) apply_step(step, data);
}

Splits prepare_splits(TrainTest data, double validation, std::size_t limit, const std::vector<PreprocessStep>& steps,
                      std::uint64_t seed) {
  if (limit != 0 && limit < data.train.size()) data.train = take_first(data.train, limit);
  Splits splits;
  if (validation == 0) {
    splits.train = std::move(data.train);  // nothing to move out: avoid copying a large training set
    splits.val = empty_like(splits.train, 0);
  } else {
    TrainVal parts = split_validation(data.train, validation, seed);
    data.train = Dataset{};  // release the unsplit copy before preprocessing allocates
    splits.train = std::move(parts.train);
    splits.val = std::move(parts.val);
  }
  splits.test = std::move(data.test);
  Preprocessor preprocessor(steps);
  preprocessor.fit_apply(splits.train);
  preprocessor.apply(splits.val);
  preprocessor.apply(splits.test);
  return splits;
}

}  // namespace losslab
