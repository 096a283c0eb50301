#include "losslab/runner/results/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "schema.hpp"
#include "store_sql.hpp"

namespace losslab::runner {
namespace store_sql {

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  char text[48];
  std::snprintf(text, sizeof text, "%s.%03dZ", date, static_cast<int>(ms % 1000));
  return text;
}

SQLite::Transaction write_transaction(SQLite::Database& db) {
  return SQLite::Transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
}

void bind_real(SQLite::Statement& statement, int index, double value) {
  if (!std::isfinite(value))
    statement.bind(index);
  else
    statement.bind(index, value);
}

void bind_text(SQLite::Statement& statement, int index, const std::string& value) {
  if (value.empty())
    statement.bind(index);
  else
    statement.bind(index, value);
}

void bind_floats(SQLite::Statement& statement, int index, const float* data, std::size_t count) {
  static const float kNothing = 0;
  statement.bind(index, count > 0 ? data : &kNothing, static_cast<int>(count * sizeof(float)));
}

std::vector<float> floats_of(const SQLite::Column& column) {
  std::vector<float> values(static_cast<std::size_t>(column.getBytes()) / sizeof(float));
  if (!values.empty()) std::memcpy(values.data(), column.getBlob(), values.size() * sizeof(float));
  return values;
}

}  // namespace store_sql

