#include "median_pruner.hpp"

#include <algorithm>
#include <cmath>

namespace losslab::runner {

bool MedianPruner::report_and_check(int epoch, double val_accuracy) {
  if (!enabled_ || !std::isfinite(val_accuracy)) return false;
  std::lock_guard lock(mutex_);
  std::vector<double>& peers = reports_[epoch];
  bool prune = false;
  if (epoch >= warmup_ && peers.size() >= 2) {
    std::vector<double> sorted = peers;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = sorted.size();
    const double median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    prune = val_accuracy < median;
  }
  peers.push_back(val_accuracy);
  return prune;
}

}  // namespace losslab::runner
