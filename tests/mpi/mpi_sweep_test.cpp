// One sweep over the ranks of a real MPI job: `mpirun -np N losslab-run` on the real Fashion-MNIST
// files and a real SQLite database, against a single-process run of the same config. Workers are
// SIGKILLed mid-sweep, with mpirun's default policy (the job ends; the rerun finishes it) and with
// --enable-recovery (rank 0 hands the dead worker's group to another). Hybrid runs (`--jobs 2`:
// each worker trains on two threads) go with --bind-to none, since Open MPI binds each of two
// ranks to one core.
//
// mpirun needs --oversubscribe for 3 ranks on a 2-core machine, and refuses to run as root (CI
// runs as root) unless OMPI_ALLOW_RUN_AS_ROOT and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM are set: the
// fixture sets them when it runs as root.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "support/db_query.hpp"
#include "support/fashion_config.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab {
namespace {

using test_support::ChildProcess;
using test_support::kRun;
using test_support::run_program;
using test_support::TempDir;

// What a trial's record holds, to compare two databases value for value (doubles exactly).
struct Recorded {
  std::string status;
  int attempts = 0;
  std::vector<double> numbers;  // final_loss, accuracies, epochs_done, macro-F1s, train_examples, is a refit
  std::vector<double> losses;   // the whole loss history
  std::vector<double> epochs;   // every epoch_metrics value but the wall time
  std::string weights;          // trial_weights.data
  std::string confusion;        // trial_confusion: "split truth predicted count" rows
  std::string error;
  bool operator==(const Recorded& other) const {
    return status == other.status && numbers == other.numbers && losses == other.losses && epochs == other.epochs &&
           weights == other.weights && confusion == other.confusion;
  }
};

std::map<std::string, Recorded> recorded(const std::string& db_path) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  std::map<std::string, Recorded> trials;
  SQLite::Statement rows(db,
                         "SELECT t.trial_key, t.status, t.attempts, coalesce(t.error, ''), "
                         "coalesce(t.final_loss, -1), coalesce(t.train_accuracy, -1), coalesce(t.val_accuracy, -1), "
                         "coalesce(t.test_accuracy, -1), coalesce(t.epochs_done, -1), "
                         "coalesce(t.val_macro_f1, -1), coalesce(t.test_macro_f1, -1), "
                         "coalesce(t.train_examples, -1), t.refit_of IS NOT NULL, "
                         "coalesce((SELECT hex(data) FROM trial_weights w WHERE w.trial_id = t.id), ''), "
                         "coalesce((SELECT group_concat(c.split || ' ' || c.truth || ' ' || c.predicted || ' ' || c.count, "
                         "',') FROM (SELECT * FROM trial_confusion c WHERE c.trial_id = t.id "
                         "ORDER BY c.split, c.truth, c.predicted) c), '') FROM trials t");
  while (rows.executeStep()) {
    Recorded& trial = trials[rows.getColumn(0).getString()];
    trial.status = rows.getColumn(1).getString();
    trial.attempts = rows.getColumn(2).getInt();
    trial.error = rows.getColumn(3).getString();
    for (int column = 4; column <= 12; ++column) trial.numbers.push_back(rows.getColumn(column).getDouble());
    trial.weights = rows.getColumn(13).getString();
    trial.confusion = rows.getColumn(14).getString();
  }
  SQLite::Statement losses(db,
                           "SELECT t.trial_key, h.loss FROM loss_history h JOIN trials t ON t.id = h.trial_id "
                           "ORDER BY t.trial_key, h.step");
  while (losses.executeStep())
    trials[losses.getColumn(0).getString()].losses.push_back(losses.getColumn(1).getDouble());
  SQLite::Statement epochs(db,
                           "SELECT t.trial_key, m.epoch, m.mean_loss, m.train_accuracy, coalesce(m.val_accuracy, -1), "
                           "m.learning_rate FROM epoch_metrics m JOIN trials t ON t.id = m.trial_id "
                           "ORDER BY t.trial_key, m.epoch");
  while (epochs.executeStep())
    for (int column = 1; column <= 5; ++column)
      trials[epochs.getColumn(0).getString()].epochs.push_back(epochs.getColumn(column).getDouble());
  return trials;
}

