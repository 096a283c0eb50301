// Per-example loop implementations of the losses and their gradients, written independently
// of core/ (the way the course's "naive" assignment functions are), to compare against.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "losslab/types.hpp"

namespace losslab::testing {

// Turns summed data loss and gradient into means and adds lambda * sum W^2 (by loops).
inline double mean_plus_l2(double loss, Eigen::Index n, const Matrix<double>& W, double lambda,
                           bool skip_last_row, Matrix<double>& dW) {
  loss /= static_cast<double>(n);
  dW /= static_cast<double>(n);
  const Eigen::Index rows = skip_last_row ? W.rows() - 1 : W.rows();
  for (Eigen::Index k = 0; k < rows; ++k)
    for (Eigen::Index j = 0; j < W.cols(); ++j) {
      loss += lambda * W(k, j) * W(k, j);
      dW(k, j) += 2 * lambda * W(k, j);
    }
  return loss;
}

// Full loss (mean data loss + lambda * sum W^2 over all rows but `skip_last_row`) and its gradient.
inline double naive_svm(const RowMatrix<double>& X, const std::vector<std::int32_t>& y,
                        const Matrix<double>& W, double margin, bool squared, double lambda,
                        bool skip_last_row, Matrix<double>& dW) {
  const auto n = X.rows(), d = X.cols(), c = W.cols();
  dW.setZero(d, c);
  double loss = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    std::vector<double> s(c, 0.0);
    for (Eigen::Index j = 0; j < c; ++j)
      for (Eigen::Index k = 0; k < d; ++k) s[j] += X(i, k) * W(k, j);
    for (Eigen::Index j = 0; j < c; ++j) {
      if (j == y[i]) continue;
      const double m = s[j] - s[y[i]] + margin;
      if (m <= 0) continue;
      loss += squared ? m * m : m;
      const double g = squared ? 2 * m : 1.0;
      for (Eigen::Index k = 0; k < d; ++k) {
        dW(k, j) += g * X(i, k);
        dW(k, y[i]) -= g * X(i, k);
      }
    }
  }
  return mean_plus_l2(loss, n, W, lambda, skip_last_row, dW);
}

inline double naive_softmax(const RowMatrix<double>& X, const std::vector<std::int32_t>& y,
                            const Matrix<double>& W, double lambda, bool skip_last_row,
                            Matrix<double>& dW) {
  const auto n = X.rows(), d = X.cols(), c = W.cols();
  dW.setZero(d, c);
  double loss = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    std::vector<double> s(c, 0.0);
    for (Eigen::Index j = 0; j < c; ++j)
      for (Eigen::Index k = 0; k < d; ++k) s[j] += X(i, k) * W(k, j);
    const double top = *std::max_element(s.begin(), s.end());
    double z = 0;
    for (double v : s) z += std::exp(v - top);
    loss += -std::log(std::exp(s[y[i]] - top) / z);
    for (Eigen::Index j = 0; j < c; ++j) {
      const double p = std::exp(s[j] - top) / z - (j == y[i] ? 1.0 : 0.0);
      for (Eigen::Index k = 0; k < d; ++k) dW(k, j) += p * X(i, k);
    }
  }
  return mean_plus_l2(loss, n, W, lambda, skip_last_row, dW);
}

}  // namespace losslab::testing
