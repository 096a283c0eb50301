// A few threads that share one training step (or one evaluation pass) (private to core/src).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace losslab::detail {

// `size()` threads: the caller's plus size() - 1 helpers that live as long as the team. A run is
// a fork-join over tasks 0..count-1: every thread takes the next unclaimed task until none is
// left, so a helper the OS has descheduled delays nothing (the caller does its share). Which
// thread runs a task is timing, so each task must write only its own output; results built from
// per-task outputs in task order are then the same for any number of threads. Helpers poll
// briefly between runs, since steps follow each other within microseconds, then sleep.
class WorkTeam {
 public:
  using Task = std::function<void(std::size_t task, unsigned thread)>;
  static constexpr std::size_t kMaxTasks = 0xffff;

  // `guest_slots` more thread numbers are kept for guests: threads the team does not own that join
  // it for a while (a sweep's worker with no group left helping one still training).
  explicit WorkTeam(unsigned threads, unsigned guest_slots = 0);
  ~WorkTeam();
  WorkTeam(const WorkTeam&) = delete;
  WorkTeam& operator=(const WorkTeam&) = delete;

  unsigned size() const { return static_cast<unsigned>(helpers_.size()) + 1; }
  // How many thread numbers a task may see: size() plus the guest slots. Size per-thread buffers by it.
  unsigned capacity() const { return size() + guest_slots_; }

  // Runs task(i, thread) for every i in [0, count) (count <= kMaxTasks), `thread` in [0, capacity())
  // naming the thread that runs it (for per-thread scratch buffers); returns when all are done and
  // rethrows the first exception a task threw.
  void run(std::size_t count, const Task& task);

  // Guests: admit_guest() reserves a guest slot (nullopt when none is free or the team is
  // closed); that thread must then call serve_as_guest(slot), which takes tasks of the team's runs
  // like a helper until close_to_guests(). close_to_guests() admits no one more and returns once
  // every admitted guest has left; the destructor calls it.
  std::optional<unsigned> admit_guest();
  void serve_as_guest(unsigned thread);
  void close_to_guests();

 private:
  void work(std::uint32_t generation, unsigned thread);
  void helper_loop(unsigned thread);

  std::vector<std::thread> helpers_;
  // One word so a claim is one compare-and-swap that also checks it belongs to this run:
  // generation (32 bits) | task count (16) | next unclaimed task (16).
  std::atomic<std::uint64_t> claims_{0};
  std::atomic<std::uint32_t> generation_{0};  // what helpers wait on; bumped once per run and to stop
  std::atomic<std::size_t> done_{0};          // tasks of the current run finished
  bool stopping_ = false;                     // written before the final bump
  const Task* task_ = nullptr;                // written before a run's claims_ is published
  std::mutex error_mutex_;
  std::exception_ptr error_;

  const unsigned guest_slots_;
  std::mutex guest_mutex_;
  unsigned guests_admitted_ = 0;        // slots handed out (a guest keeps its slot until it leaves)
  bool admitting_ = true;
  std::atomic<unsigned> guests_in_{0};  // admitted and not yet left: run() cannot run inline
  std::atomic<bool> guests_leave_{false};
};

}  // namespace losslab::detail
