// The writer of the results database (runner/results/README.md documents the schema). With the
// readers (reader.hpp) it is the only code that runs SQL against the results tables. One
// ResultsStore per thread; the runner funnels all writes through one writer thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "losslab/runner/results/file_system.hpp"
#include "losslab/runner/results/records.hpp"
#include "losslab/runner/params.hpp"
#include "losslab/trainer.hpp"

namespace SQLite {
class Database;
}

namespace losslab::runner {

// PRAGMA user_version of the results schema this losslab writes (runner/results/README.md lists
// each version's changes). Older databases are migrated when losslab-run opens them; newer ones
// are refused, by the runner and the report alike, rather than misread.
inline constexpr int kResultsSchemaVersion = 4;

// Raised for any database problem, with the path and SQLite's message.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What is stored with an experiment (one row per config name) and with each run of it.
struct ExperimentRecord {
  std::string name;
  std::string config_yaml;
  std::string config_path;
};

struct RunRecord {
  std::string command_line;
  std::string losslab_version;
  std::string git_commit;
  std::string compiler;  // "GNU 12.2.0"
  std::string compile_flags;
  std::string host;
  std::int64_t pid = 0;
  std::string dataset_checksums_json;  // {"path": "crc32:..."} for every dataset file read
  std::string overrides_json;          // the --set arguments
};

// A trial as the sweep describes it, before it runs.
struct TrialSpec {
  std::string key;
  std::string name;
  ResolvedParams params;
  std::vector<std::string> swept;
  std::map<std::string, std::string> short_names;  // dotted key -> trial_params.name
  std::int64_t seed = 0;
  std::string params_json;  // canonical JSON object of params
  std::optional<int> round;  // the round of an adaptive sampler (TPE) that chose it
  // A refit (sweep.refit): the id of the search trial whose configuration it retrains on the
  // training and validation data; none for the search's own trials.
  std::optional<std::int64_t> refit_of;
};

enum class TrialStatus { pending, running, completed, failed, diverged, pruned, interrupted };
std::string to_string(TrialStatus status);
TrialStatus parse_trial_status(const std::string& text);

// Where a trial of a halving search (sweep.strategy) trained: its bracket, the rung and the
// rung's epoch budget. A rung that is not its bracket's last ends `paused`: the trial stays
// pending, with its state kept (trial_checkpoints) to go on from if the rung promotes it.
// A `segment` is a stretch of warm-up before the first rung of a Hyperband bracket that starts
// higher, trained beside the other brackets' rungs: `rung` is negative (-1 for the stretch that
// ends at rung 0's start, -2 for the one before) and `epochs` is rung 0's budget. A paused
// segment leaves only its checkpoint (keyed by that negative rung), no trial_rungs row; a trial
// that diverges or fails in one has ended its bracket's rung 0 early and is recorded there.
struct RungOutcome {
  int bracket = 0;
  int rung = 0;
  int epochs = 0;
  bool paused = false;
  bool segment = false;
};

// The outcome of one trial, written in one transaction with its history.
struct TrialOutcome {
  TrialStatus status = TrialStatus::completed;
  const TrainResult* result = nullptr;  // null for a failure before training produced anything
  std::string error;                    // failed / diverged / pruned / interrupted: why
  bool has_bias_row = false;            // the last row of result->W is the bias (bias trick)
  std::optional<RungOutcome> rung{};    // a halving search's rung: recorded in trial_rungs
  std::int64_t preprocessing_id = -1;   // record_preprocessing's id, kept with the weights; -1: none
  std::size_t train_examples = 0;       // examples of the training split it trained on (0: not known)
};

class ResultsStore {
 public:
  // Opens (creating if needed) the database at `path`: creates the schema, sets a busy timeout and
  // the journal mode: WAL on a local file system; on a shared one (file_system.hpp) a rollback
  // journal, since WAL's shared-memory index cannot be shared between hosts. Throws StoreError
  // with the path and reason (e.g. read-only directory).
  explicit ResultsStore(const std::string& path);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  const std::string& path() const { return path_; }
  const FileSystemInfo& file_system() const { return file_system_; }
  // How long a run on another host may go without a heartbeat before it is taken as gone.
  static constexpr double kOtherHostSilentSeconds = 30.0;

