// The HTML report end to end: real sweeps run by the real losslab-run (Fashion-MNIST, the
// lecture's 2-D toy, and a sweep where every trial diverges), the report written in-process, its
// embedded JSON checked, then the page opened in headless Chromium: the DOM after the scripts ran
// must list every section as drawn and no error, and the console must stay silent.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "html_data.hpp"
#include "html_report.hpp"
#include "report/browser_support.hpp"
#include "report/cli_support.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "templates.hpp"
#include "usage_error.hpp"

namespace losslab::report {
namespace {

using nlohmann::json;
using report_test::attribute;
using report_test::BrowserRun;
using report_test::console_lines;
using report_test::embedded_data;
using report_test::run_chromium;
using report_test::kRun;
using test_support::run_program;
using test_support::TempDir;

const std::string kFashionConfig =
    "name: fmnist\n"
    "dataset:\n"
    "  kind: fashion-mnist\n"
    "  path: " LOSSLAB_FASHION_MNIST_DIR "\n"
    "  limit: 3000\n"
    "  validation: 1000\n"
    "  preprocess: [standardize, bias]\n"
    "optimizer: {kind: sgd, batch_size: 200}\n"
    "training: {epochs: 2, seed: 0}\n"
    "sweep:\n"
    "  grid:\n"
    "    loss.kind: [svm, softmax]\n"
    "    optimizer.learning_rate: [1.0e-3, 1.0e-2, 1.0e-1]\n"
    "    regularization.strength: [1.0e-4, 1.0e-2]\n";

const std::string kToyConfig =
    "name: toy2d\n"
    "dataset: {kind: synthetic, synthetic: {shape: toy2d}, test: 0, validation: 0, preprocess: [bias]}\n"
    "regularization: {kind: l2, strength: 1.0e-3}\n"
    "optimizer: {kind: gd}\n"
    "training: {epochs: 200}\n"
    "sweep:\n"
    "  grid:\n"
    "    loss.kind: [svm, softmax]\n"
    "    optimizer.learning_rate: [0.01, 0.1, 1.0]\n";

// Random search over learning rate x strength: too sparse for heatmap cells, drawn as points.
const std::string kRandomConfig =
    "name: random\n"
    "dataset: {kind: synthetic, synthetic: {shape: spiral, per_class: 30}, validation: 0.2, test: 0, "
    "preprocess: [bias]}\n"
    "optimizer: {kind: gd}\n"
    "training: {epochs: 30}\n"
    "sweep:\n"
    "  random:\n"
    "    trials: 8\n"
    "    space:\n"
    "      optimizer.learning_rate: {log_uniform: [1.0e-3, 1.0]}\n"
    "      regularization.strength: {log_uniform: [1.0e-5, 1.0e-1]}\n";

// Learning rates so large that every trial's loss overflows: no weights, no accuracy.
const std::string kDivergedConfig =
    "name: diverged\n"
    "dataset: {kind: synthetic, synthetic: {shape: toy2d}, test: 0, validation: 0, preprocess: [bias]}\n"
    "optimizer: {kind: gd}\n"
    "training: {epochs: 50}\n"
    "sweep:\n"
    "  grid:\n"
    "    optimizer.learning_rate: [1.0e+30, 1.0e+35]\n";

// The four experiments in one database, built once for every test of the suite.
class HtmlReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    db_ = dir_->file("results.db");
    for (const auto& [name, config] : {std::pair{"fmnist", kFashionConfig}, std::pair{"toy2d", kToyConfig},
                                       std::pair{"random", kRandomConfig}, std::pair{"diverged", kDivergedConfig}}) {
      const std::string path = dir_->write(std::string(name) + ".yaml", config);
      const auto run = run_program({kRun, path, "--db", db_, "--jobs", "2"}, dir_->path().string());
      ASSERT_EQ(run.exit_code, 0) << name << ": " << run.err;
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string report(const HtmlOptions& options) {
    ResultsReader db(db_);
    std::ostringstream out;
    write_html_report(db, options, out);
    return out.str();
  }
  static json experiment_data(const std::string& name) {
    HtmlOptions options;
    options.experiment = name;
    const json data = embedded_data(report(options));
    EXPECT_EQ(data["experiments"].size(), 1u);
    return data["experiments"][0];
  }

  static TempDir* dir_;
  static std::string db_;
};

TempDir* HtmlReport::dir_ = nullptr;
std::string HtmlReport::db_;

TEST_F(HtmlReport, PageIsSelfContained) {
  const std::string html = report({});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("function renderTemplates"), std::string::npos) << "the script is inlined";
  for (const char* external : {"<link", " src=", "https://", "@import", "url("})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  // The only absolute URL is the SVG namespace, which is a name, not a fetch.
  std::string without_namespace = std::regex_replace(html, std::regex("http://www\\.w3\\.org/2000/svg"), "");
  EXPECT_EQ(without_namespace.find("http://"), std::string::npos);
  EXPECT_EQ(embedded_data(html)["experiments"].size(), 4u);
}

TEST_F(HtmlReport, FashionMnistSweepHasCurvesHeatmapMarginalsAndTemplates) {
  const json experiment = experiment_data("fmnist");
  EXPECT_EQ(experiment["name"], "fmnist");
  EXPECT_EQ(experiment["metric"], "val_accuracy");
  EXPECT_EQ(experiment["trial_count"], 12);
  EXPECT_EQ(experiment["trials"].size(), 12u);
  EXPECT_EQ(experiment["status_counts"]["completed"], 12);
  EXPECT_EQ(experiment["swept"], json({"learning_rate", "loss", "strength"}));
  EXPECT_NE(experiment["dataset"].get<std::string>().find("fashion-mnist"), std::string::npos);

  // Top 10 curves, best first; 2 epochs of 2000 / 200 = 10 steps each, so nothing is averaged.
  const json& curves = experiment["loss_curves"]["curves"];
  ASSERT_EQ(curves.size(), 10u);
  for (std::size_t i = 0; i < curves.size(); ++i) {
    EXPECT_EQ(curves[i]["points"].size(), 20u) << curves[i]["name"];
    if (i > 0) {
      EXPECT_LE(curves[i]["metric"].get<double>(), curves[i - 1]["metric"].get<double>());
    }
  }
  EXPECT_EQ(experiment["best"]["name"], curves[0]["name"]);

  // The compare view's curves: every trial's 2 epochs as [epoch, mean loss, training accuracy,
  // validation accuracy]; the last epoch's mean loss is the trial's final_loss.
  ASSERT_EQ(experiment["epoch_curves"].size(), 12u);
  for (std::size_t i = 0; i < 12; ++i) {
    const json& curve = experiment["epoch_curves"][i];
    const json& trial = experiment["trials"][i];
    EXPECT_EQ(curve["trial_id"], trial["id"]);
    ASSERT_EQ(curve["points"].size(), 2u);
    EXPECT_EQ(curve["points"][1][0], 2);
    EXPECT_NEAR(curve["points"][1][1].get<double>(), trial["final_loss"].get<double>(), 1e-5 * trial["final_loss"].get<double>());
    EXPECT_NEAR(curve["points"][1][3].get<double>(), trial["val_accuracy"].get<double>(), 1e-6);
  }

  const json& heatmap = experiment["heatmap"];
  ASSERT_TRUE(heatmap.is_object());
  EXPECT_EQ(heatmap["xs"], json({0.001, 0.01, 0.1}));
  EXPECT_EQ(heatmap["ys"], json({0.0001, 0.01}));
  EXPECT_TRUE(heatmap["grid"].get<bool>());
  EXPECT_EQ(heatmap["best_over"], json({"loss"}));
  ASSERT_EQ(heatmap["cells"].size(), 6u);
  for (const auto& cell : heatmap["cells"]) {
    EXPECT_EQ(cell["trials"], 2);  // svm and softmax
    EXPECT_GT(cell["value"].get<double>(), 0.1);
  }

  ASSERT_EQ(experiment["marginals"].size(), 3u);
  EXPECT_EQ(experiment["marginals"][0]["scale"], "log");  // learning_rate: 1e-3 .. 1e-1
  EXPECT_EQ(experiment["marginals"][1]["scale"], "category");
  EXPECT_EQ(experiment["marginals"][1]["categories"], json({"softmax", "svm"}));
  EXPECT_EQ(experiment["marginals"][2]["scale"], "log");
  EXPECT_EQ(experiment["marginals"][2]["points"].size(), 12u);

  const json& templates = experiment["templates"];
  ASSERT_TRUE(templates.is_object()) << experiment["weights_note"];
  EXPECT_EQ(templates["width"], 28);
  EXPECT_EQ(templates["channels"], 1);
  EXPECT_EQ(templates["class_names"][0], "T-shirt/top");
  EXPECT_EQ(templates["class_names"][9], "Ankle boot");
  ASSERT_EQ(templates["pixels"].size(), 10u);
  int low = 255, high = 0;
  for (const auto& image : templates["pixels"]) {
    ASSERT_EQ(image.size(), 784u);
    for (int value : image) {
      low = std::min(low, value);
      high = std::max(high, value);
    }
  }
  EXPECT_EQ(low, 0);  // rescaled with the minimum and maximum over all classes
  EXPECT_EQ(high, 255);
  EXPECT_TRUE(experiment["decision_regions"].is_null());

  // The best trial's validation predictions: 1000 examples in a 10 x 10 matrix whose diagonal is
  // its validation accuracy, each class's accuracy its diagonal cell over its row.
  const json& confusion = experiment["confusion"];
  ASSERT_TRUE(confusion.is_object());
  EXPECT_EQ(confusion["trial"], experiment["best"]["name"]);
  EXPECT_EQ(confusion["split"], "val");
  EXPECT_EQ(confusion["class_names"], templates["class_names"]);
  ASSERT_EQ(confusion["counts"].size(), 10u);
  std::int64_t total = 0, diagonal = 0;
  for (std::size_t truth = 0; truth < 10; ++truth) {
    const json& row = confusion["counts"][truth];
    ASSERT_EQ(row.size(), 10u);
    std::int64_t support = 0;
    for (const auto& count : row) support += count.get<std::int64_t>();
    total += support;
    diagonal += row[truth].get<std::int64_t>();
    EXPECT_EQ(confusion["classes"][truth]["support"], support);
    EXPECT_NEAR(confusion["classes"][truth]["accuracy"].get<double>(),
                row[truth].get<double>() / static_cast<double>(support), 1e-6);
  }
  EXPECT_EQ(total, 1000);
  EXPECT_NEAR(static_cast<double>(diagonal) / 1000.0, experiment["best"]["metric"].get<double>(), 1e-6);
  EXPECT_NEAR(confusion["accuracy"].get<double>(), experiment["best"]["metric"].get<double>(), 1e-6);
  EXPECT_GT(confusion["macro_f1"].get<double>(), 0.1);
  EXPECT_TRUE(experiment["confusion_note"].is_null());
}

TEST_F(HtmlReport, ToyDataHasDecisionRegionsAndNoHeatmap) {
  const json experiment = experiment_data("toy2d");
  EXPECT_EQ(experiment["metric"], "train_accuracy");  // no validation split
  EXPECT_EQ(experiment["trial_count"], 6);
  EXPECT_TRUE(experiment["confusion"].is_null()) << "no validation or test split to count";
  EXPECT_TRUE(experiment["confusion_note"].is_null());
  EXPECT_TRUE(experiment["heatmap"].is_null()) << "strength is not swept";
  EXPECT_TRUE(experiment["templates"].is_null());
  const json& regions = experiment["decision_regions"];
  ASSERT_TRUE(regions.is_object()) << experiment["weights_note"];
  const int nx = regions["nx"], ny = regions["ny"];
  ASSERT_EQ(regions["labels"].size(), static_cast<std::size_t>(nx * ny));
  EXPECT_EQ(regions["class_names"].size(), 3u);
  EXPECT_EQ(regions["score_lines"].size(), 3u);
  ASSERT_EQ(regions["points"].size(), 9u);  // the demo's nine points, bias column not among them
  std::set<int> predicted(regions["labels"].begin(), regions["labels"].end());
  EXPECT_EQ(predicted.size(), 3u) << "every class owns a region";

  // The grid agrees with the trial's accuracy: the cell under each point predicts its label
  // exactly as often as the trained classifier does (up to a point on a cell's boundary).
  const double x_min = regions["x_min"], x_max = regions["x_max"], y_min = regions["y_min"], y_max = regions["y_max"];
  int agree = 0;
  for (const auto& point : regions["points"]) {
    const double x = point[0], y = point[1];
    EXPECT_TRUE(x > x_min && x < x_max && y > y_min && y < y_max);
    const int i = static_cast<int>((x - x_min) / (x_max - x_min) * nx);
    const int j = static_cast<int>((y - y_min) / (y_max - y_min) * ny);
    agree += regions["labels"][j * nx + i].get<int>() == point[2].get<int>();
  }
  const double accuracy = experiment["best"]["metric"];
  EXPECT_NEAR(agree, accuracy * 9, 1.01);
}

TEST_F(HtmlReport, RandomSearchGetsAScatterOnLogAxes) {
  const json experiment = experiment_data("random");
  const json& heatmap = experiment["heatmap"];
  ASSERT_TRUE(heatmap.is_object());
  EXPECT_FALSE(heatmap["grid"].get<bool>());
  EXPECT_EQ(heatmap["cells"].size(), 8u);
  EXPECT_EQ(heatmap["x_scale"], "log");
  EXPECT_EQ(heatmap["y_scale"], "log");
  EXPECT_TRUE(experiment["decision_regions"].is_object()) << "the spiral is 2-D";
}

TEST_F(HtmlReport, ExperimentWithoutWeightsGetsNotesInsteadOfPictures) {
  const json experiment = experiment_data("diverged");
  EXPECT_EQ(experiment["status_counts"]["diverged"], 2);
  EXPECT_TRUE(experiment["best"].is_null());
  EXPECT_TRUE(experiment["templates"].is_null());
  EXPECT_TRUE(experiment["decision_regions"].is_null());
  EXPECT_NE(experiment["weights_note"].get<std::string>().find("No trial has stored weights"), std::string::npos);
  EXPECT_TRUE(experiment["loss_curves"]["curves"].empty());
  ASSERT_EQ(experiment["marginals"].size(), 1u);
  EXPECT_TRUE(experiment["marginals"][0]["points"][0]["y"].is_null());
}

TEST_F(HtmlReport, UnknownExperimentAndBadTopAreUsageErrors) {
  HtmlOptions options;
  options.experiment = "nope";
  EXPECT_THROW(report(options), UsageError);
  options = {};
  options.top = 0;
  EXPECT_THROW(report(options), UsageError);
}

TEST_F(HtmlReport, TopLimitsTheCurvesAndLogScaleSetsTheToggle) {
  HtmlOptions options;
  options.experiment = "fmnist";
  options.top = 3;
  options.log_scale = true;
  const json curves = embedded_data(report(options))["experiments"][0]["loss_curves"];
  EXPECT_EQ(curves["curves"].size(), 3u);
  EXPECT_TRUE(curves["log_scale"].get<bool>());
}

// ---- the page in a real browser -----------------------------------------------------------------

TEST_F(HtmlReport, RendersInHeadlessChromiumWithoutErrors) {
  const std::string page = dir_->write("report.html", report({}));

  const BrowserRun dom = run_chromium(page, "--dump-dom");
  ASSERT_FALSE(dom.out.empty()) << dom.err;
  EXPECT_EQ(attribute(dom.out, "body", "data-rendered"),
            "loss-curves,heatmap,marginals,parallel-coordinates,importance,table,compare,confusion,templates,"
            "decision-regions");
  EXPECT_EQ(attribute(dom.out, "body", "data-errors"), "");
  EXPECT_EQ(attribute(dom.out, "article", "data-rendered"),
            "loss-curves,heatmap,marginals,parallel-coordinates,importance,table,compare,confusion,templates");
  EXPECT_NE(dom.out.find("data-rendered=\"loss-curves,marginals,parallel-coordinates,table,compare,decision-regions\""),
            std::string::npos)
      << "the toy data: no validation or test split, no confusion matrix";
  EXPECT_NE(dom.out.find("data-rendered=\"loss-curves,heatmap,marginals,parallel-coordinates,importance,table,compare,"
                         "confusion,decision-regions\""),
            std::string::npos)
      << "the random search";
  EXPECT_NE(dom.out.find("data-rendered=\"marginals,parallel-coordinates,table,compare\""), std::string::npos)
      << "the diverged sweep";
  EXPECT_NE(dom.out.find("No trial has stored weights"), std::string::npos);
  // What was drawn, counted in the DOM: 10 + 6 + 8 loss curves, 6 heatmap cells and 8 heatmap
  // points, 3 + 2 importance bars, 10 templates, the 12 + 6 + 8 + 2 table rows.
  auto count = [&](const std::string& needle) {
    std::size_t n = 0;
    for (auto at = dom.out.find(needle); at != std::string::npos; at = dom.out.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<polyline class=\"curve\""), 24u);
  EXPECT_EQ(count("<rect class=\"cell\""), 6u);
  EXPECT_EQ(count("<circle class=\"cell\""), 8u);
  EXPECT_EQ(count("<rect class=\"importance-bar\""), 3u + 2u);  // fmnist's and the random search's swept parameters
  EXPECT_NE(dom.out.find("All 6 completed trials have the same train_accuracy"), std::string::npos) << "the toy data";
  EXPECT_EQ(count("<canvas width=\"28\" height=\"28\" class=\"template\""), 10u);
  EXPECT_EQ(count("<tr data-trial="), 28u);
  // The best trials' confusion matrices: 10 x 10 Fashion-MNIST classes and the spiral's 3 x 3, each
  // row ending with its class's accuracy; the class names label the rows.
  EXPECT_EQ(count("<rect class=\"confusion-cell\""), 100u + 9u);
  EXPECT_EQ(count("<text class=\"class-accuracy\""), 10u + 3u);
  EXPECT_NE(dom.out.find(">Ankle boot</text>"), std::string::npos);
  EXPECT_NE(dom.out.find("<figcaption>Ankle boot</figcaption>"), std::string::npos);
  EXPECT_NE(dom.out.find("<image href=\"data:image/png;base64,"), std::string::npos) << "the decision regions";
  EXPECT_EQ(console_lines(dom.err), std::vector<std::string>{});

  // The screenshot is of the log-scale variant, so both loss axes run in a browser; a section that
  // fails to draw logs a console error there.
  HtmlOptions log_scale;
  log_scale.log_scale = true;
  const std::string log_page = dir_->write("report-log.html", report(log_scale));
  const std::string screenshot = dir_->file("report.png");
  const BrowserRun shot = run_chromium(log_page, "--screenshot=" + screenshot);
  ASSERT_TRUE(std::filesystem::exists(screenshot)) << shot.err;
  EXPECT_GT(std::filesystem::file_size(screenshot), 50u * 1024) << "a page of charts, not a blank one";
  EXPECT_EQ(console_lines(shot.err), std::vector<std::string>{});
  if (const char* keep = std::getenv("LOSSLAB_KEEP_REPORT")) {  // to look at the page by hand
    std::filesystem::copy_file(log_page, std::string(keep) + ".html", std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(screenshot, std::string(keep) + ".png", std::filesystem::copy_options::overwrite_existing);
  }
}

// ---- the pieces -------------------------------------------------------------------------------

TEST(HtmlData, JsonCannotCloseTheScriptElement) {
  const json data = {{"name", "</script><script>alert(1)</script><!--"}};
  const std::string text = json_for_script(data);
  EXPECT_EQ(text.find('<'), std::string::npos) << text;
  EXPECT_EQ(json::parse(text), data);
}

TEST(HtmlData, LongCurvesAreAveragedDownToFiveHundredPoints) {
  std::vector<std::pair<std::int64_t, double>> history;
  for (std::int64_t step = 0; step < 1200; ++step) history.emplace_back(step, step < 3 ? 10.0 * (step + 1) : 1.0);
  history[5].second = std::numeric_limits<double>::quiet_NaN();  // a NULL loss is left out
  const auto points = downsample_curve(history, 500);
  ASSERT_EQ(points.size(), 400u);  // runs of 3 steps
  EXPECT_DOUBLE_EQ(points[0].first, 1.0);
  EXPECT_DOUBLE_EQ(points[0].second, 20.0);  // mean of 10, 20, 30
  EXPECT_DOUBLE_EQ(points[1].first, 3.5);    // steps 3 and 4; step 5 was NaN
  EXPECT_DOUBLE_EQ(points.back().first, 1198.0);

  const auto short_history = downsample_curve({{0, 2.5}, {1, 2.0}}, 500);
  EXPECT_EQ(short_history, (std::vector<std::pair<double, double>>{{0, 2.5}, {1, 2.0}}));
}

TEST(Templates, DropTheBiasRowAndScaleOverAllClasses) {
  const ImageShape shape{2, 1, 1, {"a", "b"}};
  // D = 2 pixels + bias, C = 2; the bias row (100, -100) must not stretch the scale.
  const Weights weights{3, 2, true, {-1.0f, 0.0f, 100.0f, 0.5f, 1.0f, -100.0f}};
  const auto templates = make_class_templates(weights, shape);
  ASSERT_EQ(templates.pixels.size(), 2u);
  EXPECT_EQ(templates.pixels[0], (std::vector<std::uint8_t>{0, 128}));
  EXPECT_EQ(templates.pixels[1], (std::vector<std::uint8_t>{191, 255}));

  const Weights wrong_size{4, 2, true, std::vector<float>(8)};
  EXPECT_THROW(make_class_templates(wrong_size, shape), ReportError);
}

TEST(Templates, RgbPixelsComeFromTheThreePlanes) {
  const ImageShape shape{2, 1, 3, {"only"}};
  // Planes R = (0, 1), G = (2, 3), B = (4, 5); no bias row.
  const Weights weights{6, 1, false, {0, 1, 2, 3, 4, 5}};
  const auto templates = make_class_templates(weights, shape);
  EXPECT_EQ(templates.pixels[0], (std::vector<std::uint8_t>{0, 102, 204, 51, 153, 255}));
  ASSERT_TRUE(image_shape_of("cifar10"));
  EXPECT_EQ(image_shape_of("cifar10")->class_names[0], "airplane");
  EXPECT_FALSE(image_shape_of("csv"));
}

}  // namespace
}  // namespace losslab::report
