// Splits and preprocessing: expected numbers are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include "losslab/splits.hpp"

namespace losslab {
namespace {

// Row i holds (i, 10 i) with label i % 3, so any row can be traced back to where it came from.
Dataset traceable(std::size_t n) {
  Dataset data;
  data.X.resize(static_cast<Eigen::Index>(n), 2);
  for (std::size_t i = 0; i < n; ++i) {
    data.X(static_cast<Eigen::Index>(i), 0) = static_cast<float>(i);
    data.X(static_cast<Eigen::Index>(i), 1) = static_cast<float>(10 * i);
    data.y.push_back(static_cast<std::int32_t>(i % 3));
  }
  data.class_names = {"a", "b", "c"};
  return data;
}

std::vector<int> origins(const Dataset& part) {
  std::vector<int> rows;
  for (Eigen::Index r = 0; r < part.X.rows(); ++r) {
    const int origin = static_cast<int>(part.X(r, 0));
    EXPECT_EQ(part.X(r, 1), 10.0f * static_cast<float>(origin)) << "row " << r << " was torn apart";
    EXPECT_EQ(part.y[static_cast<std::size_t>(r)], origin % 3) << "row " << r << " lost its label";
    rows.push_back(origin);
  }
  return rows;
}

Dataset matrix_dataset(std::initializer_list<std::initializer_list<float>> rows) {
  Dataset data;
  data.X.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index r = 0;
  for (const auto& row : rows) {
    Eigen::Index c = 0;
    for (float value : row) data.X(r, c++) = value;
    data.y.push_back(0);
    ++r;
  }
  data.class_names = {"only"};
  return data;
}

// ---------------------------------------------------------------- take_first / select_rows

TEST(Splits, TakeFirstKeepsLeadingRows) {
  const Dataset data = traceable(10);
  EXPECT_EQ(origins(take_first(data, 4)), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(take_first(data, 0).size(), 10u);
  EXPECT_EQ(take_first(data, 25).size(), 10u);
  EXPECT_EQ(take_first(data, 4).class_names, data.class_names);
}

TEST(Splits, SelectRowsFollowsIndexOrder) {
  const Dataset data = traceable(6);
  EXPECT_EQ(origins(select_rows(data, {5, 0, 3, 3})), (std::vector<int>{5, 0, 3, 3}));
  EXPECT_THROW(select_rows(data, {1, 6}), std::out_of_range);
}

// ---------------------------------------------------------------- split_validation

TEST(Splits, CountMovesExactlyThatManyExamples) {
  const TrainVal parts = split_validation(traceable(10), 3, 42);
  EXPECT_EQ(parts.val.size(), 3u);
  EXPECT_EQ(parts.train.size(), 7u);
  EXPECT_EQ(parts.val.X.cols(), 2);
  EXPECT_EQ(parts.val.class_names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(Splits, FractionIsRoundedAndNeverZero) {
  EXPECT_EQ(split_validation(traceable(20), 0.25, 1).val.size(), 5u);
  EXPECT_EQ(split_validation(traceable(10), 0.34, 1).val.size(), 3u);  // 3.4 rounds to 3
  EXPECT_EQ(split_validation(traceable(10), 0.01, 1).val.size(), 1u);  // 0.1 would round to none
}

TEST(Splits, ZeroMeansNoValidationSet) {
  const TrainVal parts = split_validation(traceable(8), 0, 1);
  EXPECT_EQ(origins(parts.train), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(parts.val.size(), 0u);
  EXPECT_EQ(parts.val.X.cols(), 2);
  EXPECT_EQ(parts.val.num_classes(), 3u);
}

TEST(Splits, TrainAndValPartitionTheOriginal) {
  const TrainVal parts = split_validation(traceable(50), 12, 9);
  std::vector<int> train = origins(parts.train);
  const std::vector<int> val = origins(parts.val);
  // Each part keeps the original order.
  EXPECT_TRUE(std::is_sorted(train.begin(), train.end()));
  EXPECT_TRUE(std::is_sorted(val.begin(), val.end()));
  train.insert(train.end(), val.begin(), val.end());
  std::sort(train.begin(), train.end());
  std::vector<int> all(50);
  for (int i = 0; i < 50; ++i) all[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(train, all);  // nothing lost, nothing duplicated
}

TEST(Splits, SameSeedSameSplitOtherSeedOtherSplit) {
  const Dataset data = traceable(100);
  const std::vector<int> first = origins(split_validation(data, 10, 123).val);
  EXPECT_EQ(origins(split_validation(data, 10, 123).val), first);
  std::set<std::vector<int>> distinct;
  for (std::uint64_t seed = 0; seed < 5; ++seed) distinct.insert(origins(split_validation(data, 10, seed).val));
  EXPECT_EQ(distinct.size(), 5u);  // 5 seeds, 5 different validation sets out of C(100,10)
}

TEST(Splits, EveryExampleIsEquallyLikelyToBeChosen) {
  // One of 5 examples per seed: over 5000 seeds each should be picked about 1000 times
  // (binomial sd = 28); a biased shuffle (e.g. modulo bias or an off-by-one) shows up here.
  const Dataset data = traceable(5);
  int picked[5] = {};
  for (std::uint64_t seed = 0; seed < 5000; ++seed) ++picked[origins(split_validation(data, 1, seed).val)[0]];
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(picked[i], 1000, 150) << "example " << i;
}

TEST(Splits, RejectsValidationThatLeavesNoTrainingData) {
  const Dataset data = traceable(10);
  for (double validation : {10.0, 11.0, 0.999}) {
    try {
      split_validation(data, validation, 0);
      ADD_FAILURE() << "validation " << validation << " accepted";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("leaves no training data"), std::string::npos) << error.what();
    }
  }
  EXPECT_THROW(split_validation(data, -1, 0), std::invalid_argument);
  EXPECT_THROW(split_validation(data, 2.5, 0), std::invalid_argument);
  EXPECT_THROW(split_validation(data, std::numeric_limits<double>::quiet_NaN(), 0), std::invalid_argument);
}

// ---------------------------------------------------------------- Preprocessor

// Train:  [1 2; 3 2; 5 8].  Column means: 3 and 4.
// Population std: col 0 sqrt((4+0+4)/3) = sqrt(8/3) = 1.6329932; col 1 sqrt((4+4+16)/3) = sqrt(8) = 2.8284271.
Dataset train_3x2() { return matrix_dataset({{1, 2}, {3, 2}, {5, 8}}); }
Dataset val_2x2() { return matrix_dataset({{0, 0}, {10, 4}}); }

TEST(Preprocess, MeanSubtractUsesTrainingMeans) {
  Dataset train = train_3x2(), val = val_2x2();
  Preprocessor preprocessor({PreprocessStep::mean_subtract});
  preprocessor.fit_apply(train);
  preprocessor.apply(val);
  const float expected_train[3][2] = {{-2, -2}, {0, -2}, {2, 4}};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 2; ++c) EXPECT_FLOAT_EQ(train.X(r, c), expected_train[r][c]);
  // val minus the *training* means (3, 4), not its own (5, 2).
  EXPECT_FLOAT_EQ(val.X(0, 0), -3);
  EXPECT_FLOAT_EQ(val.X(0, 1), -4);
  EXPECT_FLOAT_EQ(val.X(1, 0), 7);
  EXPECT_FLOAT_EQ(val.X(1, 1), 0);
}

TEST(Preprocess, StandardizeUsesTrainingMeanAndStd) {
  Dataset train = train_3x2(), val = val_2x2();
  Preprocessor preprocessor({PreprocessStep::standardize});
  preprocessor.fit_apply(train);
  preprocessor.apply(val);
  EXPECT_NEAR(train.X(0, 0), -2 / 1.6329932, 1e-6);  // -1.2247449
  EXPECT_NEAR(train.X(0, 1), -2 / 2.8284271, 1e-6);  // -0.7071068
  EXPECT_NEAR(train.X(2, 1), 4 / 2.8284271, 1e-6);   // 1.4142136
  EXPECT_NEAR(val.X(1, 0), 7 / 1.6329932, 1e-6);     // 4.2866070
  EXPECT_NEAR(val.X(0, 1), -4 / 2.8284271, 1e-6);    // -1.4142136
  EXPECT_NEAR(val.X(1, 1), 0, 1e-6);
}

TEST(Preprocess, StandardizeLeavesConstantFeaturesUnscaled) {
  Dataset train = matrix_dataset({{1, 7}, {3, 7}});
  Dataset val = matrix_dataset({{2, 9}});
  Preprocessor preprocessor({PreprocessStep::standardize});
  preprocessor.fit_apply(train);
  preprocessor.apply(val);
  EXPECT_EQ(train.X(0, 1), 0.0f);
  EXPECT_EQ(train.X(1, 1), 0.0f);
  EXPECT_FLOAT_EQ(val.X(0, 1), 2.0f);  // 9 - 7, divided by 1 rather than by std 0
  EXPECT_FLOAT_EQ(val.X(0, 0), 0.0f);  // (2 - 2) / 1
  EXPECT_FLOAT_EQ(train.X(0, 0), -1.0f);
}

TEST(Preprocess, StatisticsAreAccumulatedInDouble) {
  // 60000 rows of 10000.5: a float running sum reaches 6e8 where floats are 64 apart, so a float
  // mean would be off; a double sum is exact and the centered data is exactly 0.
  Dataset train;
  train.X = RowMatrix<float>::Constant(60000, 1, 10000.5f);
  train.y.assign(60000, 0);
  train.class_names = {"only"};
  Preprocessor preprocessor({PreprocessStep::mean_subtract});
  preprocessor.fit_apply(train);
  EXPECT_EQ(train.X.cwiseAbs().maxCoeff(), 0.0f);
}

TEST(Preprocess, ScaleUnitMapsTrainingRangeToZeroOne) {
  // Global training min 1, max 8: x -> (x - 1) / 7.
  Dataset train = train_3x2(), val = matrix_dataset({{15, 0}});
  Preprocessor preprocessor({PreprocessStep::scale_unit});
  preprocessor.fit_apply(train);
  preprocessor.apply(val);
  EXPECT_EQ(train.X(0, 0), 0.0f);
  EXPECT_EQ(train.X(2, 1), 1.0f);
  EXPECT_FLOAT_EQ(train.X(1, 0), 2.0f / 7.0f);
  EXPECT_FLOAT_EQ(val.X(0, 0), 2.0f);
  EXPECT_FLOAT_EQ(val.X(0, 1), -1.0f / 7.0f);
}

TEST(Preprocess, BiasAppendsOnesAfterOtherSteps) {
  Dataset train = train_3x2(), val = val_2x2();
  Preprocessor preprocessor({PreprocessStep::mean_subtract, PreprocessStep::bias});
  preprocessor.fit_apply(train);
  preprocessor.apply(val);
  ASSERT_EQ(train.X.cols(), 3);
  ASSERT_EQ(val.X.cols(), 3);
  for (Eigen::Index r = 0; r < 3; ++r) EXPECT_EQ(train.X(r, 2), 1.0f);
  for (Eigen::Index r = 0; r < 2; ++r) EXPECT_EQ(val.X(r, 2), 1.0f);
  EXPECT_TRUE(train.has_bias_column);
  EXPECT_TRUE(val.has_bias_column);
  EXPECT_FLOAT_EQ(val.X(1, 0), 7);  // the other features are still centered by the training mean
}

TEST(Preprocess, RejectsStepsAfterBias) {
  Dataset train = train_3x2();
  Preprocessor preprocessor({PreprocessStep::bias, PreprocessStep::standardize});
  try {
    preprocessor.fit_apply(train);
    ADD_FAILURE() << "standardize after bias accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("'standardize' comes after 'bias'"), std::string::npos) << error.what();
  }
}

TEST(Preprocess, MisuseIsReported) {
  Dataset val = val_2x2();
  const Preprocessor unfitted({PreprocessStep::mean_subtract});
  EXPECT_THROW(unfitted.apply(val), std::logic_error);

  Dataset train = train_3x2();
  Preprocessor fitted({PreprocessStep::mean_subtract});
  fitted.fit_apply(train);
  Dataset wide = matrix_dataset({{1, 2, 3}});
  EXPECT_THROW(fitted.apply(wide), std::invalid_argument);

  Dataset empty = take_first(train_3x2(), 1);
  empty = select_rows(empty, {});
  EXPECT_THROW(Preprocessor({PreprocessStep::standardize}).fit_apply(empty), std::invalid_argument);
}

TEST(Preprocess, FittedStepsAreTheTrainingStatistics) {
  // train_3x2: means (3, 4), population std (sqrt(8/3), sqrt(8)).
  Dataset train = train_3x2();
  Preprocessor preprocessor({PreprocessStep::standardize, PreprocessStep::bias});
  EXPECT_TRUE(preprocessor.fitted().empty());
  preprocessor.fit_apply(train);
  const auto& fitted = preprocessor.fitted();
  ASSERT_EQ(fitted.size(), 2u);
  EXPECT_EQ(fitted[0].kind, PreprocessStep::standardize);
  ASSERT_EQ(fitted[0].offset.size(), 2);
  EXPECT_EQ(fitted[0].offset(0), 3.0f);
  EXPECT_EQ(fitted[0].offset(1), 4.0f);
  ASSERT_EQ(fitted[0].scale.size(), 2);
  EXPECT_EQ(fitted[0].scale(0), static_cast<float>(std::sqrt(8.0 / 3.0)));
  EXPECT_EQ(fitted[0].scale(1), static_cast<float>(std::sqrt(8.0)));
  EXPECT_EQ(fitted[1].kind, PreprocessStep::bias);
  EXPECT_EQ(fitted[1].offset.size(), 0);
  EXPECT_EQ(fitted[1].scale.size(), 0);
}

TEST(Preprocess, FromFittedAppliesTheSameFloats) {
  // What a model is scored with later: the fitted steps alone, applied to the raw examples, give
  // the very floats the fitted preprocessor gave them.
  for (const auto& steps : std::vector<std::vector<PreprocessStep>>{
           {PreprocessStep::standardize, PreprocessStep::bias},
           {PreprocessStep::mean_subtract, PreprocessStep::scale_unit},
           {PreprocessStep::bias},
           {}}) {
    Dataset train = train_3x2(), val = val_2x2(), again = val_2x2();
    Preprocessor preprocessor(steps);
    preprocessor.fit_apply(train);
    preprocessor.apply(val);
    Preprocessor::from_fitted(preprocessor.fitted()).apply(again);
    ASSERT_EQ(again.X.cols(), val.X.cols());
    EXPECT_TRUE((again.X.array() == val.X.array()).all());
    EXPECT_EQ(again.has_bias_column, val.has_bias_column);
  }
}

TEST(Preprocess, FromFittedRejectsStepsNoFitMakes) {
  const auto message = [](std::vector<FittedPreprocessStep> steps) {
    try {
      Preprocessor::from_fitted(std::move(steps));
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  const Vector<float> two = Vector<float>::Ones(2), three = Vector<float>::Ones(3);
  EXPECT_EQ(message({{PreprocessStep::bias, {}, {}}, {PreprocessStep::mean_subtract, two, {}}}),
            "fitted preprocessing step 0 (bias) is not the last step");
  EXPECT_EQ(message({{PreprocessStep::standardize, two, three}}),
            "fitted preprocessing step 0 (standardize) has 2 offsets but 3 scales");
  EXPECT_EQ(message({{PreprocessStep::mean_subtract, {}, {}}}), "fitted preprocessing step 0 (mean_subtract) has no offset");
  EXPECT_EQ(message({{PreprocessStep::mean_subtract, two, {}}, {PreprocessStep::scale_unit, three, three}}),
            "fitted preprocessing step 1 (scale_unit) has 3 features, the step before it 2");
  EXPECT_EQ(message({{PreprocessStep::bias, two, {}}}), "fitted preprocessing step 0 (bias) has an offset or a scale");
}

// Every step's name parses back, and an unknown one's message: EnumNames (enum_names_test.cpp).
TEST(Preprocess, StepNames) {
  EXPECT_EQ(parse_preprocess_step("bias"), PreprocessStep::bias);
  EXPECT_THROW(parse_preprocess_step("normalize"), std::invalid_argument);
}

// ---------------------------------------------------------------- prepare_splits

TEST(PrepareSplits, LimitsSplitsAndFitsOnTrainOnly) {
  // Train rows (i, 5) for i = 0..19, test rows (i, 7) for i = 100..103; keep the first 10, hold out 2.
  TrainTest data;
  data.train = traceable(20);
  data.train.X.col(1).setConstant(5);
  data.test = traceable(4);
  data.test.X.col(0).array() += 100;
  data.test.X.col(1).setConstant(7);
  const Splits splits = prepare_splits(data, 2, 10, {PreprocessStep::mean_subtract, PreprocessStep::bias}, 3);

  ASSERT_EQ(splits.train.size(), 8u);
  ASSERT_EQ(splits.val.size(), 2u);
  ASSERT_EQ(splits.test.size(), 4u);
  for (const Dataset* part : {&splits.train, &splits.val, &splits.test}) {
    ASSERT_EQ(part->X.cols(), 3);
    EXPECT_TRUE((part->X.col(2).array() == 1.0f).all());
    EXPECT_TRUE(part->has_bias_column);
  }
  // Centered by the training mean m: training column 0 sums to 0, and train + val together are
  // {0..9} - m, i.e. ten consecutive values whose smallest is -m.
  EXPECT_NEAR(splits.train.X.col(0).sum(), 0.0, 1e-4);
  std::vector<float> first_ten;
  for (const Dataset* part : {&splits.train, &splits.val})
    for (Eigen::Index r = 0; r < part->X.rows(); ++r) first_ten.push_back(part->X(r, 0));
  std::sort(first_ten.begin(), first_ten.end());
  for (std::size_t i = 1; i < first_ten.size(); ++i) EXPECT_NEAR(first_ten[i] - first_ten[i - 1], 1.0, 1e-5);
  const float train_mean = -first_ten.front();
  EXPECT_GT(train_mean, 3.0f);  // mean of 8 of 0..9 lies in [3.5, 5.5]
  EXPECT_LT(train_mean, 6.0f);
  // Test uses the training statistics: 100 - m, and the constant feature 7 - 5 = 2.
  EXPECT_NEAR(splits.test.X(0, 0), 100.0f - train_mean, 1e-4);
  EXPECT_NEAR(splits.test.X(3, 0), 103.0f - train_mean, 1e-4);
  EXPECT_FLOAT_EQ(splits.test.X(0, 1), 2.0f);
  EXPECT_FLOAT_EQ(splits.val.X(0, 1), 0.0f);
}

TEST(PrepareSplits, NoLimitNoValidationNoSteps) {
  TrainTest data{traceable(6), traceable(2)};
  const Splits splits = prepare_splits(data, 0, 0, {}, 0);
  EXPECT_EQ(origins(splits.train), (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(splits.val.size(), 0u);
  EXPECT_EQ(splits.val.X.cols(), 2);
  EXPECT_EQ(origins(splits.test), (std::vector<int>{0, 1}));
}

// Pixels 0..255 in a pattern that differs per row and column, labels i % 3.
ByteDataset byte_images(std::size_t n, Eigen::Index features) {
  ByteDataset data;
  data.X.resize(static_cast<Eigen::Index>(n), features);
  for (Eigen::Index r = 0; r < data.X.rows(); ++r)
    for (Eigen::Index c = 0; c < features; ++c) data.X(r, c) = static_cast<std::uint8_t>((r * 37 + c * c * 11) % 256);
  for (std::size_t i = 0; i < n; ++i) data.y.push_back(static_cast<std::int32_t>(i % 3));
  data.class_names = {"a", "b", "c"};
  return data;
}

void expect_same_split(const Dataset& a, const Dataset& b, const char* name) {
  ASSERT_EQ(a.X.rows(), b.X.rows()) << name;
  ASSERT_EQ(a.X.cols(), b.X.cols()) << name;
  EXPECT_TRUE((a.X.array() == b.X.array()).all()) << name << ": not bit-identical";
  EXPECT_EQ(a.y, b.y) << name;
  EXPECT_EQ(a.class_names, b.class_names) << name;
  EXPECT_EQ(a.has_bias_column, b.has_bias_column) << name;
}

TEST(PrepareSplits, BytesGiveTheSameSplitsAsFloats) {
  // The byte path (image formats) must be a pure memory saving: the same rows, bit for bit, as
  // converting to float first, for every combination of steps the runner accepts.
  const ByteTrainTest bytes{byte_images(40, 6), byte_images(7, 6)};
  const std::vector<std::vector<PreprocessStep>> step_lists = {
      {},
      {PreprocessStep::bias},
      {PreprocessStep::standardize, PreprocessStep::bias},
      {PreprocessStep::mean_subtract, PreprocessStep::bias},  // the course's CIFAR-10 setup
      {PreprocessStep::mean_subtract, PreprocessStep::scale_unit, PreprocessStep::bias},
      {PreprocessStep::scale_unit}};
  for (const auto& steps : step_lists) {
    Splits from_bytes = prepare_splits(bytes, 9, 30, steps, 5);
    const Splits from_floats = prepare_splits(TrainTest{to_float(bytes.train), to_float(bytes.test)}, 9, 30, steps, 5);
    // The byte path keeps every split's features encoded (a quarter of the memory); what they
    // decode to must be the float path's matrices.
    Dataset* encoded_parts[] = {&from_bytes.train, &from_bytes.val, &from_bytes.test};
    const Dataset* float_parts[] = {&from_floats.train, &from_floats.val, &from_floats.test};
    for (int k = 0; k < 3; ++k) {
      ASSERT_TRUE(encoded_parts[k]->encoded.has_value()) << k;
      EXPECT_EQ(encoded_parts[k]->X.size(), 0) << k;
      EXPECT_EQ(encoded_parts[k]->dimension(), float_parts[k]->dimension()) << k;
      ASSERT_FALSE(float_parts[k]->encoded.has_value()) << k;
      *encoded_parts[k] = decoded(*encoded_parts[k]);
    }
    expect_same_split(from_bytes.train, from_floats.train, "train");
    expect_same_split(from_bytes.val, from_floats.val, "val");
    expect_same_split(from_bytes.test, from_floats.test, "test");
    EXPECT_EQ(from_bytes.train.size(), 21u);  // the first 30, 9 of them held out

    // The step-by-step composition (split, then a Preprocessor that appends the bias column
    // last) gives the same matrices too.
    TrainVal manual = split_validation(take_first(to_float(bytes.train), 30), 9, 5);
    Dataset test = to_float(bytes.test);
    Preprocessor preprocessor(steps);
    preprocessor.fit_apply(manual.train);
    preprocessor.apply(manual.val);
    preprocessor.apply(test);
    expect_same_split(from_bytes.train, manual.train, "train, step by step");
    expect_same_split(from_bytes.val, manual.val, "val, step by step");
    expect_same_split(from_bytes.test, test, "test, step by step");

    // The splits carry the fitted steps, and they turn the raw test examples into the test split.
    ASSERT_EQ(from_bytes.preprocessing.size(), steps.size());
    ASSERT_EQ(from_floats.preprocessing.size(), steps.size());
    Dataset raw_test = to_float(bytes.test);
    Preprocessor::from_fitted(from_bytes.preprocessing).apply(raw_test);
    expect_same_split(from_bytes.test, raw_test, "test, from the recorded steps");
    for (std::size_t k = 0; k < steps.size(); ++k) {
      EXPECT_EQ(from_bytes.preprocessing[k].kind, steps[k]);
      EXPECT_TRUE(from_bytes.preprocessing[k].offset == from_floats.preprocessing[k].offset);
      EXPECT_TRUE(from_bytes.preprocessing[k].scale == from_floats.preprocessing[k].scale);
    }
  }
}

TEST(PrepareSplits, EverySplitKeepsTheFeatureLayout) {
  ByteTrainTest bytes{byte_images(12, 6), byte_images(4, 6)};
  bytes.train.layout.shape = bytes.test.layout.shape = {2, 3};
  const Splits from_bytes = prepare_splits(bytes, 2, 0, {PreprocessStep::bias}, 1);
  TrainTest floats{to_float(bytes.train), to_float(bytes.test)};
  floats.train.layout.names = floats.test.layout.names = {"a", "b", "c", "d", "e", "f"};
  const Splits from_floats = prepare_splits(floats, 2, 0, {PreprocessStep::bias}, 1);
  for (const Dataset* part : {&from_bytes.train, &from_bytes.val, &from_bytes.test})
    EXPECT_EQ(part->layout.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(decoded(from_bytes.val).layout.shape, (std::vector<std::size_t>{2, 3}));
  for (const Dataset* part : {&from_floats.train, &from_floats.val, &from_floats.test})
    EXPECT_EQ(part->layout.names, floats.train.layout.names);
}

TEST(PrepareSplits, BiasColumnSurvivesStandardize) {
  // Standardizing must leave the constant-1 column alone: (1 - 1) / 0 would make it 0 (or NaN).
  const ByteTrainTest bytes{byte_images(12, 3), byte_images(4, 3)};
  Splits splits = prepare_splits(bytes, 2, 0, {PreprocessStep::standardize, PreprocessStep::bias}, 1);
  for (Dataset* part : {&splits.train, &splits.val, &splits.test}) {
    *part = decoded(*part);
    ASSERT_EQ(part->X.cols(), 4);
    EXPECT_TRUE((part->X.col(3).array() == 1.0f).all());
  }
  // Standardized by hand: training column 0 then has mean 0 and population variance 1.
  const auto column = splits.train.X.col(0).cast<double>();
  const double mean = column.mean();
  EXPECT_NEAR(mean, 0.0, 1e-6);
  EXPECT_NEAR((column.array() - mean).square().mean(), 1.0, 1e-5);
}

TEST(PrepareSplits, ByteStandardizeUsesTheExactMeanAndStd) {
  // 5120 rows, enough for the byte moments to be summed in two halves on two threads. Column 0
  // alternates 0 and 255: mean 127.5, population std 127.5. Column 1 is constant: std 0, so it is
  // only centered. Column 2 counts 0..255 twenty times: mean 127.5, variance (256^2 - 1) / 12.
  ByteTrainTest bytes;
  bytes.train.X.resize(5120, 3);
  for (Eigen::Index r = 0; r < 5120; ++r) {
    bytes.train.X(r, 0) = r % 2 == 0 ? 0 : 255;
    bytes.train.X(r, 1) = 7;
    bytes.train.X(r, 2) = static_cast<std::uint8_t>(r % 256);
  }
  bytes.train.y.assign(5120, 0);
  bytes.train.class_names = {"a", "b"};
  bytes.train.y[1] = 1;
  bytes.test = byte_images(2, 3);
  bytes.test.class_names = bytes.train.class_names;
  bytes.test.y = {0, 1};
  Splits splits = prepare_splits(bytes, 0, 0, {PreprocessStep::standardize}, 1);
  splits.train = decoded(splits.train);
  splits.test = decoded(splits.test);
  const double std2 = std::sqrt((256.0 * 256.0 - 1.0) / 12.0);  // 73.9003...
  EXPECT_EQ(splits.train.X(0, 0), -1.0f);
  EXPECT_EQ(splits.train.X(1, 0), 1.0f);
  EXPECT_EQ(splits.train.X(3, 1), 0.0f);
  EXPECT_NEAR(splits.train.X(0, 2), -127.5 / std2, 1e-6);  // -1.7252...
  EXPECT_NEAR(splits.train.X(255, 2), 127.5 / std2, 1e-6);
  // The test rows go through the training moments: byte_images' row 1 is (37, 48, 81).
  EXPECT_NEAR(splits.test.X(1, 0), (37 - 127.5) / 127.5, 1e-6);
  EXPECT_EQ(splits.test.X(1, 1), 41.0f);  // 48 - 7, divided by 1 rather than by std 0
  EXPECT_NEAR(splits.test.X(1, 2), (81 - 127.5) / std2, 1e-6);
}

TEST(PrepareSplits, SplitIndicesMatchSplitValidation) {
  const Dataset data = traceable(30);
  const SplitIndices parts = split_indices(30, 7, 11);
  const TrainVal split = split_validation(data, 7, 11);
  std::vector<int> val(parts.val.begin(), parts.val.end()), train(parts.train.begin(), parts.train.end());
  EXPECT_EQ(origins(split.val), val);
  EXPECT_EQ(origins(split.train), train);
}

}  // namespace
}  // namespace losslab
