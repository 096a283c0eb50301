#include "yaml_values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "losslab/runner/did_you_mean.hpp"

namespace losslab::runner::detail {
namespace {

bool is_number_text(std::string_view text) {
  // from_chars also reads "inf", "nan" and hex digits after "0x"; YAML numbers use only these.
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E';
  });
}

std::optional<std::int64_t> parse_integer_literal(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string joined(const std::vector<std::string>& choices) {
  std::string text;
  for (const std::string& choice : choices) text += (text.empty() ? "" : " | ") + choice;
  return text;
}

std::string range_requirement(const Range& range) {
  const std::string text = range.describe();
  return text.front() == '[' || text.front() == '(' ? "in " + text : text;
}

class ValueParser {
 public:
  ValueParser(const KeySpec& spec, const std::string& label, Diagnostics& diagnostics)
      : spec_(spec), label_(label), diagnostics_(diagnostics) {}

  std::optional<ParamValue> parse(const YamlNode& node) {
    switch (spec_.type) {
      case ValueType::number: return number(node);
      case ValueType::integer: return integer(node);
      case ValueType::boolean: return boolean(node);
      case ValueType::string: return string(node);
      case ValueType::enumeration: return enumeration(node);
      case ValueType::enum_list: return enum_list(node);
      case ValueType::count_or_fraction: return count_or_fraction(node);
      case ValueType::special: break;
    }
    fail(node, "cannot be given here");
    return std::nullopt;
  }

 private:
  std::nullopt_t fail(const YamlNode& node, const std::string& message) {
    diagnostics_.error(node.location, label_ + ": " + message);
    return std::nullopt;
  }

  std::optional<double> finite_number(const YamlNode& node, const char* expected) {
    if (!node.is_scalar() || !is_number_text(node.scalar)) {
      fail(node, std::string("expected ") + expected + ", got " + describe_node(node));
      return std::nullopt;
    }
    const auto value = parse_number(node.scalar);
    if (!value) fail(node, "'" + node.scalar + "' is not a finite number");
    return value;
  }

  bool in_range(const YamlNode& node, double value) {
    if (spec_.range.contains(value)) return true;
    fail(node, "must be " + range_requirement(spec_.range) + ", got " + node.scalar);
    return false;
  }

  std::optional<ParamValue> number(const YamlNode& node) {
    const auto value = finite_number(node, "a number");
    if (!value || !in_range(node, *value)) return std::nullopt;
    return *value;
  }

  std::optional<ParamValue> integer(const YamlNode& node) {
    if (node.is_scalar()) {
      if (const auto literal = parse_integer_literal(node.scalar)) {
        if (!in_range(node, static_cast<double>(*literal))) return std::nullopt;
        return *literal;
      }
    }
    const auto value = finite_number(node, "an integer");
    if (!value) return std::nullopt;
    // 1e2 and 100.0 are whole numbers too; 2.5 is not.
    if (std::trunc(*value) != *value) return fail(node, "expected an integer, got " + node.scalar);
    if (!in_range(node, *value)) return std::nullopt;
    if (std::fabs(*value) >= 0x1.0p63) return fail(node, node.scalar + " is too large for an integer");
    return static_cast<std::int64_t>(*value);
  }

  std::optional<ParamValue> boolean(const YamlNode& node) {
    if (node.is_scalar()) {
      std::string lowered = node.scalar;
      for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lowered == "true" || lowered == "yes" || lowered == "on") return true;
      if (lowered == "false" || lowered == "no" || lowered == "off") return false;
    }
    return fail(node, "expected true or false, got " + describe_node(node));
  }

  std::optional<ParamValue> string(const YamlNode& node) {
    if (!node.is_scalar()) {
      if (node.is_null() && spec_.allow_empty) return std::string();
      return fail(node, "expected a string, got " + describe_node(node));
    }
    if (node.scalar.empty() && !spec_.allow_empty) return fail(node, "must not be empty");
    return node.scalar;
  }

  std::optional<std::string> choice(const YamlNode& node) {
    if (!node.is_scalar()) {
      fail(node, "expected one of " + joined(spec_.choices) + ", got " + describe_node(node));
      return std::nullopt;
    }
    if (std::find(spec_.choices.begin(), spec_.choices.end(), node.scalar) != spec_.choices.end())
      return node.scalar;
    fail(node, "unknown value '" + node.scalar + "'; allowed: " + joined(spec_.choices) +
                   did_you_mean(node.scalar, spec_.choices));
    return std::nullopt;
  }

  std::optional<ParamValue> enumeration(const YamlNode& node) {
    if (auto value = choice(node)) return *value;
    return std::nullopt;
  }

  std::optional<ParamValue> enum_list(const YamlNode& node) {
    if (node.is_null()) return std::vector<std::string>{};
    if (!node.is_sequence())
      return fail(node, "expected a list of " + joined(spec_.choices) + ", got " + describe_node(node));
    std::vector<std::string> values;
    bool valid = true;
    for (const YamlNode& item : node.items) {
      const auto value = choice(item);
      if (!value) {
        valid = false;
        continue;
      }
      if (std::find(values.begin(), values.end(), *value) != values.end()) {
        fail(item, "'" + *value + "' is listed twice");
        valid = false;
      } else if (!spec_.last_choice.empty() && !values.empty() && values.back() == spec_.last_choice) {
        fail(item, "'" + *value + "' comes after '" + spec_.last_choice + "', which must be the last step");
        valid = false;
      }
      values.push_back(*value);
    }
    if (!valid) return std::nullopt;
    return values;
  }

  std::optional<ParamValue> count_or_fraction(const YamlNode& node) {
    const auto value = finite_number(node, "a count or a fraction");
    if (!value) return std::nullopt;
    const bool fraction = *value >= 0 && *value < 1;
    const bool count = *value >= 1 && std::trunc(*value) == *value;
    if (!fraction && !count)
      return fail(node, "must be 0, a fraction in (0, 1) or a whole count >= 1, got " + node.scalar);
    return *value;
  }

  const KeySpec& spec_;
  const std::string& label_;
  Diagnostics& diagnostics_;
};

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  if (!is_number_text(text)) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

std::optional<ParamValue> parse_value(const KeySpec& spec, const YamlNode& node, const std::string& label,
                                      Diagnostics& diagnostics) {
  return ValueParser(spec, label, diagnostics).parse(node);
}

}  // namespace losslab::runner::detail
