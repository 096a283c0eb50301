// Successive halving end to end: the real losslab-run on Fashion-MNIST and its real database. The
// rung decisions are checked against a query of our own on trial_rungs (the one ranking: validation
// accuracy, then training accuracy, final loss, trial id); a promoted trial goes on exactly as if
// it had trained straight through; and the same decisions and histories come out of --jobs 1,
// --jobs 2 and a run killed in the middle of a rung and rerun.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/fashion_config.hpp"
#include "support/db_query.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab {
namespace {

using test_support::kRun;
using test_support::run_program;
using test_support::TempDir;

// 9 trials (3 learning rates x 3 strengths) to 9 epochs: rungs of 1, 3 and 9 epochs, 9 -> 3 -> 1.
std::string halving_config(const std::string& name, int limit, const std::string& strategy = "successive_halving",
                           const std::string& learning_rates = "[1.0e-3, 1.0e-2, 1.0e-1]") {
  return test_support::small_fashion_config(name, limit, 9,
                                            "  strategy: " + strategy +
                                                "\n"
                                                "  grid:\n"
                                                "    optimizer.learning_rate: " + learning_rates + "\n"
                                                "    regularization.strength: [1.0e-5, 1.0e-3, 1.0e-1]\n");
}

using test_support::column;
using test_support::scalar;

// Everything a halving search decides and records, by trial name, as text to compare runs by.
std::vector<std::string> search_record(const std::string& db) {
  std::vector<std::string> rows = column(
      db, "SELECT t.name || ' ' || t.status || ' rung ' || t.rung || ' epochs ' || t.epochs_done || ' val ' || "
          "quote(t.val_accuracy) || ' test ' || quote(t.test_accuracy) FROM trials t ORDER BY t.name");
  for (const auto& row : column(db, "SELECT t.name || ' rung ' || r.rung || ' ' || r.outcome || ' ' || "
                                    "quote(r.val_accuracy) FROM trial_rungs r JOIN trials t ON t.id = r.trial_id "
                                    "ORDER BY t.name, r.rung"))
    rows.push_back(row);
  for (const auto& row : column(db, "SELECT t.name || ' ' || hex(w.data) FROM trial_weights w JOIN trials t "
                                    "ON t.id = w.trial_id ORDER BY t.name"))
    rows.push_back(row);
  for (const auto& row : column(db, "SELECT t.name || ' ' || group_concat(quote(h.loss), ',') FROM loss_history h "
                                    "JOIN trials t ON t.id = h.trial_id GROUP BY t.name ORDER BY t.name"))
    rows.push_back(row);
  return rows;
}

TEST(HalvingSearch, EachRungPromotesTheBestThirdByTheOneRanking) {
  TempDir dir;
  const std::string config = dir.write("halving.yaml", halving_config("halving", 3000));
  const std::string db = dir.file("results.db");
  const auto run = run_program({kRun, config, "--db", db, "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(column(db, "SELECT rung || ':' || COUNT(*) FROM trial_rungs GROUP BY rung ORDER BY rung"),
            (std::vector<std::string>{"0:9", "1:3", "2:1"}));
  for (const auto& [rung, keep] : {std::pair{0, 3}, std::pair{1, 1}}) {
    const std::string at = " FROM trial_rungs WHERE rung = " + std::to_string(rung);
    const auto best = column(db, "SELECT trial_id" + at + " ORDER BY val_accuracy DESC, train_accuracy DESC, "
                                 "final_loss IS NULL, final_loss, trial_id LIMIT " + std::to_string(keep));
    EXPECT_EQ(column(db, "SELECT trial_id" + at + " AND outcome = 'promoted' ORDER BY val_accuracy DESC, "
                         "train_accuracy DESC, final_loss IS NULL, final_loss, trial_id"),
              best) << "rung " << rung;
    // Exactly the promoted trials trained the next rung; the others stopped here, pruned.
    EXPECT_EQ(column(db, "SELECT trial_id FROM trial_rungs WHERE rung = " + std::to_string(rung + 1) +
                         " ORDER BY trial_id"),
              column(db, "SELECT trial_id" + at + " AND outcome = 'promoted' ORDER BY trial_id"));
    const std::string budget = rung == 0 ? "1" : "3";
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials WHERE status = 'pruned' AND rung = " + std::to_string(rung) +
                         " AND epochs_done = " + budget + " AND error LIKE 'not among the best%'"),
              std::to_string(rung == 0 ? 6 : 2));
  }
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed' AND rung = 2 AND epochs_done = 9"), "1");
  // A rung scores validation only: a pruned trial has no test score, and its training accuracy is
  // its last epoch's; the trial that finished the last rung has both splits scored.
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials WHERE status = 'pruned' AND test_accuracy IS NULL AND "
                       "train_accuracy = (SELECT e.train_accuracy FROM epoch_metrics e WHERE e.trial_id = trials.id "
                       "AND e.epoch = trials.epochs_done)"),
            "8");
  EXPECT_EQ(scalar(db, "SELECT COUNT(DISTINCT trial_id) || ' ' || SUM(split = 'test') FROM trial_confusion"), "9 100");
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed' AND test_accuracy > 0.5"), "1");
  // Pruned trials keep their weights; nothing is kept to resume from once the search is over.
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trial_weights"), "9");
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trial_checkpoints"), "0");
  EXPECT_NE(run.out.find("rungs:"), std::string::npos) << run.out;
  // Rerunning finds nothing to do.
  const auto again = run_program({kRun, config, "--db", db}, dir.path().string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("9 trials, 0 to run, 9 already finished"), std::string::npos) << again.err;
}

