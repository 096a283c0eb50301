// The stages of reading an experiment file, shared by config.cpp and the files that implement them:
// overrides are grafted into the YAML tree, the tree is read against the schema into the values
// written, then the dataset and the sweep are resolved and checked.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "config_schema.hpp"
#include "diagnostics.hpp"
#include "losslab/runner/config.hpp"
#include "yaml_tree.hpp"

namespace losslab::runner::detail {

// Grafts one "--set KEY=VALUE" argument (the `index`-th, 1-based) into `root`.
// "sweep.grid.<key>", "sweep.zip.<key>" and "sweep.random.space.<key>" address one axis, whose
// key keeps its dots.
void apply_override(YamlNode& root, const std::string& argument, int index, Diagnostics& diagnostics);

struct WrittenValue {
  ParamValue value;
  Location location;  // of the value
};
struct WrittenNode {  // a sweep.* mapping or list, read later by the sweep code
  const YamlNode* node = nullptr;
  Location key_location;
};

// What the file (with overrides) says, key by key; keys absent here take their defaults.
struct WrittenConfig {
  std::string file;
  std::map<std::string, WrittenValue> values;    // keys written with a valid value
  std::map<std::string, WrittenNode> specials;   // sweep.grid, sweep.zip, sweep.random.space, sweep.seeds
  std::map<std::string, Location> sections;      // sections written ("dataset", "sweep.random"): key location
  std::set<std::string> invalid;                 // keys written with an invalid value (already reported)

  bool has(const std::string& key) const { return values.count(key) > 0; }
  // Where to point a message about `key`: its value, else the closest section written, else the
  // file without a line.
  Location where(const std::string& key) const;
};

// Reads every key of `root` (a mapping) against the schema; unknown keys, wrong types and
// out-of-range values become diagnostics.
WrittenConfig read_written(const YamlNode& root, const std::string& file, Diagnostics& diagnostics);

// Fills the defaults that depend on dataset.kind, makes relative paths absolute (relative to
// `config_dir` for the file's values, to the current directory for --set values) and checks that
// the dataset's files exist.
void resolve_dataset(const WrittenConfig& written, const std::filesystem::path& config_dir, ResolvedParams& base,
                     Diagnostics& diagnostics);

// Reads sweep.*: every axis key must be sweepable, every value valid for its key, and the
// expansion no larger than sweep.max_trials.
SweepSpec read_sweep(const WrittenConfig& written, Diagnostics& diagnostics);

// How many trials the sweep describes before duplicates are removed (saturates at 2^64 - 1).
std::uint64_t expansion_size(const SweepSpec& sweep);

// trial_key() over a given key table and baselines (tests add a key, or change a default).
std::string trial_key(const std::string& experiment_name, const ResolvedParams& params,
                      const std::vector<KeySpec>& specs, const KeyBaselines& baselines);

// The key a bare name most likely means: an alias ("lr"), a leaf or short name ("learning_rate",
// "strength"), or a section with a kind ("loss" -> "loss.kind").
std::optional<std::string> key_for_name(const std::string& name);

// The message for an unknown `key` inside `section` ("" = the top level): siblings that look
// alike, else a key of another section with that leaf name.
std::string unknown_key_message(const std::string& key, const std::string& section);

}  // namespace losslab::runner::detail
