#include "work_team.hpp"

#include <stdexcept>
#include <system_error>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace losslab::detail {
namespace {

// Tens of microseconds of polling: longer than the gap between two steps, far shorter than
// anything a sleeping helper would notice.
constexpr int kSpinRounds = 4000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// Waits until `value` differs from `old`: polls first, then blocks in the kernel.
template <typename T>
T wait_for_change(const std::atomic<T>& value, T old) {
  for (int round = 0; round < kSpinRounds; ++round) {
    const T now = value.load(std::memory_order_acquire);
    if (now != old) return now;
    cpu_relax();
  }
  for (;;) {
    value.wait(old, std::memory_order_acquire);
    const T now = value.load(std::memory_order_acquire);
    if (now != old) return now;
  }
}

std::uint64_t pack(std::uint32_t generation, std::size_t count, std::size_t next) {
  return (std::uint64_t{generation} << 32) | (std::uint64_t{count} << 16) | std::uint64_t{next};
}

}  // namespace

WorkTeam::WorkTeam(unsigned threads, unsigned guest_slots) : guest_slots_(guest_slots) {
  for (unsigned thread = 1; thread < threads; ++thread) {
    try {
      helpers_.emplace_back([this, thread] { helper_loop(thread); });
    } catch (const std::system_error&) {
      break;  // the system allows no more threads: a smaller team computes the same results
    }
  }
}

WorkTeam::~WorkTeam() {
  close_to_guests();
  if (helpers_.empty()) return;
  stopping_ = true;
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (auto& helper : helpers_) helper.join();
}

// Claims and runs tasks of run `generation` until none is left (or that run is over).
void WorkTeam::work(std::uint32_t generation, unsigned thread) {
  std::uint64_t claims = claims_.load(std::memory_order_acquire);
  for (;;) {
    const auto next = static_cast<std::size_t>(claims & 0xffff);
    const auto count = static_cast<std::size_t>((claims >> 16) & 0xffff);
    if (static_cast<std::uint32_t>(claims >> 32) != generation || next >= count) return;
    if (!claims_.compare_exchange_weak(claims, claims + 1, std::memory_order_acq_rel, std::memory_order_acquire))
      continue;  // `claims` now holds the current word: look again
    // The claim succeeded, so this run is not over and task_ is still its task.
    try {
      (*task_)(next, thread);
    } catch (...) {
      std::lock_guard lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
    }
    if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == count) done_.notify_one();
    claims = claims_.load(std::memory_order_acquire);
  }
}

void WorkTeam::run(std::size_t count, const Task& task) {
  // A guest admitted meanwhile only finds this run's tasks taken: it helps with the next one.
  if (count <= 1 || (helpers_.empty() && guests_in_.load(std::memory_order_acquire) == 0)) {
    for (std::size_t i = 0; i < count; ++i) task(i, 0);
    return;
  }
  if (count > kMaxTasks) throw std::invalid_argument("WorkTeam::run: too many tasks");
  task_ = &task;
  error_ = nullptr;
  done_.store(0, std::memory_order_relaxed);
  const std::uint32_t generation = generation_.load(std::memory_order_relaxed) + 1;
  claims_.store(pack(generation, count, 0), std::memory_order_release);  // publishes task_
  generation_.store(generation, std::memory_order_release);
  generation_.notify_all();
  work(generation, 0);
  for (std::size_t finished = done_.load(std::memory_order_acquire); finished != count;)
    finished = wait_for_change(done_, finished);
  if (error_) std::rethrow_exception(error_);
}

std::optional<unsigned> WorkTeam::admit_guest() {
  std::lock_guard lock(guest_mutex_);
  if (!admitting_ || guests_admitted_ == guest_slots_) return std::nullopt;
  guests_in_.fetch_add(1, std::memory_order_acq_rel);
  return size() + guests_admitted_++;
}

void WorkTeam::serve_as_guest(unsigned thread) {
  // close_to_guests() sets guests_leave_ before it bumps the generation: a guest that saw the bump
  // sees the flag, and one that did not is woken by the bump.
  for (std::uint32_t seen = generation_.load(std::memory_order_acquire);;) {
    if (guests_leave_.load(std::memory_order_acquire)) break;
    work(seen, thread);  // the run under way, if any
    seen = wait_for_change(generation_, seen);
  }
  guests_in_.fetch_sub(1, std::memory_order_acq_rel);
  guests_in_.notify_all();
}

void WorkTeam::close_to_guests() {
  {
    std::lock_guard lock(guest_mutex_);
    admitting_ = false;
  }
  if (guests_in_.load(std::memory_order_acquire) == 0) return;
  guests_leave_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_release);  // wakes them; own helpers find no run and wait again
  generation_.notify_all();
  for (unsigned in = guests_in_.load(std::memory_order_acquire); in != 0; in = guests_in_.load(std::memory_order_acquire))
    guests_in_.wait(in, std::memory_order_acquire);
}

void WorkTeam::helper_loop(unsigned thread) {
  std::uint32_t seen = 0;
  for (;;) {
    seen = wait_for_change(generation_, seen);
    if (stopping_) return;
    work(seen, thread);
  }
}

}  // namespace losslab::detail
