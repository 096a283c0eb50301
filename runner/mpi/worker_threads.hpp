// The training threads of a worker rank: they train the work orders rank 0 sends, several groups
// at once, the way a single process's worker threads do (ThreadExecutor). Rank 0 hands out groups
// one at a time as threads come free, so a thread without a group cannot tell whether another is
// on its way; once rank 0 says none is left (no_more_work), such threads join the groups still
// training (SpareThreads), as a single process's threads do at the end of a round. Results do not
// depend on which threads compute a group (see train_fused). No MPI call is made here: only the
// worker's main thread talks to rank 0.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "losslab/spare_threads.hpp"
#include "work_messages.hpp"

namespace losslab::runner::mpi {

class WorkerThreads {
 public:
  // `train` runs on a training thread for each order, with the spare threads its group may take in.
  using Train = std::function<void(const messages::WorkOrder&, SpareThreads&)>;

  WorkerThreads(unsigned threads, Train train);
  ~WorkerThreads();  // stop(), then waits for the threads
  WorkerThreads(const WorkerThreads&) = delete;
  WorkerThreads& operator=(const WorkerThreads&) = delete;

  unsigned size() const { return static_cast<unsigned>(threads_.size()); }

  // A group to train as soon as a thread is free.
  void add(messages::WorkOrder order);
  // Rank 0 has no group left to hand out: threads without one may join those training.
  void no_more_work();
  // Orders not yet finished (waiting or training).
  std::size_t unfinished() const;
  // Blocks until every order has finished (none waits or trains).
  void wait_until_idle();
  // Starts no more orders; the threads leave once their groups end (the groups' own stop checks
  // should say stop too, or they train to the end). Waiting orders are dropped.
  void stop();
  bool stopping() const { return stopping_; }
  // The first exception a training thread's `train` threw (then every thread stops), or null.
  std::exception_ptr error() const;
  // How many times a thread without a group joined one training (for the log).
  std::size_t groups_helped() const { return helped_; }

 private:
  void loop();

  const Train train_;
  SpareThreads spares_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;       // an order arrived, rank 0 ran out of them, or stop
  std::condition_variable finished_;   // an order finished
  std::deque<messages::WorkOrder> waiting_;
  std::size_t training_ = 0;
  bool no_more_work_ = false;  // since the last order arrived
  std::atomic<bool> stopping_{false};  // written under mutex_; read without it by every step
  std::exception_ptr error_;
  std::atomic<std::size_t> helped_{0};
  std::vector<std::thread> threads_;
};

}  // namespace losslab::runner::mpi
