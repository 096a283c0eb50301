// Batch TPE sweeps end to end (sweep.sampler: tpe): the real losslab-run on Fashion-MNIST and its
// real database. Each round's trials are checked against tpe_batch called here on a history of our
// own making from the database (the earlier rounds' trials by round and id, scored by their
// recorded validation accuracy), so a round that learned from anything else, or in another order,
// fails; and the same rounds and results come out of --jobs 1, --jobs 2 and a run killed after its
// first round and rerun.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "losslab/runner/config.hpp"
#include "losslab/runner/results/reader.hpp"
#include "support/db_query.hpp"
#include "support/fashion_config.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "tpe_rounds.hpp"
#include "tpe_sampler.hpp"

namespace losslab {
namespace {

using runner::ParamValue;
using test_support::column;
using test_support::kRun;
using test_support::run_program;
using test_support::scalar;
using test_support::TempDir;

// Loss, learning rate and strength: a choice and two log-uniform axes.
std::string tpe_config(const std::string& name, int limit, int epochs, int rounds, int batch,
                       const std::string& extra = "") {
  return test_support::small_fashion_config(name, limit, epochs,
                                            "  sampler: tpe\n"
                                            "  rounds: " + std::to_string(rounds) + "\n"
                                            "  batch: " + std::to_string(batch) + "\n" + extra +
                                                "  random:\n"
                                                "    seed: 7\n"
                                                "    space:\n"
                                                "      loss.kind: {choice: [svm, softmax]}\n"
                                                "      optimizer.learning_rate: {log_uniform: [1.0e-4, 1.0]}\n"
                                                "      regularization.strength: {log_uniform: [1.0e-6, 1.0e-1]}\n");
}

// Everything a TPE sweep chooses and records, by round and key, as text to compare runs by.
std::vector<std::string> sweep_record(const std::string& db) {
  std::vector<std::string> rows = column(
      db, "SELECT t.round || ' ' || t.trial_key || ' ' || t.name || ' ' || t.status || ' val ' || "
          "quote(t.val_accuracy) || ' test ' || quote(t.test_accuracy) FROM trials t ORDER BY t.round, t.trial_key");
  for (const auto& row : column(db, "SELECT t.trial_key || ' ' || hex(w.data) FROM trial_weights w JOIN trials t "
                                    "ON t.id = w.trial_id ORDER BY t.trial_key"))
    rows.push_back(row);
  for (const auto& row : column(db, "SELECT t.trial_key || ' ' || group_concat(quote(h.loss), ',') FROM "
                                    "(SELECT * FROM loss_history ORDER BY trial_id, step) h JOIN trials t ON "
                                    "t.id = h.trial_id GROUP BY t.trial_key ORDER BY t.trial_key"))
    rows.push_back(row);
  return rows;
}

std::vector<ParamValue> point_of(const runner::TrialRecord& trial) {
  return {trial.params.at("loss"), trial.params.at("learning_rate"), trial.params.at("strength")};
}

// The experiment's trials as the results module reads them, by round, then id (registration order,
// which is the expansion's).
std::vector<std::vector<runner::TrialRecord>> rounds_of(const std::string& db) {
  runner::ResultsReader reader(db);
  std::vector<std::vector<runner::TrialRecord>> rounds;
  for (const runner::TrialRecord& trial : reader.trials(reader.experiments().at(0).id)) {
    if (trial.round < 0) continue;
    if (rounds.size() <= static_cast<std::size_t>(trial.round)) rounds.resize(static_cast<std::size_t>(trial.round) + 1);
    rounds[static_cast<std::size_t>(trial.round)].push_back(trial);
  }
  return rounds;
}

// Checks that every round of the sweep in `db` holds the points tpe_batch chooses from the rounds
// before it, and that rounds after the first are not the uniform draws of the same streams.
void expect_rounds_chosen_by_tpe(const std::string& db, const std::string& config_text, std::size_t batch) {
  const runner::ExperimentConfig config = runner::parse_experiment_config(config_text, "tpe.yaml");
  const auto rounds = rounds_of(db);
  ASSERT_EQ(rounds.size(), config.sweep.rounds);
  std::vector<runner::TpeObservation> history;
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    runner::TpeSettings tpe;
    tpe.startup = 1;
    const auto expected = runner::tpe_batch(config.sweep.random, history, batch, config.sweep.random_seed, tpe);
    runner::TpeSettings uniform;
    uniform.startup = history.size() + 1;
    const auto drawn = runner::tpe_batch(config.sweep.random, history, batch, config.sweep.random_seed, uniform);
    ASSERT_EQ(rounds[r].size(), batch) << "round " << r;
    std::vector<std::vector<ParamValue>> got;
    for (const runner::TrialRecord& trial : rounds[r]) got.push_back(point_of(trial));
    EXPECT_EQ(got, expected) << "round " << r;
    if (r > 0) {
      for (std::size_t i = 0; i < batch; ++i) EXPECT_NE(got[i], drawn[i]) << "round " << r << " point " << i;
    }
    for (const runner::TrialRecord& trial : rounds[r]) history.push_back({point_of(trial), runner::tpe_score(trial)});
  }
}

// The experiment's trials as a finished round records them: each completed with an accuracy.
std::vector<runner::TrialRecord> completed(const std::vector<runner::Trial>& trials, double accuracy) {
  std::vector<runner::TrialRecord> records;
  for (const runner::Trial& trial : trials) {
    runner::TrialRecord record;
    record.key = trial.key;
    record.status = "completed";
    record.val_accuracy = accuracy;
    records.push_back(record);
  }
  return records;
}

const std::string kSyntheticTpe = "dataset: {kind: synthetic}\nsweep:\n  sampler: tpe\n  rounds: 3\n  batch: 2\n"
                                  "  random:\n    space: {loss.kind: {choice: [svm, softmax]}}\n";

// A point that repeats a trial of an earlier round is that trial: it is not trained again.
TEST(TpeRounds, PointsThatRepeatAnEarlierRoundAreLeftOut) {
  const runner::ExperimentConfig config = runner::parse_experiment_config(kSyntheticTpe, "tpe.yaml");
  runner::TpeRounds rounds(config);
  std::set<std::string> keys;
  std::size_t trials = 0;
  std::vector<runner::TrialRecord> records;
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(rounds.round(), r);
    EXPECT_EQ(rounds.last(), r == 2);
    for (const runner::Trial& trial : rounds.trials()) keys.insert(trial.key);
    trials += rounds.trials().size();
    for (const auto& record : completed(rounds.trials(), 0.5)) records.push_back(record);
    if (!rounds.last()) rounds.advance(records);
  }
  EXPECT_EQ(trials, keys.size());
  EXPECT_LE(trials, 2u);
}

