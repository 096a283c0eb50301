// immutable_uri: the percent-encoding of a path, and SQLite opening what it names.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "sqlite_uri.hpp"
#include "support/temp_dir.hpp"

namespace losslab::runner {
namespace {

TEST(ImmutableUri, EncodesEverythingButUnreservedCharactersAndSlashes) {
  EXPECT_EQ(immutable_uri("/data/run-1_a.b~c/results.db"), "file:///data/run-1_a.b~c/results.db?immutable=1");
  // '?' would start the query, '#' the fragment, '%' an escape; a space and UTF-8 bytes are escaped too.
  EXPECT_EQ(immutable_uri("/tmp/a b?c#d%e/\xC3\xBC.db"), "file:///tmp/a%20b%3Fc%23d%25e/%C3%BC.db?immutable=1");
  EXPECT_EQ(immutable_uri("/x/&=+;,"), "file:///x/%26%3D%2B%3B%2C?immutable=1");
}

TEST(ImmutableUri, MakesRelativePathsAbsolute) {
  const std::filesystem::path cwd = std::filesystem::current_path();
  EXPECT_EQ(immutable_uri("sub/../results.db"), immutable_uri((cwd / "results.db").string()));
}

TEST(ImmutableUri, SqliteOpensTheFileItNames) {
  test_support::TempDir dir;
  const auto odd = dir.path() / "what?#%20 is this";
  std::filesystem::create_directory(odd);
  const std::string path = (odd / "results #1?.db").string();
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE t(x); INSERT INTO t VALUES (42)");
  }
  SQLite::Database db(immutable_uri(path), SQLite::OPEN_READONLY | SQLite::OPEN_URI);
  EXPECT_EQ(db.execAndGet("SELECT x FROM t").getInt(), 42);
  EXPECT_EQ(std::string(sqlite3_db_filename(db.getHandle(), "main")), path);  // SQLite decoded the file's own name
}

}  // namespace
}  // namespace losslab::runner
