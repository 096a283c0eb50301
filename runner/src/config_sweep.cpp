// sweep.*: grid, zip and random axes, seeds, pruning and the size of the expansion.
#include <algorithm>
#include <limits>

#include "config_internal.hpp"
#include "losslab/runner/did_you_mean.hpp"
#include "yaml_values.hpp"

namespace losslab::runner::detail {
namespace {

std::vector<std::string> sweepable_keys() {
  std::vector<std::string> keys;
  for (const KeySpec& spec : key_specs())
    if (spec.sweepable) keys.push_back(spec.key);
  return keys;
}

bool is_numeric(const KeySpec& spec) { return spec.type == ValueType::number || spec.type == ValueType::integer; }

class SweepReader {
 public:
  SweepReader(const WrittenConfig& written, Diagnostics& diagnostics) : written_(written), diagnostics_(diagnostics) {}

  SweepSpec read() {
    sweep_.grid = read_axes("sweep.grid");
    sweep_.zip = read_axes("sweep.zip");
    check_zip_lengths();
    read_sampler();
    read_random();
    read_seeds();
    sweep_.random_seed = static_cast<std::uint64_t>(integer("sweep.random.seed"));
    check_tpe();
    sweep_.max_trials = static_cast<std::size_t>(integer("sweep.max_trials"));
    check_size();
    read_strategy();
    read_refit();
    return std::move(sweep_);
  }

 private:
  const ParamValue& value(const std::string& key) const {
    const auto it = written_.values.find(key);
    return it != written_.values.end() ? it->second.value : find_key_spec(key)->default_value;
  }
  std::int64_t integer(const std::string& key) const { return std::get<std::int64_t>(value(key)); }
  std::string text(const std::string& key) const { return std::get<std::string>(value(key)); }

  // The schema entry of an axis key, or nullptr after saying why it cannot be swept.
  const KeySpec* axis_spec(const YamlNode::Entry& entry, const std::string& where) {
    const KeySpec* spec = find_key_spec(entry.key);
    if (!spec) {
      std::string suggestion = did_you_mean(entry.key, sweepable_keys());
      if (suggestion.empty()) {
        if (const auto target = key_for_name(entry.key)) suggestion = "; did you mean '" + *target + "'?";
      }
      diagnostics_.error(entry.key_location, "unknown key '" + entry.key + "' in " + where + suggestion);
      return nullptr;
    }
    if (!spec->sweepable) {
      diagnostics_.error(entry.key_location, entry.key.starts_with("dataset.")
                                                 ? entry.key + " cannot be swept: the dataset is loaded once per sweep"
                                                 : entry.key + " cannot be swept");
      return nullptr;
    }
    if (const auto it = swept_by_.find(spec->key); it != swept_by_.end()) {
      diagnostics_.error(entry.key_location, entry.key + " is already swept by " + it->second +
                                                 "; a key may appear in only one of sweep.grid, sweep.zip and "
                                                 "sweep.random.space");
      return nullptr;
    }
    swept_by_[spec->key] = where;
    return spec;
  }

  // The entries of a sweep mapping (grid, zip, space), or nothing after reporting a wrong shape.
  const YamlNode* mapping(const std::string& key, const char* expected) {
    const auto it = written_.specials.find(key);
    if (it == written_.specials.end() || it->second.node->is_null()) return nullptr;
    if (!it->second.node->is_mapping()) {
      diagnostics_.error(it->second.node->location,
                         key + ": expected " + expected + ", got " + describe_node(*it->second.node));
      return nullptr;
    }
    std::set<std::string> seen;
    for (const YamlNode::Entry& entry : it->second.node->entries)
      if (!seen.insert(entry.key).second)
        diagnostics_.error(entry.key_location, "duplicate key '" + entry.key + "' in " + key);
    return it->second.node;
  }

  // A non-empty list of distinct valid values for `spec`, or nullopt.
  std::optional<std::vector<ParamValue>> value_list(const KeySpec& spec, const YamlNode& node,
                                                    const std::string& label, bool distinct) {
    if (!node.is_sequence()) {
      diagnostics_.error(node.location, label + ": expected a list of values, got " + describe_node(node));
      return std::nullopt;
    }
    if (node.items.empty()) {
      diagnostics_.error(node.location, label + ": the list of values is empty");
      return std::nullopt;
    }
    std::vector<ParamValue> values;
    bool valid = true;
    for (const YamlNode& item : node.items) {
      auto value = parse_value(spec, item, label, diagnostics_);
      if (!value) {
        valid = false;
      } else if (distinct && std::find(values.begin(), values.end(), *value) != values.end()) {
        diagnostics_.error(item.location, label + ": " + format_value(*value) + " is listed twice");
        valid = false;
      } else {
        values.push_back(std::move(*value));
      }
    }
    if (!valid) return std::nullopt;
    return values;
  }

