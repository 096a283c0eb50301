// losslab-run: one YAML file -> a hyperparameter sweep over the core library, recorded in SQLite.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "losslab/products.hpp"
#include "losslab/runner/guarded_main.hpp"
#include "losslab/runner/command_line.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/runner/mpi_sweep.hpp"
#include "losslab/runner/sweep_runner.hpp"

namespace {

void print_key_docs() {
  std::printf("%-34s %-14s %-28s %s\n", "key", "type", "default", "allowed");
  for (const auto& doc : losslab::runner::config_key_docs())
    std::printf("%-34s %-14s %-28s %s%s%s\n", doc.key.c_str(), doc.type.c_str(), doc.default_value.c_str(),
                doc.allowed.c_str(), doc.sweepable ? "" : "  (not sweepable)",
                doc.active_when.empty() ? "" : ("  (only when " + doc.active_when + ")").c_str());
}

std::string joined_command_line(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

int run(int argc, char** argv) {
  using namespace losslab::runner;
  // First of all: OpenBLAS's idle helper threads would take CPU from loading the dataset.
  losslab::keep_products_on_calling_thread();
  CLI::App app{"losslab-run: expand CONFIG.yaml into a sweep of trials, train them in parallel and record\n"
               "every loss history and accuracy in a SQLite database. Rerunning the same command resumes:\n"
               "completed trials are skipped."};
  app.footer(
      "Exit codes: 0 all trials ran; 1 some trial failed with an error; 2 invalid config or arguments\n"
      "(nothing run);\n"
      "3 dataset or database error; 130 interrupted (SIGINT); 143 terminated (SIGTERM).\n"
      "Config keys: losslab-run --list-keys, or runner/README.md.");
  RunOptions options;
  std::string log_level = "info";
  bool list_keys = false, no_progress = false;
  app.add_option("config", options.config_path, "The experiment's YAML file")->check(CLI::ExistingFile);
  app.add_option("--db", options.db_path, "Results database (SQLite file)")->capture_default_str();
  app.add_option("-j,--jobs", options.jobs, "Worker threads (default: the number of cores); under MPI, each worker rank's (default: 1)")
      ->check(CLI::Range(1u, kMaxJobs));
  app.add_option("--set", options.overrides,
                 "Override a config key: KEY=VALUE, VALUE in YAML syntax; e.g. optimizer.learning_rate=0.01 "
                 "or 'sweep.grid.loss.kind=[svm,softmax]'. Repeatable.")
      ->take_all();
  app.add_flag("--dry-run", options.dry_run, "List the expanded trials (key, name, swept values) and exit");
  app.add_flag("--force", options.force, "Rerun every trial, including those already finished");
  app.add_flag("--no-progress", no_progress, "Never draw the live progress line");
  bool no_fuse = false;
  app.add_flag("--no-fuse", no_fuse,
               "Train every trial on its own instead of stacking trials that share the minibatch sequence "
               "into one GEMM (slower; for comparison)");
  app.add_option("--worker-timeout", options.worker_timeout,
                 "MPI runs: seconds a worker rank may stay silent before it is taken as dead and its trials are "
                 "handed to another rank")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  bool no_cache = false;
  app.add_flag("--no-cache", no_cache,
               "Inflate gzip'd image files every time and keep no inflated copy of them (the same as "
               "LOSSLAB_CACHE_DIR=''). By default a run keeps one in $LOSSLAB_CACHE_DIR, else "
               "$XDG_CACHE_HOME/losslab, else ~/.cache/losslab, and later runs read it back (~0.15 s "
               "faster for Fashion-MNIST)");
  app.add_option("--log-level", log_level, "trace | debug | info | warn | error | off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_flag("--list-keys", list_keys, "Print every config key with its type, default and allowed values");
  if (const auto exit_code = parse_command_line(app, argc, argv)) return *exit_code;
  // Through the environment, so that it holds wherever the dataset is loaded (MPI ranks too: each
  // parses this same command line).
  if (no_cache) setenv("LOSSLAB_CACHE_DIR", "", 1);

  if (list_keys) {
    print_key_docs();
    return 0;
  }
  if (options.config_path.empty()) {
    std::fprintf(stderr, "losslab-run: a CONFIG file is required (see --help)\n");
    return kExitBadConfig;
  }
  options.progress = !no_progress;
  options.fuse = !no_fuse;
  options.command_line = joined_command_line(argc, argv);
  // Logs go to stderr, so stdout carries only the dry-run listing and the summary table.
  spdlog::set_default_logger(spdlog::stderr_color_mt("losslab"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  // On a terminal each log line first clears the line, so it never mixes with the progress line.
  spdlog::set_pattern(isatty(STDERR_FILENO) ? "\r\033[K%^%l%$: %v" : "%l: %v");
  if (started_by_mpi_launcher()) {
#ifdef LOSSLAB_WITH_MPI
    return run_sweep_mpi(options, std::cout);
#else
    spdlog::warn("started by an MPI launcher, but this losslab-run was built without MPI: every rank runs the "
                 "sweep as a separate process (they share its trials through the database)");
#endif
  }
  return run_sweep(options, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  return losslab::runner::guarded_main("losslab-run", losslab::runner::kExitRuntimeError,
                                       [&] { return run(argc, argv); });
}
