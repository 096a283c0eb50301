// Rank 0 of an MPI sweep. Everything else run_sweep does stays in this process (config, claims,
// the single SQLite writer, summary); the coordinator only replaces the worker threads: it hands
// the groups to the worker ranks, longest first, whenever one has a free thread, and records what
// they send back. A worker that falls silent for the lease (`worker_timeout`) is taken as dead:
// its groups are handed to other workers once, and fail with the reason if those die too.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "group_executor.hpp"
#include "mpi_channel.hpp"

namespace losslab::runner::mpi {

class Coordinator : public GroupExecutor {
 public:
  // `worker_threads`: each worker's training threads until it says how many it has (its --jobs).
  Coordinator(Channel& channel, double worker_timeout_seconds, unsigned worker_threads);
  ~Coordinator() override;  // shutdown(), if not called

  DatasetInfo prepare(const ResolvedParams& params) override;
  std::string describe_workers(std::size_t groups) const override;
  void run(SweepRound& round, const std::vector<WorkGroup>& groups) override;

  // Tells every worker to stop and waits (up to the lease) until each live one has said bye.
  // False when one did not: then only MPI_Abort ends the job.
  bool shutdown();
  // Whether a worker rank died during the sweep (or was taken as dead).
  bool lost_a_worker() const;

 private:
  using Clock = std::chrono::steady_clock;

  // One group on its way through the workers.
  struct Assignment {
    const WorkGroup* group = nullptr;
    std::uint64_t id = 0;
    double cost = 0;
    std::vector<char> claimed;      // empty until first handed out: claims are taken then
    std::vector<std::string> lost;  // "worker rank 2 died (...)" for each worker lost on it
  };
  enum class State { before_load, loading, idle, busy, unusable, dead, gone };
  // busy: has groups out (as many at once as it has threads).
  struct Worker {
    int rank = 0;
    State state = State::before_load;
    Clock::time_point last_heard{}, last_pinged{};
    unsigned threads = 1;
    std::vector<Assignment> jobs;  // in the order handed out
    bool told_no_more_work = false;  // since its last group
  };

  std::deque<Assignment> longest_first(const std::vector<WorkGroup>& groups) const;
  void dispatch(std::deque<Assignment>& queue);
  Worker* least_loaded_worker();  // the usable worker with the most free threads, if any
  void tell_no_more_work();
  bool receive_available();  // handles what has arrived; false when nothing had
  void handle(const Message& message);
  void on_ready(Worker& worker, const std::vector<std::uint8_t>& bytes);
  void on_outcome(Worker& worker, const std::vector<std::uint8_t>& bytes);
  void check_leases();
  void lose_worker(Worker& worker, const std::string& why);
  void hand_on_or_fail(Assignment assignment);
  void ping_waiting_workers();
  // One round of the coordinator's loop: handle what arrived (or back off), then the leases and pings.
  void poll(IdleBackoff& backoff);
  void abandon_in_flight(std::deque<Assignment>& queue);
  bool any_worker(std::initializer_list<State> states) const;
  void send_or_lose(Worker& worker, Tag tag, std::vector<std::uint8_t> bytes = {});

  Channel& channel_;
  Clock::duration lease_;
  Clock::duration heartbeat_;
  std::vector<Worker> workers_;  // index = rank; workers_[0] is rank 0 itself, unused
  std::optional<DatasetInfo> dataset_;
  std::uint64_t load_ = 0;  // the latest LoadRequest sent
  std::string first_ready_host_;
  std::string first_load_error_;
  std::uint64_t next_group_id_ = 1;
  bool shut_down_ = false;
  // Set while run() works on a round.
  SweepRound* round_ = nullptr;
  std::deque<Assignment>* queue_ = nullptr;
};

}  // namespace losslab::runner::mpi
