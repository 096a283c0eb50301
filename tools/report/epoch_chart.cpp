#include "epoch_chart.hpp"

#include <algorithm>

#include "chart_number.hpp"

namespace losslab::report {
namespace {

using nlohmann::json;

json line_json(ResultsReader& db, const TrialRecord& trial, const std::string& metric) {
  json points = json::array();
  for (const EpochRow& row : thin_epochs(db.epoch_metrics(trial.id), kMaxEpochPoints))
    points.push_back({row.epoch, chart_number(metric == "val_accuracy" ? row.val_accuracy : row.train_accuracy)});
  return {{"trial_id", trial.id},
          {"name", trial.name},
          {"status", trial.status},
          {"rung", trial.rung < 0 ? json(nullptr) : json(trial.rung)},
          {"epochs_done", trial.epochs_done},
          {"points", points}};
}

}  // namespace

std::vector<EpochRow> thin_epochs(const std::vector<EpochRow>& rows, std::size_t max_points) {
  if (rows.size() <= max_points || max_points == 0) return rows;
  const std::size_t stride = (rows.size() + max_points - 1) / max_points;
  std::vector<EpochRow> kept;
  for (std::size_t i = (rows.size() - 1) % stride; i < rows.size(); i += stride) kept.push_back(rows[i]);
  return kept;
}

json epoch_chart_json(ResultsReader& db, const std::vector<TrialRecord>& trials,
                      const std::vector<const TrialRecord*>& ranking, const std::vector<RungRecord>& rungs,
                      const std::string& metric) {
  if (rungs.empty()) return nullptr;
  std::vector<const TrialRecord*> drawn;
  if (trials.size() <= kMaxEpochLines) {
    for (const TrialRecord& trial : trials) drawn.push_back(&trial);
  } else {
    drawn.assign(ranking.begin(), ranking.begin() + static_cast<std::ptrdiff_t>(std::min(ranking.size(), kMaxEpochLines)));
    std::sort(drawn.begin(), drawn.end(), [](const TrialRecord* a, const TrialRecord* b) { return a->id < b->id; });
  }
  json lines = json::array();
  for (const TrialRecord* trial : drawn)
    if (json line = line_json(db, *trial, metric); !line["points"].empty()) lines.push_back(std::move(line));
  json budgets = json::array();
  for (const RungSummary& rung : runner::summarize_rungs(rungs))
    budgets.push_back({{"bracket", rung.bracket}, {"rung", rung.rung}, {"epochs", rung.epochs}, {"trials", rung.trials}});
  return {{"metric", metric}, {"limit", kMaxEpochLines}, {"trials", trials.size()}, {"rungs", budgets}, {"lines", lines}};
}

}  // namespace losslab::report
