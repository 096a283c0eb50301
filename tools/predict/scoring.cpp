#include "scoring.hpp"

#include "losslab/loss.hpp"
#include "losslab/model.hpp"
#include "losslab/splits.hpp"

namespace losslab::predictions {

Scores score_examples(const report::TrialModel& model, Dataset examples, const std::string& source) {
  if (examples.X.cols() != model.features())
    throw DatasetError(source, "examples have " + std::to_string(examples.X.cols()) + " features; " +
                                   report::describe(model) + " takes " + std::to_string(model.features()));
  Preprocessor::from_fitted(model.preprocessing.steps).apply(examples);
  Scores out;
  compute_scores<float>(examples.X, model.W, out.scores);
  out.predicted = top_classes(out.scores);
  if (model.loss == LossKind::softmax) out.probabilities = softmax_probabilities(out.scores);
  return out;
}

}  // namespace losslab::predictions
