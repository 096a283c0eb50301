#include "losslab/runner/results/reader.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "losslab/runner/results/store.hpp"
#include "losslab/splits.hpp"
#include "schema.hpp"
#include "sqlite_uri.hpp"
#include "store_sql.hpp"

namespace losslab::runner {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double real_or_nan(const SQLite::Column& column) { return column.isNull() ? kNaN : column.getDouble(); }

ParamValue column_value(const SQLite::Column& column) {
  if (column.isInteger()) return static_cast<std::int64_t>(column.getInt64());
  if (column.isFloat()) return column.getDouble();
  if (column.isNull()) return std::string();
  return column.getString();
}

std::string directory_of(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// SQLite reads a WAL database through its -shm index, which it creates beside the file. Whether
// `error` happened because it could not: the directory is not writable by this process (root
// passes this check as it passes SQLite's) and no -shm file is there.
bool shm_cannot_be_created(const std::string& path, const SQLite::Exception& error) {
  const int code = error.getExtendedErrorCode();
  if (code != SQLITE_READONLY_DIRECTORY && (code & 0xFF) != SQLITE_CANTOPEN) return false;
  std::error_code ignored;
  return access(directory_of(path).c_str(), W_OK) != 0 && !std::filesystem::exists(path + "-shm", ignored);
}

// An immutable read sees the database file alone, so commits still in a -wal file would be missing.
bool wal_has_commits(const std::string& path) {
  std::error_code no_file;
  const auto size = std::filesystem::file_size(path + "-wal", no_file);
  return !no_file && size > 0;
}

// Readers read older versions as they are (the report never migrates): what a version added may
// be missing.
bool has_column(SQLite::Database& db, const std::string& table, const std::string& column) {
  SQLite::Statement query(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  query.bind(1, table);
  query.bind(2, column);
  return query.executeStep();
}

}  // namespace

std::vector<ExperimentInfo> read_experiments(SQLite::Database& db) {
  SQLite::Statement query(db, "SELECT id, name, created_at, config_yaml FROM experiments ORDER BY id");
  std::vector<ExperimentInfo> rows;
  while (query.executeStep())
    rows.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getString(), query.getColumn(2).getString(),
                    query.getColumn(3).getString()});
  return rows;
}

std::vector<TrialRecord> read_trials(SQLite::Database& db, std::int64_t experiment_id) {
  // The columns later versions added (rung, round: 3; the rest: 4), each only where the file has it.
  std::string added;
  for (const char* name : {"rung", "round", "val_macro_f1", "test_macro_f1", "train_examples", "refit_of"})
    added += std::string(added.empty() ? "" : ", ") + (has_column(db, "trials", name) ? name : "NULL");
  SQLite::Statement query(db,
                          "SELECT id, trial_key, name, status, params_json, train_accuracy, val_accuracy, "
                          "test_accuracy, final_loss, train_seconds, epochs_done, diverged_step, error, " +
                              added + " FROM trials WHERE experiment_id = ? ORDER BY id");
  query.bind(1, experiment_id);
  std::vector<TrialRecord> rows;
  std::map<std::int64_t, std::size_t> index;
  while (query.executeStep()) {
    TrialRecord t;
    t.id = query.getColumn(0).getInt64();
    t.key = query.getColumn(1).getString();
    t.name = query.getColumn(2).getString();
    t.status = query.getColumn(3).getString();
    t.params_json = query.getColumn(4).getString();
    t.train_accuracy = real_or_nan(query.getColumn(5));
    t.val_accuracy = real_or_nan(query.getColumn(6));
    t.test_accuracy = real_or_nan(query.getColumn(7));
    t.final_loss = real_or_nan(query.getColumn(8));
    t.train_seconds = real_or_nan(query.getColumn(9));
    t.epochs_done = query.getColumn(10).isNull() ? 0 : query.getColumn(10).getInt64();
    t.diverged_step = query.getColumn(11).isNull() ? -1 : query.getColumn(11).getInt64();
    t.error = query.getColumn(12).getString();
    t.rung = query.getColumn(13).isNull() ? -1 : query.getColumn(13).getInt();
    t.round = query.getColumn(14).isNull() ? -1 : query.getColumn(14).getInt();
    t.val_macro_f1 = real_or_nan(query.getColumn(15));
    t.test_macro_f1 = real_or_nan(query.getColumn(16));
    t.train_examples = query.getColumn(17).isNull() ? -1 : query.getColumn(17).getInt64();
    t.refit_of = query.getColumn(18).isNull() ? -1 : query.getColumn(18).getInt64();
    index[t.id] = rows.size();
    rows.push_back(std::move(t));
  }
  SQLite::Statement params(db,
                           "SELECT p.trial_id, p.name, p.value, p.swept FROM trial_params p "
                           "JOIN trials t ON t.id = p.trial_id WHERE t.experiment_id = ?");
  params.bind(1, experiment_id);
  while (params.executeStep()) {
    const auto it = index.find(params.getColumn(0).getInt64());
    if (it == index.end()) continue;
    TrialRecord& t = rows[it->second];
    const std::string name = params.getColumn(1).getString();
    t.params[name] = column_value(params.getColumn(2));
    if (params.getColumn(3).getInt() != 0) t.swept.insert(name);
  }
  return rows;
}

