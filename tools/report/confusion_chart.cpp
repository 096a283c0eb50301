#include "confusion_chart.hpp"

#include "chart_number.hpp"
#include "losslab/dataset.hpp"

namespace losslab::report {

nlohmann::json confusion_chart_json(ResultsReader& db, const TrialRecord& trial,
                                    std::vector<std::string> class_names) {
  const runner::TrialConfusion recorded = db.confusion(trial.id);
  const bool validation = recorded.val.has_value();
  const std::optional<ConfusionMatrix>& chosen = validation ? recorded.val : recorded.test;
  if (!chosen) return nullptr;
  const ConfusionMatrix& matrix = *chosen;
  if (class_names.size() != static_cast<std::size_t>(matrix.classes))
    class_names = numbered_class_names(static_cast<std::size_t>(matrix.classes));
  nlohmann::json counts = nlohmann::json::array();
  for (int truth = 0; truth < matrix.classes; ++truth) {
    nlohmann::json row = nlohmann::json::array();
    for (int predicted = 0; predicted < matrix.classes; ++predicted) row.push_back(matrix.at(truth, predicted));
    counts.push_back(std::move(row));
  }
  nlohmann::json classes = nlohmann::json::array();
  for (const ClassMetrics& metrics : per_class_metrics(matrix))
    classes.push_back({{"accuracy", chart_number(metrics.support > 0 ? metrics.recall : NAN)},
                       {"precision", chart_number(metrics.precision)},
                       {"f1", chart_number(metrics.f1)},
                       {"support", metrics.support}});
  return {{"trial_id", trial.id},
          {"trial", trial.name},
          {"split", validation ? "val" : "test"},
          {"class_names", class_names},
          {"counts", counts},
          {"classes", classes},
          {"accuracy", chart_number(accuracy(matrix))},
          {"macro_f1", chart_number(macro_f1(matrix))}};
}

}  // namespace losslab::report