  std::vector<SweepAxis> read_axes(const std::string& key) {
    std::vector<SweepAxis> axes;
    const YamlNode* node = mapping(key, "a mapping of key -> list of values");
    if (!node) return axes;
    for (const YamlNode::Entry& entry : node->entries) {
      const KeySpec* spec = axis_spec(entry, key);
      if (!spec) continue;
      // A zip list may repeat a value: only whole tuples need to differ.
      auto values = value_list(*spec, entry.value, entry.key + " in " + key, key == "sweep.grid");
      if (values) {
        axes.push_back({spec->key, std::move(*values)});
        axis_locations_[key + ":" + spec->key] = entry.value.location;
      }
    }
    return axes;
  }

  void check_zip_lengths() {
    if (sweep_.zip.size() < 2) return;
    const SweepAxis& first = sweep_.zip.front();
    for (const SweepAxis& axis : sweep_.zip) {
      if (axis.values.size() == first.values.size()) continue;
      diagnostics_.error(axis_locations_["sweep.zip:" + axis.key],
                         "sweep.zip: " + axis.key + " has " + std::to_string(axis.values.size()) + " values but " +
                             first.key + " has " + std::to_string(first.values.size()) +
                             "; zipped lists must have the same length");
    }
  }

  void read_sampler() {
    sweep_.sampler = text("sweep.sampler") == to_string(Sampler::tpe) ? Sampler::tpe : Sampler::random;
    sweep_.rounds = static_cast<std::size_t>(integer("sweep.rounds"));
    sweep_.batch = static_cast<std::size_t>(integer("sweep.batch"));
    // An unknown sampler is reported already; what it would require is not known.
    if (sweep_.sampler == Sampler::tpe || written_.invalid.count("sweep.sampler")) return;
    // Most likely a forgotten `sampler: tpe`: running random search instead would go unnoticed.
    for (const std::string key : {"sweep.rounds", "sweep.batch"})
      if (written_.has(key))
        diagnostics_.error(written_.where(key), key + " applies only with sweep.sampler: tpe, and the sampler is " +
                                                    text("sweep.sampler") + "; add sweep.sampler: tpe or remove it");
  }

  void read_random() {
    const bool tpe = sweep_.sampler == Sampler::tpe;
    const bool present = written_.sections.count("sweep.random") || written_.has("sweep.random.trials") ||
                         written_.specials.count("sweep.random.space");
    if (!present) {
      if (tpe)
        diagnostics_.error(written_.where("sweep.sampler"), "sweep.sampler: tpe chooses points of sweep.random.space, "
                                                            "which is missing: add the keys to sample and how");
      return;
    }
    const auto section = written_.sections.find("sweep.random");
    const Location random_location =
        section != written_.sections.end() ? section->second : written_.where("sweep.random.trials");
    if (written_.has("sweep.random.trials")) {
      sweep_.random_trials = static_cast<std::size_t>(integer("sweep.random.trials"));
    } else if (!written_.invalid.count("sweep.random.trials") && !written_.invalid.count("sweep.sampler") && !tpe) {
      diagnostics_.error(random_location, "sweep.random.trials is required: the number of samples to draw");
    }
    const YamlNode* space = mapping("sweep.random.space", "a mapping of key -> distribution");
    if (!written_.specials.count("sweep.random.space")) {
      diagnostics_.error(random_location, "sweep.random.space is required: the keys to sample and how");
    } else if (space && space->entries.empty()) {
      diagnostics_.error(written_.where("sweep.random.space"), "sweep.random.space is empty");
    }
    if (!space) return;
    for (const YamlNode::Entry& entry : space->entries) {
      const KeySpec* spec = axis_spec(entry, "sweep.random.space");
      if (spec) {
        if (auto axis = random_axis(*spec, entry.value)) sweep_.random.push_back(std::move(*axis));
      }
    }
  }

