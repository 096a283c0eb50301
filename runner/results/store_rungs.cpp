// The results store's part of a halving search: each rung a trial finished, the decisions, and
// the checkpoints paused trials go on from (after a rung, or after a Hyperband warm-up segment).
#include <SQLiteCpp/SQLiteCpp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "losslab/runner/results/store.hpp"
#include "store_sql.hpp"

namespace losslab::runner {
namespace {

using namespace store_sql;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A number of the epochs_json array: null for NaN, which JSON has no word for.
nlohmann::json number(double value) { return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value); }
double number_of(const nlohmann::json& value) { return value.is_null() ? kNaN : value.get<double>(); }

std::string epochs_json(const std::vector<EpochMetrics>& epochs) {
  nlohmann::json rows = nlohmann::json::array();
  for (const EpochMetrics& e : epochs)
    rows.push_back({e.epoch, number(e.mean_loss), number(e.train_accuracy), number(e.val_accuracy),
                    number(e.learning_rate), number(e.seconds)});
  return rows.dump();
}

std::vector<EpochMetrics> epochs_from_json(const std::string& text) {
  std::vector<EpochMetrics> epochs;
  for (const auto& row : nlohmann::json::parse(text)) {
    EpochMetrics e;
    e.epoch = row.at(0).get<int>();
    e.mean_loss = number_of(row.at(1));
    e.train_accuracy = number_of(row.at(2));
    e.val_accuracy = number_of(row.at(3));
    e.learning_rate = number_of(row.at(4));
    e.seconds = number_of(row.at(5));
    epochs.push_back(e);
  }
  return epochs;
}

void insert_checkpoint(SQLite::Database& db, std::int64_t trial_id, int rung, const TrainResult& result) {
  std::vector<float> state;
  for (const auto& matrix : result.optimizer_state) state.insert(state.end(), matrix.data(), matrix.data() + matrix.size());
  SQLite::Statement insert(db, R"sql(
    INSERT OR REPLACE INTO trial_checkpoints (trial_id, rung, epochs_done, rows, cols, weights, optimizer_steps,
                                              optimizer_state, loss_history, epochs_json, train_seconds)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
  insert.bind(1, trial_id);
  insert.bind(2, rung);
  insert.bind(3, static_cast<std::int64_t>(result.epochs.size()));
  insert.bind(4, static_cast<std::int64_t>(result.W.rows()));
  insert.bind(5, static_cast<std::int64_t>(result.W.cols()));
  bind_floats(insert, 6, result.W.data(), static_cast<std::size_t>(result.W.size()));
  insert.bind(7, result.optimizer_steps);
  bind_floats(insert, 8, state.data(), state.size());
  bind_floats(insert, 9, result.loss_history.data(), result.loss_history.size());
  insert.bind(10, epochs_json(result.epochs));
  bind_real(insert, 11, result.train_seconds);
  insert.exec();
}

const char* rung_outcome(TrialStatus status, bool paused) {
  if (paused) return nullptr;  // decided with the rest of its rung
  switch (status) {
    case TrialStatus::completed: return "completed";
    case TrialStatus::diverged: return "diverged";
    case TrialStatus::failed: return "failed";
    default: return nullptr;
  }
}

}  // namespace

namespace store_sql {

const char* const kFinishedRungs =
    "(SELECT trial_id, rung FROM trial_rungs UNION ALL SELECT trial_id, rung FROM trial_checkpoints)";

void record_rung(SQLite::Database& db, std::int64_t trial_id, const TrialOutcome& outcome) {
  const RungOutcome& rung = *outcome.rung;
  // An interrupted trial did not finish its rung: it is claimed for the same rung again.
  if (outcome.status == TrialStatus::interrupted || outcome.status == TrialStatus::pruned) return;
  // A warm-up segment is no rung of its bracket: only the state to go on from is kept.
  if (rung.segment && rung.paused) {
    insert_checkpoint(db, trial_id, rung.rung, *outcome.result);
    return;
  }
  // A trial that diverged or failed in warm-up ended its bracket's rung 0 there.
  const int at = rung.segment ? 0 : rung.rung;
  SQLite::Statement trial(db, "UPDATE trials SET rung = ? WHERE id = ?");
  trial.bind(1, at);
  trial.bind(2, trial_id);
  trial.exec();
  const TrainResult* result = outcome.result;
  SQLite::Statement row(db, R"sql(
    INSERT OR REPLACE INTO trial_rungs (trial_id, bracket, rung, epochs, val_accuracy, train_accuracy, final_loss,
                                        outcome)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?))sql");
  row.bind(1, trial_id);
  row.bind(2, rung.bracket);
  row.bind(3, at);
  row.bind(4, rung.epochs);
  if (result != nullptr && outcome.status != TrialStatus::diverged) {
    bind_real(row, 5, result->val_accuracy);
    bind_real(row, 6, result->train_accuracy);
    bind_real(row, 7, result->final_loss);
  }
  if (const char* decided = rung_outcome(outcome.status, rung.paused))
    row.bind(8, decided);
  else
    row.bind(8);
  row.exec();
  if (rung.paused) insert_checkpoint(db, trial_id, rung.rung, *result);
}

}  // namespace store_sql

