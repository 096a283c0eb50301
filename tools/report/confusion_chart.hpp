// The HTML report's view of the best trial's predictions: its confusion matrix as a heatmap with
// each class's accuracy (recall), from the trial_confusion rows the runner recorded.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report_data.hpp"

namespace losslab::report {

// Null when the trial has no recorded matrix (a database before schema version 4). Otherwise
// {"trial_id", "trial", "split": "val" (or "test" without a validation split), "class_names",
// "counts": C rows of C (truth x predicted), "classes": [{"accuracy" (recall), "precision", "f1",
// "support"}], "accuracy", "macro_f1"}. `class_names` names the classes where they have names,
// else they are numbered; a count that differs from the matrix's is replaced by numbers.
nlohmann::json confusion_chart_json(ResultsReader& db, const TrialRecord& trial,
                                    std::vector<std::string> class_names);

}  // namespace losslab::report
