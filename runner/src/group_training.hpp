// Trains one group of fusable trials and says what became of each: the one code path shared by the
// worker threads of a single process and the worker ranks of an MPI sweep, so both record the
// same histories bit for bit.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "losslab/runner/results/store.hpp"
#include "losslab/trainer.hpp"

namespace losslab::runner {

// What became of one trial, and why.
struct TrialReport {
  TrialStatus status = TrialStatus::failed;
  std::string error;
  std::unique_ptr<TrainResult> result;  // null when training produced nothing (a failure)
};

// How the caller steers a group while it trains.
struct GroupControl {
  std::function<bool()> should_stop;         // polled after every step and every epoch
  std::function<std::string()> stop_reason;  // why should_stop said so
};

// Trains `configs` as one fused group (train_fused). If the group cannot run as one (a trial's
// settings are rejected), each wanted trial runs alone, so one bad trial fails alone. Trials not
// `wanted` still train as partners of the group when it fuses (a trial's history depends on its
// group), but get no report; their entries are left as default TrialReports.
// `threads`, and spare threads that join through `spares`, share each step (train_fused); the
// results do not depend on them.
// With `resume_from` (one per config, a halving search's later rung), each trial goes on from that
// state (train_fused's resume_from).
std::vector<TrialReport> train_group(const Splits& data, const std::vector<TrainerConfig>& configs,
                                     const std::vector<char>& wanted, const GroupControl& control,
                                     unsigned threads = 1, SpareThreads* spares = nullptr,
                                     const std::vector<const TrainResult*>& resume_from = {});

}  // namespace losslab::runner