namespace {

using namespace store_sql;

// trial_weights.data is documented as little-endian float32 ('<f4').
static_assert(std::endian::native == std::endian::little, "trial_weights assumes a little-endian host");

constexpr int kBusyTimeoutMs = 10'000;

// Only ESRCH proves a process is gone; EPERM means it exists under another user.
bool process_is_gone(std::int64_t pid) {
  if (pid <= 0 || pid > std::numeric_limits<pid_t>::max()) return pid > 0;  // never kill(0 / -1)
  return kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// A loss history (tens of thousands of rows) through prepared statements of kLossRowsPerInsert rows
// each, then one row at a time for the rest: a multi-row INSERT runs the statement's program
// once for many rows.
constexpr std::size_t kLossRowsPerInsert = 64;

std::string loss_insert_sql(std::size_t rows) {
  std::string sql = "INSERT INTO loss_history (trial_id, step, epoch, loss) VALUES ";
  for (std::size_t r = 0; r < rows; ++r) sql += r == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
  return sql;
}

void insert_loss_history(SQLite::Database& db, std::int64_t trial_id, const TrainResult& result) {
  const auto steps_per_epoch = static_cast<std::int64_t>(result.steps_per_epoch);
  const auto bind_row = [&](SQLite::Statement& insert, std::size_t row, std::size_t step) {
    const int first = static_cast<int>(row) * 4 + 1;
    insert.bind(first, trial_id);
    insert.bind(first + 1, static_cast<std::int64_t>(step));
    if (steps_per_epoch > 0)
      insert.bind(first + 2, static_cast<std::int64_t>(step) / steps_per_epoch);
    else
      insert.bind(first + 2);
    bind_real(insert, first + 3, result.loss_history[step]);
  };
  const std::size_t steps = result.loss_history.size();
  std::size_t step = 0;
  if (steps >= kLossRowsPerInsert) {
    SQLite::Statement many(db, loss_insert_sql(kLossRowsPerInsert));
    for (; step + kLossRowsPerInsert <= steps; step += kLossRowsPerInsert) {
      for (std::size_t row = 0; row < kLossRowsPerInsert; ++row) bind_row(many, row, step + row);
      many.exec();
      many.reset();
    }
  }
  if (step == steps) return;
  SQLite::Statement one(db, loss_insert_sql(1));
  for (; step < steps; ++step) {
    bind_row(one, 0, step);
    one.exec();
    one.reset();
  }
}

// trial_params.value keeps the value's own type: REAL, INTEGER (ints and bools) or TEXT (strings,
// string lists as JSON arrays).
void bind_param(SQLite::Statement& statement, int index, const ParamValue& value) {
  struct Binder {
    SQLite::Statement& statement;
    int index;
    void operator()(bool v) const { statement.bind(index, static_cast<std::int64_t>(v ? 1 : 0)); }
    void operator()(std::int64_t v) const { statement.bind(index, v); }
    void operator()(double v) const { bind_real(statement, index, v); }
    void operator()(const std::string& v) const { statement.bind(index, v); }
    void operator()(const std::vector<std::string>& v) const {
      statement.bind(index, nlohmann::json(v).dump());
    }
  };
  std::visit(Binder{statement, index}, value);
}

bool stores_weights(TrialStatus status) {
  return status == TrialStatus::completed || status == TrialStatus::pruned;
}

// The rows that describe one attempt of a trial; a new attempt or outcome replaces them.
void delete_attempt_results(SQLite::Database& db, std::int64_t trial_id) {
  for (const char* table : {"loss_history", "epoch_metrics", "trial_weights", "trial_confusion"}) {
    SQLite::Statement clear(db, std::string("DELETE FROM ") + table + " WHERE trial_id = ?");
    clear.bind(1, trial_id);
    clear.exec();
  }
}

// Every cell of a split's confusion matrix, zeros included; nothing for a split that was not
// scored or has no examples. One statement per split: the counts go in as one JSON array, which
// SQLite unpacks (json_each), instead of one statement per cell.
void insert_confusion(SQLite::Database& db, std::int64_t trial_id, const char* split, const ConfusionMatrix& matrix) {
  if (matrix.classes == 0 || matrix.total() == 0) return;
  SQLite::Statement insert(db, R"sql(
    INSERT INTO trial_confusion (trial_id, split, truth, predicted, count)
    SELECT ?1, ?2, key / ?3, key % ?3, value FROM json_each(?4))sql");
  insert.bind(1, trial_id);
  insert.bind(2, split);
  insert.bind(3, matrix.classes);
  insert.bind(4, nlohmann::json(matrix.counts).dump());
  insert.exec();
}

// NaN (stored as NULL) for a split that was not scored; macro_f1 is NaN for an empty one.
double macro_f1_of(const ConfusionMatrix& matrix) {
  return matrix.classes == 0 ? std::numeric_limits<double>::quiet_NaN() : macro_f1(matrix);
}

}  // namespace

ResultsStore::ResultsStore(const std::string& path) : path_(path), file_system_(file_system_of(path)) {
  namespace fs = std::filesystem;
  std::error_code ignored;
  const fs::path file(path);
  const bool existed = fs::exists(file, ignored);
  const std::string verb = existed ? "cannot open" : "cannot create";
  if (fs::is_directory(file, ignored))
    throw StoreError(verb + " results database " + path + ": it is a directory");
  const fs::path parent = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (!existed && !fs::is_directory(parent, ignored))
    throw StoreError(verb + " results database " + path + ": directory " + parent.string() +
                     " does not exist");
  // SQLite would only say "unable to open database file".
  if (!existed && access(parent.c_str(), W_OK | X_OK) != 0)
    throw StoreError(verb + " results database " + path + ": directory " + parent.string() +
                     " is not writable (" + std::strerror(errno) + ")");

  // Opening sets WAL mode, which needs the file to itself for a moment: when several processes
  // open a new database at once, SQLite may answer "database is locked" without waiting for the
  // busy timeout (it refuses rather than risk a deadlock). Such an open is tried again, until the
  // busy timeout has passed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    try {
      open_database(verb);
      if (file_system_.shared) refuse_other_hosts(host_name());
      return;
    } catch (const SQLite::Exception& error) {
      db_.reset();
      if ((error.getErrorCode() & 0xff) == SQLITE_BUSY && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      // SQLite says only "unable to open database file"; name the likely cause.
      std::string cause = error.what();
      if (access(parent.c_str(), W_OK | X_OK) != 0)
        cause += " (directory " + parent.string() + " is not writable: " + std::strerror(errno) + "; SQLite keeps " +
                 file.filename().string() + "-wal and -shm beside the database)";
      else if (existed && access(path.c_str(), W_OK) != 0)
        cause += " (the file is not writable: " + std::string(std::strerror(errno)) + ")";
      throw StoreError(verb + " results database " + path + ": " + cause);
    }
  }
}

