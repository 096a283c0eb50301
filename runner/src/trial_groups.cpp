#include "losslab/runner/trial_groups.hpp"

#include <algorithm>

namespace losslab::runner {

std::vector<std::vector<std::size_t>> group_trials(const std::vector<TrainerConfig>& configs,
                                                   std::size_t max_group) {
  // Classes of mutually fusable trials (can_fuse is an equivalence on gradient-based configs);
  // a trial that fuses with nothing forms a class of its own.
  std::vector<std::vector<std::size_t>> classes;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    auto fits = [&](const std::vector<std::size_t>& c) { return can_fuse(configs[c.front()], configs[i]); };
    const auto it = std::find_if(classes.begin(), classes.end(), fits);
    if (it != classes.end())
      it->push_back(i);
    else
      classes.push_back({i});
  }
  std::vector<std::vector<std::size_t>> groups;
  const std::size_t limit = std::max<std::size_t>(1, max_group);
  for (const auto& c : classes) {
    const std::size_t count = (c.size() + limit - 1) / limit;
    // Balanced sizes: the first (size % count) groups get one trial more.
    std::size_t begin = 0;
    for (std::size_t g = 0; g < count; ++g) {
      const std::size_t size = c.size() / count + (g < c.size() % count ? 1 : 0);
      groups.emplace_back(c.begin() + static_cast<std::ptrdiff_t>(begin),
                          c.begin() + static_cast<std::ptrdiff_t>(begin + size));
      begin += size;
    }
  }
  return groups;
}

}  // namespace losslab::runner
