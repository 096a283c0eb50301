// Successive halving and Hyperband end to end: the real losslab-run on Fashion-MNIST and its real
// database. The rung decisions are checked against a query of our own on trial_rungs (the one
// ranking: validation accuracy, then training accuracy, final loss, trial id); Hyperband's brackets
// train side by side, those that start higher warming up beside the others; a promoted trial goes
// on exactly as if it had trained straight through; and the same decisions and histories come out
// of --jobs 1, --jobs 2 and a run killed in the middle of a rung (or of a warm-up) and rerun.
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
// As hyperband (n_s = 9, 5, 3 for s = 2, 1, 0; the 9 trials split 5, 3, 1 by largest remainder):
// bracket 0 has rungs of 1, 3 and 9 epochs, 5 -> 1 -> 1; bracket 1 of 3 and 9, 3 -> 1; bracket 2
// one rung of 9 epochs. Stage 0 trains all 9 to 1 epoch, stage 1 the 5 left to 3, stage 2 the 3 to 9.
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

// Hyperband trains its brackets side by side: each stage is one round whose fused groups mix the
// brackets; a bracket that starts higher warms up beside the others (its epochs are recorded, its
// state is kept between stages) but has rows in trial_rungs for its own rungs only.
TEST(HalvingSearch, HyperbandTrainsItsBracketsSideBySide) {
  TempDir dir;
  const std::string config = dir.write("hyperband.yaml", halving_config("hyperband", 3000, "hyperband"));
  const std::string db = dir.file("results.db");
  const auto run = run_program({kRun, config, "--db", db, "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const std::string line : {"stage 0: 9 trials of 3 brackets to 1 epochs, 9 to run",
                                 "stage 1: 5 trials of 3 brackets to 3 epochs, 5 to run",
                                 "stage 2: 3 trials of 3 brackets to 9 epochs, 3 to run",
                                 // Stage 1 is one group: bracket 0's rung 1, bracket 1's rung 0 and
                                 // bracket 2's second warm-up segment, fused.
                                 "running up to 5 trials in 1 group"})
    EXPECT_NE(run.err.find(line), std::string::npos) << line << "\n" << run.err;
  EXPECT_EQ(column(db, "SELECT bracket || ' ' || rung || ' ' || epochs || ' ' || COUNT(*) || ' ' || "
                       "SUM(outcome = 'promoted') || ' ' || SUM(outcome = 'pruned') || ' ' || "
                       "SUM(outcome = 'completed') FROM trial_rungs GROUP BY bracket, rung ORDER BY bracket, rung"),
            (std::vector<std::string>{"0 0 1 5 1 4 0", "0 1 3 1 1 0 0", "0 2 9 1 0 0 1", "1 0 3 3 1 2 0",
                                      "1 1 9 1 0 0 1", "2 0 9 1 0 0 1"}));
  // Every trial's history runs from epoch 1 to where it stopped, warm-up epochs included: the
  // trials of bracket 1 trained 3 epochs, those of bracket 2 nine, before their first rung.
  EXPECT_EQ(column(db, "SELECT r.bracket || ' ' || t.epochs_done || ' ' || COUNT(*) FROM trials t JOIN "
                       "(SELECT trial_id, MIN(bracket) AS bracket FROM trial_rungs GROUP BY trial_id) r "
                       "ON r.trial_id = t.id WHERE t.epochs_done = (SELECT COUNT(*) FROM epoch_metrics e "
                       "WHERE e.trial_id = t.id AND e.epoch BETWEEN 1 AND t.epochs_done) AND t.epochs_done * 20 = "
                       "(SELECT COUNT(*) FROM loss_history h WHERE h.trial_id = t.id) "
                       "GROUP BY r.bracket, t.epochs_done ORDER BY r.bracket, t.epochs_done"),
            (std::vector<std::string>{"0 1 4", "0 9 1", "1 3 2", "1 9 1", "2 9 1"}));
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trials WHERE status = 'completed' AND test_accuracy > 0.5"), "3");
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trial_checkpoints"), "0");
}

