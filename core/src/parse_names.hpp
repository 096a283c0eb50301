// Parses the config name of an enum value, with one error format for unknown names.
#pragma once

#include <array>
#include <stdexcept>
#include <string>

#include "losslab/enum_names.hpp"

namespace losslab::detail {

// `values` lists every value of Enum; to_string gives each one's name.
template <typename Enum, std::size_t N>
Enum parse_name(const std::array<Enum, N>& values, const std::string& name, const char* what) {
  for (const Enum value : values)
    if (name == to_string(value)) return value;
  throw std::invalid_argument("unknown " + std::string(what) + " '" + name + "' (expected one of: " +
                              joined_names(values, ", ") + ")");
}

}  // namespace losslab::detail