std::vector<std::pair<std::int64_t, double>> read_loss_history(SQLite::Database& db, std::int64_t trial_id) {
  SQLite::Statement query(db, "SELECT step, loss FROM loss_history WHERE trial_id = ? ORDER BY step");
  query.bind(1, trial_id);
  std::vector<std::pair<std::int64_t, double>> rows;
  while (query.executeStep()) rows.emplace_back(query.getColumn(0).getInt64(), real_or_nan(query.getColumn(1)));
  return rows;
}

std::vector<EpochRow> read_epoch_metrics(SQLite::Database& db, std::int64_t trial_id) {
  SQLite::Statement query(db,
                          "SELECT epoch, mean_loss, train_accuracy, val_accuracy, learning_rate, seconds "
                          "FROM epoch_metrics WHERE trial_id = ? ORDER BY epoch");
  query.bind(1, trial_id);
  std::vector<EpochRow> rows;
  while (query.executeStep())
    rows.push_back({query.getColumn(0).getInt64(), real_or_nan(query.getColumn(1)), real_or_nan(query.getColumn(2)),
                    real_or_nan(query.getColumn(3)), real_or_nan(query.getColumn(4)), real_or_nan(query.getColumn(5))});
  return rows;
}

std::optional<Weights> read_weights(SQLite::Database& db, std::int64_t trial_id) {
  // Schema version 4's reference, where the file has it.
  const std::string preprocessing = has_column(db, "trial_weights", "preprocessing_id") ? "preprocessing_id" : "NULL";
  SQLite::Statement query(db, "SELECT rows, cols, has_bias_row, data, " + preprocessing +
                                  " FROM trial_weights WHERE trial_id = ?");
  query.bind(1, trial_id);
  if (!query.executeStep()) return std::nullopt;
  Weights w;
  w.rows = query.getColumn(0).getInt64();
  w.cols = query.getColumn(1).getInt64();
  w.has_bias_row = query.getColumn(2).getInt() != 0;
  const SQLite::Column data = query.getColumn(3);
  const auto expected = static_cast<std::size_t>(w.rows * w.cols) * sizeof(float);
  if (static_cast<std::size_t>(data.getBytes()) != expected)
    throw StoreError("trial " + std::to_string(trial_id) + ": weights blob has " + std::to_string(data.getBytes()) +
                     " bytes, expected " + std::to_string(expected));
  w.values.resize(static_cast<std::size_t>(w.rows * w.cols));
  std::memcpy(w.values.data(), data.getBlob(), expected);
  w.preprocessing_id = query.getColumn(4).isNull() ? -1 : query.getColumn(4).getInt64();
  return w;
}

std::optional<Preprocessing> read_preprocessing(SQLite::Database& db, std::int64_t id) {
  if (!db.tableExists("preprocessing")) return std::nullopt;  // before schema version 4
  SQLite::Statement query(db, R"sql(
    SELECT dataset_kind, input_shape, feature_names, label_column, class_names FROM preprocessing WHERE id = ?)sql");
  query.bind(1, id);
  if (!query.executeStep()) return std::nullopt;
  const std::string where = "preprocessing " + std::to_string(id);
  Preprocessing preprocessing;
  try {
    preprocessing.dataset_kind = query.getColumn(0).getString();
    preprocessing.layout.shape = nlohmann::json::parse(query.getColumn(1).getString()).get<std::vector<std::size_t>>();
    if (!query.getColumn(2).isNull())
      preprocessing.layout.names =
          nlohmann::json::parse(query.getColumn(2).getString()).get<std::vector<std::string>>();
    preprocessing.label_column = query.getColumn(3).getString();
    preprocessing.class_names = nlohmann::json::parse(query.getColumn(4).getString()).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& error) {
    throw StoreError(where + ": unreadable JSON (" + error.what() + ")");
  }
  SQLite::Statement steps(db, R"sql(
    SELECT step, offsets, scales FROM preprocessing_steps WHERE preprocessing_id = ? ORDER BY position)sql");
  steps.bind(1, id);
  while (steps.executeStep()) {
    FittedPreprocessStep step;
    try {
      step.kind = parse_preprocess_step(steps.getColumn(0).getString());
    } catch (const std::invalid_argument& error) {
      throw StoreError(where + ": " + error.what());
    }
    const auto vector_of = [](const SQLite::Column& column) {
      const std::vector<float> values = store_sql::floats_of(column);
      return Vector<float>(Eigen::Map<const Vector<float>>(values.data(), static_cast<Eigen::Index>(values.size())));
    };
    step.offset = vector_of(steps.getColumn(1));
    step.scale = vector_of(steps.getColumn(2));
    preprocessing.steps.push_back(std::move(step));
  }
  return preprocessing;
}

