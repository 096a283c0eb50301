// losslab-report on a database in a directory it cannot write. SQLite reads a WAL database
// through a -shm index it creates beside the file; losslab-run removes that file when it exits
// cleanly, so in a read-only directory the ordinary read-only open fails and the report must
// fall back to reading the file as immutable. Root ignores directory permissions (SQLite would
// just create the -shm file), so when the tests run as root the report runs as user nobody
// (uid 65534, through util-linux's setpriv).
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "report/cli_support.hpp"

namespace losslab::report_test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNobody = "65534";

std::string find_setpriv() {
  for (const char* path : {"/usr/bin/setpriv", "/bin/setpriv"})
    if (access(path, X_OK) == 0) return path;
  return {};
}

std::string file_bytes(const std::string& path) { return test_support::ChildProcess::slurp(path); }

class ReadOnlyDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    // nobody must reach the database: mkdtemp made the directory 0700.
    fs::permissions(dir_.path(), fs::perms(0755));
    // Characters a URI must escape, so the fallback's percent-encoding is exercised too.
    db_dir_ = dir_.path() / "results ?#%41";
    fs::create_directory(db_dir_);
    db_ = (db_dir_ / "results.db").string();
    const std::string config = dir_.write("tiny.yaml", small_config("tiny", 1, "  seeds: [0, 1]\n", 1500));
    const auto sweep = run({kRun, config, "--db", db_, "--jobs", "1", "--no-progress"});
    ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
    ASSERT_FALSE(fs::exists(db_ + "-shm")) << "losslab-run left " << db_ << "-shm behind";
    fs::permissions(db_, fs::perms(0644));

    if (geteuid() == 0) {
      const std::string setpriv = find_setpriv();
      if (setpriv.empty()) GTEST_SKIP() << "running as root, which ignores directory permissions, and setpriv "
                                           "(util-linux) is missing to run the report as user nobody";
      const auto probe = run({setpriv, "--reuid", kNobody, "--regid", kNobody, "--clear-groups", "/bin/true"});
      if (probe.exit_code != 0) GTEST_SKIP() << "running as root and cannot switch to user nobody: " << probe.err;
      // nobody may not be able to reach the build tree; a copy in the 0755 directory it can.
      const std::string report = dir_.file("losslab-report");
      fs::copy_file(kReport, report);
      fs::permissions(report, fs::perms(0755));
      prefix_ = {setpriv, "--reuid", kNobody, "--regid", kNobody, "--clear-groups", report};
    } else {
      prefix_ = {kReport};
    }
    fs::permissions(db_dir_, fs::perms(0555));
  }
  void TearDown() override {
    std::error_code ignored;  // let TempDir remove it, also when not running as root
    fs::permissions(db_dir_, fs::perms(0755), ignored);
  }

  RunResult run(const std::vector<std::string>& argv) const { return test_support::run_program(argv, scratch_.path().string()); }
  RunResult report(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = prefix_;
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }

  TempDir dir_, scratch_;
  fs::path db_dir_;
  std::string db_;
  std::vector<std::string> prefix_;
};

TEST_F(ReadOnlyDirectory, ReportReadsTheDatabaseAsImmutable) {
  const std::string before = file_bytes(db_);
  const auto summary = report({db_});
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_NE(summary.out.find("== tiny (experiment 1) =="), std::string::npos) << summary.out;
  EXPECT_NE(summary.out.find("trials: 2 (2 completed)"), std::string::npos) << summary.out;
  // One line on stderr says what happened, naming the directory and the URI actually opened.
  const std::string note = "losslab-report: note: directory " + db_dir_.string() +
                           " is not writable, so SQLite cannot create the " + db_ +
                           "-shm file it reads a WAL database with; reading the database as immutable instead "
                           "(file://" + dir_.path().string() + "/results%20%3F%23%2541/results.db?immutable=1)\n";
  EXPECT_EQ(summary.err, note);

  const auto query = report({"query", db_, "SELECT count(*) AS n FROM trials WHERE status = 'completed'", "--format", "csv"});
  ASSERT_EQ(query.exit_code, 0) << query.err;
  EXPECT_EQ(query.out, "n\n2\n");
  EXPECT_EQ(query.err, note);

  // Nothing was written: no -wal or -shm beside the database, which is byte for byte the same.
  EXPECT_FALSE(fs::exists(db_ + "-shm"));
  EXPECT_FALSE(fs::exists(db_ + "-wal"));
  EXPECT_EQ(file_bytes(db_), before);
}

TEST_F(ReadOnlyDirectory, RefusesWhenCommitsWaitInTheWal) {
  // A -wal file with commits but no -shm (copied without it, or left by a crash): an immutable
  // read would not see those commits, so the report says what is wrong instead.
  fs::permissions(db_dir_, fs::perms(0755));
  const fs::path copy_dir = dir_.path() / "copy";
  fs::create_directory(copy_dir);
  const std::string copy = (copy_dir / "results.db").string();
  {
    SQLite::Database writer(db_, SQLite::OPEN_READWRITE);
    writer.exec("PRAGMA wal_autocheckpoint = 0");
    writer.exec("UPDATE experiments SET name = 'renamed'");
    ASSERT_GT(fs::file_size(db_ + "-wal"), 0u);
    fs::copy_file(db_, copy);
    fs::copy_file(db_ + "-wal", copy + "-wal");
  }
  fs::permissions(copy, fs::perms(0644));
  fs::permissions(copy + "-wal", fs::perms(0644));
  fs::permissions(copy_dir, fs::perms(0555));
  const auto summary = report({copy});
  fs::permissions(copy_dir, fs::perms(0755));
  EXPECT_EQ(summary.exit_code, 1) << summary.out;
  EXPECT_NE(summary.err.find("losslab-report: cannot read " + copy), std::string::npos) << summary.err;
  EXPECT_NE(summary.err.find("directory " + copy_dir.string() + " is not writable, so SQLite cannot create " + copy +
                             "-shm to read the commits in " + copy + "-wal"),
            std::string::npos)
      << summary.err;
  EXPECT_EQ(summary.out, "");
}

}  // namespace
}  // namespace losslab::report_test
