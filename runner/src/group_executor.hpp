// Where a sweep's groups are trained: by threads of this process (ThreadExecutor) or by the worker
// ranks of an MPI job (runner/mpi). run_sweep_with does everything else the same way for both:
// config, trial registration, claims, rounds, the single results writer, summary and exit code.
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "losslab/runner/params.hpp"
#include "losslab/runner/results/records.hpp"
#include "losslab/runner/sweep_runner.hpp"
#include "sweep_round.hpp"

namespace losslab::runner {

// What the run record and the writer need to know about the loaded data.
struct DatasetInfo {
  std::map<std::string, std::string> checksums;  // every file read -> "crc32:... size:..."
  bool has_bias_row = false;                     // the trials' W ends with a bias row
  std::size_t train_examples = 0;
  Preprocessing preprocessing;                   // recorded with the trials' weights
};

class GroupExecutor {
 public:
  virtual ~GroupExecutor() = default;
  // Loads the dataset (the dataset.* keys of `params`) where training happens, in place of any
  // loaded before (a refit trains on other splits than its search). Throws losslab::DatasetError
  // when it cannot be loaded.
  virtual DatasetInfo prepare(const ResolvedParams& params) = 0;
  // "2 worker threads": who trains `groups` groups, for the log.
  virtual std::string describe_workers(std::size_t groups) const = 0;
  // Trains the groups: claims each group's trials (claim_group) before training it and records
  // every outcome (record). Returns when all groups ran or should_stop(round) said to stop.
  virtual void run(SweepRound& round, const std::vector<WorkGroup>& groups) = 0;
};

// run_sweep with the groups trained by `executor`.
int run_sweep_with(const RunOptions& options, std::ostream& out, GroupExecutor& executor);

}  // namespace losslab::runner
