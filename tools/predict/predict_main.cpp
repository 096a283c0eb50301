// losslab-predict: scores raw examples with a recorded trial's weights, or evaluates them.
// Exit codes: 0 done; 1 the database could not be read or the output written; 2 bad arguments, an
// unknown trial or one without a usable model, an input that cannot be read or does not fit it.
#include <CLI/CLI.hpp>

#include <iostream>

#include "losslab/runner/command_line.hpp"
#include "losslab/runner/guarded_main.hpp"
#include "predict_command.hpp"
#include "usage_error.hpp"

namespace {

constexpr const char* kDescription =
    "Score the examples of INPUT with a trial's weights, recorded in a losslab results database: the "
    "trial's preprocessing (fitted on its training split) is applied to them first, then each gets its "
    "predicted class, its class scores and, for softmax, its class probabilities.";

constexpr const char* kFooter = R"(INPUT is read as the trial's data was: IDX images (raw or .gz) for fashion-mnist / mnist,
a CIFAR-10 batch for cifar10, CSV for csv and synthetic data; a file named *.csv or *.csv.gz is
always CSV. A CSV needs the trial's feature columns (by name, in any order); its label column is
optional. IDX labels come from --labels, or the labels file beside the images (t10k-labels-idx1-ubyte
for t10k-images-idx3-ubyte).

Output (-o FILE, default stdout; written whole or not at all): one row per example, columns
example, label (when INPUT has labels), predicted, score:CLASS..., probability:CLASS... (softmax).
--evaluate prints accuracy, per-class precision / recall / F1, macro-F1 and the confusion matrix.

Examples:
  losslab-predict results.db --best t10k-images-idx3-ubyte.gz -o predictions.csv
  losslab-predict results.db --trial 7 iris-new.csv --format json
  losslab-predict results.db --best --experiment fmnist t10k-images-idx3-ubyte.gz --evaluate

Exit codes: 0 done; 1 database unreadable or output not written; 2 bad arguments, unknown trial,
a trial without a usable model, or an input that cannot be read or does not fit the trial.
)";

}  // namespace

static int run(int argc, char** argv) {
  using namespace losslab;
  CLI::App app(kDescription, "losslab-predict");
  app.footer(kFooter);
  predictions::PredictOptions options;
  std::string trial, experiment, format, output = "-";
  app.add_option("DB", options.db, "Results database written by losslab-run")->required();
  auto* trial_option = app.add_option("--trial,-t", trial, "The trial: its id or trial_key");
  auto* best_flag = app.add_flag("--best", options.choice.best,
                                 "The experiment's best trial (highest validation accuracy, as the report ranks them)");
  trial_option->excludes(best_flag);
  app.add_option("--experiment,-e", experiment,
                 "With --best: the experiment (name or id); needed when the database holds several");
  app.add_option("INPUT", options.input.path, "The examples to score (IDX images, CIFAR-10 batch or CSV)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--labels", options.input.labels_path, "IDX images: their labels file")->check(CLI::ExistingFile);
  app.add_flag("--evaluate", options.evaluate,
               "Compare the predictions with INPUT's labels: accuracy, per-class precision / recall / F1, "
               "macro-F1, confusion matrix");
  app.add_option("--format,-f", format, "csv (default) or json; with --evaluate also table (default) or markdown")
      ->check(CLI::IsMember({"table", "csv", "json", "markdown"}));
  app.add_option("-o,--output", output, "Where to write ('-': stdout, the default)");
  if (const auto exit_code = runner::parse_command_line(app, argc, argv)) return *exit_code;
  if (trial_option->count() == 0 && !options.choice.best) {
    std::cerr << "losslab-predict: say which trial: --trial ID|KEY or --best\nRun with --help for more information.\n";
    return runner::kExitBadArguments;
  }
  if (trial_option->count() > 0) options.choice.trial = trial;
  if (!experiment.empty()) options.choice.experiment = experiment;
  if (!format.empty()) options.format = report::parse_output_format(format);

  try {
    predictions::write_output(predictions::predict(options), output);
    return 0;
  } catch (const report::UsageError& error) {
    std::cerr << "losslab-predict: " << error.what() << "\n";
    return runner::kExitBadArguments;
  } catch (const DatasetError& error) {
    std::cerr << "losslab-predict: " << error.what() << "\n";
    return runner::kExitBadArguments;
  } catch (const std::exception& error) {
    std::cerr << "losslab-predict: " << error.what() << "\n";
    return 1;
  }
}

int main(int argc, char** argv) {
  return losslab::runner::guarded_main("losslab-predict", 1, [&] { return run(argc, argv); });
}
