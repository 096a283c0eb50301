// A confusion matrix and what is read off it: accuracy, per-class precision / recall / F1 and
// their macro average. The one definition shared by the per-trial metrics, the report and
// `losslab-predict --evaluate`.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace losslab {

struct ConfusionMatrix {
  int classes = 0;
  std::vector<std::int64_t> counts;  // row-major: counts[truth * classes + predicted]

  std::int64_t at(int truth, int predicted) const { return counts[truth * classes + predicted]; }
  std::int64_t total() const;
};

// Counts each (truth[i], predicted[i]) pair. Both spans have the same length and every label is in
// [0, classes); throws std::invalid_argument otherwise.
ConfusionMatrix confusion_matrix(std::span<const std::int32_t> truth, std::span<const std::int32_t> predicted,
                                 int classes);

struct ClassMetrics {
  double precision = 0;  // of the examples predicted as the class, the share that are; 0 if none is
  double recall = 0;     // of the examples of the class, the share predicted as it; 0 if it has none
  double f1 = 0;         // harmonic mean of the two; 0 when both are
  std::int64_t support = 0;    // examples of the class
  std::int64_t predicted = 0;  // examples predicted as the class
};
std::vector<ClassMetrics> per_class_metrics(const ConfusionMatrix& matrix);

// Share of examples on the diagonal; NaN for an empty matrix.
double accuracy(const ConfusionMatrix& matrix);

// Unweighted mean F1 over the classes that occur in the truth or the predictions (a class absent
// from both says nothing about the classifier, as in scikit-learn's default); NaN when none does.
double macro_f1(const ConfusionMatrix& matrix);

}  // namespace losslab
