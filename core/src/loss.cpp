#include "losslab/loss.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "parse_names.hpp"

namespace losslab {
namespace {

constexpr std::array<std::pair<LossKind, const char*>, 3> kLossNames{{
    {LossKind::svm, "svm"}, {LossKind::squared_hinge, "squared_hinge"}, {LossKind::softmax, "softmax"}}};

// Hinge family, one score row: term m_j = max(0, s_j - s_y + delta), penalized as m (svm) or
// m^2 (squared hinge). Returns L_i; when `grad` is not null writes dL_i/ds.
template <typename Scalar>
Scalar hinge_row(const LossSpec& spec, const Scalar* s, Eigen::Index classes, std::int32_t y, Scalar* grad) {
  const bool squared = spec.kind == LossKind::squared_hinge;
  const Scalar delta = static_cast<Scalar>(spec.margin);
  Scalar loss = 0, grad_y = 0;
  for (Eigen::Index j = 0; j < classes; ++j) {
    if (j == y) continue;
    const Scalar m = std::max(Scalar(0), s[j] - s[y] + delta);
    loss += squared ? m * m : m;
    if (grad) {
      // d/ds_j of the term; the correct class receives the negated sum.
      const Scalar d = squared ? 2 * m : (m > 0 ? Scalar(1) : Scalar(0));
      grad[j] = d;
      grad_y -= d;
    }
  }
  if (grad) grad[y] = grad_y;
  return loss;
}

// Softmax cross-entropy of a whole batch, vectorized over the block (exp is the costly part):
// L_i = logsumexp(s_i) - s_iy, computed after shifting each row by its max so exp never
// overflows; dL_i/ds_i = p_i - onehot(y_i).
template <typename Scalar>
void softmax_batch(const RowMatrix<Scalar>& scores, std::span<const std::int32_t> labels, Scalar* losses,
                   RowMatrix<Scalar>* grad) {
  const Vector<Scalar> max = scores.rowwise().maxCoeff();
  RowMatrix<Scalar> local;
  RowMatrix<Scalar>& e = grad ? *grad : local;
  e.resize(scores.rows(), scores.cols());
  for (Eigen::Index i = 0; i < scores.rows(); ++i) e.row(i) = scores.row(i).array() - max(i);
  // One exp over the contiguous buffer: Eigen vectorizes it (a row of 10 classes alone is too
  // short for a SIMD packet).
  auto flat = Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>>(e.data(), e.size());
  flat = flat.exp();
  const Vector<Scalar> sum = e.rowwise().sum();
  for (Eigen::Index i = 0; i < scores.rows(); ++i)
    losses[i] = std::log(sum(i)) - (scores(i, labels[i]) - max(i));
  if (grad) {
    e.array().colwise() /= sum.array();
    for (Eigen::Index i = 0; i < scores.rows(); ++i) e(i, labels[i]) -= 1;
  }
}

// Per-example losses L_i of a batch and, when `grad` is not null, dL_i/ds (not yet divided by
// B). This is the only place each formula is reached from.
template <typename Scalar>
void batch_losses(const LossSpec& spec, const RowMatrix<Scalar>& scores, std::span<const std::int32_t> labels,
                  Scalar* losses, RowMatrix<Scalar>* grad) {
  if (grad) grad->resize(scores.rows(), scores.cols());
  if (spec.kind == LossKind::softmax) {
    softmax_batch(scores, labels, losses, grad);
    return;
  }
  for (Eigen::Index i = 0; i < scores.rows(); ++i)
    losses[i] = hinge_row<Scalar>(spec, scores.row(i).data(), scores.cols(), labels[i],
                                  grad ? grad->row(i).data() : nullptr);
}

template <typename Scalar>
void check_labels(const RowMatrix<Scalar>& scores, std::span<const std::int32_t> labels) {
  if (static_cast<std::size_t>(scores.rows()) != labels.size())
    throw std::invalid_argument("loss: " + std::to_string(scores.rows()) + " score rows but " +
                                std::to_string(labels.size()) + " labels");
  for (std::int32_t y : labels)
    if (y < 0 || y >= scores.cols())
      throw std::invalid_argument("loss: label " + std::to_string(y) + " outside [0, " +
                                  std::to_string(scores.cols()) + ")");
}

}  // namespace

LossKind parse_loss_kind(const std::string& name) { return detail::parse_name(kLossNames, name, "loss"); }
std::string to_string(LossKind kind) { return detail::name_of(kLossNames, kind); }

template <typename Scalar>
Scalar data_loss(const LossSpec& spec, const RowMatrix<Scalar>& scores,
                 std::span<const std::int32_t> labels, RowMatrix<Scalar>* dscores) {
  check_labels(scores, labels);
  const Eigen::Index n = scores.rows();
  if (n == 0) throw std::invalid_argument("loss: empty batch");
  thread_local std::vector<Scalar> losses;
  losses.resize(static_cast<std::size_t>(n));
  batch_losses(spec, scores, labels, losses.data(), dscores);
  if (dscores) *dscores /= static_cast<Scalar>(n);
  // Sum in double: float sums over thousands of rows lose digits the gradient check sees.
  double total = 0;
  for (Scalar loss : losses) total += loss;
  return static_cast<Scalar>(total / static_cast<double>(n));
}

template <typename Scalar>
std::vector<Scalar> example_losses(const LossSpec& spec, const RowMatrix<Scalar>& scores,
                                   std::span<const std::int32_t> labels) {
  check_labels(scores, labels);
  std::vector<Scalar> losses(labels.size());
  batch_losses<Scalar>(spec, scores, labels, losses.data(), nullptr);
  return losses;
}

template <typename Scalar>
RowMatrix<Scalar> softmax_probabilities(const RowMatrix<Scalar>& scores) {
  // The softmax gradient row plus the one-hot label is exactly the probability row.
  const std::vector<std::int32_t> first(static_cast<std::size_t>(scores.rows()), 0);
  std::vector<Scalar> losses(first.size());
  RowMatrix<Scalar> probabilities;
  softmax_batch<Scalar>(scores, first, losses.data(), &probabilities);
  probabilities.col(0).array() += 1;
  return probabilities;
}

template <typename Scalar>
std::vector<std::uint8_t> hinge_activity(const LossSpec& spec, const RowMatrix<Scalar>& scores,
                                         std::span<const std::int32_t> labels) {
  if (spec.kind == LossKind::softmax) return {};
  check_labels(scores, labels);
  std::vector<std::uint8_t> active(static_cast<std::size_t>(scores.size()));
  for (Eigen::Index i = 0; i < scores.rows(); ++i)
    for (Eigen::Index j = 0; j < scores.cols(); ++j)
      active[i * scores.cols() + j] =
          j != labels[i] && scores(i, j) - scores(i, labels[i]) + spec.margin > 0;
  return active;
}

#define LOSSLAB_INSTANTIATE(Scalar)                                                                 \
  template Scalar data_loss<Scalar>(const LossSpec&, const RowMatrix<Scalar>&,                      \
                                    std::span<const std::int32_t>, RowMatrix<Scalar>*);             \
  template std::vector<Scalar> example_losses<Scalar>(const LossSpec&, const RowMatrix<Scalar>&,    \
                                                      std::span<const std::int32_t>);               \
  template RowMatrix<Scalar> softmax_probabilities<Scalar>(const RowMatrix<Scalar>&);               \
  template std::vector<std::uint8_t> hinge_activity<Scalar>(const LossSpec&, const RowMatrix<Scalar>&, \
                                                            std::span<const std::int32_t>);
LOSSLAB_INSTANTIATE(float)
LOSSLAB_INSTANTIATE(double)
#undef LOSSLAB_INSTANTIATE

}  // namespace losslab
