// The config names of core's enums, for whoever lists or checks them: config validation and its
// did-you-mean, --list-keys, the README's key table, tests. Each enum's header lists its values
// in the order users see them (kLossKinds, kRegKinds, ...); each name is written once, in that
// enum's to_string, a switch without a default so that a value without a name does not compile.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace losslab {

// to_string of each value, in order.
template <typename Enum, std::size_t N>
std::vector<std::string> names_of(const std::array<Enum, N>& values) {
  std::vector<std::string> names;
  names.reserve(N);
  for (const Enum value : values) names.push_back(to_string(value));
  return names;
}

// The names joined by `separator`, e.g. "svm | squared_hinge | softmax".
template <typename Enum, std::size_t N>
std::string joined_names(const std::array<Enum, N>& values, std::string_view separator = " | ") {
  std::string text;
  for (const Enum value : values) text += (text.empty() ? "" : std::string(separator)) + to_string(value);
  return text;
}

}  // namespace losslab
