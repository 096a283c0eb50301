#include "losslab/spare_threads.hpp"

#include <algorithm>
#include <optional>

#include "work_team.hpp"

namespace losslab {

std::size_t SpareThreads::help() {
  std::size_t helped = 0;
  for (;;) {
    detail::WorkTeam* team = nullptr;
    std::optional<unsigned> slot;
    {
      // Admitted under the lock: a team withdrawn meanwhile has closed to guests and waits for
      // this one, so it outlives the serving below.
      std::lock_guard lock(mutex_);
      for (detail::WorkTeam* offered : teams_) {
        if ((slot = offered->admit_guest())) {
          team = offered;
          break;
        }
      }
    }
    if (team == nullptr) return helped;
    team->serve_as_guest(*slot);
    ++helped;
  }
}

void SpareThreads::offer(detail::WorkTeam& team) {
  std::lock_guard lock(mutex_);
  teams_.push_back(&team);
}

void SpareThreads::withdraw(detail::WorkTeam& team) {
  {
    std::lock_guard lock(mutex_);
    teams_.erase(std::remove(teams_.begin(), teams_.end(), &team), teams_.end());
  }
  team.close_to_guests();
}

}  // namespace losslab