// A trial that diverges before its bracket's last rung ends there, recorded diverged at that rung
// and not ranked; in Hyperband's warm-up, at its bracket's rung 0, where it still counts as one
// that entered. Learning rate 1e6 diverges in the first epoch: trials 4, 5 and 6. In Hyperband
// 4 and 5 are in bracket 0 (rung 0 of 1 epoch), 6 in bracket 1 (warming up for rung 0, 3 epochs).
TEST(HalvingSearch, ATrialThatDivergesBeforeItsLastRungEndsThere) {
  struct Case {
    const char* strategy;
    std::vector<std::string> diverged;  // trial, bracket, rung, epochs, status, trials.rung
    const char* pruned_at_rung_0;       // the error of the trials rung 0 pruned
    const char* pruned;                 // how many
  };
  for (const Case& search :
       {Case{"successive_halving", {"4 0 0 1 diverged 0", "5 0 0 1 diverged 0", "6 0 0 1 diverged 0"},
             "not among the best 3 of 9 at rung 0 (1 epochs)", "3"},
        Case{"hyperband", {"4 0 0 1 diverged 0", "5 0 0 1 diverged 0", "6 1 0 3 diverged 0"},
             "not among the best 1 of 3 at rung 0 (3 epochs)", "1"}}) {
    SCOPED_TRACE(search.strategy);
    TempDir dir;
    const std::string config = dir.write(
        "diverging.yaml", halving_config("diverging", 3000, search.strategy, "[1.0e-2, 1.0e+6, 1.0e-1]"));
    const std::string db = dir.file("results.db");
    const auto run = run_program({kRun, config, "--db", db, "--jobs", "2"}, dir.path().string());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(column(db, "SELECT r.trial_id || ' ' || r.bracket || ' ' || r.rung || ' ' || r.epochs || ' ' || "
                         "t.status || ' ' || t.rung FROM trial_rungs r JOIN trials t ON t.id = r.trial_id "
                         "WHERE r.outcome = 'diverged' ORDER BY r.trial_id"),
              search.diverged);
    EXPECT_EQ(scalar(db, std::string("SELECT COUNT(*) FROM trials WHERE status = 'pruned' AND error = '") +
                             search.pruned_at_rung_0 + "'"),
              search.pruned);
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM trial_checkpoints"), "0");
  }
}

// Trained alone (--no-fuse), a search's winner has the same loss history and weights, bit for
// bit, as the same trial trained to 9 epochs in one go by an exhaustive sweep: each rung went on
// from the exact state the previous one ended in. In Hyperband each bracket's winner does: bracket
// 2's went through two warm-up segments and bracket 1's through one before their first rung.
TEST(HalvingSearch, APromotedTrialGoesOnAsIfItHadTrainedStraight) {
  TempDir dir;
  const std::string exhaustive = dir.write("exhaustive.yaml", halving_config("straight", 3000, "exhaustive"));
  const std::string exhaustive_db = dir.file("exhaustive.db");
  ASSERT_EQ(run_program({kRun, exhaustive, "--db", exhaustive_db, "--no-fuse"}, dir.path().string()).exit_code, 0);
  for (const auto& [strategy, winners] : {std::pair{"successive_halving", 1}, std::pair{"hyperband", 3}}) {
    SCOPED_TRACE(strategy);
    const std::string halving = dir.write(std::string(strategy) + ".yaml", halving_config("straight", 3000, strategy));
    const std::string halving_db = dir.file(std::string(strategy) + ".db");
    ASSERT_EQ(run_program({kRun, halving, "--db", halving_db, "--no-fuse"}, dir.path().string()).exit_code, 0);
    const auto completed = column(halving_db, "SELECT trial_key FROM trials WHERE status = 'completed'");
    ASSERT_EQ(completed.size(), static_cast<std::size_t>(winners));
    for (const std::string& winner : completed) {
      const std::string of_winner = " JOIN trials t ON t.id = x.trial_id WHERE t.trial_key = '" + winner + "'";
      for (const std::string& sql :
           {"SELECT group_concat(quote(x.loss), ',') FROM (SELECT * FROM loss_history ORDER BY step) x" + of_winner,
            "SELECT hex(x.data) FROM trial_weights x" + of_winner,
            "SELECT group_concat(quote(x.val_accuracy) || '/' || quote(x.mean_loss), ',') FROM "
            "(SELECT * FROM epoch_metrics ORDER BY epoch) x" + of_winner}) {
        const std::string searched = scalar(halving_db, sql);
        EXPECT_FALSE(searched.empty()) << sql;
        EXPECT_EQ(searched, scalar(exhaustive_db, sql)) << winner << ": " << sql;
      }
    }
  }
}

