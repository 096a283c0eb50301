#include "thread_executor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <system_error>
#include <thread>

#include "losslab/spare_threads.hpp"

namespace losslab::runner {
namespace {

void run_group(SweepRound& round, const Splits& data, const WorkGroup& group, unsigned group_threads,
               SpareThreads& spares) {
  const std::vector<char> claimed = claim_group(round, group);
  if (std::find(claimed.begin(), claimed.end(), 1) == claimed.end()) return;
  std::vector<TrainerConfig> configs;
  std::vector<const TrainResult*> resume_from;
  for (const WorkItem* item : group) {
    configs.push_back(item->config);
    if (item->resume) resume_from.push_back(item->resume.get());
  }
  if (resume_from.size() != group.size()) resume_from.clear();
  auto reports = train_group(data, configs, claimed, local_control(round), group_threads, &spares, resume_from);
  for (std::size_t k = 0; k < group.size(); ++k)
    if (claimed[k]) record(round, *group[k], std::move(reports[k]));
}

}  // namespace

DatasetInfo ThreadExecutor::prepare(const ResolvedParams& params) {
  const auto start = std::chrono::steady_clock::now();
  dataset_ = {};  // a dataset loaded before (the search's, before a refit's) goes first: one in memory at a time
  dataset_ = load_dataset(params);
  spdlog::info("loaded {} in {:.2f}s", dataset_.description,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return {dataset_.checksums, dataset_.splits->train.has_bias_column, dataset_.splits->train.size(),
          dataset_.preprocessing};
}

unsigned ThreadExecutor::threads_for(std::size_t groups) const {
  return std::min<unsigned>(jobs_, static_cast<unsigned>(groups));
}

// Fewer groups than jobs (one trial, say): each group's steps are shared by the cores the groups
// leave idle. Results do not depend on it (see train_fused).
unsigned ThreadExecutor::threads_per_group(std::size_t groups) const {
  return std::max(1u, jobs_ / std::max(1u, threads_for(groups)));
}

std::string ThreadExecutor::describe_workers(std::size_t groups) const {
  const unsigned threads = threads_for(groups);
  const unsigned per_group = threads_per_group(groups);
  return std::to_string(threads) + " worker thread" + (threads == 1 ? "" : "s") +
         (per_group > 1 ? ", " + std::to_string(per_group) + " threads per group" : "");
}

void ThreadExecutor::run(SweepRound& round, const std::vector<WorkGroup>& groups) {
  std::atomic<std::size_t> next{0};
  const unsigned workers = threads_for(groups.size());
  // A worker that finds no group left joins the groups still training, so the last groups of a
  // sweep (3 groups on 2 workers, or a group slowed by a busy core) do not leave cores idle.
  SpareThreads spares(workers > 1 ? workers - 1 : 0);
  auto worker = [&] {
    while (!should_stop(round)) {
      const std::size_t index = next.fetch_add(1);
      if (index >= groups.size()) break;
      run_group(round, *dataset_.splits, groups[index], threads_per_group(groups.size()), spares);
    }
    if (!should_stop(round)) spares.help();
  };
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < workers; ++i) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error& error) {
      // The system allows no more threads (ulimit -u, memory): the sweep goes on with those it
      // has, with the same results, since they do not depend on how many threads compute them.
      spdlog::warn("started {} of {} worker threads ({}); going on with {}", i, workers, error.what(),
                   std::max(i, 1u));
      break;
    }
  }
  if (pool.empty()) worker();
  for (auto& thread : pool) thread.join();
}

}  // namespace losslab::runner