std::int64_t count(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  SQLite::Statement query(db, sql);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

// Twelve trials in six fused groups of two (the seeds differ, so the minibatches do).
std::string six_group_config(const std::string& name, int limit, int epochs) {
  return test_support::small_fashion_config(name, limit, epochs,
                                            "  grid:\n"
                                            "    optimizer.learning_rate: [1.0e-3, 1.0e-2]\n"
                                            "  seeds: [0, 1, 2, 3, 4, 5]\n");
}
constexpr int kSixGroupTrials = 12;

// Twelve trials (2 learning rates x 2 strengths x 3 seeds) in three fused groups of four.
std::string three_group_config(const std::string& name) {
  return test_support::small_fashion_config(name, 3000, 2,
                                            "  grid:\n"
                                            "    optimizer.learning_rate: [1.0e-3, 1.0e-2]\n"
                                            "    regularization.strength: [1.0e-4, 1.0e-2]\n"
                                            "  seeds: [0, 1, 2]\n");
}

// Successive halving over nine configurations and 9 epochs: rungs of 9, 3 and 1 trials. As
// hyperband: brackets of 5, 3 and 1 trials starting at 1, 3 and 9 epochs, trained side by side.
std::string halving_config(const std::string& name, int limit, const std::string& strategy = "successive_halving") {
  return test_support::small_fashion_config(name, limit, 9,
                                            "  strategy: " + strategy + "\n"
                                            "  grid:\n"
                                            "    optimizer.learning_rate: [1.0e-3, 1.0e-2, 1.0e-1]\n"
                                            "    regularization.strength: [1.0e-5, 1.0e-3, 1.0e-1]\n");
}

// Every rung of every trial: its outcome and validation accuracy.
std::string rungs(const std::string& db_path) {
  return test_support::scalar(db_path,
                              "SELECT group_concat(t.trial_key || ':' || r.rung || ':' || r.outcome || ':' || "
                              "quote(r.val_accuracy), ',') FROM (SELECT * FROM trial_rungs ORDER BY trial_id, rung) r "
                              "JOIN trials t ON t.id = r.trial_id");
}

class MpiSweep : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Inflated copies of the dataset go to the build folder, as for the other tests.
    setenv("LOSSLAB_CACHE_DIR", LOSSLAB_TEST_CACHE_DIR, 1);
    if (geteuid() == 0) {
      setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
      setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    }
  }

  // mpirun [mpirun_flags] --oversubscribe -np RANKS losslab-run ARGS
  static std::vector<std::string> mpirun(int ranks, const std::vector<std::string>& args,
                                         const std::vector<std::string>& mpirun_flags = {}) {
    std::vector<std::string> command{LOSSLAB_MPIEXEC};
    command.insert(command.end(), mpirun_flags.begin(), mpirun_flags.end());
    for (const char* word : {"--oversubscribe", "-np"}) command.emplace_back(word);
    command.push_back(std::to_string(ranks));
    command.push_back(kRun);
    command.insert(command.end(), args.begin(), args.end());
    return command;
  }

  // The pid of a worker rank, from rank 0's log line "worker rank R (pid P on HOST) loaded ...".
  static pid_t worker_pid(const std::string& log, int rank) {
    std::smatch match;
    const std::regex line("worker rank " + std::to_string(rank) + R"( \(pid ([0-9]+) on)");
    return std::regex_search(log, match, line) ? static_cast<pid_t>(std::stoi(match[1])) : 0;
  }

  // "group G (...) to worker rank R" lines of rank 0's debug log: which group went to which rank.
  struct Dispatch {
    std::string group;
    int rank = 0;
  };
  static std::vector<Dispatch> dispatches(const std::string& log) {
    static const std::regex line(R"(group ([0-9]+) \([^)]*\) to worker rank ([0-9]+)\n)");
    std::vector<Dispatch> found;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator(); ++it)
      found.push_back({(*it)[1], std::stoi((*it)[2])});
    return found;
  }

  // Waits until rank 0 has handed out `n` groups; returns the last one handed out.
  static Dispatch wait_for_dispatches(const ChildProcess& child, std::size_t n) {
    std::vector<Dispatch> found;
    const bool seen = test_support::wait_until(
        [&] {
          found = dispatches(child.err());
          return found.size() >= n;
        },
        std::chrono::seconds(60));
    EXPECT_TRUE(seen) << child.err();
    return seen ? found.back() : Dispatch{};
  }

  // mpirun --bind-to none --oversubscribe -np RANKS losslab-run ARGS --jobs 2: every worker rank
  // trains on two threads.
  static std::vector<std::string> hybrid(int ranks, std::vector<std::string> args) {
    for (const char* word : {"--jobs", "2"}) args.emplace_back(word);
    return mpirun(ranks, args, {"--bind-to", "none"});
  }

  // A single-process run of the same config: what every MPI run must record.
  static std::map<std::string, Recorded> reference(const TempDir& dir, const std::string& config,
                                                   const std::string& jobs = "2") {
    const auto run = run_program({kRun, config, "--db", dir.file("reference.db"), "--jobs", jobs}, dir.path().string());
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return recorded(dir.file("reference.db"));
  }

  // `got` holds exactly the trials of `expected`, each recorded the same.
  static void expect_same_trials(const std::map<std::string, Recorded>& got,
                                 const std::map<std::string, Recorded>& expected) {
    ASSERT_EQ(got.size(), expected.size());
    for (const auto& [key, trial] : expected) {
      ASSERT_TRUE(got.count(key)) << key << ": the MPI run chose other trials";
      EXPECT_TRUE(got.at(key) == trial) << key << ": differs from the single-process run";
    }
  }
};

