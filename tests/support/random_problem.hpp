// Small random classification problems in double precision for gradient tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "losslab/types.hpp"

namespace losslab::testing {

struct Problem {
  RowMatrix<double> X;  // last column = 1 (bias trick)
  std::vector<std::int32_t> y;
  Matrix<double> W;
};

inline Problem random_problem(Eigen::Index n, Eigen::Index d, Eigen::Index classes, double w_scale,
                              std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Problem p;
  p.X.resize(n, d + 1);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index k = 0; k < d; ++k) p.X(i, k) = normal(rng);
    p.X(i, d) = 1.0;
  }
  p.y.resize(static_cast<std::size_t>(n));
  for (auto& label : p.y) label = static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(classes));
  p.W.resize(d + 1, classes);
  for (Eigen::Index k = 0; k < p.W.size(); ++k) p.W.data()[k] = normal(rng) * w_scale;
  return p;
}

}  // namespace losslab::testing
