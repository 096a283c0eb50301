#include "losslab/model.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace losslab {

template <typename Scalar>
void compute_scores(const Eigen::Ref<const RowMatrix<Scalar>>& X, const Matrix<Scalar>& W,
                    RowMatrix<Scalar>& scores) {
  if (X.cols() != W.rows())
    throw std::invalid_argument("scores: data has " + std::to_string(X.cols()) +
                                " features but W has " + std::to_string(W.rows()) + " rows");
  scores.resize(X.rows(), W.cols());
  scores.noalias() = X * W;
}

template <typename Scalar>
Labels top_classes(const RowMatrix<Scalar>& scores) {
  Labels top(static_cast<std::size_t>(scores.rows()));
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    Eigen::Index best = 0;
    scores.row(i).maxCoeff(&best);
    top[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(best);
  }
  return top;
}

template <typename Scalar>
Labels predict(const Eigen::Ref<const RowMatrix<Scalar>>& X, const Matrix<Scalar>& W) {
  RowMatrix<Scalar> scores;
  compute_scores<Scalar>(X, W, scores);
  return top_classes(scores);
}

template <typename Scalar>
double accuracy(const Eigen::Ref<const RowMatrix<Scalar>>& X, std::span<const std::int32_t> labels,
                const Matrix<Scalar>& W) {
  if (static_cast<std::size_t>(X.rows()) != labels.size())
    throw std::invalid_argument("accuracy: " + std::to_string(X.rows()) + " rows but " +
                                std::to_string(labels.size()) + " labels");
  if (labels.empty()) return 0.0;
  // In chunks, so evaluating a large set never allocates a full N x C score matrix.
  constexpr Eigen::Index kChunk = 4096;
  std::size_t correct = 0;
  for (Eigen::Index start = 0; start < X.rows(); start += kChunk) {
    const Eigen::Index rows = std::min(kChunk, X.rows() - start);
    const Labels predicted = predict<Scalar>(X.middleRows(start, rows), W);
    for (Eigen::Index i = 0; i < rows; ++i) correct += predicted[i] == labels[start + i];
  }
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

#define LOSSLAB_INSTANTIATE(Scalar)                                                               \
  template void compute_scores<Scalar>(const Eigen::Ref<const RowMatrix<Scalar>>&,                \
                                       const Matrix<Scalar>&, RowMatrix<Scalar>&);                \
  template Labels top_classes<Scalar>(const RowMatrix<Scalar>&);                                  \
  template Labels predict<Scalar>(const Eigen::Ref<const RowMatrix<Scalar>>&, const Matrix<Scalar>&); \
  template double accuracy<Scalar>(const Eigen::Ref<const RowMatrix<Scalar>>&,                    \
                                   std::span<const std::int32_t>, const Matrix<Scalar>&);
LOSSLAB_INSTANTIATE(float)
LOSSLAB_INSTANTIATE(double)
#undef LOSSLAB_INSTANTIATE

}  // namespace losslab
