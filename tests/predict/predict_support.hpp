// What the losslab-predict and export-model tests share: one results database per suite, written
// by the real losslab-run -- a Fashion-MNIST subset sweep (experiment "fashion": softmax and SVM,
// two learning rates) and a CSV sweep with string labels and a separate test file (experiment
// "flowers") -- and running the executables on it.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "report/cli_support.hpp"
#include "support/db_query.hpp"

namespace losslab::predict_test {

using report_test::parse_csv;
using report_test::RunResult;
using report_test::TempDir;
using test_support::column;
using test_support::scalar;

inline const std::string kPredict = test_support::program_path("losslab-predict");
inline const std::string kTestImages = std::string(LOSSLAB_FASHION_MNIST_DIR) + "/t10k-images-idx3-ubyte.gz";

// Flowers of three species, told apart by petal length and width (and a sepal width that says
// little): row i of a file is species i % 3 with a deterministic spread, in columns
// petal_length, species, sepal_width, petal_width (the label column in the middle).
inline std::string flowers_csv(int rows, int offset) {
  static const char* const kSpecies[] = {"setosa", "versicolor", "virginica"};
  std::string text = "petal_length,species,sepal_width,petal_width\n";
  for (int i = 0; i < rows; ++i) {
    const int species = i % 3, k = i + offset;
    const double petal_length = 1.5 + 2.0 * species + 0.1 * ((k * 7) % 11 - 5);
    const double petal_width = 0.3 + 0.8 * species + 0.05 * ((k * 5) % 9 - 4);
    const double sepal_width = 3.0 + 0.1 * ((k * 3) % 7 - 3);
    text += std::to_string(petal_length) + "," + kSpecies[species] + "," + std::to_string(sepal_width) + "," +
            std::to_string(petal_width) + "\n";
  }
  return text;
}

class PredictSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    db_ = dir_->file("results.db");
    const std::string fashion = dir_->write(
        "fashion.yaml", test_support::small_fashion_config("fashion", 2000, 1,
                                                           "  grid:\n"
                                                           "    loss.kind: [softmax, svm]\n"
                                                           "    optimizer.learning_rate: [1.0e-3, 1.0e-2]\n"));
    dir_->write("flowers-train.csv", flowers_csv(90, 0));
    dir_->write("flowers-test.csv", flowers_csv(30, 1000));
    const std::string flowers = dir_->write("flowers.yaml",
                                            "name: flowers\n"
                                            "dataset:\n"
                                            "  kind: csv\n"
                                            "  path: flowers-train.csv\n"
                                            "  test_path: flowers-test.csv\n"
                                            "  label_column: species\n"
                                            "  validation: 15\n"
                                            "  preprocess: [standardize, bias]\n"
                                            "loss: {kind: softmax}\n"
                                            "optimizer: {kind: sgd, learning_rate: 0.1, batch_size: 15}\n"
                                            "training: {epochs: 5, seed: 0}\n"
                                            "sweep:\n"
                                            "  grid:\n"
                                            "    regularization.strength: [1.0e-4, 1.0e-1]\n");
    for (const std::string& config : {fashion, flowers}) {
      const auto run = test_support::run_program({test_support::kRun, config, "--db", db_, "--jobs", "2"},
                                                 dir_->path().string());
      ASSERT_EQ(run.exit_code, 0) << run.err;
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  RunResult predict(std::vector<std::string> args) const {
    args.insert(args.begin(), kPredict);
    return report_test::run_in(args, scratch_);
  }
  RunResult report(std::vector<std::string> args) const { return report_test::run_report(std::move(args), scratch_); }

  // The ids of an experiment's completed trials, by id.
  static std::vector<std::string> trial_ids(const std::string& experiment, const std::string& where = "1") {
    return column(db_, "SELECT t.id FROM trials t JOIN experiments e ON e.id = t.experiment_id WHERE e.name = '" +
                           experiment + "' AND t.status = 'completed' AND " + where + " ORDER BY t.id");
  }
  static std::string file(const std::string& name) { return dir_->file(name); }

  static inline TempDir* dir_ = nullptr;
  static inline std::string db_;
  TempDir scratch_;
};

}  // namespace losslab::predict_test
