// What losslab-predict prints: one row per example (its prediction, class scores and, for softmax,
// probabilities), or with --evaluate the accuracy, per-class precision / recall / F1, macro-F1 and
// the confusion matrix -- all as report Tables (table_format.hpp), so the formats are the report's.
#pragma once

#include <iosfwd>
#include <string>

#include "losslab/dataset.hpp"
#include "scoring.hpp"
#include "table_format.hpp"
#include "trial_model.hpp"

namespace losslab::predictions {

// Columns: example (0-based, in input order), label (the true class, only when the input has
// labels), predicted, then score:CLASS for every class in label order, then for softmax
// probability:CLASS. Scores and probabilities are the float32 values, written in their shortest
// form that reads back to the same float32.
report::Table predictions_table(const report::TrialModel& model, const Scores& scores, const Labels& truth);

// The evaluation of `predicted` against `truth` (core's classification_metrics). table and
// markdown: a summary (examples, accuracy, macro_f1), the per-class table and the confusion matrix
// (rows: true class, columns: predicted class), each under a title; csv: one long table
// (metric, class, predicted_class, value); json: one object. `input` names the examples.
void write_evaluation(const report::TrialModel& model, const std::string& input, const Labels& truth,
                      const Labels& predicted, report::OutputFormat format, std::ostream& out);

}  // namespace losslab::predictions
