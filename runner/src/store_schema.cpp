#include "store_schema.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>

namespace losslab::runner::store_schema {
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
  error          TEXT
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
  trial_id     INTEGER PRIMARY KEY REFERENCES trials(id),
  rows         INTEGER,
  cols         INTEGER,
  dtype        TEXT,
  layout       TEXT,
  has_bias_row INTEGER,
  data         BLOB
);
)sql";

}  // namespace

void create(SQLite::Database& db) {
  db.exec(kDdl);
  db.exec("PRAGMA user_version = " + std::to_string(kVersion));
}

}  // namespace losslab::runner::store_schema
