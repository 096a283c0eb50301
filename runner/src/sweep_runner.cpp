#include "losslab/runner/sweep_runner.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <chrono>
#include <csignal>
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "interrupt.hpp"
#include "losslab/runner/build_info.hpp"
#include "losslab/runner/git_commit.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/runner/dataset_source.hpp"
#include "losslab/runner/summary.hpp"
#include "losslab/runner/trial_groups.hpp"
#include "losslab/runner/trials.hpp"
#include "median_pruner.hpp"
#include "progress.hpp"
#include "result_writer.hpp"

namespace losslab::runner {
namespace {

// A running trial whose process left no heartbeat for this long is taken as dead (the writer
// refreshes heartbeats every 5 s; a dead process on this host is recognized at once by its pid).
constexpr double kStaleRunningSeconds = 30.0;
constexpr int kSummaryRows = 5;

nlohmann::json to_json(const ParamValue& value) {
  return std::visit([](const auto& v) { return nlohmann::json(v); }, value);
}

TrialSpec to_spec(const Trial& trial) {
  TrialSpec spec;
  spec.key = trial.key;
  spec.name = trial.name;
  spec.params = trial.params;
  spec.swept = trial.swept;
  spec.seed = get_integer(trial.params, "training.seed");
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [key, value] : trial.params) {
    params[key] = to_json(value);
    const KeyDoc* doc = find_key_doc(key);
    spec.short_names[key] = doc ? doc->short_name : key;
  }
  spec.params_json = params.dump();
  return spec;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
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

void print_dry_run(std::ostream& out, const std::vector<Trial>& trials) {
  for (const auto& trial : trials) {
    out << trial.key << "  " << trial.name;
    for (const auto& key : trial.swept) out << "  " << key << '=' << format_value(trial.params.at(key));
    out << '\n';
  }
  out << trials.size() << " trial" << (trials.size() == 1 ? "" : "s") << '\n';
}

// Everything one sweep's worker threads share.
struct SweepContext {
  const Splits& data;
  ResultWriter& writer;
  ProgressLine& progress;
  MedianPruner& pruner;
  bool rerun_finished;  // --force
  unsigned group_threads;  // threads sharing each group's steps: the cores the groups leave idle
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> failures{0};
  std::mutex attempted_mutex{};
  std::set<std::int64_t> attempted{};  // trials this process claimed (in any round)
};

struct WorkItem {
  const Trial* trial;
  std::int64_t trial_id;
  TrainerConfig config;
  bool record;  // false: already finished; trained only to keep its group as the sweep defines it
};
using WorkGroup = std::vector<const WorkItem*>;

bool should_stop(const SweepContext& context) {
  return InterruptGuard::received() != 0 || context.writer.failed();
}

// What became of one trial, and why.
struct TrialReport {
  TrialStatus status = TrialStatus::failed;
  std::string error;
  std::unique_ptr<TrainResult> result;
};

TrialReport classify(TrainResult result, bool pruned) {
  TrialReport report;
  switch (result.status) {
    case TrainStatus::completed: report.status = TrialStatus::completed; break;
    case TrainStatus::diverged: report.status = TrialStatus::diverged; break;
    case TrainStatus::stopped: report.status = pruned ? TrialStatus::pruned : TrialStatus::interrupted; break;
  }
  if (report.status == TrialStatus::pruned)
    report.error = "below the median validation accuracy of its peers after epoch " +
                   std::to_string(result.epochs.size());
  else if (report.status == TrialStatus::interrupted)
    report.error = InterruptGuard::received() ? "interrupted by signal " + std::to_string(InterruptGuard::received())
                                              : "stopped: the results database could not be written";
  else
    report.error = result.message;
  report.result = std::make_unique<TrainResult>(std::move(result));
  return report;
}

void record(SweepContext& context, const WorkItem& item, TrialReport report) {
  const double val = report.result && report.status != TrialStatus::diverged
                         ? report.result->val_accuracy
                         : std::numeric_limits<double>::quiet_NaN();
  if (report.status == TrialStatus::failed) ++context.failures;
  spdlog::info("{} {}{}{}", item.trial->name, to_string(report.status),
               std::isfinite(val) ? fmt::format(": val acc {:.4f}", val) : std::string(),
               report.error.empty() || report.status == TrialStatus::completed ? std::string()
                                                                                : " (" + report.error + ")");
  context.writer.trial_finished(item.trial_id, report.status, std::move(report.result), report.error);
  context.progress.trial_finished(val);
}

// Trains a group of fusable trials together; if the group cannot run as one (a trial's settings
// are rejected), each trial runs alone so one bad trial fails alone.
void run_group(SweepContext& context, const WorkGroup& group) {
  // Claim what this process should record; another losslab-run on the same database may have
  // taken some (or all) of the group already.
  std::vector<char> claimed(group.size(), 0);
  for (std::size_t k = 0; k < group.size(); ++k) {
    if (!group[k]->record || !context.writer.claim(group[k]->trial_id, context.rerun_finished)) continue;
    claimed[k] = 1;
    context.progress.trial_started();
    std::lock_guard lock(context.attempted_mutex);
    context.attempted.insert(group[k]->trial_id);
  }
  if (std::find(claimed.begin(), claimed.end(), 1) == claimed.end()) return;
  std::vector<TrainerConfig> configs;
  std::vector<TrainCallbacks> callbacks(group.size());
  std::vector<char> pruned(group.size(), 0);
  for (std::size_t k = 0; k < group.size(); ++k) {
    configs.push_back(group[k]->config);
    callbacks[k].on_step = [&context](const StepInfo&) { return should_stop(context); };
    callbacks[k].on_epoch_end = [&context, &pruned, k](const EpochMetrics& metrics) {
      pruned[k] = context.pruner.report_and_check(metrics.epoch, metrics.val_accuracy);
      return pruned[k] || should_stop(context);
    };
  }
  std::vector<TrainResult> results;
  try {
    results = train_fused(context.data, configs, callbacks, context.group_threads);
  } catch (const std::exception& group_error) {
    if (group.size() == 1) {
      if (claimed[0]) record(context, *group.front(), TrialReport{TrialStatus::failed, group_error.what(), nullptr});
      return;
    }
    for (std::size_t k = 0; k < group.size(); ++k) {
      if (!claimed[k]) continue;
      try {
        record(context, *group[k],
               classify(train(context.data, configs[k], callbacks[k], context.group_threads), pruned[k]));
      } catch (const std::exception& error) {
        record(context, *group[k], TrialReport{TrialStatus::failed, error.what(), nullptr});
      }
    }
    return;
  }
  for (std::size_t k = 0; k < group.size(); ++k)
    if (claimed[k]) record(context, *group[k], classify(std::move(results[k]), pruned[k]));
}

void worker(SweepContext& context, const std::vector<WorkGroup>& groups) {
  while (!should_stop(context)) {
    const std::size_t index = context.next.fetch_add(1);
    if (index >= groups.size()) return;
    run_group(context, groups[index]);
  }
}

// Fusable trials in groups. The groups are made from every trial of the sweep, finished or not,
// so a trial always trains beside the same partners: fused GEMMs round differently for different
// stack widths, and this keeps a trial's history bit for bit the same whether the sweep runs in
// one go or is resumed. Groups with nothing to record are dropped.
std::vector<WorkGroup> make_groups(const std::vector<WorkItem>& items, bool fuse) {
  std::vector<TrainerConfig> configs;
  for (const auto& item : items) configs.push_back(item.config);
  std::vector<WorkGroup> groups;
  for (const auto& indices : group_trials(configs, fuse ? kMaxGroupSize : 1)) {
    WorkGroup group;
    bool records = false;
    for (std::size_t i : indices) {
      group.push_back(&items[i]);
      records |= items[i].record;
    }
    if (records) groups.push_back(std::move(group));
  }
  return groups;
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

void print_summary(std::ostream& out, ResultsStore& store, std::int64_t experiment_id, const std::string& name) {
  const auto counts = status_counts(store, experiment_id);
  out << "experiment " << name << " (" << store.path() << "):";
  for (const auto& [status, count] : counts) out << ' ' << status << ' ' << count;
  out << "\ntop " << kSummaryRows << " trials by validation accuracy:\n";
  print_trial_table(out, top_trials(store, experiment_id, kSummaryRows));
}

}  // namespace

int run_sweep(const RunOptions& options, std::ostream& out) {
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
    print_dry_run(out, trials);
    return kExitOk;
  }

