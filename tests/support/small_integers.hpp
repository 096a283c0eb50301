// Matrices of small integers, for tests of products that must be exact.
#pragma once

#include <cstdint>
#include <random>

#include "losslab/types.hpp"

namespace losslab::testing {

// Entries in [-8, 8]: every product and partial sum of a product of such matrices (up to a few
// thousand terms) is an integer under 2^24, so float arithmetic is exact in any summation order
// and any kernel must give the textbook values.
template <typename M>
M small_integers(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> value(-8, 8);
  M m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = static_cast<float>(value(rng));
  return m;
}

}  // namespace losslab::testing
