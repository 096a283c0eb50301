// Read-only access to a results database for losslab-report: experiments, trials with their
// parameters and metrics, loss curves, epoch metrics and weights. Opens the file read-only (and
// with PRAGMA query_only), so nothing the report does can change it, and it can read while a
// sweep is writing (WAL).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "losslab/runner/params.hpp"

namespace SQLite {
class Database;
}

namespace losslab::report {

using runner::ParamValue;

// Any problem reading the database or with the report's arguments; the message names the cause.
class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ExperimentInfo {
  std::int64_t id = 0;
  std::string name;
  std::string created_at;
  std::string config_yaml;
};

struct TrialRecord {
  std::int64_t id = 0;
  std::string key, name, status;
  std::map<std::string, ParamValue> params;  // trial_params: short name -> typed value
  std::set<std::string> swept;               // short names of the swept parameters
  std::string params_json;                   // every resolved parameter by dotted key
  double train_accuracy = 0, val_accuracy = 0, test_accuracy = 0;  // NaN when NULL
  double final_loss = 0, train_seconds = 0;                       // NaN when NULL
  std::int64_t epochs_done = 0;
  std::int64_t diverged_step = -1;  // -1 when NULL
  std::string error;
};

struct EpochRow {
  std::int64_t epoch = 0;
  double mean_loss = 0, train_accuracy = 0, val_accuracy = 0, learning_rate = 0, seconds = 0;  // NaN when NULL
};

struct Weights {
  std::int64_t rows = 0, cols = 0;  // D x C
  bool has_bias_row = false;
  std::vector<float> values;        // column-major: class c is values[c*rows .. (c+1)*rows)
};

class ReportDatabase {
 public:
  // Throws ReportError when the file is missing or not a losslab results database. A database in
  // a directory this process cannot write, with no -shm file beside it, is read as immutable
  // (SQLite cannot create the -shm index it needs to read a WAL database); note() then says so.
  explicit ReportDatabase(const std::string& path);
  ~ReportDatabase();
  ReportDatabase(const ReportDatabase&) = delete;
  ReportDatabase& operator=(const ReportDatabase&) = delete;

  const std::string& path() const { return path_; }
  // Why the database was not opened the ordinary way (one line for stderr); empty when it was.
  const std::string& note() const { return note_; }
  std::vector<ExperimentInfo> experiments();
  // By exact name, or by id when `name_or_id` is a number; nullopt when there is none.
  std::optional<ExperimentInfo> find_experiment(const std::string& name_or_id);

  // Every trial of the experiment, in id order, with params and metrics.
  std::vector<TrialRecord> trials(std::int64_t experiment_id);
  std::vector<std::pair<std::int64_t, double>> loss_history(std::int64_t trial_id);  // (step, loss)
  std::vector<EpochRow> epoch_metrics(std::int64_t trial_id);
  std::optional<Weights> weights(std::int64_t trial_id);

  SQLite::Database& database();

 private:
  // Opens `name` with SQLite `flags` and checks the tables are there, which is the first read.
  void open(const std::string& name, int flags);

  std::string path_;
  std::string note_;
  std::unique_ptr<SQLite::Database> db_;
};


}  // namespace losslab::report