TEST_F(MpiSweep, ThreeRanksRecordExactlyWhatOneProcessRecords) {
  TempDir dir;
  const std::string config = dir.write("three.yaml", three_group_config("three"));
  const auto mpi = run_program(mpirun(3, {config, "--db", dir.file("mpi.db")}), dir.path().string());
  ASSERT_EQ(mpi.exit_code, 0) << mpi.err;
  EXPECT_NE(mpi.err.find("running up to 12 trials in 3 groups on 2 worker ranks"), std::string::npos) << mpi.err;
  // Training starts with the first worker that has the data; the other joins when it has it too
  // (on a busy machine the sweep may be over by then).
  EXPECT_TRUE(worker_pid(mpi.err, 1) > 0 || worker_pid(mpi.err, 2) > 0) << mpi.err;
  EXPECT_NE(mpi.out.find("completed 12"), std::string::npos) << mpi.out;

  const auto expected = reference(dir, config);
  const auto got = recorded(dir.file("mpi.db"));
  ASSERT_EQ(expected.size(), 12u);
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [key, trial] : expected) {
    ASSERT_TRUE(got.count(key)) << key;
    const Recorded& mpi_trial = got.at(key);
    EXPECT_EQ(mpi_trial.status, "completed") << key;
    EXPECT_EQ(mpi_trial.attempts, 1) << key;  // every trial ran exactly once
    EXPECT_EQ(mpi_trial.losses.size(), 2u * 20u) << key;
    EXPECT_TRUE(mpi_trial == trial) << key << ": differs from the single-process run";
  }
  EXPECT_EQ(count(dir.file("mpi.db"), "SELECT COUNT(*) FROM runs WHERE status = 'completed' AND "
                                      "dataset_checksums LIKE '%crc32:%'"),
            1);
  // The preprocessing the worker fitted reaches rank 0's database whole: the same row as one
  // process records (the digest covers every fitted value), and every weight refers to it.
  const std::string preprocessing = "SELECT group_concat(digest || ' ' || dataset_kind || ' ' || input_shape, ',') "
                                    "FROM preprocessing";
  EXPECT_EQ(test_support::scalar(dir.file("mpi.db"), preprocessing),
            test_support::scalar(dir.file("reference.db"), preprocessing));
  EXPECT_EQ(count(dir.file("mpi.db"), "SELECT COUNT(*) FROM trial_weights WHERE preprocessing_id = "
                                      "(SELECT id FROM preprocessing)"),
            12);
}

