// Sweep expansion: an ExperimentConfig -> the list of trials it describes, each with a stable key.
#pragma once

#include <string>
#include <vector>

#include "losslab/runner/config.hpp"
#include "losslab/runner/params.hpp"
#include "losslab/trainer.hpp"

namespace losslab::runner {

struct Trial {
  std::string key;   // trial_key(): 16 hex digits
  std::string name;  // readable: "softmax/sgd/lr=1e-3/reg=1e-4/seed=0"
  ResolvedParams params;             // fully resolved; inactive parameters at their defaults
  std::vector<std::string> swept;    // the keys this sweep varies that are active for it (in axis order)
  std::size_t sample = 0;            // which sample of the random space it was built from (0 without one)
};

// Every trial of the sweep, in a deterministic order (grid in axis order, last axis fastest;
// then zip; then random samples; then seeds). Throws ConfigError if the expansion exceeds
// sweep.max_trials, and std::invalid_argument for sweep.sampler: tpe, whose trials depend on the
// results of the rounds before them (tpe_rounds.hpp builds them with the overload below).
std::vector<Trial> expand_trials(const ExperimentConfig& config);

// The same expansion with `samples` (each one value per sweep.random axis, in axis order) as the
// samples of the random space, in place of the sweep.random.trials draws; no samples: none.
std::vector<Trial> expand_trials(const ExperimentConfig& config, const std::vector<std::vector<ParamValue>>& samples);

// The trials known before any result, as `losslab-run --dry-run` lists them: every trial of the
// sweep, or round 0 of a sweep.sampler: tpe sweep (its later rounds are chosen from results).
std::vector<Trial> known_trials(const ExperimentConfig& config);

// The key of one resolved parameter set: a hash of the experiment name and the parameters that
// are active for the trial's choices and differ from their baseline (runner/README.md, "Trial
// keys"). Two param sets that differ in an active value differ in key; an inactive value changes
// nothing.
std::string trial_key(const std::string& experiment_name, const ResolvedParams& params);

// The readable trial name built from the swept keys (loss and optimizer kinds always first).
std::string trial_name(const ResolvedParams& params, const std::vector<std::string>& swept);

// The core library's settings for one trial.
TrainerConfig to_trainer_config(const ResolvedParams& params);

}  // namespace losslab::runner
