#include "losslab/loss.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "parse_names.hpp"

namespace losslab {
namespace {

constexpr std::array<std::pair<LossKind, const char*>, 3> kLossNames{{
    {LossKind::svm, "svm"}, {LossKind::squared_hinge, "squared_hinge"}, {LossKind::softmax, "softmax"}}};

// The per-example loss of one score row, and when `grad` is not null its gradient w.r.t. the
// row. This is the only place each formula is written.
template <typename Scalar>
Scalar row_loss(const LossSpec& spec, const Scalar* s, Eigen::Index classes, std::int32_t y,
                Scalar* grad) {
  if (spec.kind == LossKind::softmax) {
    // Shift by the row max so exp never overflows: the loss is logsumexp(s) - s_y.
    const Scalar max = *std::max_element(s, s + classes);
    Scalar sum = 0;
    for (Eigen::Index j = 0; j < classes; ++j) {
      const Scalar e = std::exp(s[j] - max);
      sum += e;
      if (grad) grad[j] = e;
    }
    if (grad) {
      for (Eigen::Index j = 0; j < classes; ++j) grad[j] /= sum;
      grad[y] -= 1;
    }
    return std::log(sum) - (s[y] - max);
  }
  // Hinge family: term m_j = max(0, s_j - s_y + delta), penalized as m (svm) or m^2 (squared).
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
  const Eigen::Index n = scores.rows(), classes = scores.cols();
  if (n == 0) throw std::invalid_argument("loss: empty batch");
  if (dscores) dscores->resize(n, classes);
  // Accumulate in double: float sums over thousands of rows lose digits the gradient check sees.
  double total = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    total += row_loss<Scalar>(spec, scores.row(i).data(), classes, labels[i],
                      dscores ? dscores->row(i).data() : nullptr);
  if (dscores) *dscores /= static_cast<Scalar>(n);
  return static_cast<Scalar>(total / static_cast<double>(n));
}

template <typename Scalar>
std::vector<Scalar> example_losses(const LossSpec& spec, const RowMatrix<Scalar>& scores,
                                   std::span<const std::int32_t> labels) {
  check_labels(scores, labels);
  std::vector<Scalar> losses(labels.size());
  for (Eigen::Index i = 0; i < scores.rows(); ++i)
    losses[i] = row_loss<Scalar>(spec, scores.row(i).data(), scores.cols(), labels[i], nullptr);
  return losses;
}

template <typename Scalar>
RowMatrix<Scalar> softmax_probabilities(const RowMatrix<Scalar>& scores) {
  // The softmax gradient row plus the one-hot label is exactly the probability row.
  const LossSpec softmax{LossKind::softmax, 0.0};
  RowMatrix<Scalar> probabilities(scores.rows(), scores.cols());
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    row_loss<Scalar>(softmax, scores.row(i).data(), scores.cols(), 0, probabilities.row(i).data());
    probabilities(i, 0) += 1;
  }
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