std::optional<FoundTrial> find_trial(SQLite::Database& db, const std::string& id_or_key) {
  SQLite::Statement by_key(db, "SELECT id, experiment_id FROM trials WHERE trial_key = ?");
  by_key.bind(1, id_or_key);
  std::optional<std::pair<std::int64_t, std::int64_t>> found;
  if (by_key.executeStep()) found.emplace(by_key.getColumn(0).getInt64(), by_key.getColumn(1).getInt64());
  std::int64_t id = 0;
  const char* end = id_or_key.data() + id_or_key.size();
  const auto parsed = std::from_chars(id_or_key.data(), end, id);
  if (!found && !id_or_key.empty() && parsed.ec == std::errc() && parsed.ptr == end) {
    SQLite::Statement by_id(db, "SELECT id, experiment_id FROM trials WHERE id = ?");
    by_id.bind(1, id);
    if (by_id.executeStep()) found.emplace(by_id.getColumn(0).getInt64(), by_id.getColumn(1).getInt64());
  }
  if (!found) return std::nullopt;
  for (TrialRecord& trial : read_trials(db, found->second))
    if (trial.id == found->first) return FoundTrial{found->second, std::move(trial)};
  return std::nullopt;
}

TrialConfusion read_confusion(SQLite::Database& db, std::int64_t trial_id) {
  TrialConfusion confusion;
  if (!db.tableExists("trial_confusion")) return confusion;  // before schema version 4
  SQLite::Statement query(db, R"sql(
    SELECT split, truth, predicted, count FROM trial_confusion WHERE trial_id = ? ORDER BY split, truth, predicted)sql");
  query.bind(1, trial_id);
  struct Cells {
    std::vector<std::int64_t> counts;  // in (truth, predicted) order
    int classes = 0;
  };
  std::map<std::string, Cells> splits;
  while (query.executeStep()) {
    Cells& cells = splits[query.getColumn(0).getString()];
    cells.counts.push_back(query.getColumn(3).getInt64());
    cells.classes = std::max({cells.classes, query.getColumn(1).getInt() + 1, query.getColumn(2).getInt() + 1});
  }
  for (auto& [split, cells] : splits) {
    if (cells.counts.size() != static_cast<std::size_t>(cells.classes) * cells.classes)
      throw StoreError("trial " + std::to_string(trial_id) + ": its " + split + " confusion matrix has " +
                       std::to_string(cells.counts.size()) + " cells, not " + std::to_string(cells.classes) + " x " +
                       std::to_string(cells.classes));
    ConfusionMatrix matrix{cells.classes, std::move(cells.counts)};
    (split == "val" ? confusion.val : confusion.test) = std::move(matrix);
  }
  return confusion;
}

std::vector<RungRecord> read_rungs(SQLite::Database& db, std::int64_t experiment_id) {
  if (!db.tableExists("trial_rungs")) return {};  // before schema version 3
  SQLite::Statement query(db, R"sql(
    SELECT r.trial_id, r.bracket, r.rung, r.epochs, r.val_accuracy, r.train_accuracy, r.final_loss, r.outcome
    FROM trial_rungs r JOIN trials t ON t.id = r.trial_id WHERE t.experiment_id = ?
    ORDER BY r.bracket, r.rung, r.trial_id)sql");
  query.bind(1, experiment_id);
  std::vector<RungRecord> rows;
  while (query.executeStep())
    rows.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getInt(), query.getColumn(2).getInt(),
                    query.getColumn(3).getInt(), real_or_nan(query.getColumn(4)), real_or_nan(query.getColumn(5)),
                    real_or_nan(query.getColumn(6)), query.getColumn(7).getString()});
  return rows;
}

