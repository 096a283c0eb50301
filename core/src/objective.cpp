#include "losslab/objective.hpp"

#include "losslab/model.hpp"

namespace losslab {

template <typename Scalar>
Scalar Objective<Scalar>::evaluate(const Eigen::Ref<const RowMatrix<Scalar>>& X,
                                   std::span<const std::int32_t> labels, const Matrix<Scalar>& W,
                                   Matrix<Scalar>* dW) {
  compute_scores<Scalar>(X, W, scores_);
  const Scalar loss = data_loss(loss_, scores_, labels, dW ? &dscores_ : nullptr);
  if (dW) {
    // dscores_ already carries the 1/B of the mean.
    dW->resize(W.rows(), W.cols());
    dW->noalias() = X.transpose() * dscores_;
    add_regularization_gradient<Scalar>(reg_, W, has_bias_row_, *dW);
  }
  return loss + regularization_penalty<Scalar>(reg_, W, has_bias_row_);
}

template <typename Scalar>
std::vector<std::uint8_t> Objective<Scalar>::kink_signature(
    const Eigen::Ref<const RowMatrix<Scalar>>& X, std::span<const std::int32_t> labels,
    const Matrix<Scalar>& W) {
  compute_scores<Scalar>(X, W, scores_);
  std::vector<std::uint8_t> signature = hinge_activity(loss_, scores_, labels);
  // |w| has its kink at 0: the sign pattern of the penalized rows of W changes exactly when one is
  // crossed (an unpenalized bias row has none).
  if (reg_.kind == RegKind::l1 || reg_.kind == RegKind::elastic_net) {
    const auto penalized = W.topRows(penalized_rows(reg_, W.rows(), has_bias_row_));
    for (Eigen::Index c = 0; c < penalized.cols(); ++c)
      for (Eigen::Index r = 0; r < penalized.rows(); ++r)
        signature.push_back(static_cast<std::uint8_t>(penalized(r, c) > 0 ? 2 : (penalized(r, c) < 0 ? 0 : 1)));
  }
  return signature;
}

template class Objective<float>;
template class Objective<double>;

}  // namespace losslab
