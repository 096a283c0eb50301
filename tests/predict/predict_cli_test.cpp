// losslab-predict end to end: the real executable on a database the real losslab-run wrote (a
// Fashion-MNIST subset sweep and a CSV sweep), every answer checked against the database itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "predict/predict_support.hpp"
#include "support/cifar_fixture.hpp"
#include "support/idx_fixture.hpp"

namespace losslab::predict_test {
namespace {

using nlohmann::json;

class PredictCli : public PredictSuite {
 protected:
  // trials.test_accuracy to the last bit, as a REAL (SQLite's text of it has 15 digits).
  static double test_accuracy(const std::string& trial) {
    SQLite::Database db(db_, SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT test_accuracy FROM trials WHERE id = " + trial).getDouble();
  }
};

TEST_F(PredictCli, EvaluatingTheTestSplitGivesEachTrialsRecordedTestAccuracyBitForBit) {
  const auto trials = trial_ids("fashion");
  ASSERT_EQ(trials.size(), 4u);
  for (const std::string& trial : trials) {
    const RunResult run = predict({db_, "--trial", trial, kTestImages, "--evaluate", "--format", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const json evaluation = json::parse(run.out);
    ASSERT_EQ(evaluation["examples"].get<int>(), 10000);
    std::int64_t correct = 0;
    const json& counts = evaluation["confusion_matrix"]["counts"];
    for (std::size_t c = 0; c < counts.size(); ++c) correct += counts[c][c].get<std::int64_t>();
    // The trainer's count of correct test predictions, exactly: test_accuracy is that count / N.
    const double recorded = test_accuracy(trial);
    EXPECT_EQ(static_cast<double>(correct) / 10000.0, recorded) << "trial " << trial;
    EXPECT_EQ(correct, std::llround(recorded * 10000.0)) << "trial " << trial;
    EXPECT_EQ(evaluation["accuracy"].get<double>(), recorded) << "trial " << trial;
    EXPECT_EQ(std::to_string(evaluation["trial"]["id"].get<std::int64_t>()), trial);
  }
}

TEST_F(PredictCli, ACsvTrialScoredOnItsTestFileGivesItsRecordedTestAccuracy) {
  for (const std::string& trial : trial_ids("flowers")) {
    const RunResult run = predict({db_, "--trial", trial, file("flowers-test.csv"), "--evaluate", "--format", "csv"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto rows = parse_csv(run.out);
    ASSERT_GE(rows.size(), 4u);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"metric", "class", "predicted_class", "value"}));
    EXPECT_EQ(rows[1], (std::vector<std::string>{"examples", "", "", "30"}));
    EXPECT_EQ(rows[2][0], "accuracy");
    EXPECT_EQ(std::stod(rows[2][3]), test_accuracy(trial)) << "trial " << trial;
  }
}

TEST_F(PredictCli, PredictionsListEveryExampleWithItsScoresAndProbabilities) {
  const std::string softmax = trial_ids("fashion", "t.name LIKE 'softmax/%lr=0.01%'").at(0);
  const std::string output = scratch_.file("predictions.csv");
  const RunResult run = predict({db_, "--trial", softmax, kTestImages, "-o", output});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.empty());
  const auto rows = parse_csv(test_support::read_file(output));
  ASSERT_EQ(rows.size(), 10001u);
  const std::vector<std::string> classes = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                            "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  std::vector<std::string> header = {"example", "label", "predicted"};
  for (const auto& name : classes) header.push_back("score:" + name);
  for (const auto& name : classes) header.push_back("probability:" + name);
  EXPECT_EQ(rows[0], header);
  std::int64_t correct = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    ASSERT_EQ(row.size(), header.size());
    EXPECT_EQ(row[0], std::to_string(i - 1));
    std::size_t top = 0;
    double sum = 0;
    for (std::size_t c = 0; c < 10; ++c) {
      if (std::stof(row[3 + c]) > std::stof(row[3 + top])) top = c;
      sum += std::stod(row[13 + c]);
    }
    EXPECT_EQ(row[2], classes[top]) << "example " << i - 1 << ": the predicted class is the top score";
    EXPECT_NEAR(sum, 1.0, 1e-5) << "example " << i - 1;
    correct += row[1] == row[2];
  }
  // The first test image is an ankle boot (t10k-labels-idx1-ubyte, found beside the images).
  EXPECT_EQ(rows[1][1], "Ankle boot");
  EXPECT_EQ(static_cast<double>(correct) / 10000.0, test_accuracy(softmax));

