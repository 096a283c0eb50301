// Reading experiment files: defaults, every validation error (message and file:line:column),
// --set overrides, and the generated key documentation.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "losslab/enum_names.hpp"
#include "losslab/loss.hpp"
#include "losslab/optimizer.hpp"
#include "losslab/regularizer.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/splits.hpp"
#include "losslab/trainer.hpp"
#include "support/temp_dir.hpp"

namespace losslab::runner {
namespace {

using test_support::TempDir;

const std::string kFile = "test.yaml";

std::string listed(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const Diagnostic& d : diagnostics) text += "  " + d.to_string() + "\n";
  return text;
}

// The diagnostics a config fails with (a test failure when it does not fail).
std::vector<Diagnostic> diagnostics_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    parse_experiment_config(yaml, kFile, overrides);
  } catch (const ConfigError& error) {
    return error.diagnostics();
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << yaml;
  return {};
}

// Passes when one diagnostic has exactly this message at exactly this place.
::testing::AssertionResult has_diagnostic(const std::vector<Diagnostic>& diagnostics, const std::string& file,
                                          int line, int column, const std::string& message) {
  for (const Diagnostic& d : diagnostics) {
    if (d.message != message) continue;
    if (d.file == file && d.line == line && d.column == column) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "found the message at " << d.file << ":" << d.line << ":" << d.column
                                         << ", expected " << file << ":" << line << ":" << column;
  }
  return ::testing::AssertionFailure() << "no diagnostic '" << message << "' among:\n" << listed(diagnostics);
}

ExperimentConfig parse(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    return parse_experiment_config(yaml, kFile, overrides);
  } catch (const ConfigError& error) {
    ADD_FAILURE() << "unexpected ConfigError:\n" << error.what();
    throw;
  }
}

// ---------------------------------------------------------------- malformed configs, one by one

struct Malformed {
  const char* name;
  std::string yaml;
  std::vector<std::string> overrides;
  std::string file;  // where the problem is: kFile or "--set"
  int line;
  int column;
  std::string message;
};

const std::string kSynthetic = "dataset: {kind: synthetic}\n";  // line 1 of most cases

