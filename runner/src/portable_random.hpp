// Random draws defined here rather than by std::*_distribution, whose algorithms differ between
// standard libraries: the same seed must give the same trials and sampler points everywhere.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>

namespace losslab::runner::detail {

class PortableRandom {
 public:
  explicit PortableRandom(std::uint64_t seed) : engine_(seed) {}
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::size_t index(std::size_t n) {  // [0, n), unbiased: rejects the few draws that would favour low values
    const std::uint64_t threshold = (0 - static_cast<std::uint64_t>(n)) % n;
    for (;;) {
      const std::uint64_t draw = engine_();
      if (draw >= threshold) return static_cast<std::size_t>(draw % n);
    }
  }
  // Standard normal by Box–Muller, one value per pair of uniforms, so no draw is kept between calls.
  double normal() {
    const double u1 = 1.0 - uniform01();  // in (0, 1], so the log is finite
    const double u2 = uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace losslab::runner::detail
