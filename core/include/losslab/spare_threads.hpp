// Threads that have run out of work, lent to the fused groups still training.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

namespace losslab {

namespace detail {
class WorkTeam;
}

// A sweep's worker threads share one. While a group trains with it (train_fused's `spares`), it
// takes in any thread that calls help(); that thread then computes slices of the group's steps
// and chunks of its evaluations as the group's own threads do, until the group ends. Without it, a
// sweep whose last groups are fewer than its workers leaves cores idle for as long as those
// groups take (3 groups on 2 workers: a third of the time). Results do not depend on it: a step
// is cut into slices by its batch size alone, whichever threads compute them.
class SpareThreads {
 public:
  // At most `max_guests` threads join any one group (the workers that may be spare at once).
  explicit SpareThreads(unsigned max_guests) : max_guests_(max_guests) {}
  SpareThreads(const SpareThreads&) = delete;
  SpareThreads& operator=(const SpareThreads&) = delete;

  // Joins one group training now and helps it until it ends, then the next, until none is left
  // to join. Returns how many groups it helped (0 at once when none trains).
  std::size_t help();

  unsigned max_guests() const { return max_guests_; }

  // For the trainer: a group's team is open to spare threads between offer() and withdraw().
  // withdraw() returns once the team's guests have left it.
  void offer(detail::WorkTeam& team);
  void withdraw(detail::WorkTeam& team);

 private:
  const unsigned max_guests_;
  std::mutex mutex_;
  std::vector<detail::WorkTeam*> teams_;  // in the order offered: the oldest first
};

}  // namespace losslab
