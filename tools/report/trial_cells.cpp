#include "trial_cells.hpp"

#include <nlohmann/json.hpp>
#include <type_traits>

namespace losslab::report {

Cell param_cell(const TrialRecord& trial, const std::string& name) {
  const auto it = trial.params.find(name);
  if (it == trial.params.end()) return Cell::null();
  return std::visit(
      [](const auto& value) -> Cell {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, bool>) return Cell(static_cast<std::int64_t>(value));
        else if constexpr (std::is_same_v<T, std::int64_t>) return Cell(value);
        else if constexpr (std::is_same_v<T, double>) return Cell(value);
        else if constexpr (std::is_same_v<T, std::string>) return Cell(value);
        else return Cell(nlohmann::json(value).dump());
      },
      it->second);
}

Cell metric_cell(const TrialRecord& trial, const std::string& metric) {
  if (metric == "epochs_done") return Cell(trial.epochs_done);
  return fixed_cell(runner::rank_metrics().at(metric).read(trial), metric == "train_seconds" ? 2 : 4);
}

}  // namespace losslab::report
