#include "epoch_curves.hpp"

#include "chart_number.hpp"
#include "epoch_chart.hpp"

namespace losslab::report {

nlohmann::json epoch_curves_json(ResultsReader& db, const std::vector<TrialRecord>& trials) {
  nlohmann::json curves = nlohmann::json::array();
  for (const TrialRecord& trial : trials) {
    nlohmann::json points = nlohmann::json::array();
    for (const EpochRow& row : thin_epochs(db.epoch_metrics(trial.id), kMaxEpochPoints))
      points.push_back({row.epoch, chart_number(row.mean_loss), chart_number(row.train_accuracy),
                        chart_number(row.val_accuracy)});
    if (!points.empty()) curves.push_back({{"trial_id", trial.id}, {"points", std::move(points)}});
  }
  return curves;
}

}  // namespace losslab::report
