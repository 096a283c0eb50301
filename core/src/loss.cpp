#include "losslab/loss.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "parse_names.hpp"

namespace losslab {
namespace {

template <typename Scalar>
using Column = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
using LabelColumn = Eigen::Map<const Eigen::Array<std::int32_t, Eigen::Dynamic, 1>>;

// The kernels below see the scores one column per class (one row per example): each step of a
// formula is then one vector operation over all examples, which is what makes them fast (a row
// of 10 classes is too short for a SIMD register of 16 floats).

// s_{i, y_i}: each example's score for its label.
template <typename Scalar>
Column<Scalar> label_scores(const ByClass<const Scalar>& scores, std::span<const std::int32_t> labels) {
  Column<Scalar> picked(scores.rows());
  for (Eigen::Index i = 0; i < scores.rows(); ++i) picked(i) = scores(i, labels[static_cast<std::size_t>(i)]);
  return picked;
}

// Hinge family: term m_j = max(0, s_j - s_y + delta) for each class j != y, penalized as m (svm)
// or m^2 (squared hinge), summed over j in class order. When `grad` is not null it receives
// dL_i/ds: the term's derivative for j != y, and the negated sum of those for y.
template <typename Scalar>
void hinge_by_class(const LossSpec& spec, const ByClass<const Scalar>& scores, std::span<const std::int32_t> labels,
                    Column<Scalar>& losses, ByClass<Scalar>* grad) {
  const bool squared = spec.kind == LossKind::squared_hinge;
  const auto delta = static_cast<Scalar>(spec.margin);
  const Eigen::Index n = scores.rows();
  const LabelColumn y(labels.data(), n);
  const Column<Scalar> label_score = label_scores<Scalar>(scores, labels);
  losses.setZero(n);
  Column<Scalar> grad_y;
  if (grad) grad_y.setZero(n);
  for (Eigen::Index j = 0; j < scores.cols(); ++j) {
    // Zero where j is the label: adding an exact 0 leaves the sum as if that term were skipped.
    const Column<Scalar> m = (y == static_cast<std::int32_t>(j))
                                 .select(Scalar(0), (scores.col(j).array() - label_score + delta).max(Scalar(0)));
    if (squared)
      losses += m * m;
    else
      losses += m;
    if (!grad) continue;
    const Column<Scalar> d = squared ? Column<Scalar>(2 * m) : Column<Scalar>((m > 0).template cast<Scalar>());
    grad->col(j) = d.matrix();
    grad_y -= d;
  }
  if (grad)
    for (Eigen::Index i = 0; i < n; ++i) (*grad)(i, labels[static_cast<std::size_t>(i)]) = grad_y(i);
}

// Softmax cross-entropy: L_i = logsumexp(s_i) - s_iy, computed after shifting each example's
// scores by their max so exp never overflows; dL_i/ds_i = p_i - onehot(y_i).
template <typename Scalar>
void softmax_by_class(const ByClass<const Scalar>& scores, std::span<const std::int32_t> labels,
                      Column<Scalar>& losses, ByClass<Scalar>* grad) {
  const Eigen::Index n = scores.rows();
  Column<Scalar> top = scores.col(0).array();
  for (Eigen::Index j = 1; j < scores.cols(); ++j) top = top.max(scores.col(j).array());
  Column<Scalar> sum = Column<Scalar>::Zero(n);
  // exp is evaluated into an aligned temporary: Eigen computes the elements before a
  // destination's first aligned address with the scalar std::exp, whose last bit may differ from
  // its vectorized exp, so writing straight into a block would make results depend on where the
  // block sits in memory (which rows of a batch a slice is, how many threads share a step).
  thread_local Column<Scalar> e;
  for (Eigen::Index j = 0; j < scores.cols(); ++j) {
    e = (scores.col(j).array() - top).exp();
    sum += e;
    if (grad) grad->col(j).array() = e;
  }
  losses = sum.log() - (label_scores<Scalar>(scores, labels) - top);
  if (!grad) return;
  for (Eigen::Index j = 0; j < scores.cols(); ++j) grad->col(j).array() /= sum;
  for (Eigen::Index i = 0; i < n; ++i) (*grad)(i, labels[static_cast<std::size_t>(i)]) -= 1;
}

// Per-example losses L_i and, when `grad` is not null, dL_i/ds (not yet divided by B). This is
// the only place each formula is reached from.
template <typename Scalar>
void by_class_losses(const LossSpec& spec, const ByClass<const Scalar>& scores, std::span<const std::int32_t> labels,
                     Column<Scalar>& losses, ByClass<Scalar>* grad) {
  if (spec.kind == LossKind::softmax)
    softmax_by_class<Scalar>(scores, labels, losses, grad);
  else
    hinge_by_class<Scalar>(spec, scores, labels, losses, grad);
}

void check_labels(Eigen::Index rows, Eigen::Index classes, std::span<const std::int32_t> labels) {
  if (static_cast<std::size_t>(rows) != labels.size())
    throw std::invalid_argument("loss: " + std::to_string(rows) + " score rows but " +
                                std::to_string(labels.size()) + " labels");
  for (std::int32_t y : labels)
    if (y < 0 || y >= classes)
      throw std::invalid_argument("loss: label " + std::to_string(y) + " outside [0, " + std::to_string(classes) +
                                  ")");
}

// The mean loss over the examples and, when `grad` is not null, its gradient (divided by B).
template <typename Scalar>
Scalar mean_loss(const LossSpec& spec, const ByClass<const Scalar>& scores, std::span<const std::int32_t> labels,
                 ByClass<Scalar>* grad) {
  check_labels(scores.rows(), scores.cols(), labels);
  const Eigen::Index n = scores.rows();
  if (n == 0) throw std::invalid_argument("loss: empty batch");
  thread_local Column<Scalar> losses;
  by_class_losses<Scalar>(spec, scores, labels, losses, grad);
  if (grad) *grad /= static_cast<Scalar>(n);
  // Sum in double: float sums over thousands of rows lose digits the gradient check sees.
  double total = 0;
  for (Eigen::Index i = 0; i < n; ++i) total += losses(i);
  return static_cast<Scalar>(total / static_cast<double>(n));
}

}  // namespace

LossKind parse_loss_kind(const std::string& name) { return detail::parse_name(kLossKinds, name, "loss"); }
std::string to_string(LossKind kind) {
  switch (kind) {
    case LossKind::svm: return "svm";
    case LossKind::squared_hinge: return "squared_hinge";
    case LossKind::softmax: return "softmax";
  }
  return "?";  // not a LossKind
}

template <typename Scalar>
Scalar data_loss_by_class(const LossSpec& spec, const ByClass<const Scalar>& scores,
                          std::span<const std::int32_t> labels, ByClass<Scalar> dscores) {
  if (dscores.rows() != scores.rows() || dscores.cols() != scores.cols())
    throw std::invalid_argument("loss: dscores must have the shape of the scores");
  return mean_loss<Scalar>(spec, scores, labels, &dscores);
}

template <typename Scalar>
void top_classes(const ByClass<const Scalar>& scores, std::span<std::int32_t> top) {
  if (top.size() != static_cast<std::size_t>(scores.rows()))
    throw std::invalid_argument("top_classes: " + std::to_string(scores.rows()) + " rows of scores but room for " +
                                std::to_string(top.size()));
  std::fill(top.begin(), top.end(), 0);
  if (scores.cols() == 0) return;
  // The first class with the top score, as maxCoeff picks it: only a strictly greater score
  // replaces. Plain loops over contiguous columns, which the compiler turns into masked vector
  // blends (Eigen's select on bool arrays would allocate and stay scalar).
  const std::size_t n = top.size();
  thread_local std::vector<Scalar> best;
  best.assign(scores.col(0).data(), scores.col(0).data() + n);
  for (Eigen::Index j = 1; j < scores.cols(); ++j) {
    const Scalar* column = scores.col(j).data();
    const auto klass = static_cast<std::int32_t>(j);
    for (std::size_t i = 0; i < n; ++i) {
      const bool greater = column[i] > best[i];
      best[i] = greater ? column[i] : best[i];
      top[i] = greater ? klass : top[i];
    }
  }
}

template <typename Scalar>
std::size_t count_top_is_label(const ByClass<const Scalar>& scores, std::span<const std::int32_t> labels) {
  check_labels(scores.rows(), scores.cols(), labels);
  if (scores.cols() == 0) return 0;
  thread_local std::vector<std::int32_t> top;
  top.resize(labels.size());
  top_classes<Scalar>(scores, top);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) correct += top[i] == labels[i];
  return correct;
}

