// A few threads that split one training step (or one evaluation pass) between them (private to core/src).
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace losslab::detail {

// `size()` threads: the caller's plus size() - 1 helpers that live as long as the team. A run is
// a fork-join over tasks 0..count-1, task i always on thread i % size(), so the work each thread
// does (and so every result built from per-task parts) never depends on timing. Helpers spin
// briefly between runs, since steps follow each other within microseconds, then sleep.
class WorkTeam {
 public:
  using Task = std::function<void(std::size_t task, unsigned thread)>;

  explicit WorkTeam(unsigned threads);
  ~WorkTeam();
  WorkTeam(const WorkTeam&) = delete;
  WorkTeam& operator=(const WorkTeam&) = delete;

  unsigned size() const { return static_cast<unsigned>(helpers_.size()) + 1; }

  // Runs task(i, thread) for every i in [0, count) and returns when all are done; rethrows the
  // first exception a task threw.
  void run(std::size_t count, const Task& task);

 private:
  void helper_loop(unsigned thread);
  void run_share(unsigned thread);

  std::vector<std::thread> helpers_;
  std::atomic<std::uint64_t> generation_{0};  // bumped once per run (and once to stop)
  std::atomic<unsigned> pending_{0};          // helpers still working on the current run
  bool stopping_ = false;                     // written before the final bump
  const Task* task_ = nullptr;
  std::size_t count_ = 0;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

}  // namespace losslab::detail
