// The DDL of the results database, its version and the migrations between versions (private to the
// results module). runner/results/README.md documents every column and version.
#pragma once

namespace SQLite {
class Database;
}

#include "losslab/runner/results/store.hpp"

namespace losslab::runner::results_schema {

// PRAGMA user_version of the schema this code writes. Bump it, and add a migration from the version
// before, when the schema or the meaning of a column changes.
inline constexpr int kVersion = kResultsSchemaVersion;

// Brings the database to kVersion inside the caller's write transaction: creates every table and
// index that is missing, runs the migration of each version since the file's, and sets
// user_version. A migration that fails throws, and the caller's rollback leaves the file as it was.
void upgrade(SQLite::Database& db);

// Throws StoreError "CONTEXT: its schema version N is newer than this losslab's (M); use a newer
// losslab" when `version` (a file's user_version) is newer than kVersion: the runner and every
// reader refuse such a file rather than misread it.
void refuse_newer(int version, const std::string& context);

}  // namespace losslab::runner::results_schema
