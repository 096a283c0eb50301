#include "losslab/regularizer.hpp"

#include "parse_names.hpp"

namespace losslab {

Eigen::Index penalized_rows(const RegSpec& spec, Eigen::Index rows, bool has_bias_row) {
  return has_bias_row && !spec.regularize_bias ? rows - 1 : rows;
}

RegKind parse_reg_kind(const std::string& name) {
  return detail::parse_name(kRegKinds, name, "regularization");
}
std::string to_string(RegKind kind) {
  switch (kind) {
    case RegKind::none: return "none";
    case RegKind::l2: return "l2";
    case RegKind::l1: return "l1";
    case RegKind::elastic_net: return "elastic_net";
    case RegKind::max_norm: return "max_norm";
  }
  return "?";  // not a RegKind
}

template <typename Scalar>
Scalar regularization_penalty(const RegSpec& spec, const ConstMatrixRef<Scalar>& W, bool has_bias_row) {
  const auto w = W.topRows(penalized_rows(spec, W.rows(), has_bias_row));
  const Scalar lambda = static_cast<Scalar>(spec.strength);
  switch (spec.kind) {
    case RegKind::l2: return lambda * w.squaredNorm();
    case RegKind::l1: return lambda * w.cwiseAbs().sum();
    case RegKind::elastic_net:
      return lambda * (static_cast<Scalar>(spec.beta) * w.squaredNorm() + w.cwiseAbs().sum());
    case RegKind::none:
    case RegKind::max_norm: return 0;
  }
  return 0;
}

template <typename Scalar>
void add_regularization_gradient(const RegSpec& spec, const ConstMatrixRef<Scalar>& W, bool has_bias_row,
                                 MatrixRef<Scalar> dW) {
  const Eigen::Index rows = penalized_rows(spec, W.rows(), has_bias_row);
  const auto w = W.topRows(rows);
  auto g = dW.topRows(rows);
  const Scalar lambda = static_cast<Scalar>(spec.strength);
  switch (spec.kind) {
    case RegKind::l2: g += (2 * lambda) * w; break;
    case RegKind::l1: g += lambda * w.cwiseSign(); break;
    case RegKind::elastic_net:
      g += lambda * (2 * static_cast<Scalar>(spec.beta) * w + w.cwiseSign());
      break;
    case RegKind::none:
    case RegKind::max_norm: break;
  }
}

template <typename Scalar>
void apply_constraint(const RegSpec& spec, MatrixRef<Scalar> W, bool has_bias_row) {
  if (spec.kind != RegKind::max_norm) return;
  auto w = W.topRows(penalized_rows(spec, W.rows(), has_bias_row));
  const Scalar radius = static_cast<Scalar>(spec.max_norm);
  for (Eigen::Index c = 0; c < w.cols(); ++c) {
    const Scalar norm = w.col(c).norm();
    if (norm > radius) w.col(c) *= radius / norm;
  }
}

#define LOSSLAB_INSTANTIATE(Scalar)                                                               \
  template Scalar regularization_penalty<Scalar>(const RegSpec&, const ConstMatrixRef<Scalar>&, bool); \
  template void add_regularization_gradient<Scalar>(const RegSpec&, const ConstMatrixRef<Scalar>&,      \
                                                    bool, MatrixRef<Scalar>);                         \
  template void apply_constraint<Scalar>(const RegSpec&, MatrixRef<Scalar>, bool);
LOSSLAB_INSTANTIATE(float)
LOSSLAB_INSTANTIATE(double)
#undef LOSSLAB_INSTANTIATE

}  // namespace losslab