// sweep.refit over MPI: after the search, rank 0 has every worker load the refit's splits (the
// validation examples in the training split) and one of them trains the refit; trials, matrices and
// the refit are those of one process.
TEST_F(MpiSweep, TheRefitLoadsItsSplitsOnTheWorkersAndRecordsWhatOneProcessRecords) {
  TempDir dir;
  // 4 search trials (2 learning rates x 2 seeds) on 1000 training images, then the refit on 2000.
  const std::string sweep = "  refit: true\n  grid: {optimizer.learning_rate: [1.0e-3, 1.0e-2]}\n  seeds: [0, 1]\n";
  const std::string config = dir.write("refit.yaml", test_support::small_fashion_config("refit", 2000, 2, sweep));
  const std::string db = dir.file("mpi.db");
  const auto mpi = run_program(mpirun(3, {config, "--db", db}), dir.path().string());
  ASSERT_EQ(mpi.exit_code, 0) << mpi.err;
  EXPECT_NE(mpi.err.find("2000 train / 0 val"), std::string::npos) << "the workers loaded the refit's splits\n" << mpi.err;
  const auto expected = reference(dir, config);
  ASSERT_EQ(expected.size(), 5u);
  expect_same_trials(recorded(db), expected);
  const std::string refits = "SELECT COUNT(*) FROM trials WHERE refit_of IS NOT NULL AND train_examples = 2000";
  EXPECT_EQ(count(db, refits + " AND status = 'completed'"), 1);
  // 10 x 10 cells of each search trial's validation and test matrix, and of the refit's test one.
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trial_confusion"), 4 * 2 * 100 + 100);
}

// A TPE sweep's rounds train like any exhaustive sweep's trials: the worker ranks record, round by
// round, exactly the trials and results one process does (each round is chosen from the last's).
TEST_F(MpiSweep, TpeRoundsRecordExactlyWhatOneProcessRecords) {
  TempDir dir;
  const std::string config = dir.write(
      "tpe.yaml", test_support::small_fashion_config("tpe", 3000, 2,
                                                     "  sampler: tpe\n"
                                                     "  rounds: 2\n"
                                                     "  batch: 4\n"
                                                     "  seeds: [0, 1]\n"
                                                     "  random:\n"
                                                     "    space:\n"
                                                     "      optimizer.learning_rate: {log_uniform: [1.0e-3, 1.0e-1]}\n"));
  const auto mpi = run_program(mpirun(3, {config, "--db", dir.file("mpi.db")}), dir.path().string());
  ASSERT_EQ(mpi.exit_code, 0) << mpi.err;
  EXPECT_NE(mpi.err.find("round 1 of 2: 8 trials, 8 to run"), std::string::npos) << mpi.err;
  const auto expected = reference(dir, config);
  const auto got = recorded(dir.file("mpi.db"));
  ASSERT_EQ(expected.size(), 16u);
  expect_same_trials(got, expected);
}

// A halving search over MPI: rank 0 decides every rung, the workers train each rung from the states
// rank 0 sends; trials, rungs, decisions and histories are those of one process. The same for
// Hyperband, whose brackets that start higher warm up beside the others from states rank 0 sends.
TEST_F(MpiSweep, HalvingRungsRecordExactlyWhatOneProcessRecords) {
  for (const auto& [strategy, completed] : {std::pair{"successive_halving", 1}, std::pair{"hyperband", 3}}) {
    SCOPED_TRACE(strategy);
    TempDir dir;
    const std::string config = dir.write("halving.yaml", halving_config("halving", 3000, strategy));
    const auto mpi = run_program(mpirun(3, {config, "--db", dir.file("mpi.db")}), dir.path().string());
    ASSERT_EQ(mpi.exit_code, 0) << mpi.err;
    const auto expected = reference(dir, config);
    expect_same_trials(recorded(dir.file("mpi.db")), expected);
    EXPECT_EQ(rungs(dir.file("mpi.db")), rungs(dir.file("reference.db")));
    EXPECT_EQ(count(dir.file("mpi.db"), "SELECT COUNT(*) FROM trials WHERE status = 'completed' AND epochs_done = 9"),
              completed);
  }
}