std::vector<Malformed> malformed_configs() {
  const std::string S = kSynthetic;
  const std::string set = "--set";
  const std::string space_of = "sweep:\n  random:\n    trials: 5\n    space:\n";  // lines 2-5
  // The choices of the keys that name a core enum, as the messages list them.
  const std::string losses = joined_names(kLossKinds), steps = joined_names(kPreprocessSteps);
  return {
      // YAML itself
      {"unclosed_flow_list", S + "loss:\n  kind: [svm, softmax\ntraining:\n  epochs: 2\n", {}, kFile, 4, 9,
       "YAML syntax error: end of sequence flow not found"},
      {"tab_indentation", S + "loss:\n\tkind: svm\n", {}, kFile, 3, 6, "YAML syntax error: illegal map value"},
      {"two_documents", S + "---\nloss: {kind: svm}\n", {}, kFile, 3, 1,
       "expected one YAML document, found 2 (remove the '---' separators)"},
      {"root_not_mapping", "just some text\n", {}, kFile, 1, 1,
       "expected a mapping of sections (dataset, loss, regularization, optimizer, training, sweep), got 'just some "
       "text'"},
      {"duplicate_key", S + "loss:\n  kind: svm\n  kind: softmax\n", {}, kFile, 4, 3, "duplicate key 'kind' in loss"},
      // unknown keys
      {"unknown_top_level_key", S + "optimiser:\n  kind: sgd\n", {}, kFile, 2, 1,
       "unknown key 'optimiser' at the top level; did you mean 'optimizer'?"},
      {"unknown_section_key", S + "optimizer:\n  learning_rat: 0.1\n", {}, kFile, 3, 3,
       "unknown key 'learning_rat' in optimizer; did you mean 'learning_rate'?"},
      {"unknown_schedule_key", S + "optimizer:\n  schedule:\n    kind: step\n    gama: 0.5\n", {}, kFile, 5, 5,
       "unknown key 'gama' in optimizer.schedule; did you mean 'gamma'?"},
      {"alias_of_a_key", S + "optimizer:\n  lr: 0.1\n", {}, kFile, 3, 3,
       "unknown key 'lr' in optimizer; did you mean 'learning_rate'?"},
      {"nested_key_in_parent_section", S + "optimizer:\n  schedule_decay: 0.1\n", {}, kFile, 3, 3,
       "unknown key 'schedule_decay' in optimizer; did you mean 'schedule.decay'?"},
      // Retired keys say what replaced them, where they are written.
      {"retired_median_rule", S + "sweep:\n  prune: median\n", {}, kFile, 3, 3,
       "sweep.prune was removed: its median rule stopped a trial by comparing it with the trials that happened "
       "to run before it, so which trials it stopped depended on the order they ran in. Use sweep.strategy: "
       "successive_halving instead (with sweep.reduction_factor: 2 the better half goes on after each rung), "
       "which decides from whole rungs, the same for any --jobs, MPI ranks or resume"},
      {"retired_median_warmup", S + "sweep:\n  grid: {loss.kind: [svm]}\n  prune_warmup: 2\n", {}, kFile, 4, 3,
       "sweep.prune_warmup belonged to the removed median rule (sweep.prune); with sweep.strategy: "
       "successive_halving, sweep.min_epochs is the smallest rung's budget"},
      {"alias_as_grid_key", S + "sweep:\n  grid:\n    lambda: [0.1]\n", {}, kFile, 4, 5,
       "unknown key 'lambda' in sweep.grid; did you mean 'regularization.strength'?"},
      {"merge_key", S + "base: &b {kind: svm}\nloss:\n  <<: *b\n", {}, kFile, 4, 3,
       "merge keys ('<<') are not supported in loss: write the keys out, or use an alias for a whole value"},
      {"unknown_key_without_suggestion", S + "colour: red\n", {}, kFile, 2, 1, "unknown key 'colour' at the top level"},
      {"key_in_wrong_section", S + "training:\n  learning_rate: 0.1\n", {}, kFile, 3, 3,
       "unknown key 'learning_rate' in training; did you mean 'optimizer.learning_rate'?"},
      {"unknown_grid_key", S + "sweep:\n  grid:\n    optimizer.learning_rat: [0.1]\n", {}, kFile, 4, 5,
       "unknown key 'optimizer.learning_rat' in sweep.grid; did you mean 'optimizer.learning_rate'?"},
      {"grid_key_without_section", S + "sweep:\n  grid:\n    learning_rate: [0.1]\n", {}, kFile, 4, 5,
       "unknown key 'learning_rate' in sweep.grid; did you mean 'optimizer.learning_rate'?"},
      {"grid_key_is_a_section", S + "sweep:\n  grid:\n    optimizer: [sgd, adam]\n", {}, kFile, 4, 5,
       "unknown key 'optimizer' in sweep.grid; did you mean 'optimizer.kind'?"},
      {"dataset_key_swept", S + "sweep:\n  grid:\n    dataset.limit: [10, 20]\n", {}, kFile, 4, 5,
       "dataset.limit cannot be swept: the dataset is loaded once per sweep"},
      {"sweep_key_swept", S + "sweep:\n  grid:\n    sweep.max_trials: [1, 2]\n", {}, kFile, 4, 5,
       "sweep.max_trials cannot be swept"},
      // wrong types
      {"text_for_number", S + "optimizer:\n  learning_rate: fast\n", {}, kFile, 3, 18,
       "optimizer.learning_rate: expected a number, got 'fast'"},
      {"bool_for_number", S + "optimizer:\n  learning_rate: true\n", {}, kFile, 3, 18,
       "optimizer.learning_rate: expected a number, got 'true'"},
      {"mapping_for_number", S + "optimizer:\n  learning_rate: {value: 1}\n", {}, kFile, 3, 18,
       "optimizer.learning_rate: expected a number, got a mapping"},
      {"missing_value", S + "optimizer:\n  learning_rate:\n", {}, kFile, 3, 3,
       "optimizer.learning_rate: expected a number, got nothing"},
      {"infinite_number", S + "optimizer:\n  learning_rate: 1e999\n", {}, kFile, 3, 18,
       "optimizer.learning_rate: '1e999' is not a finite number"},
      {"fractional_integer", S + "training:\n  epochs: 2.5\n", {}, kFile, 3, 11,
       "training.epochs: expected an integer, got 2.5"},
      {"text_for_bool", S + "regularization:\n  regularize_bias: maybe\n", {}, kFile, 3, 20,
       "regularization.regularize_bias: expected true or false, got 'maybe'"},
      {"scalar_for_section", S + "loss: softmax\n", {}, kFile, 2, 7,
       "loss: expected a mapping of keys, got 'softmax'; did you mean 'loss: {kind: softmax}'?"},
      {"empty_name", "name: ''\n" + S, {}, kFile, 1, 7, "name: must not be empty"},
      // out of range
      {"negative_learning_rate", S + "optimizer:\n  learning_rate: -0.1\n", {}, kFile, 3, 18,
       "optimizer.learning_rate: must be > 0, got -0.1"},
      {"momentum_of_one", S + "optimizer:\n  momentum: 1\n", {}, kFile, 3, 13,
       "optimizer.momentum: must be in [0, 1), got 1"},
      {"zero_epochs", S + "training:\n  epochs: 0\n", {}, kFile, 3, 11, "training.epochs: must be in [1, 100000], got 0"},
      {"validation_not_count_or_fraction", "dataset:\n  kind: synthetic\n  validation: 2.5\n", {}, kFile, 3, 15,
       "dataset.validation: must be 0, a fraction in (0, 1) or a whole count >= 1, got 2.5"},
      // enums
      {"misspelled_loss", S + "loss:\n  kind: softmx\n", {}, kFile, 3, 9,
       "loss.kind: unknown value 'softmx'; allowed: " + losses + "; did you mean 'softmax'?"},
      {"unknown_optimizer", S + "optimizer:\n  kind: lbfgs\n", {}, kFile, 3, 9,
       "optimizer.kind: unknown value 'lbfgs'; allowed: " + joined_names(kOptimizerKinds)},
      // preprocessing
      {"step_after_bias", "dataset:\n  kind: synthetic\n  preprocess: [bias, standardize]\n", {}, kFile, 3, 22,
       "dataset.preprocess: 'standardize' comes after 'bias', which must be the last step"},
      {"repeated_step", "dataset:\n  kind: synthetic\n  preprocess: [standardize, standardize, bias]\n", {}, kFile, 3,
       29, "dataset.preprocess: 'standardize' is listed twice"},
      {"unknown_step", "dataset:\n  kind: synthetic\n  preprocess: [normalize, bias]\n", {}, kFile, 3, 16,
       "dataset.preprocess: unknown value 'normalize'; allowed: " + steps},
      {"preprocess_not_a_list", "dataset:\n  kind: synthetic\n  preprocess: bias\n", {}, kFile, 3, 15,
       "dataset.preprocess: expected a list of " + steps + ", got 'bias'"},
      // datasets
      {"mnist_without_path", "dataset:\n  kind: mnist\n", {}, kFile, 2, 9,
       "dataset.path is required when dataset.kind is mnist"},
      {"missing_mnist_directory", "dataset:\n  kind: mnist\n  path: /nonexistent/losslab-mnist\n", {}, kFile, 3, 9,
       "dataset.path: no such directory: /nonexistent/losslab-mnist"},
      {"missing_csv_file", "dataset:\n  kind: csv\n  path: /nonexistent/data.csv\n", {}, kFile, 3, 9,
       "dataset.path: no such file: /nonexistent/data.csv"},
      {"test_fraction_with_test_files",
       "dataset:\n  kind: fashion-mnist\n  path: " + std::string(LOSSLAB_FASHION_MNIST_DIR) + "\n  test: 0.2\n", {},
       kFile, 4, 9, "dataset.test must be 0 for fashion-mnist: its files include a test set"},
      {"test_path_without_csv", "dataset:\n  kind: synthetic\n  test_path: test.csv\n", {}, kFile, 3, 14,
       "dataset.test_path is only read when dataset.kind is csv, not synthetic"},
      // grid and zip
      {"grid_not_a_mapping", S + "sweep:\n  grid: [1, 2]\n", {}, kFile, 3, 9,
       "sweep.grid: expected a mapping of key -> list of values, got a list"},
      {"empty_grid_list", S + "sweep:\n  grid:\n    optimizer.learning_rate: []\n", {}, kFile, 4, 30,
       "optimizer.learning_rate in sweep.grid: the list of values is empty"},
      {"grid_value_not_a_list", S + "sweep:\n  grid:\n    optimizer.learning_rate: 0.1\n", {}, kFile, 4, 30,
       "optimizer.learning_rate in sweep.grid: expected a list of values, got '0.1'"},
      {"bad_value_in_grid_list", S + "sweep:\n  grid:\n    optimizer.learning_rate: [0.1, -1, 0.01]\n", {}, kFile, 4, 36,
       "optimizer.learning_rate in sweep.grid: must be > 0, got -1"},
      {"repeated_value_in_grid_list", S + "sweep:\n  grid:\n    optimizer.learning_rate: [0.1, 0.1]\n", {}, kFile, 4,
       36, "optimizer.learning_rate in sweep.grid: 0.1 is listed twice"},
      {"zip_lengths_differ",
       S + "sweep:\n  zip:\n    loss.kind: [svm, softmax]\n    optimizer.learning_rate: [0.1, 0.01, 0.001]\n", {},
       kFile, 5, 30,
       "sweep.zip: optimizer.learning_rate has 3 values but loss.kind has 2; zipped lists must have the same length"},
      {"key_in_grid_and_zip", S + "sweep:\n  grid:\n    loss.kind: [svm, softmax]\n  zip:\n    loss.kind: [svm]\n", {},
       kFile, 6, 5,
       "loss.kind is already swept by sweep.grid; a key may appear in only one of sweep.grid, sweep.zip and "
       "sweep.random.space"},
      {"grid_above_max_trials",
       S + "sweep:\n  max_trials: 10\n  grid:\n    optimizer.learning_rate: [0.1, 0.2, 0.3, 0.4]\n"
           "    regularization.strength: [0, 0.1, 0.2]\n",
       {}, kFile, 3, 15, "the sweep expands to 12 trials, above sweep.max_trials = 10"},
      // seeds
      {"negative_seed", S + "sweep:\n  seeds: [0, -1]\n", {}, kFile, 3, 14, "sweep.seeds: must be >= 0, got -1"},
      {"seeds_and_swept_seed", S + "sweep:\n  grid:\n    training.seed: [1, 2]\n  seeds: [0, 1]\n", {}, kFile, 5, 3,
       "sweep.seeds sets training.seed, which sweep.grid also sweeps"},
      // random search
      {"zero_random_trials",
       S + "sweep:\n  random:\n    trials: 0\n    space: {optimizer.learning_rate: {log_uniform: [1e-4, 1e-1]}}\n", {},
       kFile, 4, 13, "sweep.random.trials: must be in [1, 1000000], got 0"},
      {"random_without_trials",
       S + "sweep:\n  random:\n    space: {optimizer.learning_rate: {log_uniform: [1e-4, 1e-1]}}\n", {}, kFile, 3, 3,
       "sweep.random.trials is required: the number of samples to draw"},
      {"random_without_space", S + "sweep:\n  random:\n    trials: 5\n", {}, kFile, 3, 3,
       "sweep.random.space is required: the keys to sample and how"},
      {"log_uniform_from_zero", S + space_of + "      regularization.strength: {log_uniform: [0, 1e-2]}\n", {}, kFile, 6,
       46, "regularization.strength in sweep.random.space: log_uniform bounds must satisfy 0 < low < high, got [0, "
           "1e-2]"},
      {"uniform_bounds_reversed", S + space_of + "      optimizer.momentum: {uniform: [0.9, 0.5]}\n", {}, kFile, 6, 37,
       "optimizer.momentum in sweep.random.space: uniform bounds must satisfy low < high, got [0.9, 0.5]"},
      {"uniform_one_bound", S + space_of + "      optimizer.momentum: {uniform: [0.5]}\n", {}, kFile, 6, 37,
       "optimizer.momentum in sweep.random.space: expected uniform: [low, high], got a list of 1"},
      {"misspelled_distribution", S + space_of + "      optimizer.learning_rate: {loguniform: [1e-4, 1e-1]}\n", {},
       kFile, 6, 33,
       "optimizer.learning_rate in sweep.random.space: unknown distribution 'loguniform'; allowed: uniform | "
       "log_uniform | choice; did you mean 'log_uniform'?"},
      {"uniform_over_names", S + space_of + "      loss.kind: {uniform: [0, 1]}\n", {}, kFile, 6, 19,
       "loss.kind in sweep.random.space: uniform needs a numeric key; loss.kind takes names, so use choice"},
      {"bad_choice", S + space_of + "      loss.kind: {choice: [svm, hinge]}\n", {}, kFile, 6, 33,
       "loss.kind in sweep.random.space: unknown value 'hinge'; allowed: " + losses},
      {"distribution_not_a_mapping", S + space_of + "      optimizer.momentum: 0.5\n", {}, kFile, 6, 27,
       "optimizer.momentum in sweep.random.space: expected one of {uniform: [low, high]}, {log_uniform: [low, "
       "high]} or {choice: [values]}, got '0.5'"},
      // --set overrides
      {"override_without_equals", S, {"optimizer.learning_rate"}, "--set", 1, 1,
       "expected KEY=VALUE, got 'optimizer.learning_rate'"},
      {"override_unknown_key", S, {"optimizer.learning_rat=0.1"}, "--set", 1, 11,
       "unknown key 'learning_rat' in optimizer; did you mean 'learning_rate'?"},
      {"override_wrong_type", S + "optimizer:\n  learning_rate: 0.1\n", {"training.epochs=3", "optimizer.learning_rate=fast"},
       "--set", 2, 25, "optimizer.learning_rate: expected a number, got 'fast'"},
      {"override_yaml_syntax", S, {"loss.kind=[svm"}, "--set", 1, 11, "YAML syntax error: end of sequence flow not found"},
      {"override_through_a_value", S + "loss:\n  kind: svm\n", {"loss.kind.margin=1"}, "--set", 1, 6,
       "cannot set 'loss.kind.margin': loss.kind is a value, not a section"},
      {"override_empty_name", S, {"optimizer..learning_rate=1"}, "--set", 1, 11,
       "empty name in the key 'optimizer..learning_rate'"},
      {"override_grid_axis_bad_value", S, {"sweep.grid.loss.kind=[svm, hinge]"}, "--set", 1, 28,
       "loss.kind in sweep.grid: unknown value 'hinge'; allowed: " + losses},
      {"override_grid_without_key", S, {"sweep.grid.=[1]"}, "--set", 1, 12,
       "missing the key after 'sweep.grid.' in 'sweep.grid.=[1]'"},
      {"override_sweeps_dataset_key", S, {"sweep.grid.dataset.limit=[1, 2]"}, "--set", 1, 12,
       "dataset.limit cannot be swept: the dataset is loaded once per sweep"},
  };
}