TEST(TpeRounds, AnUnfinishedRoundCannotBeLearnedFrom) {
  const runner::ExperimentConfig config = runner::parse_experiment_config(kSyntheticTpe, "tpe.yaml");
  runner::TpeRounds rounds(config);
  auto records = completed(rounds.trials(), 0.5);
  records.back().status = "interrupted";
  EXPECT_THROW(rounds.advance(records), std::logic_error);
  records.pop_back();
  EXPECT_THROW(rounds.advance(records), std::logic_error);  // not registered at all
}

// 3 rounds of 14: the last round's history holds 28 trials, more than the 25 TPE weighs alike, so
// its order counts (older trials weigh less) as well as its scores.
TEST(TpeSweep, EachRoundIsChosenByTpeFromTheResultsOfTheRoundsBefore) {
  TempDir dir;
  const std::string text = tpe_config("tpe", 3000, 2, 3, 14);
  const std::string config = dir.write("tpe.yaml", text);
  const std::string db = dir.file("results.db");
  const auto run = run_program({kRun, config, "--db", db, "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(column(db, "SELECT round || ':' || COUNT(*) FROM trials GROUP BY round ORDER BY round"),
            (std::vector<std::string>{"0:14", "1:14", "2:14"}));
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials WHERE status IN ('completed', 'diverged')"), "42");
  expect_rounds_chosen_by_tpe(db, text, 14);
  EXPECT_NE(run.out.find("rounds:\n  round 0: 14 trials, best val acc "), std::string::npos) << run.out;
  // Each round's trials train together, after the round before.
  EXPECT_NE(run.err.find("round 1 of 3: 14 trials, 14 to run"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("running up to 14 trials in "), std::string::npos) << run.err;
  // A rerun recomputes every round from the database and finds nothing to do.
  const auto again = run_program({kRun, config, "--db", db}, dir.path().string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("round 2 of 3: 14 trials, 0 to run, 14 already finished"), std::string::npos) << again.err;
  EXPECT_EQ(again.err.find("running up to"), std::string::npos) << again.err;
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials"), "42");
}

TEST(TpeSweep, SameRoundsAndResultsForAnyJobsAndAfterAKill) {
  TempDir dir;
  const std::string config = dir.write("tpe.yaml", tpe_config("deterministic", 20000, 4, 3, 4));
  const std::string one = dir.file("one.db"), two = dir.file("two.db"), killed = dir.file("killed.db");
  ASSERT_EQ(run_program({kRun, config, "--db", one, "--jobs", "1"}, dir.path().string()).exit_code, 0);
  ASSERT_EQ(run_program({kRun, config, "--db", two, "--jobs", "2"}, dir.path().string()).exit_code, 0);
  const auto reference = sweep_record(one);
  EXPECT_EQ(sweep_record(two), reference);

  // Killed once round 0 is recorded: the rerun recomputes round 1 from round 0's results.
  const std::string finished = "SELECT COUNT(*) FROM trials WHERE status IN ('completed', 'diverged', 'failed')";
  std::string victim_err;
  ASSERT_TRUE(test_support::kill_when({kRun, config, "--db", killed, "--jobs", "2"}, dir.path().string(), killed,
                                      finished + " AND round = 0", "4", victim_err))
      << victim_err;
  ASSERT_NE(scalar(killed, finished), "12") << "the kill landed after the sweep had finished: nothing would resume";
  // A copy whose round-0 accuracies are turned upside down: a rerun that chose round 1 from the
  // recorded results chooses other trials on it; one that retrained round 0, or sampled without
  // results, could not tell the copy from the original.
  const std::string inverted = dir.file("inverted.db");
  ASSERT_GT(test_support::changed_copy(
                killed, inverted, "UPDATE trials SET val_accuracy = 1 - val_accuracy WHERE round = 0 AND status = 'completed'"),
            0);
  const auto rerun = run_program({kRun, config, "--db", killed, "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(sweep_record(killed), reference);
  ASSERT_EQ(run_program({kRun, config, "--db", inverted, "--jobs", "2"}, dir.path().string()).exit_code, 0);
  EXPECT_NE(column(inverted, "SELECT trial_key FROM trials WHERE round = 1 AND status = 'completed' ORDER BY id"),
            column(one, "SELECT trial_key FROM trials WHERE round = 1 ORDER BY id"));
}

// Successive halving inside each round: 3 trials a round in rungs of 1 and 3 epochs, the best one
// going on; a pruned trial enters the history with its accuracy at its rung.
TEST(TpeSweep, HalvingRunsInsideEachRound) {
  TempDir dir;
  const std::string text = tpe_config("halving-rounds", 3000, 3, 2, 3, "  strategy: successive_halving\n");
  const std::string config = dir.write("tpe.yaml", text);
  const std::string db = dir.file("results.db");
  const auto run = run_program({kRun, config, "--db", db, "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(column(db, "SELECT t.round || ' rung ' || r.rung || ': ' || COUNT(*) FROM trial_rungs r JOIN trials t "
                       "ON t.id = r.trial_id GROUP BY t.round, r.rung ORDER BY t.round, r.rung"),
            (std::vector<std::string>{"0 rung 0: 3", "0 rung 1: 1", "1 rung 0: 3", "1 rung 1: 1"}));
  EXPECT_EQ(column(db, "SELECT round || ' ' || status || ' ' || COUNT(*) FROM trials GROUP BY round, status "
                       "ORDER BY round, status"),
            (std::vector<std::string>{"0 completed 1", "0 pruned 2", "1 completed 1", "1 pruned 2"}));
  expect_rounds_chosen_by_tpe(db, text, 3);
}

TEST(TpeSweep, DryRunPrintsRoundZeroOfTheReadyMadeConfig) {
  TempDir dir;
  const auto run = run_program({kRun, std::string(LOSSLAB_SOURCE_DIR) + "/configs/tpe.yaml", "--dry-run"},
                               dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\n8 trials\nsweep.sampler tpe: the trials above are round 0 of 4, 8 uniform draws of "
                         "sweep.random.space; rounds 1 to 3 are chosen from the results of the rounds before them "
                         "(32 trials in all)\n"),
            std::string::npos)
      << run.out;
}

}  // namespace
}  // namespace losslab
