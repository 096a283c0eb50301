// Resolved hyperparameters: the values a trial runs with, keyed by dotted config path.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace losslab::runner {

// A validated config value. Lists only occur for string lists (dataset.preprocess).
using ParamValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;

// Canonical text of a value: the same value always prints the same way, so it can be hashed.
// Numbers use the shortest text that reads back to the same double ("0.001", "1e-05", "200").
std::string format_value(const ParamValue& value);

// Every key of the config schema with its value for one trial, defaults filled in.
// Keys are dotted paths such as "optimizer.learning_rate".
using ResolvedParams = std::map<std::string, ParamValue>;

// Typed access; throw std::logic_error when the key is missing or has another type (a bug:
// validation guarantees both).
double get_number(const ResolvedParams& params, const std::string& key);  // int64 or double
std::int64_t get_integer(const ResolvedParams& params, const std::string& key);
bool get_bool(const ResolvedParams& params, const std::string& key);
const std::string& get_string(const ResolvedParams& params, const std::string& key);
const std::vector<std::string>& get_string_list(const ResolvedParams& params, const std::string& key);

// As trials.params_json stores them (params_json.cpp, the one conversion): a JSON object whose
// value types keep the variant's alternative. Reading throws std::invalid_argument for text that
// is not such an object.
std::string params_to_json_text(const ResolvedParams& params);
ResolvedParams params_from_json_text(const std::string& text);

}  // namespace losslab::runner
