// `losslab-report query DB "SELECT ..."`: one read-only SQL statement, its result as a table.
#pragma once

#include <iosfwd>
#include <string>

#include "report_data.hpp"
#include "table_format.hpp"
#include "usage_error.hpp"

namespace losslab::report {

// A query that was rejected (it would write, it is more than one statement, it attaches a file)
// or that SQLite failed to run; the message starts with "query: " and carries SQLite's own.
class QueryError : public UsageError {
 public:
  using UsageError::UsageError;
};

// Runs `sql` on the report's read-only connection. Besides the connection being read-only and
// query_only, the statement is checked before it runs: exactly one statement; no INSERT, UPDATE,
// DELETE, CREATE, DROP, ALTER, ATTACH, DETACH, transaction control, or PRAGMA that sets a value
// (an authorizer allows only reading tables, calling functions and the PRAGMAs that report
// something); and sqlite3_stmt_readonly must hold. Values keep their SQLite type; a BLOB becomes
// its bytes in hex (shown as "<N-byte blob>" in the text table).
Table run_query(ResultsReader& db, const std::string& sql);

void write_query(ResultsReader& db, const std::string& sql, OutputFormat format, std::ostream& out);

}  // namespace losslab::report
