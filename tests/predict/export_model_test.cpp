// losslab-report export-model: the .npz file NumPy reads (Debian's python3-numpy), and the NumPy
// lines of tools/predict/README.md, taken from the README itself and run as written, against
// losslab-predict's scores and labels.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "predict/predict_support.hpp"

namespace losslab::predict_test {
namespace {

using nlohmann::json;

const std::string kPython = "/usr/bin/python3";
constexpr int kExamples = 25;

// The first ```python block of tools/predict/README.md, exactly as the README shows it.
std::string readme_numpy_lines() {
  const std::string readme = test_support::read_file(std::string(LOSSLAB_SOURCE_DIR) + "/tools/predict/README.md");
  const std::string fence = "```python\n";
  const std::size_t start = readme.find(fence);
  EXPECT_NE(start, std::string::npos) << "tools/predict/README.md has no ```python block";
  const std::size_t end = readme.find("```", start + fence.size());
  return readme.substr(start + fence.size(), end - start - fence.size());
}

// Runs the README's lines once per raw example (each given to them as `raw`, in model.npz's
// directory) and prints, per example, the label, the scores and the probabilities they computed.
// The raw examples come from NumPy's own reading of the input: the first kExamples test images,
// or the rows of a CSV file with the columns in model["feature_names"] order.
const char* const kHarness = R"(import csv, gzip, json, os, sys
import numpy as np

lines, input_path = open(sys.argv[1]).read(), sys.argv[2]
os.chdir(os.path.dirname(sys.argv[1]))  # beside model.npz, as the lines expect
if input_path.endswith(".gz"):
    pixels = np.frombuffer(gzip.open(input_path).read(), np.uint8, offset=16).reshape(-1, 28, 28)
    raws = [pixels[i] for i in range(int(sys.argv[3]))]
else:
    names = list(np.load("model.npz")["feature_names"])
    raws = [[float(row[name]) for name in names] for row in csv.DictReader(open(input_path))]
results = []
for raw in raws:
    scope = {"raw": raw}
    exec(lines, scope)
    probabilities = scope.get("probabilities")
    results.append({"label": str(scope["label"]), "scores": [float(s) for s in scope["scores"]],
                    "probabilities": None if probabilities is None else [float(p) for p in probabilities]})
print(json.dumps(results))
)";

class ExportModel : public PredictSuite {
 protected:
  // Exports `trial` to model.npz in the scratch directory.
  void export_trial(const std::string& trial) {
    const RunResult run = report({"export-model", db_, "--trial", trial, "-o", scratch_.file("model.npz")});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  // The README's lines on `input` against losslab-predict on the same examples.
  void expect_readme_lines_agree(const std::string& trial, const std::string& input) {
    export_trial(trial);
    const std::string lines = scratch_.write("readme_lines.py", readme_numpy_lines());
    const std::string harness = scratch_.write("harness.py", std::string(kHarness));
    const RunResult numpy = report_test::run_in({kPython, harness, lines, input, std::to_string(kExamples)}, scratch_);
    ASSERT_EQ(numpy.exit_code, 0) << numpy.err;
    const json scored = json::parse(numpy.out);
    const RunResult predicted = predict({db_, "--trial", trial, input});
    ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
    const auto rows = parse_csv(predicted.out);
    ASSERT_GE(rows.size(), scored.size() + 1);
    ASSERT_GT(scored.size(), 0u);
    const std::vector<std::string>& header = rows[0];
    const auto first_score = static_cast<std::size_t>(std::find(header.begin(), header.end(), "predicted") - header.begin()) + 1;
    for (std::size_t i = 0; i < scored.size(); ++i) {
      const auto& row = rows[i + 1];
      const json& mine = scored[i];
      EXPECT_EQ(mine["label"].get<std::string>(), row[first_score - 1]) << "example " << i;
      const std::size_t classes = mine["scores"].size();
      for (std::size_t c = 0; c < classes; ++c) {
        const double expected = std::stod(row[first_score + c]);
        // float32 rounding: NumPy sums the dot product in another order.
        EXPECT_NEAR(mine["scores"][c].get<double>(), expected, 1e-5 + 1e-5 * std::abs(expected))
            << "example " << i << " class " << c;
      }
      const bool softmax = header.size() > first_score + classes;
      ASSERT_EQ(!mine["probabilities"].is_null(), softmax) << "example " << i;
      if (softmax) {
        for (std::size_t c = 0; c < classes; ++c)
          EXPECT_NEAR(mine["probabilities"][c].get<double>(), std::stod(row[first_score + classes + c]), 1e-6)
              << "example " << i << " class " << c;
      }
    }
  }
};

TEST_F(ExportModel, TheReadmesNumpyLinesScoreImagesAsLosslabPredictDoes) {
  for (const std::string loss : {"softmax", "svm"})
    expect_readme_lines_agree(trial_ids("fashion", "t.name LIKE '" + loss + "/%lr=0.01%'").at(0), kTestImages);
}

TEST_F(ExportModel, TheReadmesNumpyLinesScoreCsvRowsAsLosslabPredictDoes) {
  expect_readme_lines_agree(trial_ids("flowers").at(0), file("flowers-test.csv"));
}

TEST_F(ExportModel, TheArraysAreTheRecordedModel) {
  const std::string trial = trial_ids("flowers").at(0);
  export_trial(trial);
  const std::string script = scratch_.write("arrays.py", std::string(R"(import json, sys, numpy as np
model = np.load(sys.argv[1])
print(json.dumps({name: {"dtype": model[name].dtype.str, "shape": list(model[name].shape),
                         "values": model[name].tolist()} for name in model.files}))
)"));
  const RunResult run = report_test::run_in({kPython, script, scratch_.file("model.npz")}, scratch_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json arrays = json::parse(run.out);
  EXPECT_EQ(arrays["class_names"]["values"], json::parse(R"(["setosa", "versicolor", "virginica"])"));
  EXPECT_EQ(arrays["feature_names"]["values"], json::parse(R"(["petal_length", "sepal_width", "petal_width"])"));
  EXPECT_EQ(arrays["label_column"]["values"], "species");
  EXPECT_EQ(arrays["input_shape"]["values"], json::parse("[3]"));
  EXPECT_EQ(arrays["steps"]["values"], json::parse(R"(["standardize", "bias"])"));
  EXPECT_EQ(arrays["bias"]["values"], true);
  EXPECT_EQ(arrays["loss"]["values"], "softmax");
  EXPECT_EQ(arrays["dataset_kind"]["values"], "csv");
  EXPECT_EQ(arrays["trial_key"]["values"], scalar(db_, "SELECT trial_key FROM trials WHERE id = " + trial));
  EXPECT_EQ(arrays["W"]["shape"], json::parse("[4, 3]"));
  EXPECT_EQ(arrays["W"]["dtype"], "<f4");
  EXPECT_EQ(arrays["offsets"]["shape"], json::parse("[1, 3]"));
  EXPECT_EQ(arrays["scales"]["shape"], json::parse("[1, 3]"));
  // W is trial_weights.data (column-major D x C) element for element, and the step's values are
  // preprocessing_steps' blobs.
  const std::vector<std::string> weights = column(
      db_, "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k < 11) "
           "SELECT hex(substr(data, 4 * k + 1, 4)) FROM trial_weights, i WHERE trial_id = " + trial + " ORDER BY k");
  ASSERT_EQ(weights.size(), 12u);
  const std::string script_w = scratch_.write("w.py", std::string(R"(import sys, numpy as np
W = np.load(sys.argv[1])["W"]
print(" ".join(W[i, j].tobytes().hex().upper() for j in range(W.shape[1]) for i in range(W.shape[0])))
)"));
  const RunResult w = report_test::run_in({kPython, script_w, scratch_.file("model.npz")}, scratch_);
  ASSERT_EQ(w.exit_code, 0) << w.err;
  std::string expected;
  for (const auto& value : weights) expected += (expected.empty() ? "" : " ") + value;
  EXPECT_EQ(w.out, expected + "\n");
  const std::string offsets = scalar(db_, "SELECT hex(s.offsets) FROM preprocessing_steps s JOIN trial_weights w ON "
                                          "w.preprocessing_id = s.preprocessing_id WHERE s.position = 0 AND "
                                          "w.trial_id = " + trial);
  const std::string script_o = scratch_.write("o.py", std::string(R"(import sys, numpy as np
print(np.load(sys.argv[1])["offsets"][0].tobytes().hex().upper())
)"));
  const RunResult o = report_test::run_in({kPython, script_o, scratch_.file("model.npz")}, scratch_);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, offsets + "\n");
}

TEST_F(ExportModel, BestIsTheRankedBestAndErrorsWriteNothing) {
  const RunResult best = report({"export-model", db_, "--best", "--experiment", "fashion", "-o", scratch_.file("best.npz")});
  ASSERT_EQ(best.exit_code, 0) << best.err;
  EXPECT_NE(best.err.find("wrote " + scratch_.file("best.npz")), std::string::npos) << best.err;
  const std::string script = scratch_.write("key.py", std::string(R"(import sys, numpy as np
print(np.load(sys.argv[1])["trial_key"])
)"));
  const RunResult key = report_test::run_in({kPython, script, scratch_.file("best.npz")}, scratch_);
  ASSERT_EQ(key.exit_code, 0) << key.err;
  EXPECT_EQ(key.out, scalar(db_, "SELECT t.trial_key FROM trials t JOIN experiments e ON e.id = t.experiment_id WHERE "
                                 "e.name = 'fashion' ORDER BY t.val_accuracy DESC, t.train_accuracy DESC LIMIT 1") +
                         "\n");

  const std::string output = scratch_.file("none.npz");
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--trial", "999"}, "no trial '999'"},
           {{"--best"}, "--best needs --experiment"},
           {{"--trial", "1", "--best"}, "--trial excludes --best"},
           {{}, "--trial or --best is required"}}) {
    std::vector<std::string> command{"export-model", db_, "-o", output};
    command.insert(command.end(), args.begin(), args.end());
    const RunResult run = report(command);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << "expected '" << message << "' in " << run.err;
    EXPECT_FALSE(std::filesystem::exists(output)) << message;
  }
}

}  // namespace
}  // namespace losslab::predict_test