void ResultsStore::decide_rung(int rung, const std::vector<std::int64_t>& promoted,
                               const std::vector<std::int64_t>& pruned, const std::string& reason) {
  return guarded(path_, "decide rung " + std::to_string(rung), [&] {
    auto transaction = write_transaction(*db_);
    SQLite::Statement mark(*db_, "UPDATE trial_rungs SET outcome = ? WHERE trial_id = ? AND rung = ? AND outcome IS NULL");
    SQLite::Statement prune(*db_, R"sql(
      UPDATE trials SET status = 'pruned', error = ?, finished_at = ? WHERE id = ? AND status = 'pending')sql");
    const std::string now = utc_timestamp();
    for (const auto& [ids, outcome] : {std::pair{&promoted, "promoted"}, std::pair{&pruned, "pruned"}}) {
      for (const std::int64_t id : *ids) {
        mark.bind(1, outcome);
        mark.bind(2, id);
        mark.bind(3, rung);
        const bool newly = mark.exec() == 1;
        mark.reset();
        if (!newly || ids != &pruned) continue;
        prune.bind(1, reason);
        prune.bind(2, now);
        prune.bind(3, id);
        prune.exec();
        prune.reset();
      }
    }
    transaction.commit();
  });
}

std::optional<TrainResult> ResultsStore::load_checkpoint(std::int64_t trial_id, int rung) {
  return guarded(path_, "load the checkpoint of trial " + std::to_string(trial_id), [&]() -> std::optional<TrainResult> {
    SQLite::Statement query(*db_, R"sql(
      SELECT epochs_done, rows, cols, weights, optimizer_steps, optimizer_state, loss_history, epochs_json,
             train_seconds
      FROM trial_checkpoints WHERE trial_id = ? AND rung = ?)sql");
    query.bind(1, trial_id);
    query.bind(2, rung);
    if (!query.executeStep()) return std::nullopt;
    TrainResult result;
    const auto rows = static_cast<Eigen::Index>(query.getColumn(1).getInt64());
    const auto cols = static_cast<Eigen::Index>(query.getColumn(2).getInt64());
    const std::vector<float> weights = floats_of(query.getColumn(3));
    const std::vector<float> state = floats_of(query.getColumn(5));
    const auto block = static_cast<std::size_t>(rows * cols);
    if (block == 0 || weights.size() != block || state.size() % block != 0)
      throw StoreError("results database " + path_ + ": the checkpoint of trial " + std::to_string(trial_id) +
                       " at rung " + std::to_string(rung) + " has the wrong size");
    result.W = Eigen::Map<const Matrix<float>>(weights.data(), rows, cols);
    for (std::size_t offset = 0; offset < state.size(); offset += block)
      result.optimizer_state.push_back(Eigen::Map<const Matrix<float>>(state.data() + offset, rows, cols));
    result.optimizer_steps = query.getColumn(4).getInt64();
    result.loss_history = floats_of(query.getColumn(6));
    result.epochs = epochs_from_json(query.getColumn(7).getString());
    const auto epochs_done = static_cast<std::size_t>(query.getColumn(0).getInt64());
    if (epochs_done != result.epochs.size() || epochs_done == 0 || result.loss_history.size() % epochs_done != 0)
      throw StoreError("results database " + path_ + ": the checkpoint of trial " + std::to_string(trial_id) +
                       " at rung " + std::to_string(rung) + " does not match its epochs");
    result.steps_per_epoch = result.loss_history.size() / epochs_done;
    result.final_loss = result.epochs.back().mean_loss;
    result.val_accuracy = result.epochs.back().val_accuracy;
    result.train_seconds = query.getColumn(8).isNull() ? 0.0 : query.getColumn(8).getDouble();
    return result;
  });
}

void ResultsStore::drop_checkpoints(const std::vector<std::int64_t>& trial_ids, int rung) {
  return guarded(path_, "drop the checkpoints of rung " + std::to_string(rung), [&] {
    auto transaction = write_transaction(*db_);
    SQLite::Statement drop(*db_, "DELETE FROM trial_checkpoints WHERE trial_id = ? AND rung = ?");
    for (const std::int64_t id : trial_ids) {
      drop.bind(1, id);
      drop.bind(2, rung);
      drop.exec();
      drop.reset();
    }
    transaction.commit();
  });
}

std::map<std::int64_t, int> ResultsStore::furthest_rungs(std::int64_t experiment_id) {
  return guarded(path_, "read the rungs finished", [&] {
    SQLite::Statement query(*db_, std::string("SELECT f.trial_id, MAX(f.rung) FROM ") + kFinishedRungs +
                                      " f JOIN trials t ON t.id = f.trial_id WHERE t.experiment_id = ? "
                                      "GROUP BY f.trial_id");
    query.bind(1, experiment_id);
    std::map<std::int64_t, int> furthest;
    while (query.executeStep()) furthest.emplace(query.getColumn(0).getInt64(), query.getColumn(1).getInt());
    return furthest;
  });
}

void ResultsStore::reset_rungs(std::int64_t experiment_id) {
  return guarded(path_, "reset the rungs of experiment " + std::to_string(experiment_id), [&] {
    auto transaction = write_transaction(*db_);
    for (const char* table : {"trial_rungs", "trial_checkpoints"}) {
      SQLite::Statement clear(*db_, std::string("DELETE FROM ") + table +
                                        " WHERE trial_id IN (SELECT id FROM trials WHERE experiment_id = ?)");
      clear.bind(1, experiment_id);
      clear.exec();
    }
    SQLite::Statement trials(*db_, "UPDATE trials SET rung = NULL WHERE experiment_id = ?");
    trials.bind(1, experiment_id);
    trials.exec();
    transaction.commit();
  });
}

}  // namespace losslab::runner
