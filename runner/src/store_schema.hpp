// The DDL of the results database (private to the store). runner/results/README.md documents every column.
#pragma once

namespace SQLite {
class Database;
}

#include "losslab/runner/store.hpp"

namespace losslab::runner::store_schema {

// PRAGMA user_version of the schema this code writes. Bump it, and add a migration from the version
// before, when the schema or the meaning of a column changes.
inline constexpr int kVersion = kResultsSchemaVersion;

// Brings the database to kVersion inside the caller's write transaction: creates every table and
// index that is missing, runs the migration of each version since the file's, and sets
// user_version. A migration that fails throws, and the caller's rollback leaves the file as it was.
void upgrade(SQLite::Database& db);

}  // namespace losslab::runner::store_schema