  // Inserts the experiment or, if one with this name exists, updates its config; returns its id.
  std::int64_t ensure_experiment(const ExperimentRecord& experiment);
  // One row per invocation of losslab-run on this experiment; returns the run id.
  std::int64_t begin_run(std::int64_t experiment_id, const RunRecord& run);
  void finish_run(std::int64_t run_id, const std::string& status);  // completed | interrupted | failed

  // Inserts every trial not yet present (by key) as pending, with its trial_params rows, in one
  // transaction. Existing trials keep their status and results.
  void register_trials(std::int64_t experiment_id, const std::vector<TrialSpec>& trials);

  // Status of each trial key of this experiment.
  std::map<std::string, TrialStatus> trial_statuses(std::int64_t experiment_id);
  std::int64_t trial_id(const std::string& key);

  // Marks a trial running for `run_id` (started_at = now, heartbeat = now) and clears any results
  // of an earlier attempt (loss history, epoch metrics, weights) in the same transaction.
  void mark_running(std::int64_t trial_id, std::int64_t run_id);
  // Atomically takes a trial for `run_id`: does what mark_running does, but only if the trial is
  // pending, failed or interrupted (or, with `rerun_finished`, anything but running). Returns
  // false when it is not claimable, e.g. because another process claimed it first.
  // With `rung`, only a trial that has not finished that rung (or a later one) is claimable; a
  // negative `rung` is a warm-up segment (RungOutcome::segment), finished once its checkpoint exists.
  bool claim_trial(std::int64_t trial_id, std::int64_t run_id, bool rerun_finished,
                   std::optional<int> rung = std::nullopt);
  // Records the outcome, loss history, epoch metrics, final weights and confusion matrices (with
  // the macro-F1 read off each) in one transaction.
  void record_outcome(std::int64_t trial_id, const TrialOutcome& outcome);
  // Marks these trials interrupted (Ctrl-C) with `reason` as their error; keeps whatever else is
  // recorded. Trials that are no longer running (their outcome is already recorded) are left alone.
  void mark_interrupted(const std::vector<std::int64_t>& trial_ids, const std::string& reason);
  // Trials left `running` by a process that is gone (same host and pid not alive, or no heartbeat
  // for `stale_seconds`; <= 0 turns the heartbeat rule off) become `interrupted`; returns how many.
  // Runs whose process is gone are marked interrupted too.
  std::size_t recover_dead_running(std::int64_t experiment_id, double stale_seconds);
  // Refreshes the heartbeat of every trial running under `run_id`.
  void heartbeat(std::int64_t run_id);

  // Records what scoring raw examples with weights trained on this data takes (the tables
  // `preprocessing` and `preprocessing_steps`) once per distinct content: returns the id of the
  // row with the same content (by its digest), inserting it first when there is none.
  std::int64_t record_preprocessing(const Preprocessing& preprocessing);

  // Halving searches (store_rungs.cpp). Decides a finished rung in one transaction: the
  // `promoted` trials' rows become 'promoted'; the `pruned` ones' rows 'pruned', and those trials
  // pruned with `reason` as their error. Rows already decided are left alone, so two processes
  // deciding the same rung agree.
  void decide_rung(int rung, const std::vector<std::int64_t>& promoted, const std::vector<std::int64_t>& pruned,
                   const std::string& reason);
  // The state a trial was paused with at the end of `rung`, as a TrainResult to resume from;
  // nullopt when there is none.
  std::optional<TrainResult> load_checkpoint(std::int64_t trial_id, int rung);
  // Drops the checkpoints these trials were paused with at `rung` (once the next rung is decided
  // nothing will resume from them).
  void drop_checkpoints(const std::vector<std::int64_t>& trial_ids, int rung);
  // For each trial of the experiment a halving search recorded a step of, the furthest rung it
  // has finished: its last trial_rungs row or, before its bracket's rung 0, the latest warm-up
  // segment it has a checkpoint of (a negative rung). claim_trial's `rung` reads the same rows.
  std::map<std::int64_t, int> furthest_rungs(std::int64_t experiment_id);
  // Forgets the experiment's halving state (rungs, checkpoints, trials.rung), for --force.
  void reset_rungs(std::int64_t experiment_id);

  SQLite::Database& database();  // for tests and read-only queries

 private:
  void open_database(const std::string& verb);
  void refuse_other_hosts(const std::string& host);

  std::string path_;
  FileSystemInfo file_system_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace losslab::runner
