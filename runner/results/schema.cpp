#include "schema.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <set>
#include <stdexcept>
#include <string>

#include "config_schema.hpp"
#include "losslab/runner/params.hpp"
#include "losslab/runner/trials.hpp"

namespace losslab::runner::results_schema {
namespace {

// Timestamps are ISO-8601 UTC text with milliseconds ("2026-11-27T23:40:01.123Z"), so they sort
// as text and SQLite's date functions read them.
constexpr const char* kDdl = R"sql(
CREATE TABLE IF NOT EXISTS experiments (
  id          INTEGER PRIMARY KEY,
  name        TEXT UNIQUE NOT NULL,
  config_yaml TEXT,
  config_path TEXT,
  created_at  TEXT,
  updated_at  TEXT
);

CREATE TABLE IF NOT EXISTS runs (
  id                INTEGER PRIMARY KEY,
  experiment_id     INTEGER REFERENCES experiments(id),
  started_at        TEXT,
  finished_at       TEXT,
  status            TEXT CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
  command_line      TEXT,
  losslab_version   TEXT,
  git_commit        TEXT,
  compiler          TEXT,
  compile_flags     TEXT,
  host              TEXT,
  pid               INTEGER,
  dataset_checksums TEXT,
  overrides         TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_experiment ON runs (experiment_id);

CREATE TABLE IF NOT EXISTS trials (
  id             INTEGER PRIMARY KEY,
  experiment_id  INTEGER NOT NULL REFERENCES experiments(id),
  trial_key      TEXT UNIQUE NOT NULL,
  name           TEXT,
  status         TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed',
                                                 'diverged', 'pruned', 'interrupted')),
  params_json    TEXT,
  seed           INTEGER,
  run_id         INTEGER,
  attempts       INTEGER NOT NULL DEFAULT 0,
  started_at     TEXT,
  finished_at    TEXT,
  heartbeat_at   TEXT,
  train_seconds  REAL,
  final_loss     REAL,
  train_accuracy REAL,
  val_accuracy   REAL,
  test_accuracy  REAL,
  epochs_done    INTEGER,
  diverged_step  INTEGER,
  error          TEXT,
  rung           INTEGER,
  round          INTEGER,
  -- Version 4, per-trial metrics and refits (kMetricsDdl below):
  val_macro_f1   REAL,
  test_macro_f1  REAL,
  train_examples INTEGER,
  refit_of       INTEGER REFERENCES trials(id)
);
CREATE INDEX IF NOT EXISTS trials_by_experiment_status ON trials (experiment_id, status);
CREATE INDEX IF NOT EXISTS trials_by_run ON trials (run_id);

-- value has no declared type on purpose: no affinity, so each row keeps the type it was written
-- with (REAL, INTEGER or TEXT) and numeric comparisons work.
CREATE TABLE IF NOT EXISTS trial_params (
  trial_id INTEGER REFERENCES trials(id),
  name     TEXT NOT NULL,
  key      TEXT NOT NULL,
  value,
  swept    INTEGER NOT NULL,
  PRIMARY KEY (trial_id, key)
);
CREATE INDEX IF NOT EXISTS trial_params_by_name_value ON trial_params (name, value);

CREATE TABLE IF NOT EXISTS loss_history (
  trial_id INTEGER REFERENCES trials(id),
  step     INTEGER,
  epoch    INTEGER,
  loss     REAL,
  PRIMARY KEY (trial_id, step)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS epoch_metrics (
  trial_id       INTEGER REFERENCES trials(id),
  epoch          INTEGER,
  mean_loss      REAL,
  train_accuracy REAL,
  val_accuracy   REAL,
  learning_rate  REAL,
  seconds        REAL,
  PRIMARY KEY (trial_id, epoch)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS trial_weights (
  trial_id         INTEGER PRIMARY KEY REFERENCES trials(id),
  rows             INTEGER,
  cols             INTEGER,
  dtype            TEXT,
  layout           TEXT,
  has_bias_row     INTEGER,
  data             BLOB,
  preprocessing_id INTEGER REFERENCES preprocessing(id)
);

-- A halving search's rungs: one row per rung a trial finished, with its metrics at the rung's
-- end; outcome stays NULL until every trial of the rung has finished it and the rung is decided.
CREATE TABLE IF NOT EXISTS trial_rungs (
  trial_id       INTEGER NOT NULL REFERENCES trials(id),
  bracket        INTEGER NOT NULL,
  rung           INTEGER NOT NULL,
  epochs         INTEGER NOT NULL,
  val_accuracy   REAL,
  train_accuracy REAL,
  final_loss     REAL,
  outcome        TEXT CHECK (outcome IN ('promoted', 'pruned', 'completed', 'diverged', 'failed')),
  PRIMARY KEY (trial_id, rung)
) WITHOUT ROWID;

-- What a trial paused at the end of a rung needs to go on exactly where it stopped: its weights,
-- its update rule's state and its history so far. Dropped once the next rung is decided.
CREATE TABLE IF NOT EXISTS trial_checkpoints (
  trial_id        INTEGER NOT NULL REFERENCES trials(id),
  rung            INTEGER NOT NULL,
  epochs_done     INTEGER NOT NULL,
  rows            INTEGER NOT NULL,
  cols            INTEGER NOT NULL,
  weights         BLOB NOT NULL,
  optimizer_steps INTEGER NOT NULL,
  optimizer_state BLOB NOT NULL,
  loss_history    BLOB NOT NULL,
  epochs_json     TEXT NOT NULL,
  train_seconds   REAL,
  PRIMARY KEY (trial_id, rung)
);
)sql";

// Schema version 4: what scoring raw examples with a trial's weights takes besides W, one row per
// distinct content (by its digest) shared by every trial trained on the same prepared data, with
// one row per fitted step; trial_weights.preprocessing_id refers to it.
constexpr const char* kPreprocessingDdl = R"sql(
CREATE TABLE IF NOT EXISTS preprocessing (
  id            INTEGER PRIMARY KEY,
  digest        TEXT UNIQUE NOT NULL,
  dataset_kind  TEXT NOT NULL,
  input_shape   TEXT NOT NULL,
  feature_names TEXT,
  label_column  TEXT,
  class_names   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS preprocessing_steps (
  preprocessing_id INTEGER NOT NULL REFERENCES preprocessing(id),
  position         INTEGER NOT NULL,
  step             TEXT NOT NULL,
  offsets          BLOB,
  scales           BLOB,
  PRIMARY KEY (preprocessing_id, position)
) WITHOUT ROWID;
)sql";

// ---- Version 4: per-trial metrics and refits ------------------------------------------------
// The trials columns val_macro_f1, test_macro_f1, train_examples and refit_of (in the trials table
// above, added by migrate_3_to_4_metrics), and each scored trial's confusion matrices: one row per
// (split, truth, predicted) cell of the C x C matrix, zeros included, so a split's rows sum to the
// examples it scored.
constexpr const char* kMetricsDdl = R"sql(
CREATE TABLE IF NOT EXISTS trial_confusion (
  trial_id  INTEGER NOT NULL REFERENCES trials(id),
  split     TEXT NOT NULL CHECK (split IN ('val', 'test')),
  truth     INTEGER NOT NULL,
  predicted INTEGER NOT NULL,
  count     INTEGER NOT NULL,
  PRIMARY KEY (trial_id, split, truth, predicted)
) WITHOUT ROWID;
)sql";

// 3 -> 4 (metrics): the trials columns of version 4; trial_confusion comes from kMetricsDdl. The
// trials recorded before have no matrices and NULL in every new column (a search trial, not a refit).
void migrate_3_to_4_metrics(SQLite::Database& db) {
  for (const char* column : {"val_macro_f1 REAL", "test_macro_f1 REAL", "train_examples INTEGER",
                             "refit_of INTEGER REFERENCES trials(id)"})
    db.exec(std::string("ALTER TABLE trials ADD COLUMN ") + column);
}
// ---- end of version 4's metrics and refits ---------------------------------------------------

// 1 -> 2: trial keys leave out parameters inactive for a trial's choices and parameters at their
// baseline (trials.cpp), so every trial gets the key this version gives the same trial, and the
// trial_params rows of inactive parameters go. Trials that version 1 kept apart but that differ
// only in an inactive parameter (sgd with two momentums) are the same trial now: the first of them
// (completed before any other status, then the lowest id) takes the new key, the others keep
// their old one and stay as they were.
void migrate_1_to_2(SQLite::Database& db) {
  SQLite::Statement select(db, R"sql(
    SELECT t.id, e.name, t.params_json FROM trials t JOIN experiments e ON e.id = t.experiment_id
    ORDER BY t.status <> 'completed', t.id)sql");
  SQLite::Statement rekey(db, "UPDATE trials SET trial_key = ? WHERE id = ?");
  SQLite::Statement drop_param(db, "DELETE FROM trial_params WHERE trial_id = ? AND key = ?");
  std::set<std::string> taken;
  while (select.executeStep()) {
    const std::int64_t id = select.getColumn(0).getInt64();
    ResolvedParams params;
    try {
      params = params_from_json_text(select.getColumn(2).getString());
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error("migrating to schema version 2: trial " + std::to_string(id) +
                               " has unreadable params_json (" + error.what() + ")");
    }
    const std::string key = trial_key(select.getColumn(1).getString(), params);
    if (taken.insert(key).second) {
      rekey.bind(1, key);
      rekey.bind(2, id);
      rekey.exec();
      rekey.reset();
    }
    for (const auto& [name, value] : params) {
      const detail::KeySpec* spec = detail::find_key_spec(name);
      if (!spec || detail::is_active(*spec, params)) continue;
      drop_param.bind(1, id);
      drop_param.bind(2, name);
      drop_param.exec();
      drop_param.reset();
    }
  }
}

// 2 -> 3: halving searches record the rung each trial last trained in (trials.rung) and, in
// tables of their own that the DDL creates, each rung's metrics and the paused trials' state;
// adaptive samplers the round that chose each trial (trials.round).
void migrate_2_to_3(SQLite::Database& db) {
  db.exec("ALTER TABLE trials ADD COLUMN rung INTEGER");
  db.exec("ALTER TABLE trials ADD COLUMN round INTEGER");
}

// 3 -> 4: the weights refer to their preprocessing (tables of its own, kPreprocessingDdl). Weights
// recorded before have none (NULL): losslab-predict asks to rerun such a trial.
void migrate_3_to_4(SQLite::Database& db) {
  db.exec("ALTER TABLE trial_weights ADD COLUMN preprocessing_id INTEGER REFERENCES preprocessing(id)");
  migrate_3_to_4_metrics(db);
}

}  // namespace

void refuse_newer(int version, const std::string& context) {
  if (version > kVersion)
    throw StoreError(context + ": its schema version " + std::to_string(version) + " is newer than this losslab's (" +
                     std::to_string(kVersion) + "); use a newer losslab");
}

void upgrade(SQLite::Database& db) {
  const int version = db.execAndGet("PRAGMA user_version").getInt();
  db.exec(kDdl);
  db.exec(kPreprocessingDdl);
  db.exec(kMetricsDdl);
  if (version >= 1 && version < 2) migrate_1_to_2(db);
  if (version >= 1 && version < 3) migrate_2_to_3(db);
  if (version >= 1 && version < 4) migrate_3_to_4(db);
  db.exec("PRAGMA user_version = " + std::to_string(kVersion));
}

}  // namespace losslab::runner::results_schema
