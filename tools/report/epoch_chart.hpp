// The HTML report's chart of a halving search: each trial's validation accuracy by epoch, ending
// where the trial stopped (a pruned trial at its rung's budget), with the rungs' budgets marked.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report_data.hpp"

namespace losslab::report {

// Lines drawn at most: a 10,000-trial search would make the page heavy and the chart a smear.
inline constexpr std::size_t kMaxEpochLines = 200;
// Points per line at most (every k-th epoch and the last); halving searches rarely train longer.
inline constexpr std::size_t kMaxEpochPoints = 200;

// Null without rungs. Otherwise {"metric", "limit", "trials", "rungs": [{bracket, rung, epochs,
// trials}], "lines": [{trial_id, name, status, rung, epochs_done, points: [[epoch, value], ...]}]}:
// `metric` (val_accuracy, or train_accuracy without a validation split) from epoch_metrics, one
// line per trial (in id order) when there are at most kMaxEpochLines, else the kMaxEpochLines
// best of `ranking`; trials without epoch metrics have no line.
nlohmann::json epoch_chart_json(ResultsReader& db, const std::vector<TrialRecord>& trials,
                                const std::vector<const TrialRecord*>& ranking, const std::vector<RungRecord>& rungs,
                                const std::string& metric);

// At most `max_points` of `rows`: every k-th, counted back from the last, which is always kept.
std::vector<EpochRow> thin_epochs(const std::vector<EpochRow>& rows, std::size_t max_points);

}  // namespace losslab::report
