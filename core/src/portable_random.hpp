// Random draws defined here rather than by std::*_distribution, whose algorithms the standard leaves
// to each library: the same seed must give the same data and splits with libstdc++ and libc++.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

namespace losslab::detail {

// Uniform in [0, 1) with 53 random bits.
inline double uniform01(std::mt19937_64& generator) {
  return static_cast<double>(generator() >> 11) * 0x1.0p-53;
}

// Standard normal by Box–Muller (one value per pair of uniforms, keeping no hidden state).
inline double standard_normal(std::mt19937_64& generator) {
  const double u1 = 1.0 - uniform01(generator);  // in (0, 1], so the log is finite
  const double u2 = uniform01(generator);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// Unbiased integer in [0, n), n > 0: rejects the few low draws that would favour small results.
inline std::uint64_t uniform_index(std::mt19937_64& generator, std::uint64_t n) {
  const std::uint64_t threshold = (0 - n) % n;  // = 2^64 mod n
  for (;;) {
    const std::uint64_t draw = generator();
    if (draw >= threshold) return draw % n;
  }
}

}  // namespace losslab::detail