void PrintTo(const Malformed& c, std::ostream* out) { *out << c.name; }

class MalformedConfig : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedConfig, ReportsTheProblemWhereItIs) {
  const Malformed& c = GetParam();
  EXPECT_TRUE(has_diagnostic(diagnostics_of(c.yaml, c.overrides), c.file, c.line, c.column, c.message));
}

INSTANTIATE_TEST_SUITE_P(Validation, MalformedConfig, ::testing::ValuesIn(malformed_configs()),
                         [](const ::testing::TestParamInfo<Malformed>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------- several problems at once

TEST(Validation, ReportsEveryProblemAtOnceSortedByPosition) {
  const std::string yaml = kSynthetic +
                           "training:\n"
                           "  epochs: 2.5\n"  // line 3
                           "optimizer:\n"
                           "  momentum: 2\n"          // line 5
                           "  learning_rate: fast\n";  // line 6
  try {
    parse_experiment_config(yaml, kFile);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    const auto& d = error.diagnostics();
    ASSERT_EQ(d.size(), 3u) << listed(d);
    EXPECT_EQ(d[0].to_string(), "test.yaml:3:11: training.epochs: expected an integer, got 2.5");
    EXPECT_EQ(d[1].to_string(), "test.yaml:5:13: optimizer.momentum: must be in [0, 1), got 2");
    EXPECT_EQ(d[2].to_string(), "test.yaml:6:18: optimizer.learning_rate: expected a number, got 'fast'");
    EXPECT_EQ(std::string(error.what()), d[0].to_string() + "\n" + d[1].to_string() + "\n" + d[2].to_string());
  }
}

TEST(Validation, OverrideProblemsComeAfterTheFilesAndAreReportedWithThem) {
  const auto d = diagnostics_of(kSynthetic + "loss:\n  kind: hinge\n", {"training.epochs=zero", "nonsense"});
  ASSERT_EQ(d.size(), 3u) << listed(d);
  EXPECT_EQ(d[0].file, kFile);
  EXPECT_EQ(d[1].to_string(), "--set:1:17: training.epochs: expected an integer, got 'zero'");
  EXPECT_EQ(d[2].to_string(), "--set:2:1: expected KEY=VALUE, got 'nonsense'");
}

// A halving search needs two rungs, trials that keep their state, and one
// epoch budget; each mistake is named where the strategy is set.
TEST(Validation, HalvingSearchesRejectWhatTheyCannotRun) {
  const std::string halving = "sweep:\n  strategy: successive_halving\n";
  auto message_of = [](const std::vector<Diagnostic>& d) { return d.size() == 1 ? d[0].message : listed(d); };
  EXPECT_EQ(message_of(diagnostics_of(kSynthetic + "training: {epochs: 2}\n" + halving)),
            "sweep.strategy: successive_halving needs at least two rungs: training.epochs (2) must be at least "
            "sweep.min_epochs x sweep.reduction_factor (1 x 3 = 3)");
  EXPECT_EQ(message_of(diagnostics_of(kSynthetic + "training: {epochs: 9}\n" + halving +
                                      "  grid:\n    optimizer.kind: [sgd, random_search]\n")),
            "sweep.strategy: successive_halving continues trials from their state at each rung, which "
            "optimizer.kind random_search does not keep; use a gradient-based optimizer");
  EXPECT_EQ(message_of(diagnostics_of(kSynthetic + "sweep:\n  strategy: hyperband\n  grid:\n    training.epochs: [9, 27]\n")),
            "sweep.strategy: hyperband sets each rung's epochs up to training.epochs, which sweep.grid sweeps; set "
            "training.epochs to the largest budget instead");
  const auto typo = diagnostics_of(kSynthetic + "sweep:\n  strategy: successive_halvin\n");
  ASSERT_EQ(typo.size(), 1u) << listed(typo);
  EXPECT_NE(typo[0].message.find("did you mean 'successive_halving'?"), std::string::npos) << typo[0].message;
  EXPECT_EQ(message_of(diagnostics_of(kSynthetic + "sweep:\n  reduction_factor: 1\n")).substr(0, 24),
            "sweep.reduction_factor: ");
  // What it accepts: the keys parse into the sweep.
  const ExperimentConfig ok = parse(kSynthetic + "training: {epochs: 27}\nsweep:\n  strategy: hyperband\n"
                                                 "  min_epochs: 3\n  reduction_factor: 2\n");
  EXPECT_EQ(ok.sweep.strategy, SearchStrategy::hyperband);
  EXPECT_EQ(ok.sweep.min_epochs, 3);
  EXPECT_EQ(ok.sweep.reduction_factor, 2);
}

// A TPE sweep samples the random space, rounds x batch points of it, and learns from validation
// accuracy; each mistake is named with the keys involved.
TEST(Validation, TpeSweepsNameTheirBadCombinations) {
  const std::string space = "  random:\n    space: {optimizer.learning_rate: {log_uniform: [1.0e-4, 1.0]}}\n";
  EXPECT_TRUE(has_diagnostic(diagnostics_of(kSynthetic + "sweep:\n  sampler: tpe\n"), kFile, 3, 12,
                             "sweep.sampler: tpe chooses points of sweep.random.space, which is missing: add the "
                             "keys to sample and how"));
  EXPECT_TRUE(has_diagnostic(diagnostics_of(kSynthetic + "sweep:\n  sampler: tpe\n  random:\n    trials: 20\n"
                                                         "    space: {loss.kind: {choice: [svm, softmax]}}\n"),
                             kFile, 5, 13,
                             "sweep.random.trials (20) is not sweep.rounds x sweep.batch (4 x 8 = 32), the samples "
                             "sweep.sampler: tpe takes; leave sweep.random.trials out"));
  EXPECT_TRUE(has_diagnostic(diagnostics_of(kSynthetic + "sweep:\n  rounds: 3\n" + space), kFile, 3, 11,
                             "sweep.rounds applies only with sweep.sampler: tpe, and the sampler is random; add "
                             "sweep.sampler: tpe or remove it"));
  EXPECT_TRUE(has_diagnostic(diagnostics_of("dataset: {kind: synthetic, validation: 0}\nsweep:\n  sampler: tpe\n" +
                                            space),
                             kFile, 3, 12,
                             "sweep.sampler: tpe learns from the trials' validation accuracy, but dataset.validation "
                             "is 0: hold out some validation examples"));
  EXPECT_TRUE(has_diagnostic(diagnostics_of(kSynthetic + "sweep:\n  sampler: tpe\n  rounds: 10\n  batch: 10\n"
                                                         "  max_trials: 50\n" + space),
                             kFile, 6, 15, "the sweep expands to 100 trials, above sweep.max_trials = 50"));
  const auto typo = diagnostics_of(kSynthetic + "sweep:\n  sampler: tpee\n" + space);
  ASSERT_EQ(typo.size(), 1u) << listed(typo);
  EXPECT_NE(typo[0].message.find("did you mean 'tpe'?"), std::string::npos) << typo[0].message;
  EXPECT_TRUE(has_diagnostic(diagnostics_of(kSynthetic + "sweep:\n  sampler: tpe\n  round: 3\n" + space), kFile, 4,
                             3, "unknown key 'round' in sweep; did you mean 'rounds'?"));
  const auto zero = diagnostics_of(kSynthetic + "sweep:\n  sampler: tpe\n  batch: 0\n" + space);
  ASSERT_EQ(zero.size(), 1u) << listed(zero);
  EXPECT_EQ(zero[0].message.substr(0, 13), "sweep.batch: ");
  // What it accepts: the keys parse into the sweep, the budget is rounds x batch samples, and a
  // sweep.random.trials that says the same is fine; grid, zip and seeds cross each point.
  const ExperimentConfig ok = parse(kSynthetic + "sweep:\n  sampler: tpe\n  rounds: 3\n  batch: 5\n"
                                                 "  seeds: [0, 1]\n  random:\n    trials: 15\n    seed: 4\n"
                                                 "    space: {optimizer.learning_rate: {log_uniform: [1.0e-4, 1.0]}}\n");
  EXPECT_EQ(ok.sweep.sampler, Sampler::tpe);
  EXPECT_EQ(ok.sweep.rounds, 3u);
  EXPECT_EQ(ok.sweep.batch, 5u);
  EXPECT_EQ(ok.sweep.random_trials, 15u);
  EXPECT_EQ(ok.sweep.random_seed, 4u);
  const ExperimentConfig random = parse(kSynthetic + "sweep:\n  random:\n    trials: 3\n"
                                                     "    space: {optimizer.learning_rate: {uniform: [0.1, 1]}}\n");
  EXPECT_EQ(random.sweep.sampler, Sampler::random);
  EXPECT_EQ(random.sweep.random_trials, 3u);
}

TEST(Validation, SweepAboveTheDefaultCapSaysHowLarge) {
  std::string first = "[", second = "[";
  for (int i = 1; i <= 120; ++i) first += (i > 1 ? ", " : "") + std::to_string(i * 1e-3);
  for (int i = 1; i <= 100; ++i) second += (i > 1 ? ", " : "") + std::to_string(i);
  const std::string yaml = kSynthetic + "sweep:\n  grid:\n    optimizer.learning_rate: " + first +
                           "]\n    optimizer.batch_size: " + second + "]\n";
  EXPECT_TRUE(has_diagnostic(diagnostics_of(yaml), kFile, 3, 3,
                             "the sweep expands to 12000 trials, above sweep.max_trials = 10000"));
}

TEST(Validation, EmptyFashionMnistDirectoryNamesTheMissingFile) {
  TempDir dir;
  const auto d = diagnostics_of("dataset:\n  path: " + dir.path().string() + "\n");
  EXPECT_TRUE(has_diagnostic(d, kFile, 2, 9,
                             "dataset.path: " + dir.path().string() +
                                 ": found none of: train-images-idx3-ubyte, train-images-idx3-ubyte.gz"));
}

TEST(Validation, MnistDirectoryWithoutTestLabelsNamesThem) {
  TempDir dir;
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"})
    dir.write(name, std::string("x"));
  const auto d = diagnostics_of("dataset:\n  kind: mnist\n  path: " + dir.path().string() + "\n");
  EXPECT_TRUE(has_diagnostic(d, kFile, 3, 9,
                             "dataset.path: " + dir.path().string() +
                                 ": found none of: t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz"));
}

TEST(Validation, Cifar10DirectoryListsEveryMissingBatch) {
  TempDir dir;
  for (const char* name : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_4.bin", "data_batch_5.bin",
                           "batches.meta.txt"})
    dir.write(name, std::string("x"));
  const auto d = diagnostics_of("dataset:\n  kind: cifar10\n  path: " + dir.path().string() + "\n");
  EXPECT_TRUE(has_diagnostic(d, kFile, 3, 9,
                             "dataset.path: " + dir.path().string() +
                                 " lacks data_batch_3.bin, test_batch.bin (a CIFAR-10 binary directory holds "
                                 "data_batch_1..5.bin, test_batch.bin and batches.meta.txt)"));
}

TEST(Validation, CsvPathThatIsADirectory) {
  TempDir dir;
  const auto d = diagnostics_of("dataset:\n  kind: csv\n  path: " + dir.path().string() + "\n");
  EXPECT_TRUE(has_diagnostic(d, kFile, 3, 9,
                             "dataset.path: " + dir.path().string() + " is a directory, not a CSV file"));
}

// The CSV's label column is checked against the file's first row while the config is read, each
// problem at the key that causes it.
TEST(Validation, CsvLabelColumnAgainstTheFile) {
  TempDir dir;
  const std::string headerless = dir.write("iris.data", std::string("5.1,3.5,1.4,Iris-setosa\n6.3,2.5,5.0,Iris-virginica\n"));
  const std::string csv = "dataset:\n  kind: csv\n  path: " + headerless + "\n";

  // Line 3 is the path: without label_column or header written, the problem is pinned there.
  EXPECT_TRUE(has_diagnostic(
      diagnostics_of(csv), kFile, 3, 9,
      "dataset.path: " + headerless +
          ": no label column 'label' in the header, and the first row looks like data, not a header (numbers): for "
          "a file without a header row set header: false and label_column to a 0-based column index or last"));
  EXPECT_TRUE(has_diagnostic(diagnostics_of(csv + "  header: false\n"), kFile, 4, 11,
                             "dataset.label_column is required when dataset.header is false: the label column's "
                             "0-based index or last"));
  EXPECT_TRUE(has_diagnostic(diagnostics_of(csv + "  header: false\n  label_column: species\n"), kFile, 5, 17,
                             "dataset.label_column: 'species' is a column name, but dataset.header is false: give "
                             "the label column's 0-based index or last"));
  EXPECT_TRUE(has_diagnostic(diagnostics_of(csv + "  header: false\n  label_column: 4\n"), kFile, 5, 17,
                             "dataset.path: " + headerless +
                                 ":1: label column index 4 is past the last column: the first row has 4 columns "
                                 "(indices 0 to 3)"));
  EXPECT_TRUE(has_diagnostic(diagnostics_of(csv + "  header: no way\n"), kFile, 4, 11,
                             "dataset.header: expected true or false, got 'no way'"));
  // With --set, the message points at the override.
  EXPECT_TRUE(has_diagnostic(diagnostics_of(csv + "  header: false\n", {"dataset.label_column=-1"}), "--set", 1, 22,
                             "dataset.label_column: '-1' is a column name, but dataset.header is false: give the "
                             "label column's 0-based index or last"));

  const ExperimentConfig last = parse(csv + "  header: false\n  label_column: last\n");
  EXPECT_EQ(last.base.at("dataset.header"), ParamValue(false));
  EXPECT_EQ(last.base.at("dataset.label_column"), ParamValue(std::string("last")));
  // A YAML integer is an index.
  EXPECT_EQ(parse(csv + "  header: false\n  label_column: 3\n").base.at("dataset.label_column"),
            ParamValue(std::string("3")));

  // The test file is checked too, and with a header a wrong name gets its did-you-mean.
  const std::string train = dir.write("train.csv", std::string("x,y,label\n1,2,0\n"));
  const std::string test = dir.write("test.csv", std::string("x,y,lable\n1,2,0\n"));
  EXPECT_TRUE(has_diagnostic(
      diagnostics_of("dataset:\n  kind: csv\n  path: " + train + "\n  test_path: " + test + "\n"), kFile, 4, 14,
      "dataset.test_path: " + test + ": no label column 'label'; did you mean 'lable'? Available columns: 'x', 'y', "
                                     "'lable'"));
  // A headerless check of a file with a header row only finds out when the data is loaded.
  EXPECT_EQ(parse("dataset:\n  kind: csv\n  path: " + train + "\n  header: false\n  label_column: 2\n")
                .base.at("dataset.label_column"),
            ParamValue(std::string("2")));
}

TEST(Validation, MissingConfigFile) {
  TempDir dir;
  const std::string path = dir.file("absent.yaml");
  try {
    load_experiment_config(path);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().size(), 1u);
    EXPECT_EQ(error.diagnostics()[0].to_string(), path + ": cannot read the config file (does it exist?)");
  }
}

