// `losslab-report export-model DB --trial ID|KEY | --best [--experiment NAME] -o model.npz`: a
// trial's weights with everything needed to score a raw example, as arrays numpy.load reads
// (tools/predict/README.md lists them and shows the NumPy lines that score an example).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "trial_model.hpp"

namespace losslab::report {

// (name, .npy bytes) of every array of the model's .npz file, in the order written.
std::vector<std::pair<std::string, std::string>> model_arrays(const TrialModel& model);

// Loads the chosen trial's model and writes it to `path` (write_npz: nothing is written on a
// failure). Throws UsageError / ReportError as load_trial_model and write_npz do.
void write_model_npz(ResultsReader& db, const ModelChoice& choice, const std::string& path);

}  // namespace losslab::report
