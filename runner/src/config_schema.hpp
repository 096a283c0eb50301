// The schema of the experiment file: every key with its type, default, allowed values and whether it
// may be swept. Validation, default resolution and the documentation (config_key_docs) all read this
// one table, so a key cannot be documented one way and validated another.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "losslab/runner/params.hpp"

namespace losslab::runner::detail {

enum class ValueType {
  number,             // double
  integer,            // int64; also accepts a number with an integral value (1e2, 100.0)
  boolean,
  string,
  enumeration,        // string, one of `choices`
  enum_list,          // list of strings, each one of `choices`, no repeats
  count_or_fraction,  // double: 0, a fraction in (0, 1) or a whole count >= 1
  special,            // sweep.grid / zip / random.space / seeds: parsed by the sweep code
};

// An interval of allowed numbers; an unset bound is unbounded.
struct Range {
  std::optional<double> min{};
  bool min_open = false;
  std::optional<double> max{};
  bool max_open = false;

  bool contains(double value) const;
  std::string describe() const;  // "> 0", ">= 0", "[0, 1)", "[1, 100000]", "" when unbounded
};

struct KeySpec {
  std::string key;         // dotted path
  std::string short_name;  // unique; trial_params.name and the report's --where
  ValueType type = ValueType::number;
  ParamValue default_value{};
  Range range{};
  std::vector<std::string> choices{};  // enumeration, enum_list
  std::string last_choice{};           // enum_list: a value that, when present, must come last
  bool allow_empty = true;             // string: "" is accepted (means "not set")
  bool sweepable = true;
  bool param = true;  // part of ResolvedParams (false for `name` and sweep.*)
  std::string default_doc{};  // overrides the rendered default (when it depends on other keys)
  std::string type_doc{};     // overrides the rendered type
  std::string allowed_doc{};  // overrides the rendered allowed values
  std::string description{};
  // When the key takes effect: only while another (enum) key has one of these values; an empty key
  // means always. A key inactive for a trial's choices (momentum under plain sgd) changes nothing in
  // its training, so the trial is resolved with its default and the key is left out of its trial
  // key, name and trial_params: sweeping it does not repeat the trial.
  struct ActiveWhen {
    std::string key{};
    std::vector<std::string> values{};
    bool except = false;  // active for every value but these
  } active_when{};
};

// Whether `spec` takes effect for these resolved parameters (see KeySpec::active_when).
bool is_active(const KeySpec& spec, const ResolvedParams& params);
// "optimizer.kind is momentum or nesterov"; "" for an always active key.
std::string active_when_text(const KeySpec& spec);

// Each parameter's baseline (key_baselines.cpp): trial keys leave out a parameter at this value,
// as format_value writes it.
using KeyBaselines = std::map<std::string, std::string, std::less<>>;
const KeyBaselines& key_baselines();

const std::vector<KeySpec>& key_specs();
const KeySpec* find_key_spec(std::string_view key);

// Why a key that once existed is gone and what to use instead; nullopt for any other key.
std::optional<std::string> retired_key_message(std::string_view key);

// Sections are the mappings that hold keys: "" (the top level), "dataset", "dataset.synthetic",
// "optimizer.schedule", "sweep.random", ...
bool is_section(std::string_view path);
// Names allowed directly inside a section, in schema order ("optimizer" -> kind, learning_rate, ...).
std::vector<std::string> section_children(std::string_view section);

// Rendered documentation of one key.
std::string type_text(const KeySpec& spec);
std::string default_text(const KeySpec& spec);
std::string allowed_text(const KeySpec& spec);

}  // namespace losslab::runner::detail
