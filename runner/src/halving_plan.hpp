// The shape of a successive-halving search (Jamieson & Talwalkar 2016; Li et al. 2018, Hyperband's
// inner loop): the epoch budget of each rung and how many trials go on from one rung to the next.
// Pure functions of the settings, so every process and every rerun agrees on the plan.
#pragma once

#include <cstddef>
#include <vector>

namespace losslab::runner {

// The epochs at the end of each rung, increasing, the last one `max_epochs`:
// r_i = floor(R / eta^(s - i)) for i = 0..s, where s is the largest integer with
// R / eta^s >= min_epochs (R = max_epochs). Needs 1 <= min_epochs <= max_epochs and eta >= 2.
std::vector<int> rung_epochs(int min_epochs, int max_epochs, int eta);

// How many of the `entered` trials of a rung go on to the next: floor(entered / eta), at least one
// while any entered.
std::size_t promoted_count(std::size_t entered, int eta);

// Hyperband's brackets for R = max_epochs (Li et al. 2018, Algorithm 1 with r = min_epochs): for
// s = s_max .. 0, n_s = ceil((s_max + 1) / (s + 1) * eta^s) trials start at rung budget
// floor(R / eta^s) and are halved as above.
struct Bracket {
  int s = 0;                // rungs after the first
  std::size_t trials = 0;   // n_s
  std::vector<int> epochs;  // its rungs' budgets: rung_epochs restricted to the last s + 1
};
std::vector<Bracket> hyperband_brackets(int min_epochs, int max_epochs, int eta);

}  // namespace losslab::runner
