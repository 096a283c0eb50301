// Matrix and label types shared by every part of the core.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

namespace losslab {

// Examples are rows: a minibatch of consecutive examples is one contiguous block.
template <typename Scalar>
using RowMatrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Weights are D x C (one column per class), so scores = X * W and several trials'
// weight matrices can be stacked side by side for one shared GEMM.
template <typename Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

// Views of a weight matrix or of a block of columns of one (a trial's W inside a fused stack).
template <typename Scalar>
using MatrixRef = Eigen::Ref<Matrix<Scalar>>;
template <typename Scalar>
using ConstMatrixRef = Eigen::Ref<const Matrix<Scalar>>;

template <typename Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

using Labels = std::vector<std::int32_t>;

}  // namespace losslab
