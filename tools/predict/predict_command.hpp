// losslab-predict without its command line: score the examples of INPUT with a recorded trial's
// model and render the predictions (or, with --evaluate, their evaluation) as text.
#pragma once

#include <optional>
#include <string>

#include "input_examples.hpp"
#include "table_format.hpp"
#include "trial_model.hpp"

namespace losslab::predictions {

struct PredictOptions {
  std::string db;
  report::ModelChoice choice;
  InputOptions input;
  bool evaluate = false;
  // Predictions: csv (default) or json; --evaluate: table (default), csv, json or markdown.
  std::optional<report::OutputFormat> format;
};

// The whole output, rendered before anything is written, so a failure writes nothing. Throws
// report::UsageError (a bad choice of trial or format, --evaluate without labels),
// DatasetError (an unreadable input or one that does not fit the model) or report::ReportError /
// runner::StoreError (the database).
std::string predict(const PredictOptions& options);

// Writes `text` to `path` ("-": stdout) as a whole: into a temporary file beside it, renamed into
// place once complete, so `path` is either untouched or complete. Throws std::runtime_error.
void write_output(const std::string& text, const std::string& path);

}  // namespace losslab::predictions