// The workers go on from the states rank 0 sends them: a search stopped after its first rung and
// finished over MPI records what one process records, and a copy whose rung-0 states are zeroed
// records something else (a worker that trained each rung from scratch could not tell).
TEST_F(MpiSweep, HalvingWorkersGoOnFromTheStatesRankZeroSends) {
  TempDir dir;
  const std::string config = dir.write("halving.yaml", halving_config("resumed", 20000));
  const auto expected = reference(dir, config);
  const std::string stopped = dir.file("stopped.db"), zeroed = dir.file("zeroed.db");
  std::string err;
  ASSERT_TRUE(test_support::kill_when({kRun, config, "--db", stopped, "--no-progress"}, dir.path().string(), stopped,
                                      "SELECT COUNT(*) FROM trial_rungs WHERE rung = 0", "9", err))
      << err;
  ASSERT_NE(test_support::scalar(stopped, "SELECT COUNT(*) FROM trial_rungs WHERE rung = 1"), "3")
      << "the kill landed after the second rung had finished";
  ASSERT_GT(test_support::changed_copy(
                stopped, zeroed, "UPDATE trial_checkpoints SET weights = zeroblob(length(weights)) WHERE rung = 0"),
            0);
  for (const std::string& db : {stopped, zeroed}) {
    const auto mpi = run_program(mpirun(3, {config, "--db", db}), dir.path().string());
    ASSERT_EQ(mpi.exit_code, 0) << mpi.err;
  }
  expect_same_trials(recorded(stopped), expected);
  EXPECT_NE(recorded(zeroed), expected);
}

// Hybrid MPI: a worker rank trains several groups at once on its --jobs threads, its free threads
// joining the groups still training once rank 0 has none left; a sweep over one or two such workers
// records what one single-threaded process records. Three groups: two train side by side, the
// third with a spare thread.
TEST_F(MpiSweep, WorkersOnTwoThreadsRecordExactlyWhatOneThreadRecords) {
  TempDir dir;
  const std::string config = dir.write("hybrid.yaml", three_group_config("hybrid"));
  const auto expected = reference(dir, config, "1");
  ASSERT_EQ(expected.size(), 12u);
  for (const auto& [ranks, workers] : std::vector<std::pair<int, std::string>>{
           {2, "on 1 worker rank (2 threads)"}, {3, "on 2 worker ranks (4 threads)"}}) {
    const std::string db = dir.file("hybrid" + std::to_string(ranks) + ".db");
    const auto mpi = run_program(hybrid(ranks, {config, "--db", db}), dir.path().string());
    ASSERT_EQ(mpi.exit_code, 0) << mpi.err;
    EXPECT_NE(mpi.err.find("running up to 12 trials in 3 groups " + workers), std::string::npos) << mpi.err;
    EXPECT_EQ(mpi.err.find("this rank may only run on"), std::string::npos) << mpi.err;
    expect_same_trials(recorded(db), expected);
  }
}

// The same for a halving search, whose later rungs are a single group: the spare threads share it.
TEST_F(MpiSweep, HalvingOnWorkersWithTwoThreadsRecordsExactlyWhatOneThreadRecords) {
  TempDir dir;
  const std::string config = dir.write("halving.yaml", halving_config("halving", 3000));
  const auto expected = reference(dir, config, "1");
  for (const int ranks : {2, 3}) {
    const std::string db = dir.file("halving" + std::to_string(ranks) + ".db");
    const auto mpi = run_program(hybrid(ranks, {config, "--db", db}), dir.path().string());
    ASSERT_EQ(mpi.exit_code, 0) << mpi.err;
    expect_same_trials(recorded(db), expected);
    EXPECT_EQ(rungs(db), rungs(dir.file("reference.db"))) << ranks;
  }
}

