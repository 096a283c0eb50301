#include "sweep_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>

#include "losslab/runner/results/ranking.hpp"
#include "losslab/runner/results/reader.hpp"

namespace losslab::runner {
namespace {

std::string fixed(double value, int digits) {
  if (!std::isfinite(value)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

void print_trial_table(std::ostream& out, const std::vector<const TrialRecord*>& trials) {
  std::size_t name_width = 5;
  for (const TrialRecord* t : trials) name_width = std::max(name_width, t->name.size());
  char line[512];
  std::snprintf(line, sizeof line, "  %-4s %-*s %-11s %8s %8s %8s %10s %8s\n", "rank", static_cast<int>(name_width),
                "trial", "status", "val acc", "test acc", "train acc", "final loss", "seconds");
  out << line;
  int rank = 1;
  for (const TrialRecord* t : trials) {
    std::snprintf(line, sizeof line, "  %-4d %-*s %-11s %8s %8s %8s %10s %8s\n", rank++, static_cast<int>(name_width),
                  t->name.c_str(), t->status.c_str(), fixed(t->val_accuracy, 4).c_str(),
                  fixed(t->test_accuracy, 4).c_str(), fixed(t->train_accuracy, 4).c_str(),
                  fixed(t->final_loss, 4).c_str(), fixed(t->train_seconds, 2).c_str());
    out << line;
  }
}

// The rungs of a halving search: how many trials each trained, and how many went on.
void print_rungs(std::ostream& out, const std::vector<RungSummary>& rungs) {
  out << "\nrungs:\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-7s %-4s %6s %6s %8s %6s %9s %6s %12s\n", "bracket", "rung", "epochs", "trials",
                "promoted", "pruned", "completed", "failed", "best val acc");
  out << line;
  for (const RungSummary& r : rungs) {
    std::snprintf(line, sizeof line, "  %-7d %-4d %6d %6zu %8zu %6zu %9zu %6zu %12s\n", r.bracket, r.rung, r.epochs,
                  r.trials, r.promoted, r.pruned, r.completed, r.stopped, fixed(r.best_val_accuracy, 4).c_str());
    out << line;
  }
}

// The rounds of a TPE sweep: what became of the trials each chose, and the best validation
// accuracy each reached, which is what the sampler is meant to raise.
void print_rounds(std::ostream& out, const std::vector<TrialRecord>& trials) {
  std::map<int, std::vector<TrialRecord>> by_round;
  for (const TrialRecord& trial : trials)
    if (trial.round >= 0) by_round[trial.round].push_back(trial);
  if (by_round.empty()) return;
  out << "\nrounds:\n";
  for (const auto& [round, members] : by_round) {
    const auto ranked = rank_trials(members, SortKey{});
    out << "  round " << round << ": " << members.size() << " trial" << (members.size() == 1 ? "" : "s")
        << ", best val acc " << fixed(ranked.empty() ? NAN : ranked.front()->val_accuracy, 4) << " (";
    const char* separator = "";
    for (const auto& [status, count] : count_by_status(members)) {
      out << separator << status << ' ' << count;
      separator = ", ";
    }
    out << ")\n";
  }
}

// The refits (sweep.refit), apart from the ranked search trials: they trained on the validation
// data, so only their test split says how well they do.
void print_refits(std::ostream& out, const std::vector<TrialRecord>& trials) {
  const auto refits = refit_trials(trials);
  if (refits.empty()) return;
  std::size_t name_width = 5, of_width = 8;
  const auto search_name = [&](const TrialRecord& refit) {
    for (const TrialRecord& trial : trials)
      if (trial.id == refit.refit_of) return trial.name;
    return "trial " + std::to_string(refit.refit_of);
  };
  for (const TrialRecord* t : refits) {
    name_width = std::max(name_width, t->name.size());
    of_width = std::max(of_width, search_name(*t).size());
  }
  out << "\nrefit on training + validation data, scored once on test (not ranked):\n";
  char line[768];
  std::snprintf(line, sizeof line, "  %-*s %-11s %-*s %14s %8s %13s %8s\n", static_cast<int>(name_width), "trial",
                "status", static_cast<int>(of_width), "refit of", "train examples", "test acc", "test macro-F1",
                "seconds");
  out << line;
  for (const TrialRecord* t : refits) {
    const std::string examples = t->train_examples < 0 ? "-" : std::to_string(t->train_examples);
    std::snprintf(line, sizeof line, "  %-*s %-11s %-*s %14s %8s %13s %8s\n", static_cast<int>(name_width),
                  t->name.c_str(), t->status.c_str(), static_cast<int>(of_width), search_name(*t).c_str(),
                  examples.c_str(), fixed(t->test_accuracy, 4).c_str(), fixed(t->test_macro_f1, 4).c_str(),
                  fixed(t->train_seconds, 2).c_str());
    out << line;
  }
}

}  // namespace

void print_sweep_summary(std::ostream& out, ResultsStore& store, std::int64_t experiment_id,
                         const std::string& experiment_name, int rows) {
  const auto trials = read_trials(store.database(), experiment_id);
  out << "experiment " << experiment_name << " (" << store.path() << "):";
  for (const auto& [status, count] : count_by_status(trials)) out << ' ' << status << ' ' << count;
  if (const auto rungs = summarize_rungs(read_rungs(store.database(), experiment_id)); !rungs.empty())
    print_rungs(out, rungs);
  print_rounds(out, trials);
  const SortKey sort = default_sort_key(trials);
  auto ranked = rank_trials(trials, sort);
  if (ranked.empty()) {
    out << "\nno completed or pruned trial to rank\n";
  } else {
    if (ranked.size() > static_cast<std::size_t>(rows)) ranked.resize(static_cast<std::size_t>(rows));
    out << "\ntop " << ranked.size() << " trials by " << sort.metric << ":\n";
    print_trial_table(out, ranked);
  }
  print_refits(out, trials);
}

}  // namespace losslab::runner