TEST(Diagnostics, FormatOmitsUnknownLineAndColumn) {
  EXPECT_EQ((Diagnostic{"a.yaml", 3, 7, "bad"}).to_string(), "a.yaml:3:7: bad");
  EXPECT_EQ((Diagnostic{"a.yaml", 3, 0, "bad"}).to_string(), "a.yaml:3: bad");
  EXPECT_EQ((Diagnostic{"a.yaml", 0, 0, "bad"}).to_string(), "a.yaml: bad");
}

// ---------------------------------------------------------------- valid configs

// The example of the issue, with axes that do not overlap (a key may be swept by one mapping only).
const char* kExample = R"(name: fmnist-softmax
dataset:
  kind: fashion-mnist
  path: /usr/share/datasets/fashion-mnist
  test_path: ""
  test: 0
  validation: 0.1
  limit: 0
  preprocess: [standardize, bias]
  split_seed: 0
  label_column: label
  synthetic: {shape: blobs, classes: 3, dimension: 2, per_class: 100, spread: 1.0, noise: 0.2, seed: 0}
loss:
  kind: softmax
  margin: 1.0
regularization:
  kind: l2
  strength: 1.0e-4
  beta: 1.0
  max_norm: 3.0
  regularize_bias: false
optimizer:
  kind: sgd
  learning_rate: 1.0e-2
  batch_size: 200
  sampling: with_replacement
  momentum: 0.9
  decay_rate: 0.99
  beta1: 0.9
  beta2: 0.999
  epsilon: 1.0e-8
  search_scale: 1.0e-3
  schedule: {kind: constant, gamma: 0.5, step_epochs: 5, decay: 0.1}