TEST_F(MpiSweep, OneRankIsTheSingleProcessRunner) {
  TempDir dir;
  const std::string config = dir.write("one.yaml", six_group_config("one", 2000, 1));
  const auto run = run_program(mpirun(1, {config, "--db", dir.file("one.db"), "--jobs", "2"}), dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("on 2 worker threads"), std::string::npos) << run.err;
  EXPECT_EQ(count(dir.file("one.db"), "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), kSixGroupTrials);
}

TEST_F(MpiSweep, KilledWorkerEndsTheJobAndTheRerunCompletesEveryTrialOnce) {
  // Open MPI's default: when a rank dies, mpirun ends the job (SIGTERM to the others, SIGKILL a
  // second later). Rank 0 marks its trials in flight interrupted; rerunning the command resumes.
  // Hybrid: each worker trains two groups at once, so a death loses two.
  TempDir dir;
  const std::string config = dir.write("kill.yaml", six_group_config("kill", 21000, 5));
  const std::string db = dir.file("kill.db");
  const auto args = hybrid(3, {config, "--db", db, "--log-level", "debug"});
  std::map<std::string, Recorded> before_kill;
  {
    ChildProcess job(args, dir.file("o1"), dir.file("e1"));
    // Four groups go out at once, the fifth once a first one is done: kill the rank that trains it.
    const Dispatch fifth = wait_for_dispatches(job, 5);
    const pid_t worker = worker_pid(job.err(), fifth.rank);
    ASSERT_GT(worker, 0) << job.err();
    ASSERT_EQ(kill(worker, SIGKILL), 0);
    EXPECT_NE(job.wait(), 0) << job.err();
    for (const auto& [key, trial] : recorded(db))
      if (trial.status == "completed") before_kill[key] = trial;
    // What rank 0 managed in mpirun's grace second; a trial left running is reclaimed by the rerun
    // either way, its process being gone.
    std::cerr << "after the kill: " << before_kill.size() << " completed, "
              << count(db, "SELECT COUNT(*) FROM trials WHERE status = 'interrupted'") << " interrupted, "
              << count(db, "SELECT COUNT(*) FROM trials WHERE status = 'running'") << " running\n";
  }
  ASSERT_GE(before_kill.size(), 2u);
  ASSERT_LT(before_kill.size(), static_cast<std::size_t>(kSixGroupTrials)) << "the sweep finished before the kill";

  const auto rerun = run_program(args, dir.path().string());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  const auto after = recorded(db);
  ASSERT_EQ(after.size(), static_cast<std::size_t>(kSixGroupTrials));
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), kSixGroupTrials);
  for (const auto& [key, trial] : before_kill) {
    EXPECT_EQ(after.at(key).attempts, 1) << key << " was run again";
    EXPECT_TRUE(after.at(key) == trial) << key << " changed";
  }
  const auto expected = reference(dir, config);
  for (const auto& [key, trial] : expected) EXPECT_TRUE(after.at(key) == trial) << key;
}

TEST_F(MpiSweep, WithRecoveryADeadWorkersGroupGoesToAnotherAndTheSweepFinishes) {
  // mpirun --enable-recovery lets the other ranks live on; rank 0 sees the dead worker fall
  // silent for --worker-timeout and hands its group to the other worker.
  TempDir dir;
  const std::string config = dir.write("recover.yaml", six_group_config("recover", 21000, 5));
  const std::string db = dir.file("recover.db");
  ChildProcess job(mpirun(3, {config, "--db", db, "--log-level", "debug", "--worker-timeout", "2"}, {"--enable-recovery"}),
                   dir.file("o"), dir.file("e"));
  const Dispatch third = wait_for_dispatches(job, 3);
  const pid_t worker = worker_pid(job.err(), third.rank);
  ASSERT_GT(worker, 0) << job.err();
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  job.wait();  // mpirun --enable-recovery exits 0 whatever happened: rank 0 logs its own code
  const std::string log = job.err();
  EXPECT_NE(log.find("rank 0 exit code 0"), std::string::npos) << log;
  EXPECT_NE(log.find("worker rank " + std::to_string(third.rank) + " died (no message for"), std::string::npos) << log;
  EXPECT_NE(log.find("handing its group of 2 trials"), std::string::npos) << log;
  // The dead rank's last group went out again, to the other rank.
  const auto handed = dispatches(log);
  const std::string lost_group = [&] {
    std::string last;
    for (const Dispatch& d : handed)
      if (d.rank == third.rank) last = d.group;
    return last;
  }();
  EXPECT_EQ(std::count_if(handed.begin(), handed.end(),
                          [&](const Dispatch& d) { return d.group == lost_group && d.rank != third.rank; }),
            1)
      << log;

  const auto got = recorded(db);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kSixGroupTrials));
  for (const auto& [key, trial] : got) {
    EXPECT_EQ(trial.status, "completed") << key;
    EXPECT_EQ(trial.attempts, 1) << key;  // handed on, not claimed anew
  }
  const auto expected = reference(dir, config);
  for (const auto& [key, trial] : expected) EXPECT_TRUE(got.at(key) == trial) << key;
}

