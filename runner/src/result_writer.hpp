// The one thread that writes to the results database. Workers hand it trial starts and outcomes;
// it applies them in order, and refreshes the run's heartbeat while the sweep runs.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "losslab/runner/results/store.hpp"

namespace losslab::runner {

// What is recorded with every trial's weights: whether W ends with a bias row, and the
// preprocessing they apply after (ResultsStore::record_preprocessing; -1: none).
struct WeightsContext {
  bool has_bias_row = false;
  std::int64_t preprocessing_id = -1;
};

class ResultWriter {
 public:
  // `weights`: what is recorded with each trial's weights; `train_examples`: the size of the
  // training split the trials train on (recorded with each outcome).
  ResultWriter(ResultsStore& store, std::int64_t run_id, WeightsContext weights, std::size_t train_examples);
  ~ResultWriter();  // drains the queue
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  void trial_started(std::int64_t trial_id);
  // Claims a trial for this run (see ResultsStore::claim_trial) and waits for the answer; false
  // when another process has it or a write already failed.
  // With `rung` (a halving search), only while the trial has not finished that rung.
  bool claim(std::int64_t trial_id, bool rerun_finished, std::optional<int> rung = std::nullopt);
  void trial_finished(std::int64_t trial_id, TrialStatus status, std::unique_ptr<TrainResult> result,
                      std::string error, std::optional<RungOutcome> rung = std::nullopt);
  // Writes everything queued and stops the thread. Rethrows the first write error, if any.
  void close();
  // True once a write failed: the sweep should stop starting trials.
  bool failed() const;

 private:
  struct Message {
    enum class Kind { start, claim, outcome };
    Message(Kind k, std::int64_t id) : kind(k), trial_id(id) {}
    Kind kind;
    std::int64_t trial_id;
    TrialStatus status = TrialStatus::running;
    std::unique_ptr<TrainResult> result;
    std::string error;
    bool rerun_finished = false;             // claim
    std::optional<int> claim_rung;           // claim: of a halving search's rung
    std::optional<RungOutcome> rung;         // outcome: of a halving search's rung
    std::promise<bool>* claimed = nullptr;   // claim: where the answer goes
  };
  void post(Message message);
  void loop();
  bool write(Message& message);  // for a claim: whether it was claimed

  ResultsStore& store_;
  std::int64_t run_id_;
  WeightsContext weights_;
  std::size_t train_examples_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Message> queue_;
  bool closing_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace losslab::runner