training:
  epochs: 10
  seed: 0
  init_scale: 1.0e-3
  eval_train_limit: 10000
sweep:
  grid:
    regularization.strength: [1.0e-4, 1.0e-3]
  random: {trials: 20, seed: 0, space: {optimizer.learning_rate: {log_uniform: [1.0e-4, 1.0e-1]}, optimizer.momentum: {uniform: [0.5, 0.99]}}}
  zip: {loss.kind: [svm, softmax], loss.margin: [1.0, 2.0]}
  seeds: [0, 1, 2]
  max_trials: 10000
)";

// Every parameter's default, written out independently of the schema table.
const ResolvedParams kDefaults{
    {"dataset.kind", std::string("fashion-mnist")},
    {"dataset.path", std::string(LOSSLAB_FASHION_MNIST_DIR)},
    {"dataset.test_path", std::string()},
    {"dataset.test", 0.0},
    {"dataset.validation", 0.1},
    {"dataset.limit", std::int64_t{0}},
    {"dataset.test_limit", std::int64_t{0}},
    {"dataset.preprocess", std::vector<std::string>{"standardize", "bias"}},
    {"dataset.split_seed", std::int64_t{0}},
    {"dataset.header", true},
    {"dataset.label_column", std::string("label")},
    {"dataset.synthetic.shape", std::string("blobs")},
    {"dataset.synthetic.classes", std::int64_t{3}},
    {"dataset.synthetic.dimension", std::int64_t{2}},
    {"dataset.synthetic.per_class", std::int64_t{100}},
    {"dataset.synthetic.spread", 1.0},
    {"dataset.synthetic.noise", 0.2},
    {"dataset.synthetic.seed", std::int64_t{0}},
    {"dataset.synthetic.generator", std::int64_t{1}},
    {"loss.kind", std::string("softmax")},
    {"loss.margin", 1.0},
    {"regularization.kind", std::string("l2")},
    {"regularization.strength", 1e-4},
    {"regularization.beta", 1.0},
    {"regularization.max_norm", 3.0},
    {"regularization.regularize_bias", false},
    {"optimizer.kind", std::string("sgd")},
    {"optimizer.learning_rate", 1e-2},
    {"optimizer.batch_size", std::int64_t{200}},
    {"optimizer.sampling", std::string("with_replacement")},
    {"optimizer.momentum", 0.9},
    {"optimizer.decay_rate", 0.99},
    {"optimizer.beta1", 0.9},
    {"optimizer.beta2", 0.999},
    {"optimizer.epsilon", 1e-8},
    {"optimizer.search_scale", 1e-3},
    {"optimizer.schedule.kind", std::string("constant")},
    {"optimizer.schedule.gamma", 0.5},
    {"optimizer.schedule.step_epochs", std::int64_t{5}},
    {"optimizer.schedule.decay", 0.1},
    {"training.epochs", std::int64_t{10}},
    {"training.seed", std::int64_t{0}},
    {"training.init_scale", 1e-3},
    {"training.epoch_train_accuracy", std::string("running")},
    {"training.eval_train_limit", std::int64_t{10000}},
};

