#include "export_model.hpp"

#include <algorithm>

#include "losslab/splits.hpp"
#include "npy_format.hpp"
#include "npz_archive.hpp"

namespace losslab::report {

std::vector<std::pair<std::string, std::string>> model_arrays(const TrialModel& model) {
  const runner::Preprocessing& preprocessing = model.preprocessing;
  const auto features = static_cast<std::size_t>(model.features());
  // Every step but bias as one row of offsets and one of scales (1 where the step only subtracts),
  // so one loop applies them all: x = (x - offsets[k]) / scales[k]. Dividing by 1 changes no float.
  std::vector<float> offsets, scales;
  std::vector<std::string> step_names;
  bool bias = false;
  for (const FittedPreprocessStep& step : preprocessing.steps) {
    step_names.push_back(to_string(step.kind));
    if (step.kind == PreprocessStep::bias) {
      bias = true;
      continue;
    }
    offsets.insert(offsets.end(), step.offset.data(), step.offset.data() + step.offset.size());
    if (step.scale.size() == 0)
      scales.insert(scales.end(), features, 1.0f);
    else
      scales.insert(scales.end(), step.scale.data(), step.scale.data() + step.scale.size());
  }
  const std::size_t scaling_steps = offsets.size() / std::max<std::size_t>(features, 1);
  std::vector<std::int64_t> shape(preprocessing.layout.shape.begin(), preprocessing.layout.shape.end());
  const auto rows = static_cast<std::size_t>(model.W.rows()), cols = static_cast<std::size_t>(model.W.cols());

  std::vector<std::pair<std::string, std::string>> arrays = {
      {"W", npy::floats({rows, cols}, model.W.data(), true)},
      {"offsets", npy::floats({scaling_steps, features}, offsets.data())},
      {"scales", npy::floats({scaling_steps, features}, scales.data())},
      {"bias", npy::boolean(bias)},
      {"class_names", npy::strings({cols}, preprocessing.class_names)},
      {"input_shape", npy::int64s({shape.size()}, shape.data())},
      {"steps", npy::strings({step_names.size()}, step_names)},
      {"loss", npy::string(to_string(model.loss))},
      {"dataset_kind", npy::string(preprocessing.dataset_kind)},
      {"trial_key", npy::string(model.trial.key)},
  };
  if (!preprocessing.layout.names.empty())
    arrays.emplace_back("feature_names", npy::strings({features}, preprocessing.layout.names));
  if (!preprocessing.label_column.empty()) arrays.emplace_back("label_column", npy::string(preprocessing.label_column));
  return arrays;
}

void write_model_npz(ResultsReader& db, const ModelChoice& choice, const std::string& path) {
  npy::write_npz(path, model_arrays(load_trial_model(db, choice)));
}

}  // namespace losslab::report
