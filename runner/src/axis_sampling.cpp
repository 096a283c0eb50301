#include "axis_sampling.hpp"

#include <algorithm>
#include <cmath>

#include "config_schema.hpp"

namespace losslab::runner::detail {

ParamValue axis_value(const RandomAxis& axis, double x) {
  const double value = std::clamp(x, axis.low, axis.high);
  const KeySpec* spec = find_key_spec(axis.key);
  if (spec && spec->type == ValueType::integer) return static_cast<std::int64_t>(std::llround(value));
  return value;
}

ParamValue sample(const RandomAxis& axis, PortableRandom& random) {
  using Distribution = RandomAxis::Distribution;
  if (axis.distribution == Distribution::choice) return axis.choices[random.index(axis.choices.size())];
  const double u = random.uniform01();
  return axis_value(axis, axis.distribution == Distribution::log_uniform
                              ? std::exp(std::log(axis.low) + u * (std::log(axis.high) - std::log(axis.low)))
                              : axis.low + u * (axis.high - axis.low));
}

}  // namespace losslab::runner::detail
