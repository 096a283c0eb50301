#include "group_training.hpp"

#include <exception>

namespace losslab::runner {
namespace {

TrialReport classify(TrainResult result, const GroupControl& control) {
  TrialReport report;
  switch (result.status) {
    case TrainStatus::completed: report.status = TrialStatus::completed; break;
    case TrainStatus::diverged: report.status = TrialStatus::diverged; break;
    case TrainStatus::stopped: report.status = TrialStatus::interrupted; break;
  }
  if (report.status == TrialStatus::interrupted)
    report.error = control.stop_reason();
  else
    report.error = result.message;
  report.result = std::make_unique<TrainResult>(std::move(result));
  return report;
}

}  // namespace

std::vector<TrialReport> train_group(const Splits& data, const std::vector<TrainerConfig>& configs,
                                     const std::vector<char>& wanted, const GroupControl& control,
                                     unsigned threads, SpareThreads* spares,
                                     const std::vector<const TrainResult*>& resume_from) {
  const std::size_t size = configs.size();
  std::vector<TrialReport> reports(size);
  std::vector<TrainCallbacks> callbacks(size);
  for (std::size_t k = 0; k < size; ++k) {
    callbacks[k].on_step = [&control](const StepInfo&) { return control.should_stop(); };
    callbacks[k].on_epoch_end = [&control](const EpochMetrics&) { return control.should_stop(); };
  }
  std::vector<TrainResult> results;
  try {
    results = train_fused(data, configs, callbacks, threads, spares, resume_from);
  } catch (const std::exception& group_error) {
    if (size == 1) {
      if (wanted[0]) reports[0] = TrialReport{TrialStatus::failed, group_error.what(), nullptr};
      return reports;
    }
    for (std::size_t k = 0; k < size; ++k) {
      if (!wanted[k]) continue;
      try {
        const TrainResult* from = resume_from.empty() ? nullptr : resume_from[k];
        reports[k] = classify(train(data, configs[k], callbacks[k], threads, from), control);
      } catch (const std::exception& error) {
        reports[k] = TrialReport{TrialStatus::failed, error.what(), nullptr};
      }
    }
    return reports;
  }
  for (std::size_t k = 0; k < size; ++k)
    if (wanted[k]) reports[k] = classify(std::move(results[k]), control);
  return reports;
}

}  // namespace losslab::runner
