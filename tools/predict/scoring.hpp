// Scoring raw examples with a trial's model: the recorded preprocessing applied to them (the very
// floats training fed the weights), then the scores X W, the top class and, for softmax, the
// probabilities -- each by core's one definition of it.
#pragma once

#include "losslab/dataset.hpp"
#include "losslab/types.hpp"
#include "trial_model.hpp"

namespace losslab::predictions {

struct Scores {
  RowMatrix<float> scores;         // N x C: class scores X W
  RowMatrix<float> probabilities;  // N x C softmax probabilities; empty unless the loss is softmax
  Labels predicted;                // the top class of each example (the first of equal scores)
};

// `examples` as read_input gives them (raw features). Throws DatasetError when their features are
// not the model's (a count other than W's rows without the bias row).
Scores score_examples(const report::TrialModel& model, Dataset examples, const std::string& source);

}  // namespace losslab::predictions
