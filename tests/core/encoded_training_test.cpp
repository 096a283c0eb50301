// Image splits keep their features as bytes and decode each minibatch's rows, and each chunk of
// rows an accuracy scores (a quarter of the memory): training on them must give exactly what
// training on the decoded floats gives, and the decoded floats must be what the float path
// preprocesses.
#include <gtest/gtest.h>

#include "losslab/loaders.hpp"
#include "losslab/splits.hpp"
#include "losslab/trainer.hpp"
#include "support/identical_results.hpp"

namespace losslab {
namespace {

using testing::expect_identical;

const std::vector<PreprocessStep> kSteps{PreprocessStep::standardize, PreprocessStep::bias};

// The first 6000 Fashion-MNIST training images (1000 held out) and the 10000 test images.
const Splits& encoded_subset() {
  static const Splits splits =
      prepare_splits(load_mnist_bytes(LOSSLAB_FASHION_MNIST_DIR, MnistFlavor::fashion_mnist), 1000, 6000, kSteps, 0);
  return splits;
}

// The same splits with the features decoded into ordinary float matrices.
const Splits& decoded_subset() {
  static const Splits splits{decoded(encoded_subset().train), decoded(encoded_subset().val),
                             decoded(encoded_subset().test), encoded_subset().preprocessing};
  return splits;
}

TrainerConfig config_with(std::size_t batch, OptimizerKind optimizer) {
  TrainerConfig c;
  c.loss.kind = LossKind::softmax;
  c.regularization = {RegKind::l2, 1e-4};
  c.optimizer.kind = optimizer;
  c.optimizer.learning_rate = optimizer == OptimizerKind::random_search ? 0.0 : 1e-2;
  c.training.batch_size = batch;
  c.training.epochs = 2;
  c.training.seed = 3;
  return c;
}

TEST(EncodedTraining, ImageSplitsAreEncodedAndDecodeToTheFloatPathsMatrices) {
  const Dataset& train = encoded_subset().train;
  ASSERT_TRUE(train.encoded.has_value());
  EXPECT_EQ(train.X.size(), 0);
  // The loader's 60000 byte rows, taken over as they are; the split names its 5000.
  EXPECT_EQ(train.encoded->bytes.rows(), 60000);
  EXPECT_EQ(train.encoded->bytes.cols(), 784);
  EXPECT_EQ(train.encoded->rows.size(), 5000u);
  EXPECT_EQ(train.size(), 5000u);
  EXPECT_EQ(train.encoded->steps.size(), 1u);  // standardize; bias is the flag
  // Decoding multiplies by the reciprocal (checked exact for every byte value), so the float
  // path's comparison below covers that way of decoding.
  EXPECT_EQ(train.encoded->steps.front().reciprocal.size(), 784);
  EXPECT_TRUE(train.encoded->bias);
  EXPECT_EQ(train.dimension(), 785u);
  // Validation copies its 1000 rows; test takes over the loader's 10000.
  ASSERT_TRUE(encoded_subset().val.encoded.has_value());
  EXPECT_EQ(encoded_subset().val.encoded->bytes.rows(), 1000);
  ASSERT_TRUE(encoded_subset().test.encoded.has_value());
  EXPECT_EQ(encoded_subset().test.encoded->bytes.rows(), 10000);

  // The float path: the loader's floats, split and preprocessed as floats.
  const Splits floats =
      prepare_splits(load_mnist_directory(LOSSLAB_FASHION_MNIST_DIR, MnistFlavor::fashion_mnist), 1000, 6000, kSteps, 0);
  const RowMatrix<float>& expected = floats.train.X;
  const RowMatrix<float>& got = decoded_subset().train.X;
  ASSERT_EQ(got.rows(), expected.rows());
  ASSERT_EQ(got.cols(), expected.cols());
  EXPECT_TRUE((got.array() == expected.array()).all()) << "decoded features differ from the float path's";
  EXPECT_EQ(decoded_subset().train.y, floats.train.y);
  EXPECT_TRUE((decoded_subset().val.X.array() == floats.val.X.array()).all());
  EXPECT_TRUE((decoded_subset().test.X.array() == floats.test.X.array()).all());
  EXPECT_EQ(decoded_subset().val.y, floats.val.y);
  EXPECT_EQ(decoded_subset().test.y, floats.test.y);
}

TEST(EncodedTraining, SameBitsAsTrainingOnTheDecodedFloats) {
  // Minibatches (gathered and decoded), full-batch gd (decoded slices), a fused group on two
  // threads, random search, and the per-epoch sample accuracy on the training split; every run's
  // validation and test accuracies are scored from decoded chunks on one side, floats on the other.
  std::vector<TrainerConfig> group(3, config_with(250, OptimizerKind::sgd));
  group[1].optimizer.kind = OptimizerKind::momentum;
  group[2].loss.kind = LossKind::svm;
  const auto fused_encoded = train_fused(encoded_subset(), group, {}, 2);
  const auto fused_decoded = train_fused(decoded_subset(), group, {}, 2);
  for (std::size_t k = 0; k < group.size(); ++k) expect_identical(fused_encoded[k], fused_decoded[k]);

  TrainerConfig sampled = config_with(100, OptimizerKind::sgd);
  sampled.training.epoch_train_accuracy = TrainAccuracy::sample;
  sampled.training.eval_train_limit = 700;
  for (const TrainerConfig& config :
       {config_with(0, OptimizerKind::gd), config_with(200, OptimizerKind::random_search), sampled}) {
    SCOPED_TRACE(to_string(config.optimizer.kind));
    expect_identical(train(encoded_subset(), config, {}, 2), train(decoded_subset(), config, {}, 2));
  }
}

TEST(EncodedTraining, RowSelectionRefusesAnEncodedSplitAndReadRowsChecksTheRange) {
  const Dataset& train = encoded_subset().train;
  EXPECT_THROW(select_rows(train, {0, 1}), std::invalid_argument);
  EXPECT_THROW(take_first(train, 10), std::invalid_argument);
  EXPECT_THROW(split_validation(train, 10, 0), std::invalid_argument);
  RowMatrix<float> rows;
  const std::vector<std::size_t> beyond{0, 5000};
  EXPECT_THROW(read_rows(train, beyond, rows), std::out_of_range);
  EXPECT_THROW(read_rows(train, 4999, 2, rows), std::out_of_range);
  const std::vector<std::size_t> picked{4999, 0, 17};
  read_rows(train, picked, rows);
  const RowMatrix<float>& all = decoded_subset().train.X;
  for (Eigen::Index k = 0; k < 3; ++k)
    EXPECT_TRUE((rows.row(k).array() == all.row(static_cast<Eigen::Index>(picked[k])).array()).all()) << k;
}

// A step whose quotients the reciprocal cannot give exactly (a scale of 0: the quotient is an
// infinity, the reciprocal's route NaN) keeps dividing, and decodes as the float path would.
TEST(EncodedTraining, DecodingDividesWhereTheReciprocalIsNotExact) {
  Vector<float> offset(2), scale(2);
  offset << 0.5f, 3.0f;
  scale << 0.3f, 0.0f;
  const EncodedFeatures::Step step = decoding_step(offset, scale);
  EXPECT_EQ(step.reciprocal.size(), 0);
  Dataset data;
  data.encoded = EncodedFeatures{};
  data.encoded->bytes.resize(1, 2);
  data.encoded->bytes << 7, 200;
  data.encoded->rows = {0};
  data.encoded->steps = {step};
  data.y = {0};
  RowMatrix<float> rows;
  read_rows(data, 0, 1, rows);
  EXPECT_EQ(rows(0, 0), (7.0f - 0.5f) / 0.3f);
  EXPECT_EQ(rows(0, 1), std::numeric_limits<float>::infinity());

  const EncodedFeatures::Step exact = decoding_step(offset.head(1), scale.head(1));
  ASSERT_EQ(exact.reciprocal.size(), 1);
  EXPECT_EQ(exact.reciprocal[0], 1.0f / 0.3f);
  EXPECT_TRUE(decoding_step(offset, Vector<float>()).reciprocal.size() == 0);  // subtract only
}

}  // namespace
}  // namespace losslab