// Runs the search with --jobs 1 and --jobs 2, and once killed when `kill_sql` returns `kill_value`
// then rerun: all three record the same. `resumable_sql` must return 1 after the kill (the next
// stage has not finished, so the rerun goes on from checkpoints); a copy of the killed database
// whose checkpoints `zero_where` selects are zeroed must come out differently once rerun (if the
// rerun did not start from them, training from scratch instead, it could not tell).
void expect_same_for_any_jobs_and_after_a_kill(const std::string& strategy, const std::string& kill_sql,
                                               const std::string& kill_value, const std::string& resumable_sql,
                                               const std::string& zero_where) {
  TempDir dir;
  const std::string config = dir.write("halving.yaml", halving_config("deterministic", 20000, strategy));
  const std::string one = dir.file("one.db"), two = dir.file("two.db"), killed = dir.file("killed.db");
  ASSERT_EQ(run_program({kRun, config, "--db", one, "--jobs", "1"}, dir.path().string()).exit_code, 0);
  ASSERT_EQ(run_program({kRun, config, "--db", two, "--jobs", "2"}, dir.path().string()).exit_code, 0);
  const auto reference = search_record(one);
  EXPECT_EQ(search_record(two), reference);

  std::string victim_err;
  ASSERT_TRUE(test_support::kill_when({kRun, config, "--db", killed, "--jobs", "2"}, dir.path().string(), killed,
                                      kill_sql, kill_value, victim_err))
      << victim_err;
  ASSERT_EQ(scalar(killed, resumable_sql), "1")
      << "the kill landed after the next stage had finished: nothing would resume from a checkpoint";
  const std::string zeroed = dir.file("zeroed.db");
  ASSERT_GT(test_support::changed_copy(
                killed, zeroed, "UPDATE trial_checkpoints SET weights = zeroblob(length(weights)) WHERE " + zero_where),
            0);
  const auto rerun = run_program({kRun, config, "--db", killed, "--jobs", "2"}, dir.path().string());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(search_record(killed), reference);
  EXPECT_EQ(scalar(killed, "SELECT COUNT(*) FROM trial_checkpoints"), "0");
  ASSERT_EQ(run_program({kRun, config, "--db", zeroed, "--jobs", "2"}, dir.path().string()).exit_code, 0);
  EXPECT_NE(search_record(zeroed), reference);
}

// Killed once the first rung is recorded, before the second has finished: the search goes on from
// the rung-0 checkpoints, and the decision of rung 0 comes out the same.
TEST(HalvingSearch, SameDecisionsAndHistoriesForAnyJobsAndAfterAKill) {
  expect_same_for_any_jobs_and_after_a_kill("successive_halving", "SELECT COUNT(*) FROM trial_rungs WHERE rung = 0",
                                            "9", "SELECT COUNT(*) < 3 FROM trial_rungs WHERE rung = 1", "rung = 0");
}

// Killed once bracket 2's trial has finished its first warm-up segment, before its second (stage 1)
// is over: the rerun goes on from the warm-up checkpoints.
TEST(HalvingSearch, HyperbandMakesTheSameDecisionsForAnyJobsAndAfterAKillInWarmUp) {
  const std::string warm_up = "SELECT COUNT(*) FROM trial_checkpoints WHERE rung = -2";
  expect_same_for_any_jobs_and_after_a_kill("hyperband", warm_up, "1", warm_up, "rung < 0");
}

}  // namespace
}  // namespace losslab
