// Reading a results database: experiments, trials with their parameters and metrics, loss curves,
// epoch metrics and weights. ResultsReader opens a file read-only (and with PRAGMA query_only), so
// nothing a reader does can change it, and it can read while a sweep is writing. The free
// functions read through a connection someone else opened (losslab-run's own store).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "losslab/runner/results/records.hpp"

namespace SQLite {
class Database;
}

namespace losslab::runner {

std::vector<ExperimentInfo> read_experiments(SQLite::Database& db);
// Every trial of the experiment, in id order, with params and metrics.
std::vector<TrialRecord> read_trials(SQLite::Database& db, std::int64_t experiment_id);
std::vector<std::pair<std::int64_t, double>> read_loss_history(SQLite::Database& db, std::int64_t trial_id);
std::vector<EpochRow> read_epoch_metrics(SQLite::Database& db, std::int64_t trial_id);
// Throws StoreError when the blob's size does not match rows x cols.
std::optional<Weights> read_weights(SQLite::Database& db, std::int64_t trial_id);
// The `preprocessing` row `id` with its steps (Weights::preprocessing_id); nullopt when there is
// none. Throws StoreError when a stored value cannot be read back.
std::optional<Preprocessing> read_preprocessing(SQLite::Database& db, std::int64_t id);
// A trial of any experiment: the one whose trial_key is `id_or_key` or, failing that, whose id it
// is; nullopt when there is none.
struct FoundTrial {
  std::int64_t experiment_id = 0;
  TrialRecord trial;
};
std::optional<FoundTrial> find_trial(SQLite::Database& db, const std::string& id_or_key);
// The trial's confusion matrices; none for a database before schema version 4. Throws StoreError
// when a split's rows are not the cells of a square matrix.
TrialConfusion read_confusion(SQLite::Database& db, std::int64_t trial_id);
// Every trial_rungs row of the experiment, by bracket, rung and trial.
std::vector<RungRecord> read_rungs(SQLite::Database& db, std::int64_t experiment_id);
// Every (short name, dotted config key) pair of trial_params, by name.
std::vector<std::pair<std::string, std::string>> read_parameter_names(SQLite::Database& db);

class ResultsReader {
 public:
  // Throws StoreError when the file is missing, is not a losslab results database, or has a
  // schema version newer than this losslab's. A database in a directory this process cannot
  // write, with no -shm file beside it, is read as immutable (SQLite cannot create the -shm index
  // it needs to read a WAL database); note() then says so.
  explicit ResultsReader(const std::string& path);
  ~ResultsReader();
  ResultsReader(const ResultsReader&) = delete;
  ResultsReader& operator=(const ResultsReader&) = delete;

  const std::string& path() const { return path_; }
  // Why the database was not opened the ordinary way (one line for stderr); empty when it was.
  const std::string& note() const { return note_; }
  std::vector<ExperimentInfo> experiments();
  // By exact name, or by id when `name_or_id` is a number; nullopt when there is none.
  std::optional<ExperimentInfo> find_experiment(const std::string& name_or_id);

  std::vector<TrialRecord> trials(std::int64_t experiment_id);
  std::vector<std::pair<std::int64_t, double>> loss_history(std::int64_t trial_id);  // (step, loss)
  std::vector<EpochRow> epoch_metrics(std::int64_t trial_id);
  std::optional<Weights> weights(std::int64_t trial_id);
  std::optional<Preprocessing> preprocessing(std::int64_t id);
  std::optional<FoundTrial> find_trial(const std::string& id_or_key);
  TrialConfusion confusion(std::int64_t trial_id);
  std::vector<std::pair<std::string, std::string>> parameter_names();
  std::vector<RungRecord> rungs(std::int64_t experiment_id);
  // SQLite's PRAGMA data_version: a number that differs from the one this reader saw last time
  // exactly when another connection (a sweep) committed in between. Cheap, so a reader that
  // re-reads the database (the live report) can skip the re-read when nothing was committed.
  std::int64_t data_version();

  // A read transaction: every read while it lives sees the same committed state, even while a
  // sweep commits trials (WAL readers never block the writer).
  class Snapshot {
   public:
    explicit Snapshot(ResultsReader& reader);
    ~Snapshot();
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

   private:
    SQLite::Database& db_;
  };

  SQLite::Database& database();

 private:
  // Opens `name` with SQLite `flags` and checks the tables and schema version, which is the first read.
  void open(const std::string& name, int flags);

  std::string path_;
  std::string note_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace losslab::runner
