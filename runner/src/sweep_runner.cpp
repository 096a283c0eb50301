#include "losslab/runner/sweep_runner.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <set>
#include <thread>

#include "config_internal.hpp"
#include "group_executor.hpp"
#include "interrupt.hpp"
#include "halving_plan.hpp"
#include "halving_search.hpp"
#include "refit.hpp"
#include "sweep_rounds.hpp"
#include "sweep_summary.hpp"
#include "tpe_rounds.hpp"
#include "losslab/runner/build_info.hpp"
#include "losslab/runner/git_commit.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/runner/dataset_source.hpp"
#include "losslab/runner/results/file_system.hpp"
#include "losslab/runner/results/reader.hpp"
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

// A TPE sweep prints its round 0, the only one known before results.
void print_dry_run(std::ostream& out, const ExperimentConfig& config, const std::vector<Trial>& trials) {
  const SweepSpec& sweep = config.sweep;
  const bool tpe = sweep.sampler == Sampler::tpe;
  for (const auto& trial : trials) {
    out << trial.key << "  " << trial.name;
    for (const auto& key : trial.swept) out << "  " << key << '=' << format_value(trial.params.at(key));
    out << '\n';
  }
  out << trials.size() << " trial" << (trials.size() == 1 ? "" : "s");
  const std::uint64_t combinations = detail::expansion_size(sweep) / (tpe ? sweep.rounds : 1);
  const std::uint64_t merged = combinations - trials.size();
  if (merged > 0)
    out << " (" << merged << " more combination" << (merged == 1 ? "" : "s")
        << " merged: they repeat a trial above, differing only in parameters inactive for their choices or in a "
           "repeated random draw)";
  out << '\n';
  if (tpe) {
    out << "sweep.sampler tpe: the trials above are round 0 of " << sweep.rounds << ", " << sweep.batch
        << " uniform draws of sweep.random.space";
    if (sweep.rounds > 1)
      out << "; rounds 1 to " << sweep.rounds - 1 << " are chosen from the results of the rounds before them ("
          << detail::expansion_size(sweep) << " trials in all)";
    out << '\n';
  }
  if (sweep.refit)
    out << "sweep.refit: then the best of them by validation accuracy is trained once more on the training and "
           "validation data and scored on the test split (one more trial)\n";
  if (sweep.strategy == SearchStrategy::exhaustive) return;
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
    out << (tpe ? " (in each round)\n" : "\n");
  }
}

int exit_code_for_signal(int signal_number) {
  return signal_number == SIGTERM ? kExitTerminated : kExitInterrupted;
}

// The trials of one batch (the sweep's, a TPE round's, or a refit) registered, and as work items:
// the unfinished ones are marked to record (every one with --force). An adaptive search leaves its
// failed trials as they are too: it took its later decisions with them.
std::vector<WorkItem> register_work(ResultsStore& store, std::int64_t experiment_id, const std::vector<Trial>& trials,
                                    std::optional<int> round, bool adaptive, bool force,
                                    std::optional<std::int64_t> refit_of = std::nullopt) {
  std::vector<TrialSpec> specs;
  specs.reserve(trials.size());
  for (const auto& trial : trials) {
    specs.push_back(to_spec(trial));
    specs.back().round = round;
    specs.back().refit_of = refit_of;
  }
  store.register_trials(experiment_id, specs);
  const auto statuses = store.trial_statuses(experiment_id);
  std::vector<WorkItem> items;
  for (const auto& trial : trials) {
    const TrialStatus status = statuses.at(trial.key);
    const bool finished = status == TrialStatus::completed || status == TrialStatus::diverged ||
                          status == TrialStatus::pruned || (adaptive && status == TrialStatus::failed);
    items.push_back({&trial, store.trial_id(trial.key), to_trainer_config(trial.params), force || !finished});
  }
  return items;
}


}  // namespace