TEST_F(MpiSweep, GroupWhoseSecondWorkerDiesTooFailsWithTheReason) {
  TempDir dir;
  const std::string config = dir.write("twice.yaml", six_group_config("twice", 21000, 5));
  const std::string db = dir.file("twice.db");
  ChildProcess job(mpirun(3, {config, "--db", db, "--log-level", "debug", "--worker-timeout", "1"}, {"--enable-recovery"}),
                   dir.file("o"), dir.file("e"));
  const Dispatch first = wait_for_dispatches(job, 1);
  ASSERT_EQ(kill(worker_pid(job.err(), first.rank), SIGKILL), 0);
  const int other = 3 - first.rank;
  // Rank 0 hands the group to the other rank once that one is free: kill it as soon as it has it.
  ASSERT_TRUE(test_support::wait_until(
      [&] {
        const auto handed = dispatches(job.err());
        return std::any_of(handed.begin(), handed.end(),
                           [&](const Dispatch& d) { return d.group == first.group && d.rank == other; });
      },
      std::chrono::seconds(60)))
      << job.err();
  ASSERT_EQ(kill(worker_pid(job.err(), other), SIGKILL), 0);
  // Then no worker is left: exit code 3 when groups were still waiting (their trials stay
  // claimable), or 1 (a trial failed) when the dead group was the last. With --enable-recovery
  // mpirun itself exits 0 whatever its ranks return, so rank 0 logs its code.
  job.wait();
  const std::string log = job.err();
  EXPECT_TRUE(log.find("rank 0 exit code 3") != std::string::npos || log.find("rank 0 exit code 1") != std::string::npos)
      << log;
  if (log.find("rank 0 exit code 3") != std::string::npos) {
    EXPECT_NE(log.find("no worker rank is left to train the remaining"), std::string::npos) << log;
  }
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'failed' AND error LIKE 'worker rank " +
                          std::to_string(first.rank) + " died (no message for % s); worker rank " +
                          std::to_string(other) + " died (no message for % s)'"),
            2)
      << log;
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'running'"), 0);

  // Failed trials run again like any other; the rerun completes the sweep.
  const auto rerun = run_program(mpirun(2, {config, "--db", db}), dir.path().string());
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), kSixGroupTrials);
}

TEST_F(MpiSweep, SigtermToEveryRankStopsTheSweepCleanly) {
  // What Slurm's scancel does (and mpirun on Ctrl-C, a second later): SIGTERM to every rank.
  // Workers stop their step and leave; rank 0 records the trials in flight as interrupted and
  // exits 143, so mpirun does too.
  TempDir dir;
  const std::string config = dir.write("term.yaml", six_group_config("term", 21000, 5));
  const std::string db = dir.file("term.db");
  const auto args = mpirun(3, {config, "--db", db, "--log-level", "debug"});
  {
    ChildProcess job(args, dir.file("o"), dir.file("e"));
    // A group is done and both workers have the data (on a busy machine one may still be loading
    // when the other has trained two groups).
    wait_for_dispatches(job, 3);
    ASSERT_TRUE(test_support::wait_until(
        [&] { return worker_pid(job.err(), 1) > 0 && worker_pid(job.err(), 2) > 0; }, std::chrono::seconds(60)))
        << job.err();
    const std::string log = job.err();
    const pid_t rank0 = static_cast<pid_t>(count(db, "SELECT pid FROM runs"));
    for (const pid_t pid : {rank0, worker_pid(log, 1), worker_pid(log, 2)}) {
      ASSERT_GT(pid, 0) << log;
      kill(pid, SIGTERM);
    }
    EXPECT_EQ(job.wait(), 143) << job.err();
    EXPECT_NE(job.err().find("stopped by signal 15"), std::string::npos) << job.err();
  }
  EXPECT_GE(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'interrupted' AND error = 'interrupted by signal 15'"),
            1);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'running'"), 0);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM runs WHERE status = 'interrupted'"), 1);
  const auto rerun = run_program(args, dir.path().string());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), kSixGroupTrials);
}