template <typename Scalar>
Scalar data_loss(const LossSpec& spec, const RowMatrix<Scalar>& scores, std::span<const std::int32_t> labels,
                 RowMatrix<Scalar>* dscores) {
  const Matrix<Scalar> by_class = scores;
  if (!dscores) return mean_loss<Scalar>(spec, by_class, labels, nullptr);  // no gradient computed
  Matrix<Scalar> grad(scores.rows(), scores.cols());
  ByClass<Scalar> grad_block = grad;
  const Scalar mean = mean_loss<Scalar>(spec, by_class, labels, &grad_block);
  *dscores = grad;
  return mean;
}

template <typename Scalar>
std::vector<Scalar> example_losses(const LossSpec& spec, const RowMatrix<Scalar>& scores,
                                   std::span<const std::int32_t> labels) {
  check_labels(scores.rows(), scores.cols(), labels);
  const Matrix<Scalar> by_class = scores;
  Column<Scalar> losses;
  by_class_losses<Scalar>(spec, by_class, labels, losses, nullptr);
  return std::vector<Scalar>(losses.data(), losses.data() + losses.size());
}

template <typename Scalar>
RowMatrix<Scalar> softmax_probabilities(const RowMatrix<Scalar>& scores) {
  // The softmax gradient row plus the one-hot label is exactly the probability row.
  const std::vector<std::int32_t> first(static_cast<std::size_t>(scores.rows()), 0);
  const Matrix<Scalar> by_class = scores;
  Matrix<Scalar> probabilities(scores.rows(), scores.cols());
  ByClass<Scalar> grad = probabilities;
  Column<Scalar> losses;
  softmax_by_class<Scalar>(by_class, first, losses, &grad);
  probabilities.col(0).array() += 1;
  return probabilities;
}

template <typename Scalar>
std::vector<std::uint8_t> hinge_activity(const LossSpec& spec, const RowMatrix<Scalar>& scores,
                                         std::span<const std::int32_t> labels) {
  if (spec.kind == LossKind::softmax) return {};
  check_labels(scores.rows(), scores.cols(), labels);
  std::vector<std::uint8_t> active(static_cast<std::size_t>(scores.size()));
  for (Eigen::Index i = 0; i < scores.rows(); ++i)
    for (Eigen::Index j = 0; j < scores.cols(); ++j)
      active[i * scores.cols() + j] =
          j != labels[i] && scores(i, j) - scores(i, labels[i]) + spec.margin > 0;
  return active;
}

#define LOSSLAB_INSTANTIATE(Scalar)                                                                 \
  template Scalar data_loss_by_class<Scalar>(const LossSpec&, const ByClass<const Scalar>&,         \
                                             std::span<const std::int32_t>, ByClass<Scalar>);       \
  template void top_classes<Scalar>(const ByClass<const Scalar>&, std::span<std::int32_t>);          \
  template std::size_t count_top_is_label<Scalar>(const ByClass<const Scalar>&,                     \
                                                  std::span<const std::int32_t>);                   \
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
