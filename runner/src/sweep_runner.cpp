#include "losslab/runner/sweep_runner.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <thread>

#include "config_internal.hpp"
#include "group_executor.hpp"
#include "interrupt.hpp"
#include "sweep_summary.hpp"
#include "losslab/runner/build_info.hpp"
#include "losslab/runner/git_commit.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/runner/dataset_source.hpp"
#include "losslab/runner/results/file_system.hpp"
#include "losslab/runner/trials.hpp"
#include "thread_executor.hpp"

namespace losslab::runner {
namespace {

// A running trial whose process left no heartbeat for this long is taken as dead (the writer
// refreshes heartbeats every 5 s; a dead process on this host is recognized at once by its pid).
constexpr double kStaleRunningSeconds = 30.0;
constexpr int kSummaryRows = 5;

TrialSpec to_spec(const Trial& trial) {
  TrialSpec spec;
  spec.key = trial.key;
  spec.name = trial.name;
  spec.params = trial.params;
  spec.swept = trial.swept;
  spec.seed = get_integer(trial.params, "training.seed");
  spec.params.clear();  // trial_params gets the active ones; params_json everything resolved
  for (const auto& [key, value] : trial.params) {
    const detail::KeySpec* key_spec = detail::find_key_spec(key);
    if (key_spec && !detail::is_active(*key_spec, trial.params)) continue;
    spec.params[key] = value;
    spec.short_names[key] = key_spec ? key_spec->short_name : key;
  }
  spec.params_json = params_to_json_text(trial.params);
  return spec;
}

RunRecord run_record(const RunOptions& options, const ExperimentConfig& config,
                     const std::map<std::string, std::string>& checksums) {
  RunRecord run;
  run.command_line = options.command_line;
  run.losslab_version = build_info::kVersion;
  run.git_commit = build_info::kGitCommit;
  run.compiler = build_info::kCompiler;
  run.compile_flags = build_info::kFlags;
  run.host = host_name();
  run.pid = static_cast<std::int64_t>(getpid());
  run.dataset_checksums_json = nlohmann::json(checksums).dump();
  run.overrides_json = nlohmann::json(config.overrides).dump();
  return run;
}

void print_dry_run(std::ostream& out, const ExperimentConfig& config, const std::vector<Trial>& trials) {
  for (const auto& trial : trials) {
    out << trial.key << "  " << trial.name;
    for (const auto& key : trial.swept) out << "  " << key << '=' << format_value(trial.params.at(key));
    out << '\n';
  }
  out << trials.size() << " trial" << (trials.size() == 1 ? "" : "s");
  const std::uint64_t merged = detail::expansion_size(config.sweep) - trials.size();
  if (merged > 0)
    out << " (" << merged << " more combination" << (merged == 1 ? "" : "s")
        << " merged: they repeat a trial above, differing only in parameters inactive for their choices or in a "
           "repeated random draw)";
  out << '\n';
}

std::size_t count_recorded(const std::vector<WorkItem>& items) {
  return static_cast<std::size_t>(std::count_if(items.begin(), items.end(), [](const WorkItem& i) { return i.record; }));
}

// After a round: marks for recording the trials this process has not attempted that are
// claimable now (left by another process that died, or released by one that was interrupted).
// While trials of the sweep still run in other live processes, waits for them. Returns whether
// another round is needed.
bool refresh_for_next_round(ResultsStore& store, std::int64_t experiment_id, std::vector<WorkItem>& items,
                            const std::set<std::int64_t>& attempted) {
  constexpr auto kPoll = std::chrono::milliseconds(500);
  while (!InterruptGuard::received()) {
    store.recover_dead_running(experiment_id, kStaleRunningSeconds);
    const auto statuses = store.trial_statuses(experiment_id);
    bool claimable = false, running_elsewhere = false;
    for (auto& item : items) {
      const TrialStatus status = statuses.at(item.trial->key);
      const bool open = status == TrialStatus::pending || status == TrialStatus::failed ||
                        status == TrialStatus::interrupted;
      item.record = open && !attempted.count(item.trial_id);
      claimable |= item.record;
      running_elsewhere |= status == TrialStatus::running && !attempted.count(item.trial_id);
    }
    if (claimable) return true;
    if (!running_elsewhere) return false;
    std::this_thread::sleep_for(kPoll);
  }
  return false;
}

int exit_code_for_signal(int signal_number) {
  return signal_number == SIGTERM ? kExitTerminated : kExitInterrupted;
}


}  // namespace

int run_sweep_with(const RunOptions& options, std::ostream& out, GroupExecutor& executor) {
  ExperimentConfig config;
  std::vector<Trial> trials;
  try {
    config = load_experiment_config(options.config_path, options.overrides);
    trials = expand_trials(config);
  } catch (const ConfigError& error) {
    for (const auto& diagnostic : error.diagnostics()) spdlog::error("{}", diagnostic.to_string());
    spdlog::error("{} problem{} in {}; nothing was run", error.diagnostics().size(),
                  error.diagnostics().size() == 1 ? "" : "s", options.config_path);
    return kExitBadConfig;
  }
  if (options.dry_run) {
    print_dry_run(out, config, trials);
    return kExitOk;
  }

  InterruptGuard interrupts;
  try {
    ResultsStore store(options.db_path);
    const std::int64_t experiment_id =
        store.ensure_experiment({config.name, config.yaml_text, config.file});
    std::vector<TrialSpec> specs;
    specs.reserve(trials.size());
    for (const auto& trial : trials) specs.push_back(to_spec(trial));
    store.register_trials(experiment_id, specs);
    if (const auto recovered = store.recover_dead_running(experiment_id, kStaleRunningSeconds))
      spdlog::warn("{} trial{} left running by a process that died will be rerun", recovered,
                   recovered == 1 ? "" : "s");

    const auto statuses = store.trial_statuses(experiment_id);
    std::vector<WorkItem> items;
    std::size_t to_run = 0;
    for (const auto& trial : trials) {
      const TrialStatus status = statuses.at(trial.key);
      const bool finished = status == TrialStatus::completed || status == TrialStatus::diverged ||
                            status == TrialStatus::pruned;
      const bool record = options.force || !finished;
      to_run += record;
      items.push_back({&trial, store.trial_id(trial.key), to_trainer_config(trial.params), record});
    }
    spdlog::info("{}: {} trials, {} to run, {} already finished{}", config.name, trials.size(), to_run,
                 trials.size() - to_run, options.force ? " (--force: rerunning all)" : "");
    if (to_run == 0) {
      print_sweep_summary(out, store, experiment_id, config.name, kSummaryRows);
      return kExitOk;
    }

    const DatasetInfo dataset = executor.prepare(config.base);
    const std::int64_t run_id = store.begin_run(experiment_id, run_record(options, config, dataset.checksums));

    std::size_t failures = 0;
    {
      ProgressLine progress(to_run, options.progress && stderr_is_terminal());
      MedianPruner pruner(config.sweep.prune == PruneRule::median, config.sweep.prune_warmup);
      std::set<std::int64_t> attempted;
      // Rounds: run what is claimable; then, while other processes still run trials of this
      // sweep, wait for them, and take over the trials of any that died.
      for (int round_number = 0;; ++round_number) {
        const std::vector<WorkGroup> groups = make_groups(items, options.fuse);
        if (!groups.empty()) {
          spdlog::info("running up to {} trials in {} group{} on {}", count_recorded(items), groups.size(),
                       groups.size() == 1 ? "" : "s", executor.describe_workers(groups.size()));
          ResultWriter writer(store, run_id, dataset.has_bias_row);
          SweepRound round{writer, progress, pruner, options.force && round_number == 0};
          // What could not be recorded is released, so the next run does not take it for a dead
          // process's claim, and the run is marked failed.
          auto release_claims = [&](const std::string& reason) {
            try {
              store.mark_interrupted({round.attempted.begin(), round.attempted.end()}, reason);
              store.finish_run(run_id, "failed");
            } catch (const StoreError&) {
            }
          };
          try {
            executor.run(round, groups);
          } catch (const std::exception& error) {
            // The executor broke down (e.g. an MPI error): keep what was recorded, release the rest.
            try {
              writer.close();
            } catch (const StoreError&) {
            }
            release_claims(std::string("stopped: ") + error.what());
            throw;
          }
          try {
            writer.close();
          } catch (const StoreError&) {
            // The database cannot be written (e.g. the disk is full).
            release_claims("stopped: the results database could not be written");
            throw;
          }
          failures += round.failures;
          attempted.insert(round.attempted.begin(), round.attempted.end());
        }
        if (InterruptGuard::received()) break;
        if (!refresh_for_next_round(store, experiment_id, items, attempted)) break;
      }
    }
    const int signal_number = InterruptGuard::received();
    store.finish_run(run_id, signal_number ? "interrupted" : "completed");
    print_sweep_summary(out, store, experiment_id, config.name, kSummaryRows);
    if (signal_number) {
      spdlog::warn("stopped by signal {}: finished trials are recorded; rerun the same command to resume",
                   signal_number);
      return exit_code_for_signal(signal_number);
    }
    return failures > 0 ? kExitTrialsFailed : kExitOk;
  } catch (const DatasetError& error) {
    spdlog::error("cannot load the dataset: {}", error.what());
  } catch (const StoreError& error) {
    spdlog::error("{}", error.what());  // the message names the database
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
  }
  return kExitRuntimeError;
}

int run_sweep(const RunOptions& options, std::ostream& out) {
  if (options.jobs > kMaxJobs) {
    spdlog::error("--jobs {} is more than the {} worker threads losslab-run can use", options.jobs, kMaxJobs);
    return kExitBadConfig;
  }
  const unsigned jobs = options.jobs > 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  ThreadExecutor threads(jobs);
  return run_sweep_with(options, out, threads);
}

}  // namespace losslab::runner
