// Maps between enum values and their config names, with one error format for unknown names.
#pragma once

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

namespace losslab::detail {

template <typename Enum, std::size_t N>
Enum parse_name(const std::array<std::pair<Enum, const char*>, N>& table, const std::string& name,
                const char* what) {
  for (const auto& [value, text] : table)
    if (name == text) return value;
  std::string allowed;
  for (const auto& [value, text] : table) allowed += (allowed.empty() ? "" : ", ") + std::string(text);
  throw std::invalid_argument("unknown " + std::string(what) + " '" + name + "' (expected one of: " +
                              allowed + ")");
}

template <typename Enum, std::size_t N>
std::string name_of(const std::array<std::pair<Enum, const char*>, N>& table, Enum value) {
  for (const auto& [v, text] : table)
    if (v == value) return text;
  return "?";
}

}  // namespace losslab::detail