  std::optional<RandomAxis> random_axis(const KeySpec& spec, const YamlNode& node) {
    const std::string label = spec.key + " in sweep.random.space";
    const std::string shapes = "{uniform: [low, high]}, {log_uniform: [low, high]} or {choice: [values]}";
    if (!node.is_mapping() || node.entries.size() != 1) {
      diagnostics_.error(node.location, label + ": expected one of " + shapes + ", got " + describe_node(node));
      return std::nullopt;
    }
    const YamlNode::Entry& distribution = node.entries.front();
    RandomAxis axis;
    axis.key = spec.key;
    if (distribution.key == "choice") {
      axis.distribution = RandomAxis::Distribution::choice;
      auto values = value_list(spec, distribution.value, label, true);
      if (!values) return std::nullopt;
      axis.choices = std::move(*values);
      return axis;
    }
    if (distribution.key == "uniform") {
      axis.distribution = RandomAxis::Distribution::uniform;
    } else if (distribution.key == "log_uniform") {
      axis.distribution = RandomAxis::Distribution::log_uniform;
    } else {
      diagnostics_.error(distribution.key_location,
                         label + ": unknown distribution '" + distribution.key + "'; allowed: uniform | log_uniform | choice" +
                             did_you_mean(distribution.key, {"uniform", "log_uniform", "choice"}));
      return std::nullopt;
    }
    if (!is_numeric(spec)) {
      diagnostics_.error(distribution.key_location, label + ": " + distribution.key + " needs a numeric key; " +
                                                        spec.key + " takes names, so use choice");
      return std::nullopt;
    }
    const YamlNode& bounds = distribution.value;
    if (!bounds.is_sequence() || bounds.items.size() != 2) {
      diagnostics_.error(bounds.location, label + ": expected " + distribution.key + ": [low, high], got " +
                                              (bounds.is_sequence() ? "a list of " + std::to_string(bounds.items.size())
                                                                    : describe_node(bounds)));
      return std::nullopt;
    }
    const auto low = parse_value(spec, bounds.items[0], label, diagnostics_);
    const auto high = parse_value(spec, bounds.items[1], label, diagnostics_);
    if (!low || !high) return std::nullopt;
    const auto as_double = [](const ParamValue& v) {
      const auto* i = std::get_if<std::int64_t>(&v);
      return i ? static_cast<double>(*i) : std::get<double>(v);
    };
    axis.low = as_double(*low);
    axis.high = as_double(*high);
    if (axis.distribution == RandomAxis::Distribution::log_uniform && !(0 < axis.low && axis.low < axis.high)) {
      diagnostics_.error(bounds.location, label + ": log_uniform bounds must satisfy 0 < low < high, got [" +
                                              bounds.items[0].scalar + ", " + bounds.items[1].scalar + "]");
      return std::nullopt;
    }
    if (axis.distribution == RandomAxis::Distribution::uniform && !(axis.low < axis.high)) {
      diagnostics_.error(bounds.location, label + ": uniform bounds must satisfy low < high, got [" +
                                              bounds.items[0].scalar + ", " + bounds.items[1].scalar + "]");
      return std::nullopt;
    }
    return axis;
  }

  void read_seeds() {
    const auto it = written_.specials.find("sweep.seeds");
    if (it == written_.specials.end()) return;
    const auto values = value_list(*find_key_spec("training.seed"), *it->second.node, "sweep.seeds", true);
    if (!values) return;
    for (const ParamValue& seed : *values) sweep_.seeds.push_back(std::get<std::int64_t>(seed));
    if (const auto swept = swept_by_.find("training.seed"); swept != swept_by_.end())
      diagnostics_.error(it->second.key_location,
                         "sweep.seeds sets training.seed, which " + swept->second + " also sweeps");
  }

  // TPE spends rounds x batch samples and learns from validation accuracy.
  void check_tpe() {
    if (sweep_.sampler != Sampler::tpe) return;
    const std::size_t budget = sweep_.rounds * sweep_.batch;  // each at most 10^6: no overflow
    if (written_.has("sweep.random.trials") && sweep_.random_trials != budget)
      diagnostics_.error(written_.where("sweep.random.trials"),
                         "sweep.random.trials (" + std::to_string(sweep_.random_trials) +
                             ") is not sweep.rounds x sweep.batch (" + std::to_string(sweep_.rounds) + " x " +
                             std::to_string(sweep_.batch) + " = " + std::to_string(budget) +
                             "), the samples sweep.sampler: tpe takes; leave sweep.random.trials out");
    sweep_.random_trials = budget;
    if (std::get<double>(value("dataset.validation")) == 0)
      diagnostics_.error(written_.where("sweep.sampler"),
                         "sweep.sampler: tpe learns from the trials' validation accuracy, but dataset.validation is "
                         "0: hold out some validation examples");
  }

  void check_size() {
    const std::uint64_t size = expansion_size(sweep_);
    if (size <= sweep_.max_trials) return;
    const Location where = written_.has("sweep.max_trials") ? written_.where("sweep.max_trials")
                                                            : written_.where("sweep.grid");
    diagnostics_.error(where, "the sweep expands to " + std::to_string(size) + " trials, above sweep.max_trials = " +
                                  std::to_string(sweep_.max_trials));
  }

