// A YAML experiment file -> a validated ExperimentConfig. Every problem in the file is reported at
// once, each as "file:line:column: message", never just the first one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "losslab/runner/params.hpp"

namespace losslab::runner {

struct Diagnostic {
  std::string file;  // the config file, or "--set" for a command-line override
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
  std::string message;
  std::string to_string() const;  // "file:line:column: message"
};

// All problems of one config; what() joins them one per line.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// What reading one config text may cost at most. A config is a page of settings, so these are far
// above any real one and far below what would hurt the machine: anchors and aliases let a few lines
// stand for billions of nodes ("billion laughs"), so nodes and depth are counted after every alias
// is expanded, and reading stops with an error at the alias that crosses a limit.
struct ConfigLimits {
  static constexpr std::size_t max_bytes = 1 << 20;  // the file (or one --set value) itself
  static constexpr std::size_t max_nodes = 50'000;   // scalars, lists and mappings, aliases expanded
  static constexpr int max_depth = 64;               // lists and mappings inside each other
};

// A list of values for one key (grid and zip axes).
struct SweepAxis {
  std::string key;  // dotted path of a sweepable key
  std::vector<ParamValue> values;
};

// One dimension of random search.
struct RandomAxis {
  enum class Distribution { uniform, log_uniform, choice };
  std::string key;
  Distribution distribution = Distribution::uniform;
  double low = 0, high = 0;        // uniform / log_uniform bounds (log_uniform: 0 < low < high)
  std::vector<ParamValue> choices;  // choice
};

// exhaustive: every trial trains every epoch. successive_halving / hyperband: trials train in
// rungs of growing epoch budgets, and only the best 1/reduction_factor of a rung go on.
enum class SearchStrategy { exhaustive, successive_halving, hyperband };
inline constexpr SearchStrategy kSearchStrategies[] = {SearchStrategy::exhaustive, SearchStrategy::successive_halving,
                                                       SearchStrategy::hyperband};
std::string to_string(SearchStrategy strategy);  // its sweep.strategy spelling

// random: the samples of the random space are drawn up front. tpe: they are chosen round by round,
// each round's by the tree-structured Parzen estimator fitted to the results of the rounds before.
enum class Sampler { random, tpe };
inline constexpr Sampler kSamplers[] = {Sampler::random, Sampler::tpe};
std::string to_string(Sampler sampler);  // its sweep.sampler spelling

struct SweepSpec {
  std::vector<SweepAxis> grid;     // cartesian product
  std::vector<SweepAxis> zip;      // paired: all the same length, the i-th values go together
  std::size_t random_trials = 0;   // samples of the random space (0 = none); tpe: rounds x batch
  std::vector<RandomAxis> random;  // the random space
  std::uint64_t random_seed = 0;   // seeds the sampling of the random space
  Sampler sampler = Sampler::random;
  std::size_t rounds = 4;          // tpe: rounds of sampling ...
  std::size_t batch = 8;           // ... of this many points each
  std::vector<std::int64_t> seeds;  // repeats: each trial once per training.seed listed (empty = once)
  std::size_t max_trials = 10000;  // an expansion larger than this is a validation error
  SearchStrategy strategy = SearchStrategy::exhaustive;
  int min_epochs = 1;              // halving: the first rung's budget (at least)
  int reduction_factor = 3;        // halving: eta, one in eta trials of a rung goes on
  bool refit = false;              // retrain the best configuration on training + validation data after the search
};

struct ExperimentConfig {
  std::string name;       // `name:`, or the file's stem when absent
  std::string file;       // the path it was read from
  std::string yaml_text;  // the file's text as read (stored with the experiment)
  std::vector<std::string> overrides;  // the --set arguments applied, in order
  ResolvedParams base;    // every non-sweep key, defaults filled in, overrides applied
  SweepSpec sweep;
};

// Reads, applies the --set overrides (each "dotted.key=YAML value"), validates, and resolves
// defaults. Checks that the dataset's files exist. Throws ConfigError with every problem found.
ExperimentConfig load_experiment_config(const std::string& path,
                                        const std::vector<std::string>& overrides = {});
// The same from text already in memory (`file` is only used in messages).
ExperimentConfig parse_experiment_config(const std::string& yaml_text, const std::string& file,
                                         const std::vector<std::string>& overrides = {});

// The documentation of every key, for runner/README.md's key table and `losslab-run --list-keys`.
struct KeyDoc {
  std::string key;            // dotted path
  std::string short_name;     // unique short name used in trial_params and the report:
                              // "learning_rate", "loss" (for loss.kind), "strength", ...
  std::string type;           // "number", "integer", "bool", "string", "enum", "list of enum", ...
  std::string default_value;  // as it would be written in YAML ("" when required)
  std::string allowed;        // allowed values or range, e.g. "> 0", "svm | squared_hinge | softmax"
  std::string description;
  bool sweepable = true;
  std::string active_when;  // "optimizer.kind is momentum or nesterov"; "" when always active
};
const std::vector<KeyDoc>& config_key_docs();
const KeyDoc* find_key_doc(const std::string& key);  // nullptr for an unknown key

}  // namespace losslab::runner