void expect_params_equal(const ResolvedParams& actual, const ResolvedParams& expected) {
  EXPECT_EQ(actual.size(), expected.size());
  for (const auto& [key, value] : expected) {
    const auto it = actual.find(key);
    ASSERT_NE(it, actual.end()) << key << " is not resolved";
    EXPECT_EQ(it->second.index(), value.index()) << key << " has another type";
    EXPECT_EQ(format_value(it->second), format_value(value)) << key;
  }
}

TEST(Parse, EmptyFileResolvesEveryDefault) {
  const ExperimentConfig config = parse("");
  EXPECT_EQ(config.name, "test");
  expect_params_equal(config.base, kDefaults);
  EXPECT_TRUE(config.sweep.grid.empty());
  EXPECT_TRUE(config.sweep.zip.empty());
  EXPECT_EQ(config.sweep.random_trials, 0u);
  EXPECT_TRUE(config.sweep.seeds.empty());
  EXPECT_EQ(config.sweep.max_trials, 10000u);
}

TEST(Parse, ExampleOfTheIssueFromAFile) {
  TempDir dir;
  const std::string path = dir.write("fmnist-example.yaml", std::string(kExample));
  const ExperimentConfig config = load_experiment_config(path);
  EXPECT_EQ(config.name, "fmnist-softmax");
  EXPECT_EQ(config.file, path);
  EXPECT_EQ(config.yaml_text, kExample);
  expect_params_equal(config.base, kDefaults);  // the example spells out every default

  const SweepSpec& sweep = config.sweep;
  ASSERT_EQ(sweep.grid.size(), 1u);
  EXPECT_EQ(sweep.grid[0].key, "regularization.strength");
  EXPECT_EQ(sweep.grid[0].values, (std::vector<ParamValue>{1e-4, 1e-3}));
  ASSERT_EQ(sweep.zip.size(), 2u);
  EXPECT_EQ(sweep.zip[0].key, "loss.kind");
  EXPECT_EQ(sweep.zip[0].values, (std::vector<ParamValue>{std::string("svm"), std::string("softmax")}));
  EXPECT_EQ(sweep.zip[1].values, (std::vector<ParamValue>{1.0, 2.0}));
  EXPECT_EQ(sweep.random_trials, 20u);
  ASSERT_EQ(sweep.random.size(), 2u);
  EXPECT_EQ(sweep.random[0].key, "optimizer.learning_rate");
  EXPECT_EQ(sweep.random[0].distribution, RandomAxis::Distribution::log_uniform);
  EXPECT_DOUBLE_EQ(sweep.random[0].low, 1e-4);
  EXPECT_DOUBLE_EQ(sweep.random[0].high, 1e-1);
  EXPECT_EQ(sweep.random[1].distribution, RandomAxis::Distribution::uniform);
  EXPECT_EQ(sweep.seeds, (std::vector<std::int64_t>{0, 1, 2}));
}

TEST(Parse, NameDefaultsToTheFileStem) {
  TempDir dir;
  const std::string path = dir.write("lr-sweep.v2.yaml", kSynthetic);
  EXPECT_EQ(load_experiment_config(path).name, "lr-sweep.v2");
}

TEST(Parse, NumbersAndIntegersKeepTheirKeysType) {
  const ExperimentConfig config =
      parse(kSynthetic + "optimizer:\n  learning_rate: 1\n  batch_size: 2.56e2\n  epsilon: 1e-7\ntraining:\n  epochs: 1e2\n");
  EXPECT_EQ(config.base.at("optimizer.learning_rate"), ParamValue(1.0));
  EXPECT_EQ(config.base.at("optimizer.batch_size"), ParamValue(std::int64_t{256}));
  EXPECT_EQ(config.base.at("optimizer.epsilon"), ParamValue(1e-7));
  EXPECT_EQ(config.base.at("training.epochs"), ParamValue(std::int64_t{100}));
}

TEST(Parse, YamlBoolSpellings) {
  EXPECT_EQ(parse(kSynthetic + "regularization: {regularize_bias: yes}\n").base.at("regularization.regularize_bias"),
            ParamValue(true));
  EXPECT_EQ(parse(kSynthetic + "regularization: {regularize_bias: False}\n").base.at("regularization.regularize_bias"),
            ParamValue(false));
}

TEST(Parse, DottedKeysAreTheSameAsNesting) {
  const ExperimentConfig config = parse(kSynthetic + "optimizer.learning_rate: 0.5\nloss: {kind: svm}\n");
  EXPECT_EQ(config.base.at("optimizer.learning_rate"), ParamValue(0.5));
  EXPECT_TRUE(has_diagnostic(diagnostics_of(kSynthetic + "optimizer: {learning_rate: 0.1}\noptimizer.learning_rate: 0.5\n"),
                             kFile, 3, 1, "duplicate key 'optimizer.learning_rate' at the top level"));
}

TEST(Parse, SyntheticAndCsvHoldOutATestFractionByDefault) {
  EXPECT_EQ(parse(kSynthetic).base.at("dataset.test"), ParamValue(0.2));
  EXPECT_EQ(parse("dataset: {kind: synthetic, test: 30}\n").base.at("dataset.test"), ParamValue(30.0));
}