  // JSON: the same rows as objects, numbers as numbers.
  const RunResult as_json = predict({db_, "--trial", softmax, kTestImages, "--format", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const json objects = json::parse(as_json.out);
  ASSERT_EQ(objects.size(), 10000u);
  EXPECT_EQ(objects[3]["predicted"], rows[4][2]);
  EXPECT_EQ(objects[3]["score:Bag"].get<double>(), std::stod(rows[4][3 + 8]));

  // An SVM trial has scores but no probabilities.
  const std::string svm = trial_ids("fashion", "t.name LIKE 'svm/%'").at(0);
  const RunResult hinge = predict({db_, "--trial", svm, kTestImages});
  ASSERT_EQ(hinge.exit_code, 0) << hinge.err;
  EXPECT_EQ(hinge.out.find("probability:"), std::string::npos);
  EXPECT_NE(hinge.out.find("score:Ankle boot"), std::string::npos);
}

TEST_F(PredictCli, CsvColumnsAreFoundByNameAndTheLabelColumnIsOptional) {
  const std::string trial = trial_ids("flowers").at(0);
  // The test file's rows with the columns in another order, once with and once without labels.
  const auto rows = parse_csv(test_support::read_file(file("flowers-test.csv")));
  std::string labelled = "petal_width,sepal_width,species,petal_length\n", unlabelled = "sepal_width,petal_width,petal_length\n";
  for (std::size_t i = 1; i < rows.size(); ++i) {
    labelled += rows[i][3] + "," + rows[i][2] + "," + rows[i][1] + "," + rows[i][0] + "\n";
    unlabelled += rows[i][2] + "," + rows[i][3] + "," + rows[i][0] + "\n";
  }
  const RunResult original = predict({db_, "--trial", trial, file("flowers-test.csv")});
  const RunResult reordered = predict({db_, "--trial", trial, scratch_.write("reordered.csv", labelled)});
  const RunResult bare = predict({db_, "--trial", trial, scratch_.write("bare.csv", unlabelled)});
  ASSERT_EQ(original.exit_code, 0) << original.err;
  ASSERT_EQ(reordered.exit_code, 0) << reordered.err;
  ASSERT_EQ(bare.exit_code, 0) << bare.err;
  EXPECT_EQ(reordered.out, original.out);
  const auto with_labels = parse_csv(original.out), without = parse_csv(bare.out);
  ASSERT_EQ(with_labels.size(), 31u);
  ASSERT_EQ(without.size(), 31u);
  EXPECT_EQ(with_labels[0][1], "label");
  EXPECT_EQ(without[0][1], "predicted");  // no label column without labels
  for (std::size_t i = 1; i < without.size(); ++i) {
    EXPECT_EQ(without[i][1], with_labels[i][2]) << "row " << i;
    EXPECT_EQ(std::vector<std::string>(without[i].begin() + 2, without[i].end()),
              std::vector<std::string>(with_labels[i].begin() + 3, with_labels[i].end()))
        << "row " << i;
  }
  EXPECT_EQ(with_labels[0][3], "score:setosa");
  EXPECT_EQ(with_labels[0][5], "score:virginica");
}

// A training file without a header row (dataset.header: false, the label column by position):
// its inputs have no header either, with or without the label column.
TEST(PredictHeaderless, InputsAreReadAsTheTrainingFileWas) {
  TempDir dir;
  const auto without_header = [](const std::string& text) { return text.substr(text.find('\n') + 1); };
  dir.write("train.csv", without_header(flowers_csv(90, 0)));
  const std::string test = dir.write("test.csv", without_header(flowers_csv(30, 1000)));
  const std::string config = dir.write("plain.yaml",
                                       "name: plain\n"
                                       "dataset: {kind: csv, path: train.csv, test_path: test.csv, header: false,\n"
                                       "          label_column: 1, validation: 15}\n"
                                       "optimizer: {kind: sgd, learning_rate: 0.1, batch_size: 15}\n"
                                       "training: {epochs: 5}\n");
  const std::string db = dir.file("plain.db");
  const RunResult run = test_support::run_program({test_support::kRun, config, "--db", db}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const RunResult evaluated =
      test_support::run_program({kPredict, db, "--best", test, "--evaluate", "--format", "json"}, dir.path().string());
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(json::parse(evaluated.out)["accuracy"].get<double>(),
            results.execAndGet("SELECT test_accuracy FROM trials").getDouble());
  // The same rows without their label column: the same predictions, no label column in the output.
  std::string bare;
  for (const auto& row : parse_csv(test_support::read_file(test))) bare += row[0] + "," + row[2] + "," + row[3] + "\n";
  const RunResult labelled = test_support::run_program({kPredict, db, "--best", test}, dir.path().string());
  const RunResult unlabelled =
      test_support::run_program({kPredict, db, "--best", dir.write("bare.csv", bare)}, dir.path().string());
  ASSERT_EQ(labelled.exit_code, 0) << labelled.err;
  ASSERT_EQ(unlabelled.exit_code, 0) << unlabelled.err;
  const auto with_labels = parse_csv(labelled.out), without = parse_csv(unlabelled.out);
  ASSERT_EQ(without.size(), 31u);
  EXPECT_EQ(with_labels[0][1], "label");
  EXPECT_EQ(without[0][1], "predicted");
  for (std::size_t i = 1; i < without.size(); ++i) EXPECT_EQ(without[i][1], with_labels[i][2]) << "row " << i;
}

// A CIFAR-10 trial scores a binary batch (the labels are in its records) as it scored its test batch.
TEST(PredictCifar, TheTestBatchGivesTheRecordedTestAccuracy) {
  TempDir dir;
  test_support::write_cifar10_directory(dir, 40, 100);
  const std::string config = dir.write("cifar.yaml",
                                       "name: cifar\n"
                                       "dataset: {kind: cifar10, path: " + dir.path().string() + ", validation: 50}\n"
                                       "optimizer: {kind: sgd, learning_rate: 1.0e-3, batch_size: 50}\n"
                                       "training: {epochs: 2}\n");
  const std::string db = dir.file("cifar.db");
  const RunResult run = test_support::run_program({test_support::kRun, config, "--db", db}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const RunResult evaluated = test_support::run_program(
      {kPredict, db, "--best", dir.file("test_batch.bin"), "--evaluate", "--format", "json"}, dir.path().string());
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  const json evaluation = json::parse(evaluated.out);
  EXPECT_EQ(evaluation["examples"], 100);
  EXPECT_EQ(evaluation["confusion_matrix"]["classes"][9], "truck");
  SQLite::Database results(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(evaluation["accuracy"].get<double>(), results.execAndGet("SELECT test_accuracy FROM trials").getDouble());
}

TEST_F(PredictCli, BestIsTheTrialTheReportRanksFirst) {
  const RunResult top = report({db_, "--experiment", "fashion", "--top", "1", "--format", "csv"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  const auto ranked = parse_csv(top.out);
  ASSERT_GE(ranked.size(), 2u);
  ASSERT_EQ(ranked[0].at(2), "trial");
  const RunResult run = predict({db_, "--best", "--experiment", "fashion", kTestImages, "--evaluate", "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json trial = json::parse(run.out)["trial"];
  EXPECT_EQ(trial["name"], ranked[1].at(2));
  // The highest validation accuracy of the experiment.
  const std::string best = scalar(db_, "SELECT t.id FROM trials t JOIN experiments e ON e.id = t.experiment_id WHERE "
                                       "e.name = 'fashion' ORDER BY t.val_accuracy DESC, t.train_accuracy DESC LIMIT 1");
  EXPECT_EQ(std::to_string(trial["id"].get<std::int64_t>()), best);
  // --trial takes its trial_key as well as its id.
  const std::string key = scalar(db_, "SELECT trial_key FROM trials WHERE id = " + best);
  EXPECT_EQ(trial["key"], key);
  const RunResult by_key = predict({db_, "--trial", key, kTestImages, "--evaluate", "--format", "json"});
  ASSERT_EQ(by_key.exit_code, 0) << by_key.err;
  EXPECT_EQ(json::parse(by_key.out)["trial"], trial);
}

TEST_F(PredictCli, TheTableAndMarkdownEvaluationsShowEveryPart) {
  const std::string trial = trial_ids("flowers").at(0);
  for (const std::string format : {"table", "markdown"}) {
    const RunResult run = predict({db_, "--trial", trial, file("flowers-test.csv"), "--evaluate", "--format", format});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    for (const char* part : {"accuracy", "macro_f1", "per class", "precision", "recall", "f1", "support",
                             "confusion matrix (rows: true class, columns: predicted class)", "versicolor"})
      EXPECT_NE(run.out.find(part), std::string::npos) << format << ": no '" << part << "' in\n" << run.out;
    const bool markdown = format == "markdown";
    EXPECT_EQ(run.out.find("| metric") != std::string::npos, markdown) << run.out;
    EXPECT_EQ(run.out.find("**per class**") != std::string::npos, markdown) << run.out;
    EXPECT_EQ(run.out.find("per class:\n") != std::string::npos, !markdown) << run.out;
  }
}

TEST_F(PredictCli, ReadingNeverChangesTheDatabase) {
  const std::string before = report_test::fingerprint(db_);
  ASSERT_EQ(predict({db_, "--best", "--experiment", "flowers", file("flowers-test.csv"), "--evaluate"}).exit_code, 0);
  EXPECT_EQ(report_test::fingerprint(db_), before);
}

// ------------------------------------------------------------------------------ errors

// Every failure: exit code 2, the message, and nothing written: -o keeps what it held, and no
// temporary file is left beside it.
class PredictErrors : public PredictSuite {
 protected:
  void expect_refused(std::vector<std::string> args, const std::string& message, int code = 2) {
    const std::string output = scratch_.write("kept.csv", std::string("what was there"));
    args.push_back("-o");
    args.push_back(output);
    const RunResult run = predict(args);
    EXPECT_EQ(run.exit_code, code) << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << "expected '" << message << "' in: " << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
    EXPECT_EQ(test_support::read_file(output), "what was there");
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(scratch_.path()))
      files += entry.path().filename().string().starts_with("kept.csv");
    EXPECT_EQ(files, 1u) << "a temporary file was left";
  }
};

TEST_F(PredictErrors, UnknownTrialsAndAmbiguousChoices) {
  expect_refused({db_, "--trial", "999", kTestImages},
                 "no trial '999' in " + db_ + " (--trial takes a trial id or trial_key");
  expect_refused({db_, "--best", kTestImages}, "--best needs --experiment: " + db_ + " holds 2 experiments (fashion, flowers)");
  expect_refused({db_, "--best", "--experiment", "fashoin", kTestImages}, "no experiment 'fashoin'");
  expect_refused({db_, kTestImages}, "say which trial: --trial ID|KEY or --best");
  expect_refused({db_, "--trial", "1", "--best", kTestImages}, "--trial excludes --best");
  const std::string flowers_trial = trial_ids("flowers").at(0);
  expect_refused({db_, "--trial", flowers_trial, "--experiment", "fashion", kTestImages},
                 "of experiment flowers is not in experiment fashion");
  expect_refused({dir_->file("absent.db"), "--trial", "1", kTestImages}, "no results database at", 1);
}

TEST_F(PredictErrors, InputsThatDoNotFitTheTrial) {
  const std::string fashion = trial_ids("fashion").at(0), flowers = trial_ids("flowers").at(0);
  // 2 x 2 images for a 28 x 28 model.
  const std::string small = test_support::write_gzip(
      scratch_, "small-images-idx3-ubyte.gz", test_support::idx_images(2, 2, 2, test_support::counting_bytes(8)));
  expect_refused({db_, "--trial", fashion, small}, "small-images-idx3-ubyte.gz: images are 2 x 2 pixels; trial " +
                                                       fashion + " (");
  expect_refused({db_, "--trial", fashion, scratch_.write("pixels.csv", std::string("p0,p1,label\n1,2,3\n"))},
                 "pixels.csv: has 2 feature columns (every column but 'label'), the model takes 784");
  // A CSV without a feature column, with a stray one, with an unknown class.
  expect_refused({db_, "--trial", flowers, scratch_.write("narrow.csv", std::string("petal_length,sepal_width\n1,2\n"))},
                 "narrow.csv: missing feature column 'petal_width' the model was trained on; its columns are "
                 "'petal_length', 'sepal_width', 'petal_width' (and 'species' for labels)");
  expect_refused({db_, "--trial", flowers,
                  scratch_.write("extra.csv", std::string("id,petal_length,sepal_width,petal_width\n1,1,2,3\n"))},
                 "extra.csv: column 'id' is not one of the model's feature columns");
  expect_refused({db_, "--trial", flowers,
                  scratch_.write("rose.csv", std::string("petal_length,sepal_width,petal_width,species\n1,2,3,rose\n"))},
                 "rose.csv:2:4: label 'rose' is not one of the model's classes 'setosa', 'versicolor', 'virginica'");
  expect_refused({db_, "--trial", flowers, scratch_.write("text.csv", std::string("petal_length,sepal_width,petal_width\n1,x,3\n"))},
                 "text.csv:2:2: 'x' in column 'sepal_width' is not a number");
  // The wrong format for the trial's data.
  expect_refused({db_, "--trial", fashion, file("fashion.yaml")}, "fashion.yaml: wrong magic number");
}

TEST_F(PredictErrors, EvaluatingNeedsLabels) {
  const std::string fashion = trial_ids("fashion").at(0), flowers = trial_ids("flowers").at(0);
  // IDX images alone in a directory: no labels file beside them.
  const std::string images = scratch_.file("t10k-images-idx3-ubyte.gz");
  std::filesystem::copy_file(kTestImages, images);
  expect_refused({db_, "--trial", fashion, images, "--evaluate"},
                 "--evaluate needs the examples' labels: " + images + " has no labels file beside it");
  expect_refused({db_, "--trial", flowers, scratch_.write("bare.csv", std::string("petal_length,sepal_width,petal_width\n1,2,3\n")),
                  "--evaluate"},
                 "has no label column 'species'");
  // With --labels they are found, and must be as many as the images.
  const std::string labels = std::string(LOSSLAB_FASHION_MNIST_DIR) + "/t10k-labels-idx1-ubyte.gz";
  const RunResult run = predict({db_, "--trial", fashion, images, "--labels", labels, "--evaluate", "--format", "csv"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("examples,,,10000"), std::string::npos) << run.out.substr(0, 200);
  const std::string few = test_support::write_gzip(scratch_, "few-labels-idx1-ubyte.gz", test_support::idx_labels({1, 2, 3}));
  expect_refused({db_, "--trial", fashion, images, "--labels", few}, "few-labels-idx1-ubyte.gz: has 3 labels for the 10000 images");
  expect_refused({db_, "--trial", flowers, file("flowers-test.csv"), "--labels", labels}, "--labels is for IDX images");
  expect_refused({db_, "--trial", flowers, file("flowers-test.csv"), "--format", "table"},
                 "predictions are written as csv or json; table and markdown are for --evaluate");
}

TEST_F(PredictErrors, TrialsWithoutAModel) {
  // A trial whose weights are gone (as a failed trial has none), in a copy of the database.
  const std::string flowers = trial_ids("flowers").at(0);
  const std::string copy = scratch_.file("copy.db");
  test_support::changed_copy(db_, copy, "DELETE FROM trial_weights WHERE trial_id = " + flowers);
  const std::string name = scalar(db_, "SELECT name FROM trials WHERE id = " + flowers);
  expect_refused({copy, "--trial", flowers, file("flowers-test.csv")},
                 "trial " + flowers + " (" + name + ") of experiment flowers has no weights: its status is completed, "
                 "and only completed and pruned trials keep theirs");
}

TEST_F(PredictErrors, ATrialRecordedBeforeSchemaVersionFourMustBeRerun) {
  // tests/fixtures/schema3.db: version 3 kept the weights but not their preprocessing.
  const std::string old = scratch_.file("schema3.db");
  std::filesystem::copy_file(std::string(LOSSLAB_SOURCE_DIR) + "/tests/fixtures/schema3.db", old);
  const std::string input = scratch_.write("blobs.csv", std::string("a,b\n0.5,1.5\n"));
  expect_refused({old, "--trial", "2", input},
                 "trial 2 (softmax/sgd/seed=0) of experiment schema3 was recorded by an older losslab without its "
                 "preprocessing; rerun it (losslab-run CONFIG --force)");
  // After the rerun it is a model: two features, no names, classes 0..2.
  const std::string config = scratch_.file("schema3.yaml");
  std::filesystem::copy_file(std::string(LOSSLAB_SOURCE_DIR) + "/tests/fixtures/schema3.yaml", config);
  const RunResult rerun = report_test::run_in({test_support::kRun, config, "--db", old, "--force"}, scratch_);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  const RunResult run = predict({old, "--trial", "2", input});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(parse_csv(run.out)[0], (std::vector<std::string>{"example", "predicted", "score:0", "score:1", "score:2",
                                                             "probability:0", "probability:1", "probability:2"}));
}

}  // namespace
}  // namespace losslab::predict_test