// A trial that diverges before its bracket's last rung ends there, recorded diverged at that rung
// and not ranked. Learning rate 1e6 diverges in the first epoch: trials 4, 5 and 6.
TEST(HalvingSearch, ATrialThatDivergesBeforeItsLastRungEndsThere) {
  TempDir dir;
  const std::string config =
      dir.write("diverging.yaml", halving_config("diverging", 3000, "successive_halving", "[1.0e-2, 1.0e+6, 1.0e-1]"));
  const std::string db = dir.file("results.db");
  const auto run = run_program({kRun, config, "--db", db, "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(column(db, "SELECT r.trial_id || ' ' || r.bracket || ' ' || r.rung || ' ' || r.epochs || ' ' || "
                       "t.status || ' ' || t.rung FROM trial_rungs r JOIN trials t ON t.id = r.trial_id "
                       "WHERE r.outcome = 'diverged' ORDER BY r.trial_id"),
            (std::vector<std::string>{"4 0 0 1 diverged 0", "5 0 0 1 diverged 0", "6 0 0 1 diverged 0"}));
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials WHERE status = 'pruned' AND error = "
                       "'not among the best 3 of 9 at rung 0 (1 epochs)'"),
            "3");
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trial_checkpoints"), "0");
}

// Trained alone (--no-fuse), the search's winner has the same loss history and weights, bit for
// bit, as the same trial trained to 9 epochs in one go by an exhaustive sweep: each rung went on
// from the exact state the previous one ended in.
TEST(HalvingSearch, APromotedTrialGoesOnAsIfItHadTrainedStraight) {
  TempDir dir;
  const std::string halving = dir.write("halving.yaml", halving_config("straight", 3000));
  const std::string exhaustive = dir.write("exhaustive.yaml", halving_config("straight", 3000, "exhaustive"));
  const std::string halving_db = dir.file("halving.db"), exhaustive_db = dir.file("exhaustive.db");
  ASSERT_EQ(run_program({kRun, halving, "--db", halving_db, "--no-fuse"}, dir.path().string()).exit_code, 0);
  ASSERT_EQ(run_program({kRun, exhaustive, "--db", exhaustive_db, "--no-fuse"}, dir.path().string()).exit_code, 0);
  const std::string winner = scalar(halving_db, "SELECT trial_key FROM trials WHERE status = 'completed'");
  const std::string of_winner = " JOIN trials t ON t.id = x.trial_id WHERE t.trial_key = '" + winner + "'";
  for (const std::string& sql :
       {"SELECT group_concat(quote(x.loss), ',') FROM (SELECT * FROM loss_history ORDER BY step) x" + of_winner,
        "SELECT hex(x.data) FROM trial_weights x" + of_winner,
        "SELECT group_concat(quote(x.val_accuracy) || '/' || quote(x.mean_loss), ',') FROM "
        "(SELECT * FROM epoch_metrics ORDER BY epoch) x" + of_winner}) {
    const std::string searched = scalar(halving_db, sql);
    EXPECT_FALSE(searched.empty()) << sql;
    EXPECT_EQ(searched, scalar(exhaustive_db, sql)) << sql;
  }
}

TEST(HalvingSearch, SameDecisionsAndHistoriesForAnyJobsAndAfterAKill) {
  TempDir dir;
  const std::string config = dir.write("halving.yaml", halving_config("deterministic", 20000));
  const std::string one = dir.file("one.db"), two = dir.file("two.db"), killed = dir.file("killed.db");
  ASSERT_EQ(run_program({kRun, config, "--db", one, "--jobs", "1"}, dir.path().string()).exit_code, 0);
  ASSERT_EQ(run_program({kRun, config, "--db", two, "--jobs", "2"}, dir.path().string()).exit_code, 0);
  const auto reference = search_record(one);
  EXPECT_EQ(search_record(two), reference);

  // Killed once the first rung is recorded: the search goes on from the rung-0 checkpoints, and
  // the decision of rung 0 comes out the same.
  std::string victim_err;
  ASSERT_TRUE(test_support::kill_when({kRun, config, "--db", killed, "--jobs", "2"}, dir.path().string(), killed,
                                      "SELECT COUNT(*) FROM trial_rungs WHERE rung = 0", "9", victim_err))
      << victim_err;
  ASSERT_NE(scalar(killed, "SELECT COUNT(*) FROM trial_rungs WHERE rung = 1"), "3")
      << "the kill landed after the second rung had finished: nothing would resume from a checkpoint";
  // A copy whose checkpoints are zeroed: if the rerun did not start from them (training each rung
  // from scratch instead), it could not tell, and would record what the reference did.
  const std::string zeroed = dir.file("zeroed.db");
  ASSERT_GT(test_support::changed_copy(
                killed, zeroed, "UPDATE trial_checkpoints SET weights = zeroblob(length(weights)) WHERE rung = 0"),
            0);
  const auto rerun = run_program({kRun, config, "--db", killed, "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(search_record(killed), reference);
  ASSERT_EQ(run_program({kRun, config, "--db", zeroed, "--jobs", "2"}, dir.path().string()).exit_code, 0);
  EXPECT_NE(search_record(zeroed), reference);
}

}  // namespace
}  // namespace losslab
