// The median stopping rule: after `warmup` epochs, a trial whose validation accuracy is below the
// median of its peers' at the same epoch is pruned. Shared by all worker threads.
#pragma once

#include <map>
#include <mutex>
#include <vector>

namespace losslab::runner {

class MedianPruner {
 public:
  MedianPruner(bool enabled, int warmup) : enabled_(enabled), warmup_(warmup) {}

  // Records `val_accuracy` at `epoch` (1-based) and says whether the trial should stop. Needs at
  // least two earlier reports at that epoch to judge.
  bool report_and_check(int epoch, double val_accuracy);
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  int warmup_;
  std::mutex mutex_;
  std::map<int, std::vector<double>> reports_;  // epoch -> accuracies reported so far
};

}  // namespace losslab::runner
