#include "result_writer.hpp"

#include <chrono>

namespace losslab::runner {
namespace {
constexpr auto kHeartbeatInterval = std::chrono::seconds(5);
}

ResultWriter::ResultWriter(ResultsStore& store, std::int64_t run_id, WeightsContext weights, std::size_t train_examples)
    : store_(store), run_id_(run_id), weights_(weights), train_examples_(train_examples), thread_([this] { loop(); }) {}

ResultWriter::~ResultWriter() {
  try {
    close();
  } catch (...) {
    // Reported by the caller's own close(); a destructor must not throw.
  }
}

void ResultWriter::post(Message message) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(message));
  }
  wake_.notify_one();
}

void ResultWriter::trial_started(std::int64_t trial_id) { post(Message{Message::Kind::start, trial_id}); }

bool ResultWriter::claim(std::int64_t trial_id, bool rerun_finished, std::optional<int> rung) {
  std::promise<bool> claimed;
  auto answer = claimed.get_future();
  Message message{Message::Kind::claim, trial_id};
  message.rerun_finished = rerun_finished;
  message.claim_rung = rung;
  message.claimed = &claimed;
  post(std::move(message));
  return answer.get();
}

void ResultWriter::trial_finished(std::int64_t trial_id, TrialStatus status,
                                  std::unique_ptr<TrainResult> result, std::string error,
                                  std::optional<RungOutcome> rung) {
  Message message{Message::Kind::outcome, trial_id};
  message.status = status;
  message.result = std::move(result);
  message.error = std::move(error);
  message.rung = rung;
  post(std::move(message));
}

bool ResultWriter::failed() const {
  std::lock_guard lock(mutex_);
  return error_ != nullptr;
}

void ResultWriter::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  if (error_) {
    auto error = error_;
    error_ = nullptr;
    std::rethrow_exception(error);
  }
}

void ResultWriter::loop() {
  auto next_heartbeat = std::chrono::steady_clock::now() + kHeartbeatInterval;
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_until(lock, next_heartbeat, [this] { return closing_ || !queue_.empty(); });
    if (queue_.empty() && closing_) return;
    if (!queue_.empty()) {
      Message message = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      bool claimed = false;
      std::exception_ptr failure;
      try {
        if (!error_) claimed = write(message);  // error_ is only ever set by this thread
      } catch (...) {
        failure = std::current_exception();
      }
      // A claimer always gets an answer, even after a failed write (then: not claimed).
      if (message.claimed) message.claimed->set_value(claimed);
      lock.lock();
      if (failure) error_ = failure;
      if (error_) continue;
    }
    if (std::chrono::steady_clock::now() >= next_heartbeat) {
      next_heartbeat = std::chrono::steady_clock::now() + kHeartbeatInterval;
      lock.unlock();
      try {
        if (!error_) store_.heartbeat(run_id_);
      } catch (...) {
        lock.lock();
        error_ = std::current_exception();
        continue;
      }
      lock.lock();
    }
  }
}

bool ResultWriter::write(Message& message) {
  switch (message.kind) {
    case Message::Kind::start: store_.mark_running(message.trial_id, run_id_); return true;
    case Message::Kind::claim: return store_.claim_trial(message.trial_id, run_id_, message.rerun_finished, message.claim_rung);
    case Message::Kind::outcome: break;
  }
  TrialOutcome outcome;
  outcome.status = message.status;
  outcome.result = message.result.get();
  outcome.error = message.error;
  outcome.has_bias_row = weights_.has_bias_row;
  outcome.preprocessing_id = weights_.preprocessing_id;
  outcome.train_examples = train_examples_;
  outcome.rung = message.rung;
  store_.record_outcome(message.trial_id, outcome);
  return true;
}

}  // namespace losslab::runner
