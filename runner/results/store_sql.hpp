// What the results store's source files share to write SQL (private to the results module).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>
#include <vector>

#include "losslab/runner/results/store.hpp"

namespace losslab::runner::store_sql {

// "2026-11-27T23:40:01.123Z": sorts as text, and SQLite's date functions read it.
std::string utc_timestamp();
// A write transaction that takes the write lock up front (BEGIN IMMEDIATE), so the busy timeout
// applies to acquiring it rather than failing on a read-to-write upgrade. Rolls back unless committed.
SQLite::Transaction write_transaction(SQLite::Database& db);
// NaN and +-inf (an accuracy of an empty split, a diverged loss) are stored as NULL, never as a
// non-finite REAL, as runner/results/README.md promises.
void bind_real(SQLite::Statement& statement, int index, double value);
// Empty text is "not given": NULL, so JSON columns never hold an empty (malformed) document.
void bind_text(SQLite::Statement& statement, int index, const std::string& value);
// A float32 array as a BLOB of its little-endian bytes; an empty array is an empty BLOB, not NULL
// (which SQLite makes of a null pointer).
void bind_floats(SQLite::Statement& statement, int index, const float* data, std::size_t count);
// A BLOB of float32 values back as floats (NULL: none).
std::vector<float> floats_of(const SQLite::Column& column);

// A SQL table expression of (trial_id, rung) rows: the rungs and the warm-up segments of a halving
// search each trial has finished (trial_rungs, and trial_checkpoints for the segments' negative
// rungs). A trial has finished rung k when it has a row with rung >= k: a checkpoint is dropped
// only after a later step of the trial is recorded.
extern const char* const kFinishedRungs;

// Inside record_outcome's transaction: a halving trial's trials.rung, its trial_rungs row and, when
// it paused, its checkpoint (store_rungs.cpp).
void record_rung(SQLite::Database& db, std::int64_t trial_id, const TrialOutcome& outcome);

// Every SQLite failure leaves the store as a StoreError naming the database and the operation.
template <typename Body>
auto guarded(const std::string& path, const std::string& action, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& error) {
    throw StoreError("results database " + path + ": " + action + ": " + error.what());
  }
}


}  // namespace losslab::runner::store_sql
