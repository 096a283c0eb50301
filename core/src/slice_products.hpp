// The two products of a training step's slice, S = X W and G = X^T dS (private to core/src).
#pragma once

#include "losslab/types.hpp"

namespace losslab::detail {

// Whether slice_scores and slice_gradient run losslab's own kernels (AVX2 + FMA) for rows of
// `features` floats; otherwise they hand the products to Eigen (and so to OpenBLAS when built
// with it). Depends on the data's width alone, never on how many trials share the stack, so a
// trial's bits do not depend on its group.
bool own_slice_kernels(Eigen::Index features);

// A length padded to whole 32-byte vectors: rows (of X) and columns (of W) this far apart all
// start on a vector boundary when the first does (Eigen aligns its buffers), so no load of the
// kernels straddles two cache lines. Same results with or without: only faster.
constexpr Eigen::Index padded_length(Eigen::Index floats) { return (floats + 7) / 8 * 8; }

// S = X W: X a slice's rows (row-major), W the stacked weights, S one column per stacked class.
// Each S(i, j) is the same sum, in the same order, whatever W's other columns and X's other rows.
void slice_scores(const Eigen::Ref<const RowMatrix<float>>& X, const Eigen::Ref<const Matrix<float>>& W, Matrix<float>& S);

// G = X^T dS. Each G(k, j) adds X(i, k) dS(i, j) over the rows in order, whatever dS's other
// columns and the features around k.
void slice_gradient(const Eigen::Ref<const RowMatrix<float>>& X, const Matrix<float>& dS, Matrix<float>& G);

}  // namespace losslab::detail