TEST(Parse, RelativeCsvPathsAreRelativeToTheConfigFile) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "configs");
  dir.write("data.csv", std::string("label,x\n0,1\n1,2\n"));
  dir.write("test.csv", std::string("label,x\n0,1\n"));
  const std::string path = dir.write("configs/csv.yaml", std::string("dataset:\n  kind: csv\n  path: ../data.csv\n"
                                                                     "  test_path: ../test.csv\n"));
  const ExperimentConfig config = load_experiment_config(path);
  EXPECT_EQ(get_string(config.base, "dataset.path"), dir.file("data.csv"));
  EXPECT_EQ(get_string(config.base, "dataset.test_path"), dir.file("test.csv"));
  EXPECT_EQ(config.base.at("dataset.test"), ParamValue(0.0));  // the test file is the test set

  // From the file's directory, not the current one: ../data.csv does not exist relative to the cwd
  // of the tests, so a wrong base would be reported.
  const auto d = [&] {
    try {
      load_experiment_config(path, {"dataset.test=0.1"});
    } catch (const ConfigError& error) {
      return error.diagnostics();
    }
    return std::vector<Diagnostic>{};
  }();
  EXPECT_TRUE(has_diagnostic(d, "--set", 1, 14, "dataset.test must be 0 when dataset.test_path is given"));
}

TEST(Parse, OverridesReplaceScalarsAndAddSections) {
  const ExperimentConfig config =
      parse(kSynthetic + "optimizer:\n  learning_rate: 0.1\n",
            {"optimizer.learning_rate=1e-3", "training.epochs=3", "optimizer.schedule.kind=step",
             "regularization.regularize_bias=true", "sweep.seeds=[4, 5]"});
  EXPECT_EQ(config.base.at("optimizer.learning_rate"), ParamValue(1e-3));
  EXPECT_EQ(config.base.at("training.epochs"), ParamValue(std::int64_t{3}));
  EXPECT_EQ(config.base.at("optimizer.schedule.kind"), ParamValue(std::string("step")));
  EXPECT_EQ(config.base.at("regularization.regularize_bias"), ParamValue(true));
  EXPECT_EQ(config.sweep.seeds, (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(config.overrides.size(), 5u);
}

TEST(Parse, OverrideValueMayContainEquals) {
  EXPECT_EQ(parse(kSynthetic, {"name=a=b"}).name, "a=b");
}

TEST(Parse, LaterOverrideWins) {
  EXPECT_EQ(parse(kSynthetic, {"training.epochs=3", "training.epochs=4"}).base.at("training.epochs"),
            ParamValue(std::int64_t{4}));
}

// ---------------------------------------------------------------- the key table

TEST(KeyDocs, ShortNamesAreUniqueAndKeysDocumented) {
  std::set<std::string> keys, short_names;
  for (const KeyDoc& doc : config_key_docs()) {
    EXPECT_TRUE(keys.insert(doc.key).second) << "key twice: " << doc.key;
    EXPECT_TRUE(short_names.insert(doc.short_name).second) << "short name twice: " << doc.short_name;
    EXPECT_FALSE(doc.type.empty()) << doc.key;
    EXPECT_FALSE(doc.description.empty()) << doc.key;
    EXPECT_FALSE(doc.allowed.empty()) << doc.key;
    if (doc.key.starts_with("dataset.") || doc.key.starts_with("sweep.") || doc.key == "name") {
      EXPECT_FALSE(doc.sweepable) << doc.key;
    }
  }
  for (const auto& [key, value] : kDefaults) EXPECT_TRUE(keys.count(key)) << key << " is not documented";
}

// The keys that name a core enum offer core's names, in core's order.
TEST(KeyDocs, EnumKeysOfferCoreNames) {
  const std::map<std::string, std::string> expected{
      {"loss.kind", joined_names(kLossKinds)},
      {"regularization.kind", joined_names(kRegKinds)},
      {"optimizer.kind", joined_names(kOptimizerKinds)},
      {"optimizer.sampling", joined_names(kSamplings)},
      {"optimizer.schedule.kind", joined_names(kScheduleKinds)},
      {"training.epoch_train_accuracy", joined_names(kTrainAccuracies)},
      {"dataset.preprocess", "list of " + joined_names(kPreprocessSteps) + "; no repeats; bias last"},
  };
  for (const auto& [key, allowed] : expected) {
    const KeyDoc* doc = find_key_doc(key);
    ASSERT_NE(doc, nullptr) << key;
    EXPECT_EQ(doc->allowed, allowed) << key;
  }
}

TEST(KeyDocs, ChosenShortNames) {
  const std::map<std::string, std::string> expected{
      {"loss.kind", "loss"},
      {"regularization.kind", "regularization"},
      {"optimizer.kind", "optimizer"},
      {"dataset.kind", "dataset"},
      {"optimizer.schedule.kind", "schedule"},
      {"regularization.strength", "strength"},
      {"optimizer.learning_rate", "learning_rate"},
      {"dataset.path", "data_path"},
      {"dataset.synthetic.seed", "synthetic_seed"},
      {"dataset.synthetic.shape", "synthetic_shape"},
      {"optimizer.schedule.decay", "schedule_decay"},
      {"training.seed", "seed"},
  };
  for (const auto& [key, short_name] : expected) {
    const KeyDoc* doc = find_key_doc(key);
    ASSERT_NE(doc, nullptr) << key;
    EXPECT_EQ(doc->short_name, short_name) << key;
  }
  EXPECT_EQ(find_key_doc("optimizer.learning_rat"), nullptr);
  EXPECT_EQ(find_key_doc("optimizer"), nullptr);  // a section, not a key
}

std::string escape_cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// runner/README.md's key table, between its config-keys markers.
std::string render_key_table() {
  std::ostringstream out;
  out << "\n| key | short name | type | default | allowed | sweep | active when | description |\n"
      << "|---|---|---|---|---|---|---|---|\n";
  for (const KeyDoc& doc : config_key_docs()) {
    out << "| `" << doc.key << "` | " << doc.short_name << " | " << escape_cell(doc.type) << " | "
        << escape_cell(doc.default_value) << " | " << escape_cell(doc.allowed) << " | "
        << (doc.sweepable ? "yes" : "no") << " | " << (doc.active_when.empty() ? "always" : escape_cell(doc.active_when))
        << " | " << escape_cell(doc.description) << " |\n";
  }
  return out.str();
}

TEST(KeyDocs, ReadmeTableIsUpToDate) {
  const std::filesystem::path path = std::filesystem::path(LOSSLAB_SOURCE_DIR) / "runner" / "README.md";
  const std::string begin_marker = "<!-- config-keys:begin -->", end_marker = "<!-- config-keys:end -->";
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string readme = text.str();
  const auto begin = readme.find(begin_marker), end = readme.find(end_marker);
  ASSERT_NE(begin, std::string::npos) << path << " lacks " << begin_marker;
  ASSERT_NE(end, std::string::npos) << path << " lacks " << end_marker;
  ASSERT_LT(begin, end);
  const std::size_t table_start = begin + begin_marker.size();
  const std::string expected = render_key_table();
  const char* regenerate = std::getenv("LOSSLAB_REGENERATE_DOCS");
  if (regenerate && std::string(regenerate) == "1") {
    readme.replace(table_start, end - table_start, expected);
    std::ofstream(path, std::ios::binary) << readme;
    return;
  }
  EXPECT_EQ(readme.substr(table_start, end - table_start), expected)
      << "runner/README.md's config key table is out of date; regenerate it with\n"
      << "  LOSSLAB_REGENERATE_DOCS=1 build/bin/config_test --gtest_filter='KeyDocs.*'";
}

}  // namespace
}  // namespace losslab::runner