int run_sweep_with(const RunOptions& options, std::ostream& out, GroupExecutor& executor) {
  ExperimentConfig config;
  std::vector<Trial> trials;    // sweep.sampler random: every trial
  std::optional<TpeRounds> tpe;  // sweep.sampler tpe: the rounds, from round 0
  try {
    config = load_experiment_config(options.config_path, options.overrides);
    if (config.sweep.sampler == Sampler::tpe)
      tpe.emplace(config);
    else
      trials = expand_trials(config);
  } catch (const ConfigError& error) {
    for (const auto& diagnostic : error.diagnostics()) spdlog::error("{}", diagnostic.to_string());
    spdlog::error("{} problem{} in {}; nothing was run", error.diagnostics().size(),
                  error.diagnostics().size() == 1 ? "" : "s", options.config_path);
    return kExitBadConfig;
  }
  const auto batch_trials = [&]() -> const std::vector<Trial>& { return tpe ? tpe->trials() : trials; };
  if (options.dry_run) {
    print_dry_run(out, config, batch_trials());
    return kExitOk;
  }

  InterruptGuard interrupts;
  try {
    ResultsStore store(options.db_path);
    const std::int64_t experiment_id =
        store.ensure_experiment({config.name, config.yaml_text, config.file});
    if (const auto recovered = store.recover_dead_running(experiment_id, kStaleRunningSeconds))
      spdlog::warn("{} trial{} left running by a process that died will be rerun", recovered,
                   recovered == 1 ? "" : "s");

    const bool halving = config.sweep.strategy != SearchStrategy::exhaustive;
    const auto next_work = [&] {
      const std::optional<int> round = tpe ? std::optional<int>(tpe->round()) : std::nullopt;
      std::vector<WorkItem> work =
          register_work(store, experiment_id, batch_trials(), round, halving || tpe, options.force);
      const std::size_t to_run = count_recorded(work), total = work.size();
      const std::string force_note = options.force ? " (--force: rerunning all)" : "";
      if (tpe)
        spdlog::info("{}: round {} of {}: {} trials, {} to run, {} already finished{}", config.name, *round,
                     config.sweep.rounds, total, to_run, total - to_run, force_note);
      else
        spdlog::info("{}: {} trials, {} to run, {} already finished{}", config.name, total, to_run, total - to_run,
                     force_note);
      return work;
    };
    std::vector<WorkItem> items = next_work();
    // A TPE sweep goes on at its first unfinished round: the finished ones are recomputed from the
    // config and their results, and recognized by their trials' keys.
    while (tpe && count_recorded(items) == 0 && !tpe->last()) {
      tpe->advance(read_trials(store.database(), experiment_id));
      items = next_work();
    }
    // sweep.refit, planned from the recorded results once the search has nothing left to run. A
    // rerun finds its trial finished (the same best gives the same key); one killed during the
    // refit finds it interrupted and trains it again.
    std::vector<Trial> refit_trial;  // none, or the refit (its work item points into it)
    std::vector<WorkItem> refit_items;
    const auto plan_refit_work = [&] {
      if (!config.sweep.refit) return;
      const std::optional<Refit> refit = plan_refit(read_trials(store.database(), experiment_id), config.name, config.base);
      if (!refit) {
        spdlog::warn("{}: sweep.refit: no search trial finished with a validation accuracy; nothing to refit",
                     config.name);
        return;
      }
      refit_trial = {refit->trial};
      refit_items = register_work(store, experiment_id, refit_trial, std::nullopt, false, options.force, refit->refit_of);
      spdlog::info("{}: refit {} on the training and validation data: {}", config.name, refit->trial.name,
                   count_recorded(refit_items) ? "to run" : "already finished");
    };
    const bool search_left = count_recorded(items) > 0;
    if (!search_left) plan_refit_work();
    if (!search_left && count_recorded(refit_items) == 0) {
      print_sweep_summary(out, store, experiment_id, config.name, kSummaryRows);
      return kExitOk;
    }

    DatasetInfo dataset = executor.prepare(search_left ? config.base : refit_trial.front().params);
    const std::int64_t run_id = store.begin_run(experiment_id, run_record(options, config, dataset.checksums));
    // The trials trained on `prepared` record its preprocessing with their weights: the search's is
    // fitted on the training split, the refit's on training + validation, so predict applies each
    // trial's own values.
    const auto context_for = [&](const DatasetInfo& prepared) {
      const WeightsContext weights{prepared.has_bias_row, store.record_preprocessing(prepared.preprocessing)};
      return SweepContext{options, store, executor, experiment_id, run_id, weights, prepared.train_examples};
    };

    std::size_t failures = 0;
    if (search_left) {
      SweepContext context = context_for(dataset);
      if (halving) begin_halving_search(context, config);
      for (;;) {
        if (halving)
          run_halving_search(context, config, items);
        else
          run_rounds(context, items, options.force);
        if (InterruptGuard::received() || !tpe || tpe->last()) break;
        tpe->advance(read_trials(store.database(), experiment_id));
        items = next_work();
      }
      failures += context.failures;
      if (!InterruptGuard::received()) {
        plan_refit_work();
        // The refit's data: the same files, with the validation examples left in the training split.
        if (count_recorded(refit_items) > 0) dataset = executor.prepare(refit_trial.front().params);
      }
    }
    if (count_recorded(refit_items) > 0 && !InterruptGuard::received()) {
      SweepContext context = context_for(dataset);
      run_rounds(context, refit_items, options.force);
      failures += context.failures;
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
