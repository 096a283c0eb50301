// Training on the real Fashion-MNIST files (Debian package dataset-fashion-mnist): minibatch SGD
// must reach >= 0.80 test accuracy within 3 epochs, and random search must stay far below.
#include <gtest/gtest.h>

#include <memory>

#include "losslab/loaders.hpp"
#include "losslab/splits.hpp"
#include "losslab/trainer.hpp"

namespace losslab {
namespace {

class FashionMnistTraining : public ::testing::Test {
 protected:
  // Loaded once for the suite: the data is shared read-only, as the runner shares it.
  static void SetUpTestSuite() {
    auto files = load_mnist_directory(LOSSLAB_FASHION_MNIST_DIR, MnistFlavor::fashion_mnist);
    splits_ = std::make_unique<Splits>(prepare_splits(
        std::move(files), 10000, 0, {PreprocessStep::standardize, PreprocessStep::bias}, 0));
  }
  static void TearDownTestSuite() { splits_.reset(); }

  static TrainerConfig sgd_config(LossKind loss) {
    TrainerConfig config;
    config.loss.kind = loss;
    config.regularization = {RegKind::l2, 1e-4};
    config.optimizer.kind = OptimizerKind::sgd;
    config.optimizer.learning_rate = 1e-2;
    config.training.batch_size = 200;
    config.training.epochs = 3;
    return config;
  }

  static std::unique_ptr<Splits> splits_;
};
std::unique_ptr<Splits> FashionMnistTraining::splits_;

TEST_F(FashionMnistTraining, SplitShapes) {
  EXPECT_EQ(splits_->train.size(), 50000u);
  EXPECT_EQ(splits_->val.size(), 10000u);
  EXPECT_EQ(splits_->test.size(), 10000u);
  EXPECT_EQ(splits_->train.dimension(), 785u);  // 28 x 28 pixels + the bias column
  EXPECT_TRUE(splits_->train.has_bias_column);
}

TEST_F(FashionMnistTraining, SoftmaxSgdReaches80PercentIn3Epochs) {
  const auto result = train(*splits_, sgd_config(LossKind::softmax));
  ASSERT_EQ(result.status, TrainStatus::completed) << result.message;
  EXPECT_GE(result.test_accuracy, 0.80);
  EXPECT_GE(result.val_accuracy, 0.80);
  EXPECT_EQ(result.epochs.size(), 3u);
  EXPECT_LT(result.final_loss, result.loss_history.front());
}

TEST_F(FashionMnistTraining, SvmSgdReaches80PercentIn3Epochs) {
  const auto result = train(*splits_, sgd_config(LossKind::svm));
  ASSERT_EQ(result.status, TrainStatus::completed) << result.message;
  EXPECT_GE(result.test_accuracy, 0.80);
  EXPECT_GE(result.val_accuracy, 0.80);
}

TEST_F(FashionMnistTraining, RandomSearchStaysFarBelowGradientDescent) {
  // Same budget of minibatches (3 epochs x 250 steps), each step one random candidate.
  auto config = sgd_config(LossKind::softmax);
  config.optimizer.kind = OptimizerKind::random_search;
  const auto search = train(*splits_, config);
  const auto sgd = train(*splits_, sgd_config(LossKind::softmax));
  EXPECT_LT(search.test_accuracy, 0.5);
  EXPECT_GT(sgd.test_accuracy - search.test_accuracy, 0.3);
  EXPECT_GT(search.test_accuracy, 0.1);  // yet better than chance (10 classes), as in the lecture
}

}  // namespace
}  // namespace losslab
