#include "search_tables.hpp"

#include <algorithm>
#include <cmath>

namespace losslab::report {
namespace {

int search_value(const TrialRecord& trial, const std::string& column) {
  return column == "rung" ? trial.rung : trial.round;  // -1 where the column is NULL
}

}  // namespace

const std::vector<std::string>& search_column_names() {
  static const std::vector<std::string> names = {"rung", "round"};
  return names;
}

bool has_search_value(const std::vector<TrialRecord>& trials, const std::string& column) {
  return std::any_of(trials.begin(), trials.end(),
                     [&](const TrialRecord& trial) { return search_value(trial, column) >= 0; });
}

Cell search_cell(const TrialRecord& trial, const std::string& column) {
  const int value = search_value(trial, column);
  return value < 0 ? Cell::null() : Cell(value);
}

Table rungs_table(const std::vector<RungRecord>& rows) {
  Table table;
  table.header = {"bracket",   "rung",      "epochs",   "trials",    "promoted",
                  "pruned",    "completed", "diverged_or_failed", "undecided", "best_val_accuracy"};
  const auto count = [](std::size_t n) { return Cell(static_cast<std::int64_t>(n)); };
  for (const RungSummary& rung : runner::summarize_rungs(rows))
    table.rows.push_back({Cell(rung.bracket), Cell(rung.rung), Cell(rung.epochs), count(rung.trials),
                          count(rung.promoted), count(rung.pruned), count(rung.completed), count(rung.stopped),
                          count(rung.undecided), fixed_cell(rung.best_val_accuracy, 4)});
  return table;
}

Table rounds_table(const std::vector<TrialRecord>& trials, const SortKey& sort) {
  Table table;
  table.header = {"round", "trials", "best_trial", "best_" + sort.metric};
  for (const RoundSummary& round : runner::summarize_rounds(trials, sort)) {
    const double best = round.best ? runner::rank_metrics().at(sort.metric).read(*round.best) : NAN;
    table.rows.push_back({Cell(round.round), Cell(static_cast<std::int64_t>(round.trials)),
                          round.best ? Cell(round.best->name) : Cell::null(), fixed_cell(best, 4)});
  }
  return table;
}

}  // namespace losslab::report
