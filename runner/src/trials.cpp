#include "losslab/runner/trials.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "axis_sampling.hpp"
#include "compact_number.hpp"
#include "config_internal.hpp"
#include "losslab/stable_hash.hpp"

namespace losslab::runner {
namespace {

// Every random-search sample, drawn once (sample-major, axes in the order written) and crossed
// with the other axes.
std::vector<std::vector<ParamValue>> draw_samples(const SweepSpec& sweep) {
  std::vector<std::vector<ParamValue>> samples;
  if (sweep.random_trials == 0 || sweep.random.empty()) return samples;
  PortableRandom random(sweep.random_seed);
  for (std::size_t i = 0; i < sweep.random_trials; ++i) {
    std::vector<ParamValue> values;
    for (const RandomAxis& axis : sweep.random) values.push_back(detail::sample(axis, random));
    samples.push_back(std::move(values));
  }
  return samples;
}

std::vector<std::string> swept_keys(const SweepSpec& sweep, bool sampled) {
  std::vector<std::string> keys;
  for (const SweepAxis& axis : sweep.grid) keys.push_back(axis.key);
  for (const SweepAxis& axis : sweep.zip) keys.push_back(axis.key);
  if (sampled)
    for (const RandomAxis& axis : sweep.random) keys.push_back(axis.key);
  if (!sweep.seeds.empty()) keys.push_back("training.seed");
  return keys;
}

std::string name_value(const ParamValue& value) {
  if (const double* number = std::get_if<double>(&value)) return detail::compact_number(*number);
  return format_value(value);
}

std::string name_label(const std::string& key) {
  if (key == "optimizer.learning_rate") return "lr";
  if (key == "regularization.strength") return "reg";
  if (key == "optimizer.batch_size") return "bs";
  const detail::KeySpec* spec = detail::find_key_spec(key);
  return spec ? spec->short_name : key;
}

// Keeps the canonical text one line per key whatever a value holds.
std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// A parameter inactive for the trial's choices takes its default: the trial is then the same
// whichever value the sweep gave it, and so are its key and name.
void reset_inactive(ResolvedParams& params) {
  for (const detail::KeySpec& spec : detail::key_specs())
    if (spec.param && !detail::is_active(spec, params)) params[spec.key] = spec.default_value;
}

}  // namespace

std::vector<Trial> expand_trials(const ExperimentConfig& config) {
  const SweepSpec& sweep = config.sweep;
  if (sweep.sampler != Sampler::random)
    throw std::invalid_argument("expand_trials: sweep.sampler " + to_string(sweep.sampler) +
                                " chooses its samples from results; pass them");
  const std::uint64_t size = detail::expansion_size(sweep);
  if (size > sweep.max_trials) {
    throw ConfigError({{config.file, 0, 0,
                        "the sweep expands to " + std::to_string(size) + " trials, above sweep.max_trials = " +
                            std::to_string(sweep.max_trials)}});
  }
  return expand_trials(config, draw_samples(sweep));
}

std::vector<Trial> expand_trials(const ExperimentConfig& config, const std::vector<std::vector<ParamValue>>& samples) {
  const SweepSpec& sweep = config.sweep;
  const std::vector<std::string> swept = swept_keys(sweep, !samples.empty());
  const std::size_t zip_length = sweep.zip.empty() ? 1 : sweep.zip.front().values.size();
  const std::size_t sample_count = samples.empty() ? 1 : samples.size();
  // Without sweep.seeds each trial keeps its training.seed (the base's or a swept one).
  const std::size_t seed_count = sweep.seeds.empty() ? 1 : sweep.seeds.size();

  std::vector<Trial> trials;
  std::set<std::string> keys;
  std::vector<std::size_t> odometer(sweep.grid.size(), 0);  // the last axis turns fastest
  for (bool more = true; more;) {
    for (std::size_t z = 0; z < zip_length; ++z) {
      for (std::size_t r = 0; r < sample_count; ++r) {
        for (std::size_t s = 0; s < seed_count; ++s) {
          ResolvedParams params = config.base;
          for (std::size_t a = 0; a < sweep.grid.size(); ++a) params[sweep.grid[a].key] = sweep.grid[a].values[odometer[a]];
          for (const SweepAxis& axis : sweep.zip) params[axis.key] = axis.values.at(z);
          if (!samples.empty())
            for (std::size_t a = 0; a < sweep.random.size(); ++a) params[sweep.random[a].key] = samples[r].at(a);
          if (!sweep.seeds.empty()) params["training.seed"] = sweep.seeds[s];
          reset_inactive(params);
          std::string key = trial_key(config.name, params);
          // Identical trials (differing only in inactive parameters, or a choice drawn twice) are one.
          if (!keys.insert(key).second) continue;
          std::vector<std::string> active_swept;
          for (const std::string& swept_key : swept)
            if (detail::is_active(*detail::find_key_spec(swept_key), params)) active_swept.push_back(swept_key);
          std::string name = trial_name(params, active_swept);
          trials.push_back({std::move(key), std::move(name), std::move(params), std::move(active_swept), r});
        }
      }
    }
    more = false;
    for (std::size_t a = sweep.grid.size(); a-- > 0;) {
      if (++odometer[a] < sweep.grid[a].values.size()) {
        more = true;
        break;
      }
      odometer[a] = 0;
    }
  }
  return trials;
}

std::string trial_key(const std::string& experiment_name, const ResolvedParams& params) {
  return detail::trial_key(experiment_name, params, detail::key_specs(), detail::key_baselines());
}

namespace detail {

std::string trial_key(const std::string& experiment_name, const ResolvedParams& params,
                      const std::vector<KeySpec>& specs, const KeyBaselines& baselines) {
  // A hash of the canonical text: the active parameters whose value is not their baseline, sorted
  // (std::map iterates its keys so). A key that a new version adds with a default that keeps the
  // old behaviour leaves every key as it was; a trial whose value differs gets a new key.
  std::string canonical = "losslab-trial-v2\nexperiment=" + escaped(experiment_name) + "\n";
  for (const auto& [key, value] : params) {
    const std::string& name = key;  // clang 14 cannot capture a structured binding
    const auto spec = std::find_if(specs.begin(), specs.end(), [&](const KeySpec& s) { return s.key == name; });
    if (spec != specs.end() && !is_active(*spec, params)) continue;
    const std::string text = format_value(value);
    if (const auto baseline = baselines.find(key); baseline != baselines.end() && baseline->second == text) continue;
    canonical += key + "=" + escaped(text) + "\n";
  }
  return stable_hash_hex(canonical);
}

}  // namespace detail

std::string trial_name(const ResolvedParams& params, const std::vector<std::string>& swept) {
  std::string name = get_string(params, "loss.kind") + "/" + get_string(params, "optimizer.kind");
  for (const std::string& key : swept) {
    if (key == "loss.kind" || key == "optimizer.kind" || key == "training.seed") continue;
    const auto it = params.find(key);
    if (it != params.end()) name += "/" + name_label(key) + "=" + name_value(it->second);
  }
  return name + "/seed=" + std::to_string(get_integer(params, "training.seed"));
}

TrainerConfig to_trainer_config(const ResolvedParams& params) {
  TrainerConfig config;
  config.loss.kind = parse_loss_kind(get_string(params, "loss.kind"));
  config.loss.margin = get_number(params, "loss.margin");

  config.regularization.kind = parse_reg_kind(get_string(params, "regularization.kind"));
  config.regularization.strength = get_number(params, "regularization.strength");
  config.regularization.beta = get_number(params, "regularization.beta");
  config.regularization.max_norm = get_number(params, "regularization.max_norm");
  config.regularization.regularize_bias = get_bool(params, "regularization.regularize_bias");

  config.optimizer.kind = parse_optimizer_kind(get_string(params, "optimizer.kind"));
  config.optimizer.learning_rate = get_number(params, "optimizer.learning_rate");
  config.optimizer.momentum = get_number(params, "optimizer.momentum");
  config.optimizer.decay_rate = get_number(params, "optimizer.decay_rate");
  config.optimizer.beta1 = get_number(params, "optimizer.beta1");
  config.optimizer.beta2 = get_number(params, "optimizer.beta2");
  config.optimizer.epsilon = get_number(params, "optimizer.epsilon");
  config.optimizer.search_scale = get_number(params, "optimizer.search_scale");

  config.schedule.kind = parse_schedule_kind(get_string(params, "optimizer.schedule.kind"));
  config.schedule.gamma = get_number(params, "optimizer.schedule.gamma");
  config.schedule.step_epochs = static_cast<int>(get_integer(params, "optimizer.schedule.step_epochs"));
  config.schedule.decay = get_number(params, "optimizer.schedule.decay");

  config.training.epochs = static_cast<int>(get_integer(params, "training.epochs"));
  config.training.batch_size = static_cast<std::size_t>(get_integer(params, "optimizer.batch_size"));
  config.training.sampling = parse_sampling(get_string(params, "optimizer.sampling"));
  config.training.seed = static_cast<std::uint64_t>(get_integer(params, "training.seed"));
  config.training.init_scale = get_number(params, "training.init_scale");
  config.training.epoch_train_accuracy = parse_train_accuracy(get_string(params, "training.epoch_train_accuracy"));
  config.training.eval_train_limit = static_cast<std::size_t>(get_integer(params, "training.eval_train_limit"));
  return config;
}

}  // namespace losslab::runner
