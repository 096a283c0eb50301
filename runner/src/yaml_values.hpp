// Written YAML values -> typed parameter values, with one message format per kind of mistake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config_schema.hpp"
#include "yaml_tree.hpp"

namespace losslab::runner::detail {

// A YAML number ("3", "-1.5", "1e-3", "+2.", ".5") as a finite double; nullopt for anything else,
// including .inf/.nan and bools.
std::optional<double> parse_number(std::string_view text);

// The typed value of `node` for the key `spec` describes, or nullopt after reporting why it is
// not one. `label` names the value in messages: the key ("optimizer.learning_rate") or the key
// and where it was found ("optimizer.learning_rate in sweep.grid").
std::optional<ParamValue> parse_value(const KeySpec& spec, const YamlNode& node, const std::string& label,
                                      Diagnostics& diagnostics);

}  // namespace losslab::runner::detail
