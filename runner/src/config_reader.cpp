// Reads the YAML tree against the schema: one pass over every mapping, every problem reported.
#include <algorithm>
#include <map>
#include <optional>

#include "config_internal.hpp"
#include "losslab/runner/did_you_mean.hpp"
#include "yaml_values.hpp"

namespace losslab::runner::detail {
namespace {

std::string join_path(const std::string& section, const std::string& key) {
  return section.empty() ? key : section + "." + key;
}

std::string place(const std::string& section) { return section.empty() ? "at the top level" : "in " + section; }

std::string leaf(const std::string& key) { return key.substr(key.rfind('.') + 1); }

class Reader {
 public:
  Reader(const std::string& file, Diagnostics& diagnostics) : diagnostics_(diagnostics) { written_.file = file; }

  WrittenConfig read(const YamlNode& root) {
    read_mapping(root, "");
    return std::move(written_);
  }

 private:
  bool already_read(const std::string& path) const {
    return written_.values.count(path) || written_.specials.count(path) || written_.invalid.count(path);
  }

  void read_mapping(const YamlNode& mapping, const std::string& section) {
    std::set<std::string> seen;
    for (const YamlNode::Entry& entry : mapping.entries) {
      const std::string path = join_path(section, entry.key);
      if (!seen.insert(entry.key).second || already_read(path)) {
        diagnostics_.error(entry.key_location, "duplicate key '" + entry.key + "' " + place(section));
        continue;
      }
      if (const KeySpec* spec = find_key_spec(path)) {
        read_key(*spec, entry);
      } else if (const auto retired = retired_key_message(path)) {
        diagnostics_.error(entry.key_location, *retired);
      } else if (is_section(path)) {
        read_section(entry, path);
      } else if (entry.key == "<<") {
        // yaml-cpp reads YAML 1.1's merge key as an ordinary key.
        diagnostics_.error(entry.key_location, "merge keys ('<<') are not supported " + place(section) +
                                                   ": write the keys out, or use an alias for a whole value");
      } else {
        diagnostics_.error(entry.key_location, unknown_key_message(entry.key, section));
      }
    }
  }

  void read_key(const KeySpec& spec, const YamlNode::Entry& entry) {
    if (spec.type == ValueType::special) {
      written_.specials[spec.key] = {&entry.value, entry.key_location};
    } else if (auto value = parse_value(spec, entry.value, spec.key, diagnostics_)) {
      written_.values[spec.key] = {std::move(*value), entry.value.location};
    } else {
      written_.invalid.insert(spec.key);
    }
  }

  void read_section(const YamlNode::Entry& entry, const std::string& path) {
    written_.sections.emplace(path, entry.key_location);
    if (entry.value.is_mapping()) {
      read_mapping(entry.value, path);
    } else if (!entry.value.is_null()) {  // an empty section takes every default
      std::string message = path + ": expected a mapping of keys, got " + describe_node(entry.value);
      if (entry.value.is_scalar() && find_key_spec(path + ".kind"))
        message += "; did you mean '" + path + ": {kind: " + entry.value.scalar + "}'?";
      diagnostics_.error(entry.value.location, message);
    }
  }

  Diagnostics& diagnostics_;
  WrittenConfig written_;
};

}  // namespace

std::string unknown_key_message(const std::string& key, const std::string& section) {
  std::string message = "unknown key '" + key + "' " + place(section);
  std::string suggestion = did_you_mean(key, section_children(section));
  if (suggestion.empty()) {
    if (const auto target = key_for_name(key)) {
      const bool same_section = target->starts_with(section + ".") && !section.empty();
      suggestion = "; did you mean '" + (same_section ? target->substr(section.size() + 1) : *target) + "'?";
    }
  }
  return message + suggestion;
}

std::optional<std::string> key_for_name(const std::string& name) {
  // The labels of trial names, and the lecture's symbol for the regularization strength.
  static const std::map<std::string, std::string> kAliases{{"lr", "optimizer.learning_rate"},
                                                           {"reg", "regularization.strength"},
                                                           {"lambda", "regularization.strength"},
                                                           {"bs", "optimizer.batch_size"}};
  if (const auto it = kAliases.find(name); it != kAliases.end()) return it->second;
  for (const KeySpec& spec : key_specs())
    if (leaf(spec.key) == name || spec.short_name == name || spec.key == name + ".kind") return spec.key;
  return std::nullopt;
}

Location WrittenConfig::where(const std::string& key) const {
  if (const auto it = values.find(key); it != values.end()) return it->second.location;
  if (const auto it = specials.find(key); it != specials.end()) return it->second.key_location;
  for (std::string section = key; !section.empty();) {
    const std::size_t dot = section.rfind('.');
    section = dot == std::string::npos ? "" : section.substr(0, dot);
    if (const auto it = sections.find(section); it != sections.end()) return it->second;
  }
  return {file, 0, 0};
}

WrittenConfig read_written(const YamlNode& root, const std::string& file, Diagnostics& diagnostics) {
  return Reader(file, diagnostics).read(root);
}

}  // namespace losslab::runner::detail
