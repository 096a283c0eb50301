// Train/validation splitting and preprocessing fitted on the training split only.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "losslab/dataset.hpp"

namespace losslab {

// First `limit` examples (0 = all).
Dataset take_first(const Dataset& data, std::size_t limit);
ByteDataset take_first(const ByteDataset& data, std::size_t limit);

// Rows of `data` at `indices`, in that order.
Dataset select_rows(const Dataset& data, const std::vector<std::size_t>& indices);

// Moves a seeded random subset of the training data into a validation set.
// `validation` >= 1 is a count, 0 < validation < 1 a fraction of N, 0 means no validation set.
// Throws std::invalid_argument when the count leaves no training examples.
struct TrainVal {
  Dataset train;
  Dataset val;
};
TrainVal split_validation(const Dataset& data, double validation, std::uint64_t seed);
// The example indices split_validation puts in each part (both ascending) for `n` examples.
struct SplitIndices {
  std::vector<std::size_t> train;
  std::vector<std::size_t> val;
};
SplitIndices split_indices(std::size_t n, double validation, std::uint64_t seed);

// PreprocessStep and FittedPreprocessStep are in dataset.hpp, next to the Splits they prepare.
// Every PreprocessStep, in the order users see the names (see enum_names.hpp).
inline constexpr std::array kPreprocessSteps{PreprocessStep::mean_subtract, PreprocessStep::standardize,
                                             PreprocessStep::scale_unit, PreprocessStep::bias};
PreprocessStep parse_preprocess_step(const std::string& name);  // throws std::invalid_argument
std::string to_string(PreprocessStep step);  // its config name

// Statistics fitted on the training split, then applied unchanged to val and test so that no
// information leaks from them. Steps run in the order given; each is fitted on the training data
// as the earlier steps left it.
class Preprocessor {
 public:
  explicit Preprocessor(std::vector<PreprocessStep> steps) : steps_(std::move(steps)) {}
  // A preprocessor fitted earlier (as fitted() gave its steps), to apply to new examples: the same
  // operations in the same order, so they become the very floats training saw. Throws
  // std::invalid_argument for steps no fit produces (bias not last, offset and scale of other sizes).
  static Preprocessor from_fitted(std::vector<FittedPreprocessStep> fitted);
  // Fits every step on `train` and transforms it in place.
  void fit_apply(Dataset& train);
  // Applies the fitted steps to another split, in place. `bias` appends a constant-1 column
  // (unless the data has it already); the other steps never touch that column.
  void apply(Dataset& data) const;
  // The steps as fit_apply fitted them; empty before.
  const std::vector<FittedPreprocessStep>& fitted() const { return fitted_; }

 private:
  std::vector<PreprocessStep> steps_;
  std::vector<FittedPreprocessStep> fitted_;
};

// Keeps the first `limit` training examples (0 = all), splits off the validation set, fits the
// preprocessor on what remains and applies it to all three. From a TrainTest each split is built
// once, in its final float matrix (with the bias column when `steps` ask for it). From a
// ByteTrainTest every split stays bytes (Dataset::encoded), decoded as the trainer reads it into
// the same floats bit for bit: memory is the loader's bytes plus a copy of the validation rows.
Splits prepare_splits(TrainTest data, double validation, std::size_t limit,
                      const std::vector<PreprocessStep>& steps, std::uint64_t seed);
Splits prepare_splits(ByteTrainTest data, double validation, std::size_t limit,
                      const std::vector<PreprocessStep>& steps, std::uint64_t seed);

}  // namespace losslab
