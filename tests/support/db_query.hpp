// Reading a test's results database by SQL of the test's own, as text: the independent side of a
// comparison with what losslab wrote or reports.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>
#include <vector>

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

}  // namespace losslab::test_support
