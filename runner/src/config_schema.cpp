#include "config_schema.hpp"

#include <algorithm>
#include <cmath>

#include "compact_number.hpp"
#include "losslab/enum_names.hpp"
#include "losslab/loss.hpp"
#include "losslab/optimizer.hpp"
#include "losslab/regularizer.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/splits.hpp"
#include "losslab/trainer.hpp"

namespace losslab::runner::detail {
namespace {

Range above(double low) { return {.min = low, .min_open = true}; }
Range at_least(double low) { return {.min = low}; }
Range between(double low, bool low_open, double high, bool high_open) {
  return {.min = low, .min_open = low_open, .max = high, .max_open = high_open};
}

// The choices of keys that name a core enum come from core (enum_names.hpp); these are the runner's own.
const std::vector<std::string> kDatasetKinds{"fashion-mnist", "mnist", "cifar10", "csv", "synthetic"};
const std::vector<std::string> kShapes{"blobs", "spiral", "toy2d"};
const std::vector<std::string> kStrategies = [] {
  std::vector<std::string> names;
  for (const SearchStrategy strategy : kSearchStrategies) names.push_back(to_string(strategy));
  return names;
}();
const std::vector<std::string> kSamplerNames = [] {
  std::vector<std::string> names;
  for (const Sampler sampler : kSamplers) names.push_back(to_string(sampler));
  return names;
}();

std::vector<KeySpec> build_specs() {
  using T = ValueType;
  using I = std::int64_t;
  std::vector<KeySpec> specs{
      {.key = "name", .short_name = "name", .type = T::string, .default_value = std::string(),
       .allow_empty = false, .sweepable = false, .param = false, .default_doc = "the file's stem",
       .allowed_doc = "non-empty",
       .description = "Experiment name; trials of the same name share the database's experiment row."},

      // ---- dataset: read once per sweep, so nothing here can be swept.
      {.key = "dataset.kind", .short_name = "dataset", .type = T::enumeration,
       .default_value = std::string("fashion-mnist"), .choices = kDatasetKinds, .sweepable = false,
       .description = "Which loader reads the data. No dataset.* key can be swept: the data is loaded once per sweep."},
      {.key = "dataset.path", .short_name = "data_path", .type = T::string, .default_value = std::string(),
       .sweepable = false,
       .default_doc = "/usr/share/datasets/fashion-mnist for fashion-mnist, else required (not used by synthetic)",
       .allowed_doc = "an existing directory (fashion-mnist, mnist, cifar10) or file (csv)",
       .description = "IDX or CIFAR-10 directory, or the CSV file. A relative path is relative to the config "
                      "file's directory (to the current directory when given with --set)."},
      {.key = "dataset.test_path", .short_name = "test_path", .type = T::string, .default_value = std::string(),
       .sweepable = false, .default_doc = "\"\"", .allowed_doc = "an existing file; csv only",
       .description = "csv: a separate CSV of test examples (then dataset.test must be 0)."},
      {.key = "dataset.test", .short_name = "test", .type = T::count_or_fraction, .default_value = 0.0,
       .sweepable = false, .default_doc = "0.2 for csv (without test_path) and synthetic, else 0",
       .description = "csv, synthetic: test examples held out of the data, a count or a fraction. Must be 0 for "
                      "the kinds whose files include a test set."},
      {.key = "dataset.validation", .short_name = "validation", .type = T::count_or_fraction,
       .default_value = 0.1, .sweepable = false,
       .description = "Validation examples taken from the training data, a count or a fraction (0 = none)."},
      {.key = "dataset.limit", .short_name = "limit", .type = T::integer, .default_value = I{0},
       .range = at_least(0), .sweepable = false,
       .description = "Use only the first N training examples (0 = all)."},
      {.key = "dataset.test_limit", .short_name = "test_limit", .type = T::integer, .default_value = I{0},
       .range = at_least(0), .sweepable = false,
       .description = "Use only the first N test examples (0 = all)."},
      {.key = "dataset.preprocess", .short_name = "preprocess", .type = T::enum_list,
       .default_value = std::vector<std::string>{"standardize", "bias"}, .choices = names_of(kPreprocessSteps),
       .last_choice = to_string(PreprocessStep::bias), .sweepable = false,
       .description = "Steps fitted on the training split and applied to all splits in order; bias appends the "
                      "constant-1 feature (the bias trick)."},
      {.key = "dataset.split_seed", .short_name = "split_seed", .type = T::integer, .default_value = I{0},
       .range = at_least(0), .sweepable = false, .description = "Seeds the validation and test split."},
      {.key = "dataset.header", .short_name = "header", .type = T::boolean, .default_value = true,
       .sweepable = false,
       .description = "csv: whether the first row names the columns. false: every row is data (headerless files, "
                      "as many public datasets ship them), and label_column gives the label column's position."},
      {.key = "dataset.label_column", .short_name = "label_column", .type = T::string,
       .default_value = std::string("label"), .allow_empty = false, .sweepable = false,
       .default_doc = "label; required with header: false",
       .allowed_doc = "header true: a name in the header; header false: a 0-based column index or last",
       .description = "csv: the label column. With a header, its name (always a name: a column called last or 0 "
                      "is found by that name); without one, its 0-based position or last. Checked against the "
                      "file's first row before anything runs."},
      {.key = "dataset.synthetic.shape", .short_name = "synthetic_shape", .type = T::enumeration,
       .default_value = std::string("blobs"), .choices = kShapes, .sweepable = false,
       .description = "synthetic: Gaussian blobs, the course's spiral, or the lecture demo's 9 toy points."},
      {.key = "dataset.synthetic.classes", .short_name = "classes", .type = T::integer, .default_value = I{3},
       .range = between(2, false, 1000, false), .sweepable = false,
       .description = "synthetic blobs, spiral: number of classes."},
      {.key = "dataset.synthetic.dimension", .short_name = "dimension", .type = T::integer,
       .default_value = I{2}, .range = between(1, false, 100000, false), .sweepable = false,
       .description = "synthetic blobs: number of features (the spiral and toy2d are 2-D)."},
      {.key = "dataset.synthetic.per_class", .short_name = "per_class", .type = T::integer,
       .default_value = I{100}, .range = between(1, false, 10000000, false), .sweepable = false,
       .description = "synthetic blobs, spiral: examples per class."},
      {.key = "dataset.synthetic.spread", .short_name = "spread", .type = T::number, .default_value = 1.0,
       .range = above(0), .sweepable = false, .description = "synthetic blobs: standard deviation of each blob."},
      {.key = "dataset.synthetic.noise", .short_name = "noise", .type = T::number, .default_value = 0.2,
       .range = at_least(0), .sweepable = false, .description = "synthetic spiral: noise added to the angle."},
      {.key = "dataset.synthetic.seed", .short_name = "synthetic_seed", .type = T::integer,
       .default_value = I{0}, .range = at_least(0), .sweepable = false,
       .description = "synthetic: seeds the generated points."},
      {.key = "dataset.synthetic.generator", .short_name = "synthetic_generator", .type = T::integer,
       .default_value = I{1}, .range = between(1, false, 2, false), .sweepable = false,
       .description = "synthetic blobs: 1, one random stream on one thread (the data of every earlier "
                      "version); 2, a stream per row on every core, much faster for large data (other "
                      "numbers for the same seed, the same for any core count)."},

      // ---- loss
      {.key = "loss.kind", .short_name = "loss", .type = T::enumeration, .default_value = std::string("softmax"),
       .choices = names_of(kLossKinds),
       .description = "Multiclass SVM (Weston-Watkins hinge), its squared variant, or softmax cross-entropy."},
      {.key = "loss.margin", .short_name = "margin", .type = T::number, .default_value = 1.0, .range = above(0),
       .description = "svm, squared_hinge: the margin delta.",
       .active_when = {"loss.kind", {"svm", "squared_hinge"}}},

      // ---- regularization
      {.key = "regularization.kind", .short_name = "regularization", .type = T::enumeration,
       .default_value = std::string("l2"), .choices = names_of(kRegKinds),
       .description = "R(W): l2 = sum W^2 (no 1/2), l1 = sum |W|, elastic_net = sum (beta W^2 + |W|); max_norm "
                      "is a constraint, not a penalty."},
      {.key = "regularization.strength", .short_name = "strength", .type = T::number, .default_value = 1e-4,
       .range = at_least(0), .description = "lambda in L = mean data loss + lambda R(W).",
       .active_when = {"regularization.kind", {"l1", "l2", "elastic_net"}}},
      {.key = "regularization.beta", .short_name = "beta", .type = T::number, .default_value = 1.0,
       .range = above(0), .description = "elastic_net: weight of the squared term.",
       .active_when = {"regularization.kind", {"elastic_net"}}},
      {.key = "regularization.max_norm", .short_name = "max_norm", .type = T::number, .default_value = 3.0,
       .range = above(0), .description = "max_norm: each class's weight vector is projected back to this norm.",
       .active_when = {"regularization.kind", {"max_norm"}}},
      {.key = "regularization.regularize_bias", .short_name = "regularize_bias", .type = T::boolean,
       .default_value = false, .description = "Whether the bias row (bias trick) is penalized / constrained too.",
       .active_when = {"regularization.kind", {"none"}, true}},

      // ---- optimizer
      {.key = "optimizer.kind", .short_name = "optimizer", .type = T::enumeration,
       .default_value = std::string("sgd"), .choices = names_of(kOptimizerKinds),
       .description = "Update rule. random_search and random_local_search only evaluate the loss; gd is sgd "
                      "on the whole training set."},
      {.key = "optimizer.learning_rate", .short_name = "learning_rate", .type = T::number, .default_value = 1e-2,
       .range = above(0), .description = "Step size (also the step of random_local_search)."},
      {.key = "optimizer.batch_size", .short_name = "batch_size", .type = T::integer, .default_value = I{200},
       .range = at_least(0), .description = "Examples per step (0 = the whole training set).",
       .active_when = {"optimizer.kind", {"gd"}, true}},
      {.key = "optimizer.sampling", .short_name = "sampling", .type = T::enumeration,
       .default_value = std::string("with_replacement"), .choices = names_of(kSamplings),
       .description = "Batches drawn at random each step, or a fresh permutation each epoch."},
      {.key = "optimizer.momentum", .short_name = "momentum", .type = T::number, .default_value = 0.9,
       .range = between(0, false, 1, true), .description = "momentum, nesterov: mu.",
       .active_when = {"optimizer.kind", {"momentum", "nesterov"}}},
      {.key = "optimizer.decay_rate", .short_name = "decay_rate", .type = T::number, .default_value = 0.99,
       .range = between(0, true, 1, true), .description = "rmsprop: decay of the squared-gradient cache.",
       .active_when = {"optimizer.kind", {"rmsprop"}}},
      {.key = "optimizer.beta1", .short_name = "beta1", .type = T::number, .default_value = 0.9,
       .range = between(0, false, 1, true), .description = "adam: decay of the first moment.",
       .active_when = {"optimizer.kind", {"adam"}}},
      {.key = "optimizer.beta2", .short_name = "beta2", .type = T::number, .default_value = 0.999,
       .range = between(0, false, 1, true), .description = "adam: decay of the second moment.",
       .active_when = {"optimizer.kind", {"adam"}}},
      {.key = "optimizer.epsilon", .short_name = "epsilon", .type = T::number, .default_value = 1e-8,
       .range = above(0), .description = "adagrad, rmsprop, adam: added to the denominator.",
       .active_when = {"optimizer.kind", {"adagrad", "rmsprop", "adam"}}},
      {.key = "optimizer.search_scale", .short_name = "search_scale", .type = T::number, .default_value = 1e-3,
       .range = above(0), .description = "random_search: candidates are randn * search_scale.",
       .active_when = {"optimizer.kind", {"random_search"}}},
      {.key = "optimizer.schedule.kind", .short_name = "schedule", .type = T::enumeration,
       .default_value = std::string("constant"), .choices = names_of(kScheduleKinds),
       .description = "Learning rate per epoch e: constant; step lr*gamma^floor(e/step_epochs); exponential "
                      "lr*exp(-decay*e); inverse_time lr/(1+decay*e)."},
      {.key = "optimizer.schedule.gamma", .short_name = "gamma", .type = T::number, .default_value = 0.5,
       .range = between(0, true, 1, false), .description = "step: factor applied every step_epochs.",
       .active_when = {"optimizer.schedule.kind", {"step"}}},
      {.key = "optimizer.schedule.step_epochs", .short_name = "step_epochs", .type = T::integer,
       .default_value = I{5}, .range = at_least(1), .description = "step: epochs between two decays.",
       .active_when = {"optimizer.schedule.kind", {"step"}}},
      {.key = "optimizer.schedule.decay", .short_name = "schedule_decay", .type = T::number, .default_value = 0.1,
       .range = at_least(0), .description = "exponential, inverse_time: decay per epoch.",
       .active_when = {"optimizer.schedule.kind", {"exponential", "inverse_time"}}},

      // ---- training
      {.key = "training.epochs", .short_name = "epochs", .type = T::integer, .default_value = I{10},
       .range = between(1, false, 100000, false), .description = "Passes over the training data."},
      {.key = "training.seed", .short_name = "seed", .type = T::integer, .default_value = I{0},
       .range = at_least(0), .description = "Seeds the initial weights and the batches (sweep.seeds sets it)."},
      {.key = "training.init_scale", .short_name = "init_scale", .type = T::number, .default_value = 1e-3,
       .range = above(0), .description = "Initial W = randn * init_scale."},
      {.key = "training.epoch_train_accuracy", .short_name = "epoch_train_accuracy", .type = T::enumeration,
       .default_value = std::string("running"), .choices = names_of(kTrainAccuracies),
       .description = "What each epoch's train_accuracy measures. running: the epoch's minibatch examples "
                      "classified right at their step (free: the step's scores are at hand; what Keras "
                      "reports). sample: the end-of-epoch weights on the first eval_train_limit examples "
                      "(one more pass each epoch). The final train_accuracy always uses the whole split."},
      {.key = "training.eval_train_limit", .short_name = "eval_train_limit", .type = T::integer,
       .default_value = I{10000}, .range = at_least(0),
       .description = "epoch_train_accuracy: sample evaluates the first N training examples each epoch (0 = all).",
       .active_when = {"training.epoch_train_accuracy", {"sample"}}},

      // ---- sweep: describes the trials, so none of it is a trial parameter.
      {.key = "sweep.grid", .short_name = "grid", .type = T::special, .sweepable = false, .param = false,
       .default_doc = "{}", .type_doc = "mapping: key -> list",
       .allowed_doc = "sweepable keys -> non-empty lists of their values",
       .description = "Cartesian product; axes in the order written, the last one varying fastest."},
      {.key = "sweep.zip", .short_name = "zip", .type = T::special, .sweepable = false, .param = false,
       .default_doc = "{}", .type_doc = "mapping: key -> list",
       .allowed_doc = "sweepable keys -> lists of one common length",
       .description = "Paired axes: the i-th values of every list go together."},
      {.key = "sweep.random.trials", .short_name = "random_trials", .type = T::integer, .default_value = I{0},
       .range = between(1, false, 1000000, false), .sweepable = false, .param = false,
       .default_doc = "required with sweep.random; rounds x batch with sweep.sampler tpe",
       .description = "Samples drawn from sweep.random.space."},
      {.key = "sweep.random.seed", .short_name = "random_seed", .type = T::integer, .default_value = I{0},
       .range = at_least(0), .sweepable = false, .param = false,
       .description = "Seeds the samples of sweep.random.space (random draws, and TPE's)."},
      {.key = "sweep.random.space", .short_name = "random_space", .type = T::special, .sweepable = false,
       .param = false, .default_doc = "required with sweep.random", .type_doc = "mapping: key -> distribution",
       .allowed_doc = "{uniform: [low, high]} | {log_uniform: [low, high]} (0 < low) | {choice: [values]}",
       .description = "log_uniform samples uniformly in log space; integer keys are rounded."},
      {.key = "sweep.sampler", .short_name = "sampler", .type = T::enumeration, .default_value = std::string("random"),
       .choices = kSamplerNames, .sweepable = false, .param = false,
       .description = "How the points of sweep.random.space are chosen. random: sweep.random.trials uniform draws. "
                      "tpe: sweep.rounds rounds of sweep.batch points; round 0 draws uniformly, each later round "
                      "from the tree-structured Parzen estimator fitted to the validation accuracies of every round "
                      "before it (sweep.random.trials is then left out, or equals rounds x batch)."},
      {.key = "sweep.rounds", .short_name = "rounds", .type = T::integer, .default_value = I{4},
       .range = between(1, false, 1000000, false), .sweepable = false, .param = false,
       .description = "tpe: rounds of sampling; a round starts once every trial of the rounds before it has finished.",
       .active_when = {"sweep.sampler", {"tpe"}}},
      {.key = "sweep.batch", .short_name = "batch", .type = T::integer, .default_value = I{8},
       .range = between(1, false, 1000000, false), .sweepable = false, .param = false,
       .description = "tpe: points sampled per round, crossed with the grid, zip and seeds like random samples; a "
                      "round's trials train together (fused).",
       .active_when = {"sweep.sampler", {"tpe"}}},
      {.key = "sweep.seeds", .short_name = "seeds", .type = T::special, .sweepable = false, .param = false,
       .default_doc = "[]", .type_doc = "list of integer", .allowed_doc = "distinct integers >= 0",
       .description = "Repeats: every trial runs once per seed, which sets training.seed."},
      {.key = "sweep.strategy", .short_name = "strategy", .type = T::enumeration,
       .default_value = std::string("exhaustive"), .choices = kStrategies, .sweepable = false, .param = false,
       .description = "exhaustive: every trial trains every epoch. successive_halving: trials train in rungs of "
                      "growing epoch budgets up to training.epochs; after each rung only the best 1/reduction_factor "
                      "by validation accuracy go on, from where they stopped. hyperband: several halving brackets, "
                      "from many trials with small budgets to few with the whole budget."},
      {.key = "sweep.min_epochs", .short_name = "min_epochs", .type = T::integer, .default_value = I{1},
       .range = at_least(1), .sweepable = false, .param = false,
       .description = "The smallest rung budget: rungs end after training.epochs / reduction_factor^k epochs, "
                      "none below this.",
       .active_when = {"sweep.strategy", {"successive_halving", "hyperband"}}},
      {.key = "sweep.reduction_factor", .short_name = "reduction_factor", .type = T::integer, .default_value = I{3},
       .range = between(2, false, 100, false), .sweepable = false, .param = false,
       .description = "eta: the budget grows by this factor from rung to rung, and one in this many trials goes on.",
       .active_when = {"sweep.strategy", {"successive_halving", "hyperband"}}},
      {.key = "sweep.refit", .short_name = "refit", .type = T::boolean, .default_value = false, .sweepable = false,
       .param = false,
       .description = "After the search, train the best configuration (by validation accuracy, as the summary "
                      "ranks it) once more on the training and validation data together, and score it once on "
                      "the test split. It is recorded as a trial of its own (trials.refit_of names the search "
                      "trial) and never ranked with the search trials. Needs a validation split."},
      {.key = "sweep.max_trials", .short_name = "max_trials", .type = T::integer, .default_value = I{10000},
       .range = between(1, false, 1000000, false), .sweepable = false, .param = false,
       .description = "A sweep that expands to more trials is rejected."},
  };
  return specs;
}

bool starts_with_section(std::string_view key, std::string_view section) {
  return section.empty() || (key.size() > section.size() && key.substr(0, section.size()) == section &&
                             key[section.size()] == '.');
}

// Whole numbers in full ("1000000": a count reads better so), others compact ("1e-4").
std::string number_text(double value) {
  if (std::trunc(value) == value && std::fabs(value) < 1e15) return std::to_string(static_cast<long long>(value));
  return compact_number(value);
}

}  // namespace

const std::vector<KeySpec>& key_specs() {
  static const std::vector<KeySpec> specs = build_specs();
  return specs;
}

const KeySpec* find_key_spec(std::string_view key) {
  for (const KeySpec& spec : key_specs())
    if (spec.key == key) return &spec;
  return nullptr;
}

std::optional<std::string> retired_key_message(std::string_view key) {
  // The median rule compared a trial with the trials that happened to reach the same epoch before
  // it, so which trials it stopped changed with --jobs, MPI ranks and resume.
  static const std::map<std::string, std::string, std::less<>> kRetired{
      {"sweep.prune",
       "sweep.prune was removed: its median rule stopped a trial by comparing it with the trials that happened "
       "to run before it, so which trials it stopped depended on the order they ran in. Use sweep.strategy: "
       "successive_halving instead (with sweep.reduction_factor: 2 the better half goes on after each rung), "
       "which decides from whole rungs, the same for any --jobs, MPI ranks or resume"},
      {"sweep.prune_warmup",
       "sweep.prune_warmup belonged to the removed median rule (sweep.prune); with sweep.strategy: "
       "successive_halving, sweep.min_epochs is the smallest rung's budget"},
  };
  const auto found = kRetired.find(key);
  if (found == kRetired.end()) return std::nullopt;
  return found->second;
}

bool is_section(std::string_view path) {
  if (path.empty()) return true;
  return std::any_of(key_specs().begin(), key_specs().end(),
                     [&](const KeySpec& spec) { return starts_with_section(spec.key, path); });
}

std::vector<std::string> section_children(std::string_view section) {
  std::vector<std::string> children;
  for (const KeySpec& spec : key_specs()) {
    if (!starts_with_section(spec.key, section)) continue;
    std::string_view rest = std::string_view(spec.key).substr(section.empty() ? 0 : section.size() + 1);
    std::string child(rest.substr(0, rest.find('.')));
    if (std::find(children.begin(), children.end(), child) == children.end()) children.push_back(child);
  }
  return children;
}

bool is_active(const KeySpec& spec, const ResolvedParams& params) {
  if (spec.active_when.key.empty()) return true;
  const auto it = params.find(spec.active_when.key);
  const std::string* value = it == params.end() ? nullptr : std::get_if<std::string>(&it->second);
  const auto& listed = spec.active_when.values;
  return value && (std::find(listed.begin(), listed.end(), *value) != listed.end()) != spec.active_when.except;
}

std::string active_when_text(const KeySpec& spec) {
  if (spec.active_when.key.empty()) return "";
  std::string text = spec.active_when.key + (spec.active_when.except ? " is not " : " is ");
  const auto& values = spec.active_when.values;
  for (std::size_t i = 0; i < values.size(); ++i)
    text += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + values[i];
  return text;
}

bool Range::contains(double value) const {
  if (min && (min_open ? !(value > *min) : !(value >= *min))) return false;
  if (max && (max_open ? !(value < *max) : !(value <= *max))) return false;
  return true;
}

std::string Range::describe() const {
  if (min && max)
    return std::string(min_open ? "(" : "[") + number_text(*min) + ", " + number_text(*max) + (max_open ? ")" : "]");
  if (min) return std::string(min_open ? "> " : ">= ") + number_text(*min);
  if (max) return std::string(max_open ? "< " : "<= ") + number_text(*max);
  return "";
}

std::string type_text(const KeySpec& spec) {
  if (!spec.type_doc.empty()) return spec.type_doc;
  switch (spec.type) {
    case ValueType::number: return "number";
    case ValueType::integer: return "integer";
    case ValueType::boolean: return "bool";
    case ValueType::string: return "string";
    case ValueType::enumeration: return "enum";
    case ValueType::enum_list: return "list of enum";
    case ValueType::count_or_fraction: return "count or fraction";
    case ValueType::special: return "mapping";
  }
  return "?";
}

std::string default_text(const KeySpec& spec) {
  if (!spec.default_doc.empty()) return spec.default_doc;
  if (const double* number = std::get_if<double>(&spec.default_value)) return number_text(*number);
  if (const auto* list = std::get_if<std::vector<std::string>>(&spec.default_value)) return format_value(*list);
  return format_value(spec.default_value);
}

std::string allowed_text(const KeySpec& spec) {
  if (!spec.allowed_doc.empty()) return spec.allowed_doc;
  switch (spec.type) {
    case ValueType::boolean: return "true | false";
    case ValueType::enumeration:
    case ValueType::enum_list: {
      std::string text;
      for (const std::string& choice : spec.choices) text += (text.empty() ? "" : " | ") + choice;
      if (spec.type == ValueType::enumeration) return text;
      text = "list of " + text + "; no repeats";
      return spec.last_choice.empty() ? text : text + "; " + spec.last_choice + " last";
    }
    case ValueType::count_or_fraction: return "0, a fraction in (0, 1), or a whole count >= 1";
    case ValueType::string: return "any text";
    default: return spec.range.describe();
  }
}

}  // namespace losslab::runner::detail

namespace losslab::runner {

const std::vector<KeyDoc>& config_key_docs() {
  static const std::vector<KeyDoc> docs = [] {
    std::vector<KeyDoc> out;
    for (const detail::KeySpec& spec : detail::key_specs()) {
      out.push_back({.key = spec.key,
                     .short_name = spec.short_name,
                     .type = detail::type_text(spec),
                     .default_value = detail::default_text(spec),
                     .allowed = detail::allowed_text(spec),
                     .description = spec.description,
                     .sweepable = spec.sweepable,
                     .active_when = detail::active_when_text(spec)});
    }
    return out;
  }();
  return docs;
}

const KeyDoc* find_key_doc(const std::string& key) {
  for (const KeyDoc& doc : config_key_docs())
    if (doc.key == key) return &doc;
  return nullptr;
}

}  // namespace losslab::runner