namespace losslab::runner {
namespace {

// yaml-cpp 0.7's LoadAll loops forever on a document that starts with a token that starts no node
// (found by tests/fuzz/fuzz_config). The parser must answer with an error instead of hanging.
TEST(Validation, StrayTokenAtDocumentStartIsAnErrorNotAHang) {
  for (const std::string text : {",", "loss: {kind: svm}\n---\n,\n", "]\n"}) {
    bool rejected = false;
    try {
      parse_experiment_config(text, kFile);
    } catch (const ConfigError& error) {
      rejected = true;
      EXPECT_FALSE(error.diagnostics().empty());
    }
    EXPECT_TRUE(rejected) << text;
  }
}

}  // namespace
}  // namespace losslab::runner

namespace losslab::runner {
namespace {

// A "billion laughs" document: each line's list repeats the previous anchor ten times, so `levels`
// lines stand for 10^levels scalars.
std::string alias_bomb(int levels) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < levels; ++level) {
    const std::string previous = "*a" + std::to_string(level - 1);
    text += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", " : "") + previous;
    text += "]\n";
  }
  return text + "name: bomb\n";
}

TEST(ConfigLimits, AliasBombStopsAtTheAliasThatCrossesTheNodeLimit) {
  static_assert(ConfigLimits::max_nodes == 50'000, "the hand-computed position below assumes 50000");
  const auto diagnostics = diagnostics_of(alias_bomb(8));
  ASSERT_EQ(diagnostics.size(), 1u) << listed(diagnostics);
  // Nodes counted: the root mapping 1; line 1 its key + 11 = 13; line 2 key + 1 + 10 * 11 = 125;
  // line 3 +1112 = 1237; line 4 +11112 = 12349; line 5 "a4: &a4 [*a3, *a3, ...": key and list
  // 12351, then 11111 per '*a3': 23462, 34573, 45684, 56795 > 50000 at the fourth, which starts
  // at column 10 + 3 * 5 = 25.
  EXPECT_TRUE(has_diagnostic(diagnostics, kFile, 5, 25,
                             "alias '*a3' expands the document past 50000 nodes, the limit for a config (each "
                             "alias counts every node it repeats)"));
}

TEST(ConfigLimits, AliasBombInASetValueIsStoppedToo) {
  // The override's value starts at column 5 of the argument ("x=[...]" after "name").
  std::string bomb = "[";
  for (int i = 0; i < 60; ++i) bomb += (i ? "," : "") + std::string("&b") + std::to_string(i) + " [y,y,y,y,y,y,y,y,y,y]";
  bomb += "]";
  // 60 lists of 11 nodes stay within the limit (661 nodes): a legal value, just not a valid key.
  const auto small = diagnostics_of(kSynthetic, {"colour=" + bomb});
  ASSERT_EQ(small.size(), 1u) << listed(small);
  EXPECT_NE(small[0].message.find("unknown key 'colour'"), std::string::npos) << small[0].message;
  // A nested bomb through --set: four levels of ten aliases each.
  const std::string nested = "sweep.grid.optimizer.learning_rate=[&q [&p [1,1,1,1,1,1,1,1,1,1], *p,*p,*p,*p,*p,*p,*p,"
                             "*p,*p], *q,*q,*q,*q,*q,*q,*q,*q,*q, [*q,*q,*q,*q,*q,*q,*q,*q,*q,*q]]";
  const auto big = diagnostics_of(kSynthetic, {nested});
  ASSERT_FALSE(big.empty());
  EXPECT_EQ(big[0].file, "--set");
  EXPECT_EQ(big[0].line, 1);
  // ~1,100 nodes: within the limit; it fails only as a grid of lists rather than numbers.
  EXPECT_EQ(big[0].message.find("past 50000 nodes"), std::string::npos) << big[0].message;
  std::string wide = "sweep.grid.optimizer.learning_rate=[&r [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]";
  for (int i = 0; i < 3000; ++i) wide += ",*r";
  wide += "]";
  const auto crossed = diagnostics_of(kSynthetic, {wide});
  ASSERT_EQ(crossed.size(), 1u) << listed(crossed);
  EXPECT_EQ(crossed[0].file, "--set");
  EXPECT_NE(crossed[0].message.find("alias '*r' expands the document past 50000 nodes"), std::string::npos)
      << crossed[0].message;
}

TEST(ConfigLimits, AliasesWithinTheLimitKeepWorking) {
  const ExperimentConfig config = parse(
      "dataset: {kind: synthetic}\n"
      "loss: &loss {kind: softmax}\n"
      "sweep:\n"
      "  grid:\n"
      "    optimizer.learning_rate: &rates [1.0e-3, 1.0e-2]\n"
      "    regularization.strength: *rates\n");
  ASSERT_EQ(config.sweep.grid.size(), 2u);
  EXPECT_EQ(config.sweep.grid[0].values, config.sweep.grid[1].values);
  EXPECT_EQ(config.sweep.grid[1].values.size(), 2u);
}

TEST(ConfigLimits, TooDeepNestingSaysHowDeepAndTheLimit) {
  const int levels = ConfigLimits::max_depth + 1;
  // "a: " + 65 '[' : the root mapping is level 1, so the 64th '[' (column 3 + 64) is level 65.
  const std::string text = "a: " + std::string(3000, '[') + std::string(3000, ']') + "\n";
  const auto diagnostics = diagnostics_of(text);
  ASSERT_EQ(diagnostics.size(), 1u) << listed(diagnostics);
  EXPECT_TRUE(has_diagnostic(diagnostics, kFile, 1, 3 + levels - 1,
                             "this list nests the document 65 levels deep, past the limit of 64"));
  // An alias counts its anchor's depth where it stands: the root mapping, 30 lists, then the
  // anchor's 40 levels make 71.
  const std::string deep_anchor = "a: &d " + std::string(40, '[') + std::string(40, ']') + "\n" +
                                  "b: " + std::string(30, '[') + "*d" + std::string(30, ']') + "\n";
  const auto via_alias = diagnostics_of(deep_anchor);
  ASSERT_EQ(via_alias.size(), 1u) << listed(via_alias);
  EXPECT_EQ(via_alias[0].line, 2);
  EXPECT_EQ(via_alias[0].message, "alias '*d' nests the document 71 levels deep, past the limit of 64");
}

TEST(ConfigLimits, AnAliasInsideItsOwnAnchorIsAnError) {
  const auto diagnostics = diagnostics_of("a: &a [1, *a]\n");
  ASSERT_EQ(diagnostics.size(), 1u) << listed(diagnostics);
  EXPECT_TRUE(has_diagnostic(diagnostics, kFile, 1, 11, "alias '*a' refers to a node that contains it"));
}

TEST(ConfigLimits, ALargeTextIsRefusedBeforeItIsParsed) {
  const std::string text = "name: big\n#" + std::string(ConfigLimits::max_bytes, 'x') + "\n";
  const auto diagnostics = diagnostics_of(text);
  ASSERT_EQ(diagnostics.size(), 1u) << listed(diagnostics);
  EXPECT_EQ(diagnostics[0].message, "the text is " + std::to_string(text.size()) +
                                        " bytes, past the limit of 1048576 bytes for a config");
  // A path that never ends (a device) is read only up to the limit.
  try {
    load_experiment_config("/dev/zero");
    ADD_FAILURE() << "/dev/zero was accepted";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().size(), 1u);
    EXPECT_EQ(error.diagnostics()[0].message, "the file is larger than 1048576 bytes, the limit for a config");
  }
}

}  // namespace
}  // namespace losslab::runner
