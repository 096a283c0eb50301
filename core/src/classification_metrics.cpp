#include "losslab/classification_metrics.hpp"

#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace losslab {

std::int64_t ConfusionMatrix::total() const { return std::accumulate(counts.begin(), counts.end(), std::int64_t{0}); }

ConfusionMatrix confusion_matrix(std::span<const std::int32_t> truth, std::span<const std::int32_t> predicted,
                                 int classes) {
  if (classes < 1) throw std::invalid_argument("a confusion matrix needs at least one class");
  if (truth.size() != predicted.size())
    throw std::invalid_argument("confusion matrix: " + std::to_string(truth.size()) + " labels but " +
                                std::to_string(predicted.size()) + " predictions");
  ConfusionMatrix matrix{classes, std::vector<std::int64_t>(static_cast<std::size_t>(classes) * classes, 0)};
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const std::int32_t t = truth[i];
    const std::int32_t p = predicted[i];
    if (t < 0 || t >= classes || p < 0 || p >= classes)
      throw std::invalid_argument("confusion matrix: example " + std::to_string(i) + " has label " +
                                  std::to_string(t) + " and prediction " + std::to_string(p) + ", outside [0, " +
                                  std::to_string(classes) + ")");
    ++matrix.counts[static_cast<std::size_t>(t) * classes + p];
  }
  return matrix;
}

std::vector<ClassMetrics> per_class_metrics(const ConfusionMatrix& matrix) {
  std::vector<ClassMetrics> metrics(matrix.classes);
  for (int c = 0; c < matrix.classes; ++c) {
    ClassMetrics& m = metrics[c];
    for (int other = 0; other < matrix.classes; ++other) {
      m.support += matrix.at(c, other);
      m.predicted += matrix.at(other, c);
    }
    const auto hits = static_cast<double>(matrix.at(c, c));
    m.precision = m.predicted ? hits / static_cast<double>(m.predicted) : 0.0;
    m.recall = m.support ? hits / static_cast<double>(m.support) : 0.0;
    m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0.0;
  }
  return metrics;
}

double accuracy(const ConfusionMatrix& matrix) {
  const std::int64_t total = matrix.total();
  if (total == 0) return std::numeric_limits<double>::quiet_NaN();
  std::int64_t hits = 0;
  for (int c = 0; c < matrix.classes; ++c) hits += matrix.at(c, c);
  return static_cast<double>(hits) / static_cast<double>(total);
}

double macro_f1(const ConfusionMatrix& matrix) {
  double sum = 0;
  int present = 0;
  for (const ClassMetrics& m : per_class_metrics(matrix)) {
    if (m.support == 0 && m.predicted == 0) continue;
    sum += m.f1;
    ++present;
  }
  return present ? sum / present : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace losslab
