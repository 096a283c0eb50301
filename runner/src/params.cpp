#include "losslab/runner/params.hpp"

#include <charconv>
#include <stdexcept>

namespace losslab::runner {
namespace {

template <typename T>
const T& get_as(const ResolvedParams& params, const std::string& key, const char* type) {
  const auto it = params.find(key);
  if (it == params.end()) throw std::logic_error("parameter '" + key + "' is not resolved");
  if (const T* value = std::get_if<T>(&it->second)) return *value;
  throw std::logic_error("parameter '" + key + "' is not " + type);
}

}  // namespace

std::string format_value(const ParamValue& value) {
  struct Formatter {
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const {
      char buffer[64];
      // Shortest representation that reads back to the same double.
      const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
      return std::string(buffer, result.ptr);
    }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(const std::vector<std::string>& v) const {
      std::string text = "[";
      for (std::size_t i = 0; i < v.size(); ++i) text += (i ? ", " : "") + v[i];
      return text + "]";
    }
  };
  return std::visit(Formatter{}, value);
}

double get_number(const ResolvedParams& params, const std::string& key) {
  const auto it = params.find(key);
  if (it != params.end())
    if (const auto* integer = std::get_if<std::int64_t>(&it->second)) return static_cast<double>(*integer);
  return get_as<double>(params, key, "a number");
}

std::int64_t get_integer(const ResolvedParams& params, const std::string& key) {
  return get_as<std::int64_t>(params, key, "an integer");
}

bool get_bool(const ResolvedParams& params, const std::string& key) {
  return get_as<bool>(params, key, "a bool");
}

const std::string& get_string(const ResolvedParams& params, const std::string& key) {
  return get_as<std::string>(params, key, "a string");
}

const std::vector<std::string>& get_string_list(const ResolvedParams& params, const std::string& key) {
  return get_as<std::vector<std::string>>(params, key, "a list of strings");
}

}  // namespace losslab::runner
