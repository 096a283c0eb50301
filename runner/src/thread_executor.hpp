// Trains a sweep's groups on worker threads of this process, sharing one read-only dataset.
#pragma once

#include "group_executor.hpp"
#include "losslab/runner/dataset_source.hpp"

namespace losslab::runner {

class ThreadExecutor : public GroupExecutor {
 public:
  explicit ThreadExecutor(unsigned jobs) : jobs_(jobs) {}
  DatasetInfo prepare(const ResolvedParams& params) override;
  std::string describe_workers(std::size_t groups) const override;
  void run(SweepRound& round, const std::vector<WorkGroup>& groups) override;

 private:
  unsigned threads_for(std::size_t groups) const;
  unsigned threads_per_group(std::size_t groups) const;

  unsigned jobs_;
  LoadedDataset dataset_;
};

}  // namespace losslab::runner
