#include "mpi_worker.hpp"

#include <sched.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "interrupt.hpp"
#include "losslab/runner/dataset_source.hpp"
#include "losslab/runner/results/file_system.hpp"
#include "losslab/runner/sweep_runner.hpp"
#include "losslab/runner/trials.hpp"
#include "work_messages.hpp"
#include "worker_threads.hpp"

namespace losslab::runner::mpi {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRoot = 0;
// Before the first message, rank 0 may still be registering a large sweep in the database.
constexpr int kFirstMessageLeases = 10;

Clock::duration to_duration(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

class RootLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Fewer cores than training threads: Open MPI binds each rank to one core when there are at most
// two ranks (and to a socket otherwise), so without --bind-to none (or --map-by ...:PE=T) a
// worker's threads would take turns on one core.
void warn_if_bound_to_fewer_cores(unsigned threads) {
  cpu_set_t cores;
  CPU_ZERO(&cores);
  if (sched_getaffinity(0, sizeof cores, &cores) != 0) return;
  const int usable = CPU_COUNT(&cores);
  if (usable > 0 && static_cast<unsigned>(usable) < threads)
    spdlog::warn("--jobs {} but this rank may only run on {} core{}: start mpirun with --bind-to none, or "
                 "--map-by node:PE={} (srun: --cpus-per-task={})",
                 threads, usable, usable == 1 ? "" : "s", threads, threads);
}

// The main thread talks to rank 0 (the only thread that calls MPI: MPI_THREAD_FUNNELED); the
// training threads (WorkerThreads) train the groups it receives, several at once, and leave the
// outcomes for it to send.
//
// SIGINT / SIGTERM to a worker (mpirun passes Ctrl-C on as SIGTERM to every rank, Slurm's
// scancel signals every rank too) make it leave at the end of the current steps with a bye,
// instead of dying, which would make mpirun end the job before rank 0 has recorded anything.
// Rank 0 hands the groups it was training to another worker, or records them interrupted when it
// is stopping too.
class Worker {
 public:
  Worker(Channel& channel, double root_timeout_seconds, unsigned threads)
      : channel_(channel),
        root_lease_(to_duration(root_timeout_seconds)),
        threads_(threads, [this](const messages::WorkOrder& order, SpareThreads& spares) { train(order, spares); }) {}

  void run() {
    std::optional<Message> first = wait_for_root(root_lease_ * kFirstMessageLeases);
    if (!first || first->tag == Tag::stop) return say_bye();
    if (first->tag != Tag::load) throw std::runtime_error("expected a load message, got " + to_string(first->tag));
    messages::LoadRequest request = messages::decode_load_request(first->bytes);
    heartbeat_ = to_duration(request.heartbeat_seconds);
    if (!load(std::move(request))) return say_bye();
    IdleBackoff backoff;
    while (!leaving()) {
      if (const std::exception_ptr error = threads_.error()) std::rethrow_exception(error);
      send_outcomes();
      // Rank 0 does not ping a worker with groups out: it is the worker that beats then.
      const bool busy = training();
      if (busy) beat_if_due();
      std::optional<Message> message = channel_.poll(kRoot);
      if (!message) {
        if (!busy && Clock::now() - heard_from_root_ > root_lease_)
          throw RootLost("rank 0 sent nothing for " +
                         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(root_lease_).count()) + " s");
        backoff.found_nothing();
        continue;
      }
      backoff.found_something();
      heard_from_root_ = Clock::now();
      switch (message->tag) {
        case Tag::work: threads_.add(messages::decode_work_order(message->bytes)); break;
        case Tag::no_more_work: threads_.no_more_work(); break;
        case Tag::load:  // other splits of the same files (a refit's, after the search)
          threads_.wait_until_idle();  // rank 0 asks only once every group is back
          if (!load(messages::decode_load_request(message->bytes))) stopped_ = true;
          break;
        case Tag::stop: stopped_ = true; break;
        case Tag::heartbeat: break;
        default: spdlog::warn("ignoring an unexpected {} message from rank 0", to_string(message->tag));
      }
    }
    // The groups in training end at their next step; what they record after a stop from rank 0
    // is sent (rank 0 no longer waits for it), what a signal cut short was not kept.
    threads_.stop();
    threads_.wait_until_idle();
    send_outcomes();
    if (const std::exception_ptr error = threads_.error()) std::rethrow_exception(error);
    say_bye();
  }

 private:
  bool leaving() const { return stopped_ || InterruptGuard::received() != 0; }

  // Groups waiting, training, or trained and not yet sent. In this order: a training thread leaves
  // its outcome before its group counts as finished, so one of the two always shows it.
  bool training() const {
    if (threads_.unfinished() > 0) return true;
    std::lock_guard lock(outbox_mutex_);
    return !outbox_.empty();
  }

  // The dataset loads on a helper thread, so this one keeps sending heartbeats (rank 0 leases a
  // loading worker too) and sees a stop. False when told to leave meanwhile: rank 0 need not wait
  // for the load (the future waits for it when it goes). A later request that arrives meanwhile
  // is loaded next, and only it is answered. Only while no group trains.
  bool load(messages::LoadRequest request) {
    for (;;) {
      dataset_ = {};  // the data loaded before goes first: one dataset in memory at a time
      const auto start = Clock::now();
      auto loading = std::async(std::launch::async, [&request] { return load_dataset(request.params); });
      last_heartbeat_ = start;
      heard_from_root_ = start;
      IdleBackoff backoff;
      while (loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        beat_if_due();
        take_root_messages();
        if (leaving()) return false;
        backoff.found_nothing();
      }
      messages::WorkerReady ready;
      ready.load = request.load;
      ready.host = host_name();
      ready.pid = static_cast<std::int64_t>(getpid());
      ready.threads = threads_.size();
      ready.load_seconds = std::chrono::duration<double>(Clock::now() - start).count();
      try {
        dataset_ = loading.get();
        ready.checksums = dataset_.checksums;
        ready.description = dataset_.description;
        ready.has_bias_row = dataset_.splits->train.has_bias_column;
        ready.preprocessing = dataset_.preprocessing;
        ready.train_examples = dataset_.splits->train.size();
      } catch (const std::exception& error) {
        ready.error = error.what();
      }
      if (later_load_) {
        request = std::move(*later_load_);
        later_load_.reset();
        continue;
      }
      channel_.send(kRoot, Tag::ready, messages::encode(ready));
      return true;
    }
  }

  // On a training thread.
  void train(const messages::WorkOrder& order, SpareThreads& spares) {
    messages::GroupOutcome outcome;
    outcome.group_id = order.group_id;
    if (!dataset_.splits) {
      // Rank 0 sends no work to a worker that could not load the data; answer anyway.
      for (std::size_t k = 0; k < order.trials.size(); ++k)
        outcome.reports.push_back(TrialReport{TrialStatus::failed, "this worker has no dataset", nullptr});
    } else {
      std::vector<TrainerConfig> configs;
      for (const auto& params : order.trials) {
        configs.push_back(to_trainer_config(params));
        configs.back().training.score_at_end = order.score_at_end;
      }
      GroupControl control;
      control.should_stop = [this] { return leaving() || threads_.stopping(); };
      control.stop_reason = [] { return std::string("stopped by rank 0"); };
      std::vector<const TrainResult*> resume_from;
      for (const TrainResult& state : order.resume) resume_from.push_back(&state);
      outcome.reports = train_group(*dataset_.splits, configs, order.wanted, control, 1, &spares, resume_from);
      // Cut short by a signal to this worker: the bye that follows tells rank 0 to hand the
      // group on; a half-trained outcome would only be recorded as interrupted.
      if (InterruptGuard::received()) return;
    }
    messages::Bytes bytes = messages::encode(outcome);
    std::lock_guard lock(outbox_mutex_);
    outbox_.push_back(std::move(bytes));
  }

  void send_outcomes() {
    std::vector<messages::Bytes> outcomes;
    {
      std::lock_guard lock(outbox_mutex_);
      outcomes.swap(outbox_);
    }
    for (messages::Bytes& bytes : outcomes) {
      channel_.send(kRoot, Tag::outcome, std::move(bytes));
      heard_from_root_ = Clock::now();  // rank 0 does not ping a worker while it trains
    }
  }

  void beat_if_due() {
    const auto now = Clock::now();
    if (now - last_heartbeat_ < heartbeat_) return;
    last_heartbeat_ = now;
    channel_.send(kRoot, Tag::heartbeat);
  }

  // While loading: notes stops, later load requests and rank 0's heartbeats.
  void take_root_messages() {
    while (std::optional<Message> message = channel_.poll(kRoot)) {
      heard_from_root_ = Clock::now();
      if (message->tag == Tag::stop) stopped_ = true;
      if (message->tag == Tag::load) later_load_ = messages::decode_load_request(message->bytes);
    }
    if (Clock::now() - heard_from_root_ > root_lease_) throw RootLost("rank 0 sent nothing while the dataset loaded");
  }

  // The next message from rank 0 (heartbeats included), or none when a signal says to leave.
  // Throws RootLost after `patience` of silence.
  std::optional<Message> wait_for_root(Clock::duration patience) {
    const auto start = Clock::now();
    IdleBackoff backoff;
    while (InterruptGuard::received() == 0) {
      if (std::optional<Message> message = channel_.poll(kRoot)) {
        heard_from_root_ = Clock::now();
        return message;
      }
      if (Clock::now() - std::max(start, heard_from_root_) > patience)
        throw RootLost("rank 0 sent nothing for " +
                       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(patience).count()) + " s");
      backoff.found_nothing();
    }
    return std::nullopt;
  }

