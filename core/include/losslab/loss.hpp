// Data losses of a linear classifier, each formula written once (loss.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "losslab/types.hpp"

namespace losslab {

enum class LossKind {
  svm,            // Weston-Watkins multiclass hinge: sum_{j != y} max(0, s_j - s_y + margin)
  squared_hinge,  // sum_{j != y} max(0, s_j - s_y + margin)^2
  softmax,        // cross-entropy: -log(exp(s_y) / sum_j exp(s_j)), natural log
};
// Every LossKind, in the order users see the names (see enum_names.hpp).
inline constexpr std::array kLossKinds{LossKind::svm, LossKind::squared_hinge, LossKind::softmax};

struct LossSpec {
  LossKind kind = LossKind::softmax;
  double margin = 1.0;  // the hinge losses' delta; unused by softmax
};

LossKind parse_loss_kind(const std::string& name);  // throws std::invalid_argument
std::string to_string(LossKind kind);  // its config name

// Scores laid out one column per class (B x C column-major, one example per row), or a block of
// columns of a wider such matrix: the fused trainer's layout, where each trial's scores are C
// columns of the stacked scores. A RowMatrix block would not bind: that layout is data_loss's.
template <typename Scalar>
using ByClass = Eigen::Ref<std::conditional_t<std::is_const_v<Scalar>, const Matrix<std::remove_const_t<Scalar>>,
                                              Matrix<Scalar>>>;

// The mean data loss over the B examples of `scores` (one column per class); writes dL/dscores,
// already divided by B, into `dscores` (the same shape; may be a block of a larger matrix).
// The kernels behind every entry point of this file.
template <typename Scalar>
Scalar data_loss_by_class(const LossSpec& spec, const ByClass<const Scalar>& scores,
                          std::span<const std::int32_t> labels, ByClass<Scalar> dscores);

// Each example's top class (the first top class, on ties, as maxCoeff picks it) into `top`, which
// has one entry per row of `scores`.
template <typename Scalar>
void top_classes(const ByClass<const Scalar>& scores, std::span<std::int32_t> top);

// How many examples have their label as their top class (top_classes).
template <typename Scalar>
std::size_t count_top_is_label(const ByClass<const Scalar>& scores, std::span<const std::int32_t> labels);

// Mean data loss over the rows of `scores` (B x C, one example per row).
// When `dscores` is not null it receives dL/dscores, already divided by B.
template <typename Scalar>
Scalar data_loss(const LossSpec& spec, const RowMatrix<Scalar>& scores,
                 std::span<const std::int32_t> labels, RowMatrix<Scalar>* dscores);

// Per-example losses L_i (for tests and reports): size B.
template <typename Scalar>
std::vector<Scalar> example_losses(const LossSpec& spec, const RowMatrix<Scalar>& scores,
                                   std::span<const std::int32_t> labels);

// Softmax probabilities of each row, computed stably (shifted by the row max).
template <typename Scalar>
RowMatrix<Scalar> softmax_probabilities(const RowMatrix<Scalar>& scores);

// For the hinge losses: one byte per (example, class) saying whether the margin term is active
// (> 0). Two patterns that differ mean a kink lies between the two score matrices, so a numerical
// derivative across it is not comparable to the analytic one. Empty for softmax (smooth).
template <typename Scalar>
std::vector<std::uint8_t> hinge_activity(const LossSpec& spec, const RowMatrix<Scalar>& scores,
                                         std::span<const std::int32_t> labels);

}  // namespace losslab
