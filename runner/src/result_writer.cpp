#include "result_writer.hpp"

#include <chrono>

namespace losslab::runner {
namespace {
constexpr auto kHeartbeatInterval = std::chrono::seconds(5);
}

ResultWriter::ResultWriter(ResultsStore& store, std::int64_t run_id, bool has_bias_row)
    : store_(store), run_id_(run_id), has_bias_row_(has_bias_row), thread_([this] { loop(); }) {}

ResultWriter::~ResultWriter() {
  try {
    close();
  } catch (...) {
    // Reported by the caller's own close(); a destructor must not throw.
  }
}

void ResultWriter::trial_started(std::int64_t trial_id) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Message{trial_id, true, TrialStatus::running, nullptr, {}});
  }
  wake_.notify_one();
}

void ResultWriter::trial_finished(std::int64_t trial_id, TrialStatus status,
                                  std::unique_ptr<TrainResult> result, std::string error) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Message{trial_id, false, status, std::move(result), std::move(error)});
  }
  wake_.notify_one();
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
      try {
        if (!error_) write(message);
      } catch (...) {
        lock.lock();
        error_ = std::current_exception();
        continue;
      }
      lock.lock();
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

void ResultWriter::write(Message& message) {
  if (message.started) {
    store_.mark_running(message.trial_id, run_id_);
    return;
  }
  TrialOutcome outcome;
  outcome.status = message.status;
  outcome.result = message.result.get();
  outcome.error = message.error;
  outcome.has_bias_row = has_bias_row_;
  store_.record_outcome(message.trial_id, outcome);
}

}  // namespace losslab::runner
