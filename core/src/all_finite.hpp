// A fast check that every entry of a float matrix is finite (private to core/src).
#pragma once

#include <cmath>

namespace losslab::detail {

// A sum is finite only when every term is (NaN and inf propagate through it), and it is one
// vectorized pass where Eigen's allFinite() makes two comparisons per entry. A sum that
// overflowed on finite entries falls back to the exact check. The trainer runs it on every
// trial's weights after every step.
template <typename Block>
bool all_finite(const Block& W) {
  return std::isfinite(W.sum()) || W.allFinite();
}

}  // namespace losslab::detail
