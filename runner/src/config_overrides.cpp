// --set KEY=VALUE: the value is YAML, the key a dotted path grafted into the config's tree.
#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "config_internal.hpp"

namespace losslab::runner::detail {
namespace {

constexpr std::string_view kOverrideFile = "--set";

// Mappings whose keys are themselves dotted config keys.
constexpr std::array<std::string_view, 3> kAxisMappings{"sweep.grid.", "sweep.zip.", "sweep.random.space."};

struct PathPart {
  std::string name;
  int column = 0;  // 1-based within the argument
};

// The names along `key` with their columns, or nullopt after reporting an empty name.
std::optional<std::vector<PathPart>> split_key(const std::string& key, const std::string& argument,
                                               const Location& at_argument, Diagnostics& diagnostics) {
  const auto at = [&](std::size_t offset) {
    Location location = at_argument;
    location.column = static_cast<int>(offset) + 1;
    return location;
  };
  std::vector<PathPart> parts;
  std::size_t from = 0;  // where the plain dotted part of the key starts
  for (std::string_view prefix : kAxisMappings) {
    if (!key.starts_with(prefix)) continue;
    for (std::size_t i = 0; i < prefix.size();) {
      const std::size_t dot = prefix.find('.', i);
      parts.push_back({std::string(prefix.substr(i, dot - i)), static_cast<int>(i) + 1});
      i = dot + 1;
    }
    if (prefix.size() == key.size()) {
      diagnostics.error(at(key.size()), "missing the key after '" + std::string(prefix) + "' in '" + argument + "'");
      return std::nullopt;
    }
    parts.push_back({key.substr(prefix.size()), static_cast<int>(prefix.size()) + 1});
    from = key.size();
    break;
  }
  while (from < key.size()) {
    const std::size_t dot = std::min(key.find('.', from), key.size());
    if (dot == from || dot + 1 == key.size()) {
      diagnostics.error(at(dot == from ? from : dot + 1), "empty name in the key '" + key + "'");
      return std::nullopt;
    }
    parts.push_back({key.substr(from, dot - from), static_cast<int>(from) + 1});
    from = dot + 1;
  }
  return parts;
}

}  // namespace

void apply_override(YamlNode& root, const std::string& argument, int index, Diagnostics& diagnostics) {
  const auto at = [&](int column) { return Location{std::string(kOverrideFile), index, column}; };
  const std::size_t equals = argument.find('=');
  if (equals == std::string::npos) {
    diagnostics.error(at(1), "expected KEY=VALUE, got '" + argument + "'");
    return;
  }
  const std::string key = argument.substr(0, equals);
  if (key.empty()) {
    diagnostics.error(at(1), "missing the key before '=' in '" + argument + "'");
    return;
  }
  const auto parts = split_key(key, argument, at(1), diagnostics);
  if (!parts) return;
  const TextOrigin origin{std::string(kOverrideFile), index, static_cast<int>(equals) + 1};
  std::optional<YamlNode> value = parse_yaml(argument.substr(equals + 1), origin, diagnostics);
  if (!value) return;

  if (root.is_null()) root.kind = YamlNode::Kind::mapping;
  if (!root.is_mapping()) return;  // the file itself is reported as malformed
  YamlNode* node = &root;
  std::string walked;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    const PathPart& part = (*parts)[i];
    const Location part_location = at(part.column);
    YamlNode::Entry* entry = node->find(part.name);
    if (i + 1 == parts->size()) {
      if (entry) {
        entry->value = std::move(*value);
      } else {
        node->entries.push_back({part.name, part_location, std::move(*value)});
      }
      return;
    }
    walked += (walked.empty() ? "" : ".") + part.name;
    const YamlNode section{.kind = YamlNode::Kind::mapping, .location = part_location};
    if (!entry) {
      node->entries.push_back({part.name, part_location, section});
      entry = &node->entries.back();
    } else if (entry->value.is_null()) {
      entry->value = section;
    } else if (!entry->value.is_mapping()) {
      diagnostics.error(part_location, "cannot set '" + key + "': " + walked + " is a value, not a section");
      return;
    }
    node = &entry->value;
  }
}

}  // namespace losslab::runner::detail
