// Reading a test's results database by SQL of the test's own, as text: the independent side of a
// comparison with what losslab wrote or reports.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace losslab::test_support {

// The first column of every row.
inline std::vector<std::string> column(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  SQLite::Statement query(db, sql);
  std::vector<std::string> values;
  while (query.executeStep()) values.push_back(query.getColumn(0).getString());
  return values;
}

// The first column of the first row.
inline std::string scalar(const std::string& db_path, const std::string& sql) { return column(db_path, sql).at(0); }

// Runs `argv` (a losslab-run) and SIGKILLs it as soon as `sql` on `db_path` returns `value` (the
// database may not exist yet). Returns whether that happened before the process ended or two
// minutes passed; `err` gets its stderr.
inline bool kill_when(const std::vector<std::string>& argv, const std::string& dir, const std::string& db_path,
                      const std::string& sql, const std::string& value, std::string& err) {
  ChildProcess victim(argv, dir + "/victim.out", dir + "/victim.err");
  const bool reached = wait_until(
      [&] {
        try {
          return scalar(db_path, sql) == value;
        } catch (const SQLite::Exception&) {
          return false;  // not created yet
        }
      },
      std::chrono::seconds(120));
  victim.signal(SIGKILL);
  victim.wait();
  err = victim.err();
  return reached;
}

// A copy of `from` at `to` (a consistent one, VACUUM INTO) with `change` applied to the copy;
// returns how many rows the change touched.
inline int changed_copy(const std::string& from, const std::string& to, const std::string& change) {
  {
    SQLite::Database db(from, SQLite::OPEN_READWRITE);
    db.exec("VACUUM INTO '" + to + "'");
  }
  SQLite::Database db(to, SQLite::OPEN_READWRITE);
  return db.exec(change);
}

}  // namespace losslab::test_support