  // The last message: rank 0 waits for it before it finalizes.
  void say_bye() {
    if (threads_.size() > 1) spdlog::debug("spare threads joined {} groups", threads_.groups_helped());
    if (const int signal_number = InterruptGuard::received())
      spdlog::info("stopped by signal {}; leaving the sweep to the other ranks", signal_number);
    channel_.send(kRoot, Tag::bye);
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    IdleBackoff backoff;
    while (!channel_.flush_sends() && Clock::now() < deadline) backoff.found_nothing();
  }

  Channel& channel_;
  Clock::duration root_lease_;
  Clock::duration heartbeat_ = std::chrono::seconds(1);
  Clock::time_point last_heartbeat_{}, heard_from_root_{Clock::now()};
  LoadedDataset dataset_;  // read by the training threads; replaced only while none trains
  std::optional<messages::LoadRequest> later_load_;  // arrived while loading for an earlier one
  std::atomic<bool> stopped_{false};
  mutable std::mutex outbox_mutex_;
  std::vector<messages::Bytes> outbox_;  // encoded outcomes the training threads left
  // Last, so it is destroyed first: its threads use the members above until they are joined.
  WorkerThreads threads_;
};

}  // namespace

WorkerExit run_worker(Channel& channel, double root_timeout_seconds, unsigned threads) {
  InterruptGuard interrupts;
  try {
    warn_if_bound_to_fewer_cores(threads);
    Worker worker(channel, root_timeout_seconds, threads);
    worker.run();
    // 0 even after a signal: mpirun reports the first non-zero exit code of any rank, and the
    // sweep's code is rank 0's (it records what the signal interrupted).
    return {kExitOk, false};
  } catch (const RootLost& error) {
    spdlog::error("{}: taking it as gone and ending the job", error.what());
    return {kExitRuntimeError, true};
  } catch (const std::exception& error) {
    // Rank 0 takes this worker as dead when its heartbeats stop, and goes on without it.
    spdlog::error("{}", error.what());
    return {kExitRuntimeError, false};
  }
}

}  // namespace losslab::runner::mpi
