#include "losslab/runner/summary.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>

namespace losslab::runner {
namespace {

double real_or_nan(const SQLite::Column& column) {
  return column.isNull() ? std::numeric_limits<double>::quiet_NaN() : column.getDouble();
}

std::string fixed(double value, int digits) {
  if (!std::isfinite(value)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

}  // namespace

std::vector<TrialSummary> top_trials(ResultsStore& store, std::int64_t experiment_id, int limit) {
  SQLite::Statement query(store.database(),
                          "SELECT name, status, val_accuracy, test_accuracy, train_accuracy, final_loss, "
                          "train_seconds FROM trials WHERE experiment_id = ? "
                          "ORDER BY val_accuracy IS NULL, val_accuracy DESC, train_accuracy DESC, id LIMIT ?");
  query.bind(1, experiment_id);
  query.bind(2, limit);
  std::vector<TrialSummary> rows;
  while (query.executeStep()) {
    TrialSummary row;
    row.name = query.getColumn(0).getString();
    row.status = query.getColumn(1).getString();
    row.val_accuracy = real_or_nan(query.getColumn(2));
    row.test_accuracy = real_or_nan(query.getColumn(3));
    row.train_accuracy = real_or_nan(query.getColumn(4));
    row.final_loss = real_or_nan(query.getColumn(5));
    row.train_seconds = real_or_nan(query.getColumn(6));
    rows.push_back(row);
  }
  return rows;
}

std::map<std::string, std::int64_t> status_counts(ResultsStore& store, std::int64_t experiment_id) {
  SQLite::Statement query(store.database(),
                          "SELECT status, COUNT(*) FROM trials WHERE experiment_id = ? GROUP BY status");
  query.bind(1, experiment_id);
  std::map<std::string, std::int64_t> counts;
  while (query.executeStep()) counts[query.getColumn(0).getString()] = query.getColumn(1).getInt64();
  return counts;
}

void print_trial_table(std::ostream& out, const std::vector<TrialSummary>& trials) {
  std::size_t name_width = 5;
  for (const auto& t : trials) name_width = std::max(name_width, t.name.size());
  char line[512];
  std::snprintf(line, sizeof line, "  %-4s %-*s %-11s %8s %8s %8s %10s %8s\n", "rank", static_cast<int>(name_width),
                "trial", "status", "val acc", "test acc", "train acc", "final loss", "seconds");
  out << line;
  int rank = 1;
  for (const auto& t : trials) {
    std::snprintf(line, sizeof line, "  %-4d %-*s %-11s %8s %8s %8s %10s %8s\n", rank++, static_cast<int>(name_width),
                  t.name.c_str(), t.status.c_str(), fixed(t.val_accuracy, 4).c_str(), fixed(t.test_accuracy, 4).c_str(),
                  fixed(t.train_accuracy, 4).c_str(), fixed(t.final_loss, 4).c_str(), fixed(t.train_seconds, 2).c_str());
    out << line;
  }
}

}  // namespace losslab::runner
