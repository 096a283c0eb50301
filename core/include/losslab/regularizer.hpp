// Weight penalties R(W) and the max-norm constraint (regularizer.cpp).
#pragma once

#include <array>
#include <string>

#include "losslab/types.hpp"

namespace losslab {

enum class RegKind {
  none,
  l2,           // R(W) = sum W^2 (the lecture's convention: no 1/2 factor), gradient 2W
  l1,           // R(W) = sum |W|, subgradient sign(W)
  elastic_net,  // R(W) = sum (beta W^2 + |W|), as written in the lecture
  max_norm,     // no penalty: each class column is projected back to norm <= max_norm after a step
};
// Every RegKind, in the order users see the names (see enum_names.hpp); l1 comes before l2 there,
// unlike in the declaration.
inline constexpr std::array kRegKinds{RegKind::none, RegKind::l1, RegKind::l2, RegKind::elastic_net,
                                      RegKind::max_norm};

struct RegSpec {
  RegKind kind = RegKind::l2;
  double strength = 0.0;       // lambda in  L = mean data loss + lambda R(W)
  double beta = 1.0;           // elastic net: weight of the squared term
  double max_norm = 3.0;       // max_norm: radius of each class's weight vector
  bool regularize_bias = false;  // include the bias row (last row, bias trick) in R(W) / the norm
};

RegKind parse_reg_kind(const std::string& name);  // throws std::invalid_argument
std::string to_string(RegKind kind);  // its config name

// The rows R(W) applies to: all of W's `rows`, or all but the bias row.
Eigen::Index penalized_rows(const RegSpec& spec, Eigen::Index rows, bool has_bias_row);

// lambda R(W). `has_bias_row`: the last row of W multiplies the constant-1 feature.
template <typename Scalar>
Scalar regularization_penalty(const RegSpec& spec, const ConstMatrixRef<Scalar>& W, bool has_bias_row);

// dW += d(lambda R)/dW.
template <typename Scalar>
void add_regularization_gradient(const RegSpec& spec, const ConstMatrixRef<Scalar>& W, bool has_bias_row,
                                 MatrixRef<Scalar> dW);

// Max-norm projection after an update; a no-op for the other kinds.
template <typename Scalar>
void apply_constraint(const RegSpec& spec, MatrixRef<Scalar> W, bool has_bias_row);

}  // namespace losslab
