// Random draws defined here rather than by std::*_distribution, whose algorithms the standard leaves
// to each library: the same seed must give the same data, splits, trials and sampler points with
// libstdc++ and libc++.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>
#include <type_traits>

namespace losslab {

// Uniform in [0, 1) from the top 53 bits of one draw of a 64-bit engine.
template <class Engine>
double uniform01(Engine& engine) {
  static_assert(std::is_same_v<decltype(engine()), std::uint64_t>, "an engine of 64 random bits a draw");
  return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

// Standard normal by Box–Muller (one value per pair of uniforms, keeping no hidden state).
inline double standard_normal(std::mt19937_64& engine) {
  const double u1 = 1.0 - uniform01(engine);  // in (0, 1], so the log is finite
  const double u2 = uniform01(engine);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// Unbiased integer in [0, n), n > 0: rejects the few low draws that would favour small results.
inline std::uint64_t uniform_index(std::mt19937_64& engine, std::uint64_t n) {
  const std::uint64_t threshold = (0 - n) % n;  // = 2^64 mod n
  for (;;) {
    const std::uint64_t draw = engine();
    if (draw >= threshold) return draw % n;
  }
}

// The three draws above on an engine of its own, for code that passes one source of draws around
// (the runner's random and TPE sampling).
class PortableRandom {
 public:
  explicit PortableRandom(std::uint64_t seed) : engine_(seed) {}
  double uniform01() { return losslab::uniform01(engine_); }
  double normal() { return standard_normal(engine_); }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(uniform_index(engine_, n)); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace losslab
