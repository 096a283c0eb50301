#include "worker_threads.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>
#include <system_error>

namespace losslab::runner::mpi {
namespace {

// A spare thread that found no group to join looks again this often while groups train: a group
// taken from the queue a moment ago opens to guests only once its training has started.
constexpr auto kSpareRetry = std::chrono::milliseconds(5);

}  // namespace

WorkerThreads::WorkerThreads(unsigned threads, Train train)
    : train_(std::move(train)), spares_(threads > 1 ? threads - 1 : 0) {
  for (unsigned i = 0; i < threads; ++i) {
    try {
      threads_.emplace_back([this] { loop(); });
    } catch (const std::system_error& error) {
      // As a single process does: fewer threads give the same results, only later.
      if (i == 0) throw;
      spdlog::warn("started {} of {} training threads ({}); going on with {}", i, threads, error.what(), i);
      break;
    }
  }
}

WorkerThreads::~WorkerThreads() {
  stop();
  for (std::thread& thread : threads_) thread.join();
}

void WorkerThreads::add(messages::WorkOrder order) {
  {
    std::lock_guard lock(mutex_);
    waiting_.push_back(std::move(order));
    no_more_work_ = false;
  }
  wake_.notify_one();
}

void WorkerThreads::no_more_work() {
  {
    std::lock_guard lock(mutex_);
    no_more_work_ = true;
  }
  wake_.notify_all();
}

std::size_t WorkerThreads::unfinished() const {
  std::lock_guard lock(mutex_);
  return waiting_.size() + training_;
}

void WorkerThreads::wait_until_idle() {
  std::unique_lock lock(mutex_);
  finished_.wait(lock, [this] { return (waiting_.empty() || stopping_) && training_ == 0; });
}

void WorkerThreads::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    waiting_.clear();
  }
  wake_.notify_all();
  finished_.notify_all();
}

std::exception_ptr WorkerThreads::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void WorkerThreads::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !waiting_.empty() || (no_more_work_ && training_ > 0); });
    if (stopping_) return;
    if (!waiting_.empty()) {
      const messages::WorkOrder order = std::move(waiting_.front());
      waiting_.pop_front();
      ++training_;
      lock.unlock();
      std::exception_ptr error;
      try {
        train_(order, spares_);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      --training_;
      if (error && !error_) {
        error_ = error;
        stopping_ = true;
        wake_.notify_all();
      }
      finished_.notify_all();
      continue;
    }
    // Nothing waits and rank 0 has nothing left: help a group still training until it ends.
    lock.unlock();
    const std::size_t helped = spares_.help();
    helped_ += helped;
    lock.lock();
    if (helped == 0)
      wake_.wait_for(lock, kSpareRetry, [this] { return stopping_ || !waiting_.empty(); });
  }
}

}  // namespace losslab::runner::mpi
