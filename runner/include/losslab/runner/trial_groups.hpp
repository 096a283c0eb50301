// Which trials train together in one fused group (one GEMM per step serves all of them).
#pragma once

#include <cstddef>
#include <vector>

#include "losslab/trainer.hpp"

namespace losslab::runner {

// At most this many trials share a group: wide enough for an efficient GEMM, narrow enough that a
// sweep still splits into several groups to spread over the worker threads.
inline constexpr std::size_t kMaxGroupSize = 8;

// Partitions trial indices 0..n-1 into groups of fusable configs (can_fuse), keeping each
// group's trials in their original order. Each class of fusable trials is split into
// ceil(size / max_group) groups of balanced size. The grouping depends only on the configs (not
// on the number of worker threads), so results are the same with any --jobs.
// max_group = 1 disables fusion.
std::vector<std::vector<std::size_t>> group_trials(const std::vector<TrainerConfig>& configs,
                                                   std::size_t max_group = kMaxGroupSize);

}  // namespace losslab::runner
