// The linear score function f(x; W) = W^T x per example, i.e. scores = X W for a batch.
#pragma once

#include <span>

#include "losslab/types.hpp"

namespace losslab {

// scores (B x C) = X (B x D) * W (D x C). `scores` is resized as needed and reused across calls.
template <typename Scalar>
void compute_scores(const Eigen::Ref<const RowMatrix<Scalar>>& X, const Matrix<Scalar>& W,
                    RowMatrix<Scalar>& scores);

// Index of the highest score of each row of `scores` (the first of equal ones).
template <typename Scalar>
Labels top_classes(const RowMatrix<Scalar>& scores);

// Index of the highest score per row: top_classes of the scores.
template <typename Scalar>
Labels predict(const Eigen::Ref<const RowMatrix<Scalar>>& X, const Matrix<Scalar>& W);

// Fraction of rows whose highest score is at the true label (0 for an empty set).
template <typename Scalar>
double accuracy(const Eigen::Ref<const RowMatrix<Scalar>>& X, std::span<const std::int32_t> labels,
                const Matrix<Scalar>& W);

}  // namespace losslab
