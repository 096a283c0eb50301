// losslab-demo: trains one softmax classifier on Fashion-MNIST with minibatch SGD and prints
// per-epoch accuracy. A stand-in for the quickstart sweep until losslab-run exists.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "losslab/enum_names.hpp"
#include "losslab/loaders.hpp"
#include "losslab/runner/command_line.hpp"
#include "losslab/runner/guarded_main.hpp"
#include "losslab/splits.hpp"
#include "losslab/trainer.hpp"

static int run(int argc, char** argv) {
  CLI::App app{"Train one linear classifier on Fashion-MNIST and print its accuracy"};
  app.footer("Exit codes: 0 trained; 1 diverged, or the data could not be read; 2 bad arguments.");
  std::string directory = "/usr/share/datasets/fashion-mnist";
  std::string loss = "softmax", optimizer = "sgd";
  losslab::TrainerConfig config;
  config.regularization.strength = 1e-4;
  config.training.epochs = 3;
  app.add_option("--data", directory, "Directory with the IDX files")->capture_default_str();
  app.add_option("--loss", loss, losslab::joined_names(losslab::kLossKinds))->capture_default_str();
  app.add_option("--optimizer", optimizer, losslab::joined_names(losslab::kOptimizerKinds))->capture_default_str();
  app.add_option("--lr", config.optimizer.learning_rate, "Learning rate")->capture_default_str();
  app.add_option("--reg", config.regularization.strength, "L2 strength (lambda)")->capture_default_str();
  app.add_option("--epochs", config.training.epochs, "Epochs")->capture_default_str();
  app.add_option("--batch", config.training.batch_size, "Batch size")->capture_default_str();
  if (const auto exit_code = losslab::runner::parse_command_line(app, argc, argv)) return *exit_code;
  try {
    config.loss.kind = losslab::parse_loss_kind(loss);
    config.optimizer.kind = losslab::parse_optimizer_kind(optimizer);
    using losslab::PreprocessStep;
    auto data = losslab::load_mnist_bytes(directory, losslab::MnistFlavor::fashion_mnist);
    const auto splits = losslab::prepare_splits(std::move(data), 10000, 0,
                                                {PreprocessStep::standardize, PreprocessStep::bias}, 0);
    std::printf("train %zu  val %zu  test %zu  features %zu\n", splits.train.size(), splits.val.size(),
                splits.test.size(), splits.train.dimension());
    losslab::TrainCallbacks callbacks;
    callbacks.on_epoch_end = [](const losslab::EpochMetrics& m) {
      std::printf("epoch %2d  loss %.4f  train acc %.4f  val acc %.4f  (%.2fs)\n", m.epoch, m.mean_loss,
                  m.train_accuracy, m.val_accuracy, m.seconds);
      return false;
    };
    const auto result = losslab::train(splits, config, callbacks);
    std::printf("%s: %s  test accuracy %.4f  training %.2fs\n", losslab::to_string(result.status).c_str(),
                result.message.c_str(), result.test_accuracy, result.train_seconds);
    return result.status == losslab::TrainStatus::diverged ? 1 : 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "losslab-demo: %s\n", error.what());
    return 1;
  }
}

int main(int argc, char** argv) {
  return losslab::runner::guarded_main("losslab-demo", 1, [&] { return run(argc, argv); });
}
