// The messages rank 0 and the worker ranks of an MPI sweep exchange, as bytes. Each is a CBOR
// document (nlohmann::json); the float arrays (loss history, weights) travel as raw binary, so
// every value, NaN included, arrives bit for bit. Nothing here knows MPI: the encoding is tested
// on its own, and the MPI code only moves the bytes.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "group_training.hpp"
#include "losslab/runner/params.hpp"
#include "losslab/runner/results/records.hpp"

namespace losslab::runner::messages {

using Bytes = std::vector<std::uint8_t>;

// A message that cannot be decoded (a bug, or a worker built from other sources).
class MessageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Rank 0 -> worker: load this dataset (the dataset.* keys of the resolved config). A sweep may ask
// more than once (a refit's splits after the search's): `load` numbers the requests, and a worker
// still loading for an earlier one when a later one arrives answers only the later one.
struct LoadRequest {
  ResolvedParams params;
  double heartbeat_seconds = 1;  // how often a busy worker says it is alive
  std::uint64_t load = 0;
};

// Worker -> rank 0, once the dataset is loaded (or could not be).
struct WorkerReady {
  std::uint64_t load = 0;  // the LoadRequest answered: an answer to an earlier one is stale
  std::string error;  // empty: loaded
  std::map<std::string, std::string> checksums;
  std::string description;
  bool has_bias_row = false;
  Preprocessing preprocessing;  // recorded with the trials' weights
  std::uint64_t train_examples = 0;
  double load_seconds = 0;
  std::uint32_t threads = 1;  // its training threads: how many groups rank 0 may hand it at once
  std::string host;
  std::int64_t pid = 0;
};

// Rank 0 -> worker: train these trials as one group (in this order: the order decides the group's
// GEMM layout, hence the rounding). `wanted`: the trials whose outcome rank 0 will record.
struct WorkOrder {
  std::uint64_t group_id = 0;
  std::vector<ResolvedParams> trials;
  std::vector<char> wanted;
  // A halving search's later rung: one state per trial to go on from (train_fused's resume_from);
  // empty otherwise.
  std::vector<TrainResult> resume;
  // false for a halving rung that pauses its trials (TrainingSpec::score_at_end).
  bool score_at_end = true;
};

// Worker -> rank 0: the outcome of every wanted trial of a group (unwanted entries stay empty).
struct GroupOutcome {
  std::uint64_t group_id = 0;
  std::vector<TrialReport> reports;
};

Bytes encode(const LoadRequest& message);
Bytes encode(const WorkerReady& message);
Bytes encode(const WorkOrder& message);
Bytes encode(const GroupOutcome& message);

LoadRequest decode_load_request(const Bytes& bytes);
WorkerReady decode_worker_ready(const Bytes& bytes);
WorkOrder decode_work_order(const Bytes& bytes);
GroupOutcome decode_group_outcome(const Bytes& bytes);

}  // namespace losslab::runner::messages
