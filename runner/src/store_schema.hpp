// The DDL of the results database (private to the store). README.md documents every column.
#pragma once

namespace SQLite {
class Database;
}

namespace losslab::runner::store_schema {

// PRAGMA user_version of the schema this code writes. Bump it, and add a migration, when a column
// changes; a database with a newer version is refused rather than misread.
inline constexpr int kVersion = 1;

// Creates every table and index that is missing and sets user_version, inside the caller's
// write transaction. Idempotent.
void create(SQLite::Database& db);

}  // namespace losslab::runner::store_schema