TEST_F(MpiSweep, SigtermToOneWorkerHandsItsGroupsToAnother) {
  // A worker stopped on its own leaves at the end of its steps; its groups go to another worker
  // and the sweep finishes with mpirun's default policy, nothing run twice. Hybrid: the two
  // groups each worker gets first are both in training when the signal comes.
  TempDir dir;
  const std::string config = dir.write("leave.yaml", six_group_config("leave", 21000, 5));
  const std::string db = dir.file("leave.db");
  ChildProcess job(hybrid(3, {config, "--db", db, "--log-level", "debug"}), dir.file("o"), dir.file("e"));
  const Dispatch fourth = wait_for_dispatches(job, 4);
  ASSERT_EQ(kill(worker_pid(job.err(), fourth.rank), SIGTERM), 0);
  ASSERT_EQ(job.wait(), 0) << job.err();
  const std::string log = job.err();
  EXPECT_NE(log.find("worker rank " + std::to_string(fourth.rank) + " left (stopped by a signal)"), std::string::npos)
      << log;
  const std::regex handing("handing its group of 2 trials");
  const auto handed_on = std::distance(std::sregex_iterator(log.begin(), log.end(), handing), std::sregex_iterator());
  // Both workers had the data from the start (the usual case): the first four groups went out
  // two to each and were all training. Otherwise the rank's older group may just have ended.
  const auto first_four = dispatches(log);
  const bool two_each = std::count_if(first_four.begin(), first_four.begin() + 4,
                                      [&](const Dispatch& d) { return d.rank == fourth.rank; }) == 2;
  EXPECT_EQ(handed_on, two_each ? 2 : handed_on) << log;
  EXPECT_GE(handed_on, 1) << log;
  const auto got = recorded(db);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kSixGroupTrials));
  for (const auto& [key, trial] : got) {
    EXPECT_EQ(trial.status, "completed") << key;
    EXPECT_EQ(trial.attempts, 1) << key;
  }
}

TEST_F(MpiSweep, CtrlCToMpirunLeavesTheSweepResumable) {
  // mpirun answers SIGINT with SIGTERM to every rank about a second later and SIGKILL about a
  // second after that. Rank 0 usually records the trials in flight as interrupted in that second;
  // if it cannot, they stay `running` under a dead pid and the rerun reclaims them. Either way the
  // rerun completes every trial exactly once.
  TempDir dir;
  const std::string config = dir.write("ctrlc.yaml", six_group_config("ctrlc", 21000, 5));
  const std::string db = dir.file("ctrlc.db");
  const auto args = mpirun(3, {config, "--db", db, "--log-level", "debug"});
  std::map<std::string, Recorded> before;
  {
    ChildProcess job(args, dir.file("o"), dir.file("e"));
    wait_for_dispatches(job, 3);
    job.signal(SIGINT);
    EXPECT_NE(job.wait(), 0) << job.err();
    for (const auto& [key, trial] : recorded(db))
      if (trial.status == "completed") before[key] = trial;
  }
  const auto rerun = run_program(args, dir.path().string());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  const auto after = recorded(db);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed'"), kSixGroupTrials);
  for (const auto& [key, trial] : before) {
    EXPECT_EQ(after.at(key).attempts, 1) << key;
    EXPECT_TRUE(after.at(key) == trial) << key;
  }
}

}  // namespace
}  // namespace losslab
