// Fast, portable random draws for large synthetic datasets (private to core/src): xoshiro256**
// streams that can be started anywhere (one per row, so rows can be generated on any number of
// threads with the same result) and standard normals by the ziggurat method, which needs a
// logarithm or an exponential only in the rare draws that miss the layers' rectangles.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "losslab/portable_random.hpp"

namespace losslab::detail {

// splitmix64's output function: a bijective mix of all 64 bits.
inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna, 2018). Its four state words come from splitmix64 over the seed,
// as its authors recommend, so nearby seeds (consecutive rows) start unrelated streams.
class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed) {
    for (std::uint64_t& word : state_) word = mix64(seed += 0x9e3779b97f4a7c15ull);
  }
  // The stream for item `index` of the data generated from `seed`.
  Xoshiro256(std::uint64_t seed, std::uint64_t index) : Xoshiro256(mix64(seed) ^ mix64(~index)) {}
  // A stream from its raw state (the published test vectors start from one).
  static Xoshiro256 from_state(const std::array<std::uint64_t, 4>& state) {
    Xoshiro256 random(0);
    random.state_ = state;
    return random;
  }

  std::uint64_t operator()() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
};

// Standard normal draws by the ziggurat method (Marsaglia and Tsang, 2000) in Doornik's 256-layer
// form (2005): each layer is a rectangle of the same area under the density; a draw picks a layer and
// a point in it from one 64-bit word and is accepted at once when the point lies under the next
// layer's edge (about 99% of draws). The base layer carries the tail beyond R, sampled exactly.
class ZigguratNormal {
 public:
  ZigguratNormal() {
    // R makes 256 layers of area V (the base layer: the rectangle under f(R) plus the tail) cover
    // the density exactly; V follows from R.
    const double v = kR * density(kR) + std::sqrt(std::acos(-1.0) / 2) * std::erfc(kR / std::sqrt(2.0));
    x_[0] = v / density(kR);
    x_[1] = kR;
    for (int i = 2; i < 256; ++i) x_[i] = std::sqrt(-2 * std::log(v / x_[i - 1] + density(x_[i - 1])));
    x_[256] = 0;
    for (int i = 0; i <= 256; ++i) f_[i] = density(x_[i]);
  }

  template <class Random>
  double operator()(Random& random) const {
    for (;;) {
      const std::uint64_t bits = random();
      const unsigned layer = bits & 0xff;                                       // bits 0-7
      const double u = 2 * (static_cast<double>(bits >> 11) * 0x1.0p-53) - 1;  // bits 11-63: [-1, 1)
      const double x = u * x_[layer];
      if (std::abs(x) < x_[layer + 1]) return x;
      if (layer == 0) return tail(random, u < 0);
      const double y = f_[layer] + (f_[layer + 1] - f_[layer]) * uniform01(random);
      if (y < density(x)) return x;
    }
  }

 private:
  static constexpr double kR = 3.6541528853610088;
  static double density(double x) { return std::exp(-0.5 * x * x); }
  // Marsaglia's exact method for the tail beyond R.
  template <class Random>
  static double tail(Random& random, bool negative) {
    for (;;) {
      const double x = -std::log(1 - uniform01(random)) / kR;  // 1 - u is in (0, 1]
      const double y = -std::log(1 - uniform01(random));
      if (2 * y >= x * x) return negative ? -(kR + x) : kR + x;
    }
  }
  std::array<double, 257> x_{};  // layer i spans [0, x_[i]] horizontally, [f_[i], f_[i+1]] vertically
  std::array<double, 257> f_{};
};

}  // namespace losslab::detail