  InterruptGuard interrupts;
  const unsigned jobs = options.jobs > 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
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
      print_summary(out, store, experiment_id, config.name);
      return kExitOk;
    }

    const auto load_start = std::chrono::steady_clock::now();
    const LoadedDataset dataset = load_dataset(config.base);
    spdlog::info("loaded {} in {:.2f}s", dataset.description,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count());
    const std::int64_t run_id = store.begin_run(experiment_id, run_record(options, config, dataset.checksums));

    std::size_t failures = 0;
    {
      ProgressLine progress(to_run, options.progress && stderr_is_terminal());
      MedianPruner pruner(config.sweep.prune == PruneRule::median, config.sweep.prune_warmup);
      std::set<std::int64_t> attempted;
      // Rounds: run what is claimable; then, while other processes still run trials of this
      // sweep, wait for them, and take over the trials of any that died.
      for (int round = 0;; ++round) {
        const std::vector<WorkGroup> groups = make_groups(items, options.fuse);
        if (!groups.empty()) {
          const unsigned threads = std::min<unsigned>(jobs, static_cast<unsigned>(groups.size()));
          // Fewer groups than jobs (one trial, say): each group's steps are shared by the idle
          // cores. Results do not depend on it (see train_fused).
          const unsigned group_threads = std::max(1u, jobs / threads);
          spdlog::info("running up to {} trials in {} group{} on {} worker thread{}{}", count_recorded(items),
                       groups.size(), groups.size() == 1 ? "" : "s", threads, threads == 1 ? "" : "s",
                       group_threads > 1 ? fmt::format(", {} threads per group", group_threads) : "");
          ResultWriter writer(store, run_id, dataset.splits->train.has_bias_column);
          SweepContext context{*dataset.splits, writer, progress, pruner, options.force && round == 0,
                               group_threads};
          std::vector<std::thread> pool;
          for (unsigned i = 0; i < threads; ++i) pool.emplace_back([&context, &groups] { worker(context, groups); });
          for (auto& thread : pool) thread.join();
          try {
            writer.close();
          } catch (const StoreError&) {
            // The database cannot be written (e.g. the disk is full): release what this process
            // claimed, so the next run does not take it for a dead process's, and mark the run failed.
            try {
              store.mark_interrupted({context.attempted.begin(), context.attempted.end()},
                                     "stopped: the results database could not be written");
              store.finish_run(run_id, "failed");
            } catch (const StoreError&) {
            }
            throw;
          }
          failures += context.failures;
          attempted.insert(context.attempted.begin(), context.attempted.end());
        }
        if (InterruptGuard::received()) break;
        if (!refresh_for_next_round(store, experiment_id, items, attempted)) break;
      }
    }
    const int signal_number = InterruptGuard::received();
    store.finish_run(run_id, signal_number ? "interrupted" : "completed");
    print_summary(out, store, experiment_id, config.name);
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

}  // namespace losslab::runner
