// losslab-gradcheck's library: the lecture's gradient check of one trial of a config, on a minibatch
// of its data, at the W it starts from and after a few of its optimizer steps (README.md here).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "losslab/gradient_check.hpp"
#include "losslab/runner/trials.hpp"

namespace losslab::gradcheck {

// The most examples checked: each sampled coordinate costs four float64 passes over the batch
// (f(W +- h) and the kink signature at both ends).
constexpr std::size_t kMaxBatch = 1000;

struct GradcheckOptions {
  std::string config_path;
  std::vector<std::string> overrides;  // KEY=VALUE, as losslab-run's --set
  std::string trial_key;               // "" = the sweep's first trial
  std::size_t samples = GradientCheckOptions{}.samples;  // coordinates checked at each point
  std::int64_t steps = 10;                               // optimizer steps before the second point (0: none)
  double threshold = kGradientCheckThreshold;
};

// One W the gradient was checked at.
struct CheckedPoint {
  std::string name;  // "initial W", "after 10 steps"
  GradientCheckReport report;
};

struct GradcheckResult {
  runner::Trial trial;
  std::size_t known_trials = 0;  // the sweep's, as losslab-run --dry-run lists them
  std::size_t batch = 0, training_examples = 0;
  std::int64_t rows = 0, classes = 0;  // W's shape
  std::vector<CheckedPoint> points;
  std::string note;                    // why a point is missing, or ""
  GradientCheckReport overall;         // every point's coordinates together
  GradientCheckVerdict verdict = GradientCheckVerdict::inconclusive;
};

// A --trial key that is not among the sweep's trials: a usage error (exit code 2).
class UnknownTrial : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The trial `key` names among `trials`, or the first when `key` is empty. Throws UnknownTrial with
// the closest key when one is close.
const runner::Trial& select_trial(const std::vector<runner::Trial>& trials, const std::string& key);

// Reads the config, loads its data and checks the trial's gradient. Throws runner::ConfigError,
// UnknownTrial, DatasetError.
GradcheckResult check_trial_gradients(const GradcheckOptions& options);

// The report: the trial, the batch, each point's worst and mean relative error and kinks, the
// worst coordinates, the verdict.
void print_gradcheck(std::ostream& out, const GradcheckResult& result, const GradcheckOptions& options);

// 0 for a pass, 1 for a fail or a check that checked nothing (every coordinate on a kink).
int exit_code(GradientCheckVerdict verdict);

}  // namespace losslab::gradcheck