std::vector<std::pair<std::string, std::string>> read_parameter_names(SQLite::Database& db) {
  SQLite::Statement query(db, "SELECT DISTINCT name, key FROM trial_params ORDER BY name, key");
  std::vector<std::pair<std::string, std::string>> names;
  while (query.executeStep()) names.emplace_back(query.getColumn(0).getString(), query.getColumn(1).getString());
  return names;
}

ResultsReader::ResultsReader(const std::string& path) : path_(path) {
  if (!std::filesystem::exists(path)) throw StoreError("no results database at " + path);
  try {
    open(path, SQLite::OPEN_READONLY);
  } catch (const SQLite::Exception& error) {
    const std::string cause = "cannot read " + path + ": " + error.what();
    if (!shm_cannot_be_created(path, error)) throw StoreError(cause);
    const std::string directory = directory_of(path);
    if (wal_has_commits(path)) {
      throw StoreError(cause + " (directory " + directory + " is not writable, so SQLite cannot create " + path +
                       "-shm to read the commits in " + path + "-wal; copy the database and its -wal file to a " +
                       "writable directory)");
    }
    const std::string uri = immutable_uri(path);
    try {
      open(uri, SQLite::OPEN_READONLY | SQLite::OPEN_URI);
    } catch (const SQLite::Exception& retry) {
      throw StoreError(cause + "; as immutable (" + uri + "): " + retry.what());
    }
    note_ = "directory " + directory + " is not writable, so SQLite cannot create the " + path +
            "-shm file it reads a WAL database with; reading the database as immutable instead (" + uri + ")";
  }
}

void ResultsReader::open(const std::string& name, int flags) {
  db_ = std::make_unique<SQLite::Database>(name, flags);
  db_->setBusyTimeout(10000);
  db_->exec("PRAGMA query_only = ON");
  // Opening is lazy: this first read is where a file SQLite cannot read fails.
  if (!db_->tableExists("trials") || !db_->tableExists("experiments"))
    throw StoreError(path_ + " is not a losslab results database (no trials/experiments tables)");
  results_schema::refuse_newer(db_->execAndGet("PRAGMA user_version").getInt(), path_);
}

ResultsReader::~ResultsReader() = default;

SQLite::Database& ResultsReader::database() { return *db_; }

std::vector<ExperimentInfo> ResultsReader::experiments() { return read_experiments(*db_); }

std::optional<ExperimentInfo> ResultsReader::find_experiment(const std::string& name_or_id) {
  std::int64_t id = 0;
  const auto* end = name_or_id.data() + name_or_id.size();
  const bool numeric = !name_or_id.empty() && std::from_chars(name_or_id.data(), end, id).ptr == end;
  for (auto& experiment : experiments())
    if (experiment.name == name_or_id || (numeric && experiment.id == id)) return experiment;
  return std::nullopt;
}

std::vector<TrialRecord> ResultsReader::trials(std::int64_t experiment_id) { return read_trials(*db_, experiment_id); }

std::vector<std::pair<std::int64_t, double>> ResultsReader::loss_history(std::int64_t trial_id) {
  return read_loss_history(*db_, trial_id);
}

std::vector<EpochRow> ResultsReader::epoch_metrics(std::int64_t trial_id) { return read_epoch_metrics(*db_, trial_id); }

std::optional<Weights> ResultsReader::weights(std::int64_t trial_id) { return read_weights(*db_, trial_id); }

std::optional<Preprocessing> ResultsReader::preprocessing(std::int64_t id) { return read_preprocessing(*db_, id); }

std::optional<FoundTrial> ResultsReader::find_trial(const std::string& id_or_key) {
  return runner::find_trial(*db_, id_or_key);
}
TrialConfusion ResultsReader::confusion(std::int64_t trial_id) { return read_confusion(*db_, trial_id); }

std::vector<RungRecord> ResultsReader::rungs(std::int64_t experiment_id) { return read_rungs(*db_, experiment_id); }

std::int64_t ResultsReader::data_version() { return db_->execAndGet("PRAGMA data_version").getInt64(); }

std::vector<std::pair<std::string, std::string>> ResultsReader::parameter_names() {
  return read_parameter_names(*db_);
}

ResultsReader::Snapshot::Snapshot(ResultsReader& reader) : db_(reader.database()) { db_.exec("BEGIN"); }

ResultsReader::Snapshot::~Snapshot() {
  try {
    db_.exec("COMMIT");
  } catch (const SQLite::Exception&) {  // nothing was written; ending the read cannot matter
  }
}

}  // namespace losslab::runner
