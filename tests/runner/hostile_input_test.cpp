// Every losslab executable on inputs that used to end in an uncaught exception or a crash: each
// must end with a clear message and its documented exit code, quickly and without taking the
// machine's memory (the children run under a 1 GiB address-space limit where the build allows).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/scoped_environment.hpp"
#include "support/temp_dir.hpp"

namespace losslab {
namespace {

using test_support::program_path;
using test_support::run_program;
using test_support::RunResult;
using test_support::ScopedEnvironment;
using test_support::TempDir;

// The "billion laughs": eight lines that stand for 10^8 scalars.
const std::string kAliasBomb =
    "a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "name: bomb\n";

bool sanitized() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

// Runs `argv` in `dir` with at most 1 GiB of address space (prlimit), except under
// AddressSanitizer, which reserves terabytes of shadow address space at start.
RunResult run_limited(std::vector<std::string> argv, const TempDir& dir) {
  if (!sanitized()) argv.insert(argv.begin(), {"/usr/bin/prlimit", "--as=1073741824", "--"});
  return run_program(argv, dir.path().string());
}

TEST(HostileInput, AliasBombConfigIsAnErrorOfTheRunner) {
  TempDir dir;
  const std::string config = dir.write("bomb.yaml", kAliasBomb);
  const RunResult run = run_limited({program_path("losslab-run"), config, "--dry-run"}, dir);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find(config + ":5:17: alias '*d' expands the document past 50000 nodes"), std::string::npos)
      << run.err;
}

TEST(HostileInput, AliasBombInASetValueIsAnErrorOfTheRunner) {
  TempDir dir;
  const std::string config = dir.write("small.yaml", "dataset: {kind: synthetic}\n");
  std::string value = "[&a [x,x,x,x,x,x,x,x,x,x]";
  std::string next = "a";
  for (char level = 'b'; level <= 'h'; ++level) {
    value += std::string(",&") + level + " [";
    for (int i = 0; i < 10; ++i) value += (i ? ",*" : "*") + next;
    value += "]";
    next = std::string(1, level);
  }
  value += "]";
  const RunResult run =
      run_limited({program_path("losslab-run"), config, "--dry-run", "--set", "colour=" + value}, dir);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("--set:1:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("expands the document past 50000 nodes"), std::string::npos) << run.err;
}

TEST(HostileInput, AliasBombIsAnErrorOfTheSplitsExport) {
  TempDir dir;
  const std::string config = dir.write("bomb.yaml", kAliasBomb);
  const RunResult run = run_limited({program_path("losslab-export-splits"), config, dir.file("out")}, dir);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("past 50000 nodes"), std::string::npos) << run.err;
}

TEST(HostileInput, MoreJobsThanThreadsCanBeIsAnArgumentError) {
  // Used to end in std::terminate (exit 134) while starting the threads.
  TempDir dir;
  const std::string config = dir.write("small.yaml", "dataset: {kind: synthetic}\n");
  const RunResult run =
      run_program({program_path("losslab-run"), config, "--db", dir.file("r.db"), "--jobs", "100000000"},
                  dir.path().string());
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("--jobs: Value 100000000 not in range 1 to 1024"), std::string::npos) << run.err;
}

TEST(HostileInput, RecordBenchmarkRunsOutOfMemoryWithAMessage) {
  // 10^9 x 10^9 weights: the allocation fails at once, and std::bad_alloc used to leave main.
  TempDir dir;
  ScopedEnvironment environment({{"ASAN_OPTIONS", std::string("allocator_may_return_null=1:detect_leaks=0")}});
  const RunResult run = run_limited({program_path("losslab-bench-record"), "--trials", "1", "--features",
                                     "1000000000", "--classes", "1000000000", "--db", dir.file("b.db")},
                                    dir);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("losslab-bench-record: out of memory"), std::string::npos) << run.err;
}

TEST(HostileInput, RecordBenchmarkRefusesZeroEpochs) {
  // Used to divide by zero (SIGFPE) sizing the epochs.
  TempDir dir;
  const RunResult run = run_program(
      {program_path("losslab-bench-record"), "--trials", "1", "--epochs", "0", "--db", dir.file("b.db")},
      dir.path().string());
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("--epochs: Value 0 not in range"), std::string::npos) << run.err;
}

TEST(HostileInput, ReportAndDemoSayWhatIsWrongWithTheirInput) {
  TempDir dir;
  const std::string not_a_database = dir.write("notes.db", kAliasBomb);
  const RunResult report = run_program({program_path("losslab-report"), not_a_database}, dir.path().string());
  EXPECT_EQ(report.exit_code, 1) << report.err;
  EXPECT_NE(report.err.find("losslab-report: "), std::string::npos) << report.err;
  const RunResult demo = run_program({program_path("losslab-demo"), "--data", dir.file("missing")}, dir.path().string());
  EXPECT_EQ(demo.exit_code, 1) << demo.err;
  EXPECT_NE(demo.err.find("losslab-demo: " + dir.file("missing")), std::string::npos) << demo.err;
  const RunResult bad_argument =
      run_program({program_path("losslab-demo"), "--epochs", "many"}, dir.path().string());
  EXPECT_EQ(bad_argument.exit_code, 2) << bad_argument.err;
}

}  // namespace
}  // namespace losslab