  // The rungs of a halving search need a budget to halve and trials that can stop and go on at an
  // epoch's end.
  void read_strategy() {
    const std::string strategy = text("sweep.strategy");
    for (const SearchStrategy kind : kSearchStrategies)
      if (to_string(kind) == strategy) sweep_.strategy = kind;
    sweep_.min_epochs = static_cast<int>(integer("sweep.min_epochs"));
    sweep_.reduction_factor = static_cast<int>(integer("sweep.reduction_factor"));
    if (sweep_.strategy == SearchStrategy::exhaustive) return;
    const Location at = written_.where("sweep.strategy");
    if (const auto swept = swept_by_.find("training.epochs"); swept != swept_by_.end())
      diagnostics_.error(at, "sweep.strategy: " + strategy + " sets each rung's epochs up to training.epochs, which " +
                                 swept->second + " sweeps; set training.epochs to the largest budget instead");
    const std::int64_t epochs = integer("training.epochs");
    const std::int64_t first_two = static_cast<std::int64_t>(sweep_.min_epochs) * sweep_.reduction_factor;
    if (epochs < first_two)
      diagnostics_.error(at, "sweep.strategy: " + strategy + " needs at least two rungs: training.epochs (" +
                                 std::to_string(epochs) + ") must be at least sweep.min_epochs x " +
                                 "sweep.reduction_factor (" + std::to_string(sweep_.min_epochs) + " x " +
                                 std::to_string(sweep_.reduction_factor) + " = " + std::to_string(first_two) + ")");
    for (const std::string& kind : optimizer_kinds())
      if (kind == "random_search" || kind == "random_local_search")
        diagnostics_.error(at, "sweep.strategy: " + strategy + " continues trials from their state at each rung, "
                                   "which optimizer.kind " + kind + " does not keep; use a gradient-based optimizer");
  }

  // The best configuration is chosen by validation accuracy, and the refit trains on the validation
  // examples: without them there is neither a choice to make nor anything to add.
  void read_refit() {
    sweep_.refit = std::get<bool>(value("sweep.refit"));
    if (sweep_.refit && std::get<double>(value("dataset.validation")) == 0)
      diagnostics_.error(written_.where("sweep.refit"),
                         "sweep.refit: true retrains the best configuration by validation accuracy on the training "
                         "and validation data, but dataset.validation is 0: hold out some validation examples "
                         "(e.g. dataset.validation: 0.1) or remove sweep.refit");
  }

  // Every optimizer.kind some trial of the sweep may use.
  std::vector<std::string> optimizer_kinds() const {
    std::vector<std::string> kinds;
    if (!swept_by_.count("optimizer.kind")) kinds.push_back(text("optimizer.kind"));
    for (const auto* axes : {&sweep_.grid, &sweep_.zip})
      for (const SweepAxis& axis : *axes)
        if (axis.key == "optimizer.kind")
          for (const ParamValue& value : axis.values) kinds.push_back(std::get<std::string>(value));
    for (const RandomAxis& axis : sweep_.random)
      if (axis.key == "optimizer.kind")
        for (const ParamValue& value : axis.choices) kinds.push_back(std::get<std::string>(value));
    return kinds;
  }

  const WrittenConfig& written_;
  Diagnostics& diagnostics_;
  SweepSpec sweep_;
  std::map<std::string, std::string> swept_by_;      // axis key -> the mapping that sweeps it
  std::map<std::string, Location> axis_locations_;  // "sweep.zip:key" -> its list
};

std::uint64_t saturating_product(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return std::numeric_limits<std::uint64_t>::max();
  return a * b;
}

}  // namespace

}  // namespace losslab::runner::detail

namespace losslab::runner {

std::string to_string(Sampler sampler) { return sampler == Sampler::tpe ? "tpe" : "random"; }

std::string to_string(SearchStrategy strategy) {
  switch (strategy) {
    case SearchStrategy::exhaustive: return "exhaustive";
    case SearchStrategy::successive_halving: return "successive_halving";
    case SearchStrategy::hyperband: return "hyperband";
  }
  return "?";
}

}  // namespace losslab::runner

namespace losslab::runner::detail {

std::uint64_t expansion_size(const SweepSpec& sweep) {
  std::uint64_t size = 1;
  for (const SweepAxis& axis : sweep.grid) size = saturating_product(size, axis.values.size());
  if (!sweep.zip.empty()) size = saturating_product(size, sweep.zip.front().values.size());
  if (sweep.random_trials > 0) size = saturating_product(size, sweep.random_trials);
  if (!sweep.seeds.empty()) size = saturating_product(size, sweep.seeds.size());
  return size;
}

SweepSpec read_sweep(const WrittenConfig& written, Diagnostics& diagnostics) {
  return SweepReader(written, diagnostics).read();
}

}  // namespace losslab::runner::detail
