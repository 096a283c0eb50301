// losslab-gradcheck: the analytic gradient of a config's loss + regularization against centered
// differences, on its own data (README.md here).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "losslab/runner/command_line.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/runner/guarded_main.hpp"
#include "losslab/runner/sweep_runner.hpp"
#include "trial_gradients.hpp"

static int run(int argc, char** argv) {
  using namespace losslab;
  CLI::App app{"losslab-gradcheck: check the analytic gradient of CONFIG's loss + regularization against\n"
               "centered differences in float64, on a minibatch of its training data, at the trial's initial W\n"
               "and after a few of its optimizer steps."};
  app.footer("Exit codes: 0 the check passed; 1 the worst relative error off the kinks is above the threshold,\n"
             "or every sampled coordinate sat on a kink; 2 invalid config, arguments or trial key; 3 the dataset\n"
             "could not be loaded.");
  gradcheck::GradcheckOptions options;
  app.add_option("config", options.config_path, "The experiment's YAML file")->required()->check(CLI::ExistingFile);
  app.add_option("--trial", options.trial_key, "The trial to check, by the key losslab-run --dry-run prints "
                                               "(default: the sweep's first trial)");
  app.add_option("--samples", options.samples, "Coordinates of W checked at each point, drawn at random (0: all)")
      ->capture_default_str();
  app.add_option("--steps", options.steps, "Optimizer steps of the trial's own training before the second check "
                                           "(0: check the initial W only)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--threshold", options.threshold,
                 "Largest worst relative error that passes (coordinates on a kink left out)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--set", options.overrides, "Override a config key: KEY=VALUE, as for losslab-run")->take_all();
  if (const auto exit_code = runner::parse_command_line(app, argc, argv)) return *exit_code;
  try {
    const gradcheck::GradcheckResult result = gradcheck::check_trial_gradients(options);
    gradcheck::print_gradcheck(std::cout, result, options);
    return gradcheck::exit_code(result.verdict);
  } catch (const runner::ConfigError& error) {
    for (const auto& d : error.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return runner::kExitBadConfig;
  } catch (const gradcheck::UnknownTrial& error) {
    std::fprintf(stderr, "losslab-gradcheck: %s\n", error.what());
    return runner::kExitBadConfig;
  } catch (const DatasetError& error) {
    std::fprintf(stderr, "losslab-gradcheck: cannot load the dataset: %s\n", error.what());
    return runner::kExitRuntimeError;
  }
}

int main(int argc, char** argv) {
  return losslab::runner::guarded_main("losslab-gradcheck", losslab::runner::kExitRuntimeError,
                                       [&] { return run(argc, argv); });
}
