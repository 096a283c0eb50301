#include "sql_query.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

namespace losslab::report {
namespace {

// PRAGMAs that only report something, with or without an argument (the argument names a table,
// an index or a limit).
const std::set<std::string> kInspectingPragmas = {
    "table_info", "table_xinfo", "table_list", "index_info", "index_xinfo", "index_list",
    "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check"};
// PRAGMAs that report a setting when given no argument (with one, they would change it).
const std::set<std::string> kSettingPragmas = {
    "application_id", "auto_vacuum", "busy_timeout", "cache_size", "collation_list", "compile_options",
    "data_version", "database_list", "encoding", "foreign_keys", "freelist_count", "function_list",
    "journal_mode", "module_list", "page_count", "page_size", "pragma_list", "query_only",
    "schema_version", "synchronous", "user_version"};

std::string lower(const char* text) {
  std::string lowered = text == nullptr ? "" : text;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lowered;
}

// Why the authorizer refused the statement (the first refusal wins).
struct Refusal {
  std::string reason;
};

int authorize(void* user, int action, const char* first, const char* second, const char*, const char*) {
  auto* refusal = static_cast<Refusal*>(user);
  const auto deny = [&](std::string reason) {
    if (refusal->reason.empty()) refusal->reason = std::move(reason);
    return SQLITE_DENY;
  };
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_PRAGMA: {
      const std::string name = lower(first);
      if (kInspectingPragmas.count(name) != 0 || (second == nullptr && kSettingPragmas.count(name) != 0))
        return SQLITE_OK;
      return deny("PRAGMA " + name + (second != nullptr ? " with a value" : "") +
                  " is not allowed: only PRAGMAs that read (table_info, user_version, ...) may run");
    }
    case SQLITE_UPDATE:
      // SQLite asks this of its schema table while it resolves a table-valued function
      // (json_each, pragma_table_info); a real UPDATE of it is refused by sqlite3_stmt_readonly.
      if (lower(first) == "sqlite_master" || lower(first) == "sqlite_temp_master") return SQLITE_OK;
      return deny("the statement would change the database; only reading statements (SELECT, WITH, "
                  "read-only PRAGMAs) are allowed");
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
      return deny("ATTACH and DETACH are not allowed: a query sees only this database");
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
      return deny("transaction control (BEGIN, COMMIT, SAVEPOINT, ...) is not allowed");
    default:
      return deny("the statement would change the database; only reading statements (SELECT, WITH, "
                  "read-only PRAGMAs) are allowed");
  }
}

// Installs the authorizer for as long as the statement lives.
class AuthorizerScope {
 public:
  AuthorizerScope(sqlite3* db, Refusal& refusal) : db_(db) { sqlite3_set_authorizer(db_, authorize, &refusal); }
  ~AuthorizerScope() { sqlite3_set_authorizer(db_, nullptr, nullptr); }
  AuthorizerScope(const AuthorizerScope&) = delete;
  AuthorizerScope& operator=(const AuthorizerScope&) = delete;

 private:
  sqlite3* db_;
};

struct Finalize {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, Finalize>;

[[noreturn]] void reject(const std::string& message) { throw QueryError("query: " + message); }

std::string hex(const void* data, int bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(static_cast<std::size_t>(bytes) * 2);
  const auto* p = static_cast<const unsigned char*>(data);
  for (int i = 0; i < bytes; ++i) {
    text += kDigits[p[i] >> 4];
    text += kDigits[p[i] & 15];
  }
  return text;
}

Cell column_cell(sqlite3_stmt* statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_INTEGER: return Cell(static_cast<std::int64_t>(sqlite3_column_int64(statement, column)));
    case SQLITE_FLOAT: return Cell(sqlite3_column_double(statement, column));
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
      return Cell(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, column))));
    }
    case SQLITE_BLOB: {
      const void* data = sqlite3_column_blob(statement, column);
      const int bytes = sqlite3_column_bytes(statement, column);
      return Cell::shown_as(hex(data, bytes), "<" + std::to_string(bytes) + "-byte blob>");
    }
    default: return Cell::null();
  }
}

}  // namespace

Table run_query(ResultsReader& db, const std::string& sql) {
  sqlite3* handle = db.database().getHandle();
  Refusal refusal;
  AuthorizerScope scope(handle, refusal);

  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(handle, sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
  StatementPtr statement(raw);
  if (!refusal.reason.empty()) reject(refusal.reason);
  if (rc != SQLITE_OK) reject(sqlite3_errmsg(handle));
  if (!statement) reject("no SQL statement given");
  if (sqlite3_stmt_readonly(statement.get()) == 0)
    reject("the statement would change the database; only reading statements (SELECT, WITH, read-only PRAGMAs) "
           "are allowed");

  // Anything after the first statement other than blanks, ';' and comments is a second statement.
  const char* end = sql.c_str() + sql.size();
  if (tail != nullptr && tail < end) {
    sqlite3_stmt* next = nullptr;
    Refusal ignored;
    sqlite3_set_authorizer(handle, authorize, &ignored);  // preparing only: nothing of it runs
    rc = sqlite3_prepare_v2(handle, tail, static_cast<int>(end - tail), &next, nullptr);
    StatementPtr second(next);
    sqlite3_set_authorizer(handle, authorize, &refusal);
    if (second || rc != SQLITE_OK) {
      std::string rest(tail, end);
      rest.erase(0, rest.find_first_not_of(" \t\r\n;"));
      if (rest.size() > 40) rest = rest.substr(0, 40) + "...";
      reject("only one statement may run; found more after the first: '" + rest + "'");
    }
  }

  Table table;
  const int columns = sqlite3_column_count(statement.get());
  for (int c = 0; c < columns; ++c) {
    const char* name = sqlite3_column_name(statement.get(), c);
    table.header.emplace_back(name == nullptr ? "" : name);
  }
  while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
    auto& row = table.rows.emplace_back();
    for (int c = 0; c < columns; ++c) row.push_back(column_cell(statement.get(), c));
  }
  if (!refusal.reason.empty()) reject(refusal.reason);
  if (rc != SQLITE_DONE) reject(sqlite3_errmsg(handle));
  return table;
}

void write_query(ResultsReader& db, const std::string& sql, OutputFormat format, std::ostream& out) {
  write_table(run_query(db, sql), format, out);
}

}  // namespace losslab::report
