// losslab-run's work: config -> trials -> parallel training -> results database -> summary.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace losslab::runner {

// Exit codes of losslab-run (also documented in --help).
enum ExitCode : int {
  kExitOk = 0,
  kExitTrialsFailed = 1,   // the sweep ran, but at least one trial failed with an error
  kExitBadConfig = 2,      // validation errors; nothing was run
  kExitRuntimeError = 3,   // the dataset could not be loaded or the database could not be written
  kExitInterrupted = 130,  // SIGINT (Ctrl-C): in-flight trials marked interrupted
  kExitTerminated = 143,   // SIGTERM
};

// More worker threads than any machine has cores is a mistake (a group's team counts its
// threads in 16 bits, and each thread has a stack).
constexpr unsigned kMaxJobs = 1024;

struct RunOptions {
  std::string config_path;
  std::string db_path = "results.db";
  unsigned jobs = 0;  // 0 = the number of cores (under MPI: 1 per worker rank); at most kMaxJobs
  std::vector<std::string> overrides;  // --set KEY=VALUE
  bool dry_run = false;
  bool force = false;     // rerun completed trials too
  bool progress = true;   // live progress line (only ever drawn on a terminal)
  bool fuse = true;       // train fusable trials in groups sharing one GEMM per step
  double worker_timeout = 60;  // MPI: a worker rank (or rank 0) silent this long is taken as dead
  std::string command_line;
};

// Runs the sweep; `out` receives the dry-run listing and the final summary table.
// Diagnostics and progress go to the log (stderr). Returns an ExitCode.
int run_sweep(const RunOptions& options, std::ostream& out);

}  // namespace losslab::runner
