// The full loss of the lecture: L = mean data loss + lambda R(W), and its gradient
// (objective.cpp). The chain rule through the linear model is applied here, once:
// dW = X^T dS / B (+ the regularizer's gradient).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "losslab/loss.hpp"
#include "losslab/regularizer.hpp"
#include "losslab/types.hpp"

namespace losslab {

template <typename Scalar>
class Objective {
 public:
  Objective(LossSpec loss, RegSpec reg, bool has_bias_row)
      : loss_(loss), reg_(reg), has_bias_row_(has_bias_row) {}

  // Full loss on the batch (X, labels); fills dW (D x C) when it is not null.
  // Reuses internal buffers, so one Objective must not be shared between threads.
  Scalar evaluate(const Eigen::Ref<const RowMatrix<Scalar>>& X, std::span<const std::int32_t> labels,
                  const Matrix<Scalar>& W, Matrix<Scalar>* dW);

  // Bytes that change exactly when the loss crosses a kink (hinge margins switching on/off,
  // L1 terms changing sign); empty when the loss is smooth.
  std::vector<std::uint8_t> kink_signature(const Eigen::Ref<const RowMatrix<Scalar>>& X,
                                           std::span<const std::int32_t> labels,
                                           const Matrix<Scalar>& W);

  // Projects W after an update step (max-norm); no-op otherwise.
  void constrain(Matrix<Scalar>& W) const { apply_constraint<Scalar>(reg_, W, has_bias_row_); }

  const LossSpec& loss() const { return loss_; }
  const RegSpec& regularization() const { return reg_; }
  bool has_bias_row() const { return has_bias_row_; }

 private:
  LossSpec loss_;
  RegSpec reg_;
  bool has_bias_row_;
  RowMatrix<Scalar> scores_, dscores_;
};

}  // namespace losslab
