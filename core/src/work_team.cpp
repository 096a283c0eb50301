#include "work_team.hpp"

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace losslab::detail {
namespace {

// About 50-100 microseconds of polling: longer than the gap between two steps, far shorter
// than anything a sleeping helper would notice.
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

}  // namespace

WorkTeam::WorkTeam(unsigned threads) {
  for (unsigned thread = 1; thread < threads; ++thread) helpers_.emplace_back([this, thread] { helper_loop(thread); });
}

WorkTeam::~WorkTeam() {
  if (helpers_.empty()) return;
  stopping_ = true;
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (auto& helper : helpers_) helper.join();
}

void WorkTeam::run_share(unsigned thread) {
  try {
    for (std::size_t i = thread; i < count_; i += size()) (*task_)(i, thread);
  } catch (...) {
    std::lock_guard lock(error_mutex_);
    if (!error_) error_ = std::current_exception();
  }
}

void WorkTeam::run(std::size_t count, const Task& task) {
  if (helpers_.empty() || count <= 1) {
    for (std::size_t i = 0; i < count; ++i) task(i, 0);
    return;
  }
  task_ = &task;
  count_ = count;
  error_ = nullptr;
  pending_.store(static_cast<unsigned>(helpers_.size()), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);  // publishes task_ and count_
  generation_.notify_all();
  run_share(0);
  for (unsigned left = pending_.load(std::memory_order_acquire); left != 0;) left = wait_for_change(pending_, left);
  if (error_) std::rethrow_exception(error_);
}

void WorkTeam::helper_loop(unsigned thread) {
  std::uint64_t seen = 0;
  for (;;) {
    seen = wait_for_change(generation_, seen);
    if (stopping_) return;
    run_share(thread);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
    pending_.notify_one();
  }
}

}  // namespace losslab::detail
