#include "tpe_rounds.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

namespace losslab::runner {
namespace {

// TPE from the first round with results on: round 0 is the sampler's startup of uniform draws,
// and a sweep of a few rounds would otherwise spend most of them drawing at random too.
TpeSettings sweep_settings() {
  TpeSettings settings;
  settings.startup = 1;
  return settings;
}

}  // namespace

TpeRounds::TpeRounds(const ExperimentConfig& config) : config_(config) { sample(); }

void TpeRounds::sample() {
  const SweepSpec& sweep = config_.sweep;
  // Every round passes the same seed: tpe_batch draws point i from a stream of its index in the
  // whole sweep (the history's size plus i), so the rounds differ.
  points_ = tpe_batch(sweep.random, history_, sweep.batch, sweep.random_seed, sweep_settings());
  trials_.clear();
  for (Trial& trial : expand_trials(config_, points_))
    if (!earlier_keys_.count(trial.key)) trials_.push_back(std::move(trial));
}

void TpeRounds::advance(const std::vector<TrialRecord>& records) {
  std::map<std::string, const TrialRecord*> by_key;
  for (const TrialRecord& record : records) by_key[record.key] = &record;
  std::vector<double> scores;
  for (const Trial& trial : trials_) {
    const auto it = by_key.find(trial.key);
    const std::string status = it == by_key.end() ? "unregistered" : it->second->status;
    // Taking an unfinished trial as the worst would choose the next round from results that change.
    if (status != "completed" && status != "pruned" && status != "diverged" && status != "failed")
      throw std::logic_error("round " + std::to_string(round_) + " of the TPE sweep is not finished: trial " +
                             trial.name + " is " + status);
    scores.push_back(tpe_score(*it->second));
  }
  for (std::size_t i = 0; i < trials_.size(); ++i) {
    history_.push_back({points_.at(trials_[i].sample), scores[i]});
    earlier_keys_.insert(trials_[i].key);
  }
  ++round_;
  sample();
}

double tpe_score(const TrialRecord& record) {
  return record.status == "completed" || record.status == "pruned" ? record.val_accuracy : NAN;
}

std::vector<Trial> known_trials(const ExperimentConfig& config) {
  if (config.sweep.sampler == Sampler::tpe) return TpeRounds(config).trials();
  return expand_trials(config);
}

}  // namespace losslab::runner
