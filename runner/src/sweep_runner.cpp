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
#include "halving_plan.hpp"
#include "halving_search.hpp"
#include "sweep_rounds.hpp"
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
  if (config.sweep.strategy == SearchStrategy::exhaustive) return;
  const int max_epochs = static_cast<int>(get_integer(config.base, "training.epochs"));
  for (const BracketPlan& plan : plan_brackets(config.sweep, max_epochs, trials.size())) {
    out << to_string(config.sweep.strategy) << " bracket " << plan.index << ": rungs of";
    for (const int epochs : plan.epochs) out << ' ' << epochs;
    out << " epochs; trials per rung at most";
    std::size_t entered = plan.trials.size();
    for (std::size_t rung = 0; rung < plan.epochs.size(); ++rung) {
      out << (rung == 0 ? " " : " -> ") << entered;
      entered = promoted_count(entered, config.sweep.reduction_factor);
    }
    out << '\n';
  }
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
    const bool halving = config.sweep.strategy != SearchStrategy::exhaustive;
    for (const auto& trial : trials) {
      const TrialStatus status = statuses.at(trial.key);
      // A halving search also leaves pruned trials and the failed ones of a rung as they are.
      const bool finished = status == TrialStatus::completed || status == TrialStatus::diverged ||
                            status == TrialStatus::pruned || (halving && status == TrialStatus::failed);
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
    if (halving && !executor.can_resume_trials()) {
      spdlog::error("sweep.strategy: {} does not run under mpirun yet: run it in one process (--jobs N)",
                    to_string(config.sweep.strategy));
      return kExitBadConfig;
    }

    const DatasetInfo dataset = executor.prepare(config.base);
    const std::int64_t run_id = store.begin_run(experiment_id, run_record(options, config, dataset.checksums));

    MedianPruner pruner(config.sweep.prune == PruneRule::median, config.sweep.prune_warmup);
    SweepContext context{options, store, executor, experiment_id, run_id, dataset.has_bias_row, pruner};
    if (halving)
      run_halving_search(context, config, items);
    else
      run_rounds(context, items, options.force);
    const std::size_t failures = context.failures;
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
