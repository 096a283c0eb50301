// The per-epoch curves of every trial, which the HTML report's compare view overlays for the
// trials a reader ticks. Per epoch rather than per step: a few numbers per trial keep a page of
// thousands of trials small, and loss and accuracy then share one x axis.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "report_data.hpp"

namespace losslab::report {

// [{"trial_id", "points": [[epoch, mean_loss, train_accuracy, val_accuracy], ...]}, ...] from
// epoch_metrics, in trial id order, at most kMaxEpochPoints points per trial (thin_epochs); NULL
// for a missing value; trials without epoch metrics are left out.
nlohmann::json epoch_curves_json(ResultsReader& db, const std::vector<TrialRecord>& trials);

}  // namespace losslab::report