// One attempt at opening (and if need be creating) the database: see the constructor.
void ResultsStore::open_database(const std::string& verb) {
  db_ = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
  // The first read is where a file that is not a database is rejected.
  const int version = db_->execAndGet("PRAGMA user_version").getInt();
  results_schema::refuse_newer(version, verb + " results database " + path_);
  // A rollback journal keeps no shared memory: every access goes through the file's own locks,
  // which a network file system passes between hosts. Its commits are synced in full (FULL): a
  // rollback journal with NORMAL may lose the database's integrity on a power cut.
  const std::string wanted = file_system_.shared ? "delete" : "wal";
  const std::string journal = db_->execAndGet("PRAGMA journal_mode = " + wanted).getString();
  if (journal != wanted)
    throw StoreError(verb + " results database " + path_ + ": cannot set journal_mode " + wanted +
                     " (it is " + journal + ")");
  db_->exec(file_system_.shared ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  db_->exec("PRAGMA foreign_keys = ON");
  // Only a database without the current schema takes the write lock: opening a current one
  // never waits for another writer.
  if (version < results_schema::kVersion) {
    auto transaction = write_transaction(*db_);
    if (db_->execAndGet("PRAGMA user_version").getInt() < results_schema::kVersion) {
      try {
        results_schema::upgrade(*db_);
      } catch (const std::runtime_error& error) {  // the transaction rolls back: the file is as it was
        if (dynamic_cast<const SQLite::Exception*>(&error)) throw;
        throw StoreError(verb + " results database " + path_ + ": " + error.what() +
                         "; the file was left as it was");
      }
    }
    transaction.commit();
  }
}

ResultsStore::~ResultsStore() = default;

SQLite::Database& ResultsStore::database() { return *db_; }

std::int64_t ResultsStore::ensure_experiment(const ExperimentRecord& experiment) {
  return guarded(path_, "ensure experiment '" + experiment.name + "'", [&] {
    auto transaction = write_transaction(*db_);
    const std::string now = utc_timestamp();
    SQLite::Statement upsert(*db_, R"sql(
      INSERT INTO experiments (name, config_yaml, config_path, created_at, updated_at)
      VALUES (?1, ?2, ?3, ?4, ?4)
      ON CONFLICT (name) DO UPDATE SET config_yaml = excluded.config_yaml,
                                       config_path = excluded.config_path,
                                       updated_at = excluded.updated_at)sql");
    upsert.bind(1, experiment.name);
    bind_text(upsert, 2, experiment.config_yaml);
    bind_text(upsert, 3, experiment.config_path);
    upsert.bind(4, now);
    upsert.exec();
    SQLite::Statement select(*db_, "SELECT id FROM experiments WHERE name = ?");
    select.bind(1, experiment.name);
    select.executeStep();
    const std::int64_t id = select.getColumn(0).getInt64();
    select.reset();
    transaction.commit();
    return id;
  });
}

std::int64_t ResultsStore::begin_run(std::int64_t experiment_id, const RunRecord& run) {
  return guarded(path_, "begin run", [&] {
    auto transaction = write_transaction(*db_);
    if (file_system_.shared) refuse_other_hosts(run.host);
    SQLite::Statement insert(*db_, R"sql(
      INSERT INTO runs (experiment_id, started_at, status, command_line, losslab_version,
                        git_commit, compiler, compile_flags, host, pid, dataset_checksums, overrides)
      VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
    insert.bind(1, experiment_id);
    insert.bind(2, utc_timestamp());
    bind_text(insert, 3, run.command_line);
    bind_text(insert, 4, run.losslab_version);
    bind_text(insert, 5, run.git_commit);
    bind_text(insert, 6, run.compiler);
    bind_text(insert, 7, run.compile_flags);
    bind_text(insert, 8, run.host);
    insert.bind(9, run.pid);
    bind_text(insert, 10, run.dataset_checksums_json);
    bind_text(insert, 11, run.overrides_json);
    insert.exec();
    const std::int64_t id = db_->getLastInsertRowid();
    transaction.commit();
    return id;
  });
}

// On a shared file system, processes on different hosts must not write one database at once
// (see the constructor): a run on another host that showed life (started, or a trial's heartbeat)
// in the last kOtherHostSilentSeconds makes this process stop before it does anything. Called when
// the store opens, to fail at once, and again inside begin_run's write transaction, so that two
// hosts starting together cannot both pass.
void ResultsStore::refuse_other_hosts(const std::string& host) {
  SQLite::Statement select(*db_, R"sql(
    SELECT host, pid, (julianday('now') - julianday(MAX(started_at, COALESCE(
             (SELECT MAX(heartbeat_at) FROM trials t WHERE t.run_id = r.id), started_at)))) * 86400.0
    FROM runs r
    WHERE status = 'running' AND host <> '' AND host <> ?
    ORDER BY 3 LIMIT 1)sql");
  select.bind(1, host);
  if (!select.executeStep() || select.getColumn(2).getDouble() > kOtherHostSilentSeconds) return;
  throw StoreError("results database " + path_ + " is on a shared file system (" + file_system_.type +
                   ") and a sweep on host " + select.getColumn(0).getString() + " (pid " +
                   std::to_string(select.getColumn(1).getInt64()) +
                   ") is writing to it: SQLite cannot let processes on different hosts write one database "
                   "safely there. Wait for that sweep to end, give this one its own --db, or run every "
                   "process as one MPI job (mpirun ... losslab-run: rank 0 is the only writer).");
}

void ResultsStore::finish_run(std::int64_t run_id, const std::string& status) {
  if (status != "completed" && status != "interrupted" && status != "failed")
    throw std::invalid_argument("finish_run: status must be completed, interrupted or failed, not '" +
                                status + "'");
  return guarded(path_, "finish run " + std::to_string(run_id), [&] {
    auto transaction = write_transaction(*db_);
    SQLite::Statement update(*db_, "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?");
    update.bind(1, status);
    update.bind(2, utc_timestamp());
    update.bind(3, run_id);
    if (update.exec() != 1)
      throw StoreError("results database " + path_ + ": finish run: no run with id " +
                       std::to_string(run_id));
    transaction.commit();
  });
}

void ResultsStore::register_trials(std::int64_t experiment_id, const std::vector<TrialSpec>& trials) {
  return guarded(path_, "register trials", [&] {
    auto transaction = write_transaction(*db_);
    SQLite::Statement owner(*db_, R"sql(
      SELECT t.experiment_id, e.name FROM trials t LEFT JOIN experiments e ON e.id = t.experiment_id
      WHERE t.trial_key = ?)sql");
    SQLite::Statement insert_trial(*db_, R"sql(
      INSERT INTO trials (experiment_id, trial_key, name, status, params_json, seed, attempts, round, refit_of)
      VALUES (?, ?, ?, 'pending', ?, ?, 0, ?, ?))sql");
    SQLite::Statement insert_param(*db_, R"sql(
      INSERT INTO trial_params (trial_id, name, key, value, swept) VALUES (?, ?, ?, ?, ?))sql");

    for (const TrialSpec& trial : trials) {
      owner.bind(1, trial.key);
      if (owner.executeStep()) {
        const std::int64_t owner_id = owner.getColumn(0).getInt64();
        const std::string owner_name = owner.getColumn(1).getString();
        owner.reset();
        if (owner_id == experiment_id) continue;  // registered by an earlier run: untouched
        // Keys hash the experiment name, so this is a corrupt database or a key bug, not a rerun.
        throw StoreError("results database " + path_ + ": trial key " + trial.key +
                         " already belongs to experiment '" + owner_name + "' (id " +
                         std::to_string(owner_id) + "), not to experiment id " +
                         std::to_string(experiment_id));
      }
      owner.reset();

      insert_trial.bind(1, experiment_id);
      insert_trial.bind(2, trial.key);
      bind_text(insert_trial, 3, trial.name);
      bind_text(insert_trial, 4, trial.params_json);
      insert_trial.bind(5, trial.seed);
      // Bindings outlive reset(): a trial without a round must not take the previous one's.
      if (trial.round)
        insert_trial.bind(6, *trial.round);
      else
        insert_trial.bind(6);
      if (trial.refit_of)
        insert_trial.bind(7, *trial.refit_of);
      else
        insert_trial.bind(7);
      insert_trial.exec();
      insert_trial.reset();
      const std::int64_t trial_id = db_->getLastInsertRowid();

      insert_param.bind(1, trial_id);
      for (const auto& [key, value] : trial.params) {
        const auto short_name = trial.short_names.find(key);
        const bool swept = std::find(trial.swept.begin(), trial.swept.end(), key) != trial.swept.end();
        insert_param.bind(2, short_name != trial.short_names.end() ? short_name->second : key);
        insert_param.bind(3, key);
        bind_param(insert_param, 4, value);
        insert_param.bind(5, swept ? 1 : 0);
        insert_param.exec();
        insert_param.reset();
      }
    }
    transaction.commit();
  });
}

std::map<std::string, TrialStatus> ResultsStore::trial_statuses(std::int64_t experiment_id) {
  return guarded(path_, "read trial statuses", [&] {
    SQLite::Statement select(*db_, "SELECT trial_key, status FROM trials WHERE experiment_id = ?");
    select.bind(1, experiment_id);
    std::map<std::string, TrialStatus> statuses;
    while (select.executeStep())
      statuses.emplace(select.getColumn(0).getString(),
                       parse_trial_status(select.getColumn(1).getString()));
    return statuses;
  });
}

std::int64_t ResultsStore::trial_id(const std::string& key) {
  return guarded(path_, "look up trial " + key, [&] {
    SQLite::Statement select(*db_, "SELECT id FROM trials WHERE trial_key = ?");
    select.bind(1, key);
    if (!select.executeStep())
      throw StoreError("results database " + path_ + ": no trial with key " + key);
    return select.getColumn(0).getInt64();
  });
}

namespace {

// Starts a new attempt of a trial for `run_id` if `condition` (SQL over the trials row) holds;
// clears the results of an earlier attempt in the same transaction. Returns whether it did.
bool start_attempt(SQLite::Database& db, std::int64_t trial_id, std::int64_t run_id, const std::string& condition) {
  auto transaction = write_transaction(db);
  SQLite::Statement update(db, R"sql(
    UPDATE trials SET status = 'running', run_id = ?1, attempts = attempts + 1,
                      started_at = ?2, heartbeat_at = ?2, finished_at = NULL,
                      train_seconds = NULL, final_loss = NULL, train_accuracy = NULL,
                      val_accuracy = NULL, test_accuracy = NULL, epochs_done = NULL,
                      diverged_step = NULL, error = NULL, val_macro_f1 = NULL, test_macro_f1 = NULL,
                      train_examples = NULL
    WHERE id = ?3 AND )sql" + condition);
  update.bind(1, run_id);
  update.bind(2, utc_timestamp());
  update.bind(3, trial_id);
  if (update.exec() != 1) return false;  // the transaction rolls back: nothing changed
  delete_attempt_results(db, trial_id);
  transaction.commit();
  return true;
}

}  // namespace

void ResultsStore::mark_running(std::int64_t trial_id, std::int64_t run_id) {
  return guarded(path_, "mark trial " + std::to_string(trial_id) + " running", [&] {
    if (!start_attempt(*db_, trial_id, run_id, "1"))
      throw StoreError("results database " + path_ + ": no trial with id " + std::to_string(trial_id));
  });
}

bool ResultsStore::claim_trial(std::int64_t trial_id, std::int64_t run_id, bool rerun_finished,
                               std::optional<int> rung) {
  return guarded(path_, "claim trial " + std::to_string(trial_id), [&] {
    // One UPDATE decides, inside a write transaction: of several processes claiming the same
    // trial, exactly one sees the old status and wins. A trial paused after a rung is pending
    // again, so a rung's claim also asks that the trial has not finished it yet.
    std::string condition =
        rerun_finished ? "status <> 'running'" : "status IN ('pending', 'failed', 'interrupted')";
    if (rung)
      condition += std::string(" AND NOT EXISTS (SELECT 1 FROM ") + kFinishedRungs +
                   " f WHERE f.trial_id = trials.id AND f.rung >= " + std::to_string(*rung) + ")";
    return start_attempt(*db_, trial_id, run_id, condition);
  });
}

void ResultsStore::record_outcome(std::int64_t trial_id, const TrialOutcome& outcome) {
  if (outcome.status == TrialStatus::pending || outcome.status == TrialStatus::running)
    throw std::invalid_argument("record_outcome: '" + to_string(outcome.status) +
                                "' is not an outcome");
  const bool paused = outcome.rung && outcome.rung->paused;
  if (paused && (outcome.status != TrialStatus::completed || outcome.result == nullptr))
    throw std::invalid_argument("record_outcome: only a completed rung pauses a trial");
  if (outcome.rung && outcome.rung->segment && outcome.status == TrialStatus::completed && !paused)
    throw std::invalid_argument("record_outcome: a warm-up segment cannot complete a trial");
  return guarded(path_, "record outcome of trial " + std::to_string(trial_id), [&] {
    auto transaction = write_transaction(*db_);
    const TrainResult* result = outcome.result;

    SQLite::Statement update(*db_, R"sql(
      UPDATE trials SET status = ?, finished_at = ?, error = ?, train_seconds = ?, final_loss = ?,
                        train_accuracy = ?, val_accuracy = ?, test_accuracy = ?, epochs_done = ?,
                        diverged_step = ?, val_macro_f1 = ?, test_macro_f1 = ?, train_examples = ?
      WHERE id = ?)sql");
    update.bind(1, to_string(paused ? TrialStatus::pending : outcome.status));
    update.bind(2, utc_timestamp());
    bind_text(update, 3, outcome.error);
    if (result != nullptr) {
      bind_real(update, 4, result->train_seconds);
      bind_real(update, 5, result->final_loss);
      bind_real(update, 6, result->train_accuracy);
      bind_real(update, 7, result->val_accuracy);
      bind_real(update, 8, result->test_accuracy);
      update.bind(9, static_cast<std::int64_t>(result->epochs.size()));
      if (outcome.status == TrialStatus::diverged && result->diverged_step >= 0)
        update.bind(10, result->diverged_step);
      bind_real(update, 11, macro_f1_of(result->val_confusion));
      bind_real(update, 12, macro_f1_of(result->test_confusion));
      if (outcome.train_examples > 0) update.bind(13, static_cast<std::int64_t>(outcome.train_examples));
    }
    update.bind(14, trial_id);
    if (update.exec() != 1)
      throw StoreError("results database " + path_ + ": no trial with id " + std::to_string(trial_id));

    // The outcome replaces whatever an earlier attempt left, even without mark_running.
    delete_attempt_results(*db_, trial_id);

    if (result != nullptr) {
      insert_loss_history(*db_, trial_id, *result);
      insert_confusion(*db_, trial_id, "val", result->val_confusion);
      insert_confusion(*db_, trial_id, "test", result->test_confusion);

      SQLite::Statement epoch(*db_, R"sql(
        INSERT INTO epoch_metrics (trial_id, epoch, mean_loss, train_accuracy, val_accuracy,
                                   learning_rate, seconds)
        VALUES (?, ?, ?, ?, ?, ?, ?))sql");
      epoch.bind(1, trial_id);
      for (const EpochMetrics& metrics : result->epochs) {
        epoch.bind(2, metrics.epoch);
        bind_real(epoch, 3, metrics.mean_loss);
        bind_real(epoch, 4, metrics.train_accuracy);
        bind_real(epoch, 5, metrics.val_accuracy);
        bind_real(epoch, 6, metrics.learning_rate);
        bind_real(epoch, 7, metrics.seconds);
        epoch.exec();
        epoch.reset();
      }

      // A paused trial keeps its weights too: if its rung prunes it, they are its final ones.
      if (stores_weights(outcome.status) || paused) {
        const auto bytes = static_cast<std::size_t>(result->W.size()) * sizeof(float);
        if (bytes > static_cast<std::size_t>(INT_MAX))
          throw StoreError("results database " + path_ + ": weights of trial " +
                           std::to_string(trial_id) + " are too large for a BLOB");
        SQLite::Statement weights(*db_, R"sql(
          INSERT INTO trial_weights (trial_id, rows, cols, dtype, layout, has_bias_row, data, preprocessing_id)
          VALUES (?, ?, ?, 'float32', 'column-major D x C', ?, ?, ?))sql");
        weights.bind(1, trial_id);
        weights.bind(2, static_cast<std::int64_t>(result->W.rows()));
        weights.bind(3, static_cast<std::int64_t>(result->W.cols()));
        weights.bind(4, outcome.has_bias_row ? 1 : 0);
        weights.bindNoCopy(5, result->W.data(), static_cast<int>(bytes));
        if (outcome.preprocessing_id >= 0)
          weights.bind(6, outcome.preprocessing_id);
        else
          weights.bind(6);
        weights.exec();
      }
    }
    if (outcome.rung) record_rung(*db_, trial_id, outcome);
    transaction.commit();
  });
}

void ResultsStore::mark_interrupted(const std::vector<std::int64_t>& trial_ids, const std::string& reason) {
  return guarded(path_, "mark trials interrupted", [&] {
    auto transaction = write_transaction(*db_);
    SQLite::Statement update(*db_, R"sql(
      UPDATE trials SET status = 'interrupted', finished_at = ?, error = ?
      WHERE id = ? AND status = 'running')sql");
    update.bind(1, utc_timestamp());
    bind_text(update, 2, reason);
    for (const std::int64_t id : trial_ids) {
      update.bind(3, id);
      update.exec();
      update.reset();
    }
    transaction.commit();
  });
}

std::size_t ResultsStore::recover_dead_running(std::int64_t experiment_id, double stale_seconds) {
  return guarded(path_, "recover dead running trials", [&] {
    auto transaction = write_transaction(*db_);
    const std::string host = host_name();
    const bool check_heartbeat = stale_seconds > 0;

    struct Lost {
      std::int64_t trial_id;
      std::int64_t dead_run_id;  // 0 unless its process is gone
      std::string reason;
    };
    std::vector<Lost> lost;
    SQLite::Statement select(*db_, R"sql(
      SELECT t.id, t.run_id, r.host, r.pid,
             (julianday('now') - julianday(COALESCE(t.heartbeat_at, t.started_at))) * 86400.0
      FROM trials t LEFT JOIN runs r ON r.id = t.run_id
      WHERE t.experiment_id = ? AND t.status = 'running')sql");
    select.bind(1, experiment_id);
    while (select.executeStep()) {
      const std::int64_t id = select.getColumn(0).getInt64();
      const std::int64_t run_id = select.getColumn(1).getInt64();
      const std::string run_host = select.getColumn(2).getString();
      const std::int64_t pid = select.getColumn(3).getInt64();
      const SQLite::Column age = select.getColumn(4);
      if (!run_host.empty() && run_host == host && process_is_gone(pid)) {
        lost.push_back({id, run_id, "process " + std::to_string(pid) + " on " + host + " died while running"});
      } else if (check_heartbeat && age.isNull()) {
        lost.push_back({id, 0, "no heartbeat recorded"});
      } else if (check_heartbeat && age.getDouble() > stale_seconds) {
        lost.push_back({id, 0, "no heartbeat for " + std::to_string(std::llround(age.getDouble())) + " s"});
      }
    }
    select.reset();

    SQLite::Statement interrupt(*db_, R"sql(
      UPDATE trials SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ?)sql");
    SQLite::Statement end_run(*db_,
                              "UPDATE runs SET status = 'interrupted' WHERE id = ? AND status = 'running'");
    const std::string now = utc_timestamp();
    for (const Lost& trial : lost) {
      interrupt.bind(1, now);
      interrupt.bind(2, trial.reason);
      interrupt.bind(3, trial.trial_id);
      interrupt.exec();
      interrupt.reset();
      if (trial.dead_run_id != 0) {
        end_run.bind(1, trial.dead_run_id);
        end_run.exec();
        end_run.reset();
      }
    }
    transaction.commit();
    return lost.size();
  });
}

void ResultsStore::heartbeat(std::int64_t run_id) {
  return guarded(path_, "heartbeat of run " + std::to_string(run_id), [&] {
    auto transaction = write_transaction(*db_);
    SQLite::Statement update(*db_,
                             "UPDATE trials SET heartbeat_at = ? WHERE run_id = ? AND status = 'running'");
    update.bind(1, utc_timestamp());
    update.bind(2, run_id);
    update.exec();
    transaction.commit();
  });
}

}  // namespace losslab::runner
