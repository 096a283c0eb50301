#include "mpi_coordinator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "interrupt.hpp"
#include "work_messages.hpp"

namespace losslab::runner::mpi {
namespace {

// A group is handed out at most this often; when its last worker dies too, its trials fail.
constexpr std::size_t kTriesPerGroup = 2;
// Messages handled in one go before the leases and free workers are looked at again.
constexpr int kMessagesPerPoll = 64;

std::string seconds_text(std::chrono::steady_clock::duration duration) {
  return fmt::format("{:g} s", std::chrono::duration<double>(duration).count());
}

// Training time grows with the examples each trial touches: the minibatches of every epoch plus
// the per-epoch evaluation, for every trial of the group (a fused step costs about as much per
// trial as a separate one). The estimate only orders the groups, longest first, so the slowest
// ones start early and the sweep does not end waiting for one long group.
double estimated_cost(const WorkGroup& group, std::size_t train_examples) {
  const TrainingSpec& training = group.front()->config.training;
  const double n = static_cast<double>(std::max<std::size_t>(1, train_examples));
  const double batch = training.batch_size == 0 ? n : std::min(n, static_cast<double>(training.batch_size));
  const double steps = std::max(1.0, std::floor(n / batch));
  const double evaluated = training.eval_train_limit == 0 ? n : std::min(n, static_cast<double>(training.eval_train_limit));
  return training.epochs * (steps * batch + evaluated) * static_cast<double>(group.size());
}

std::string checksums_text(const std::map<std::string, std::string>& checksums) {
  std::string text;
  for (const auto& [file, checksum] : checksums) text += (text.empty() ? "" : ", ") + file + " " + checksum;
  return text;
}

}  // namespace

Coordinator::Coordinator(Channel& channel, double worker_timeout_seconds, unsigned worker_threads)
    : channel_(channel),
      lease_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(worker_timeout_seconds))),
      // Several heartbeats per lease, so one late heartbeat is not taken for a death.
      heartbeat_(std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(std::clamp(worker_timeout_seconds / 4, 0.05, 1.0)))),
      workers_(static_cast<std::size_t>(channel.size())) {
  for (int rank = 0; rank < channel.size(); ++rank) {
    workers_[static_cast<std::size_t>(rank)].rank = rank;
    workers_[static_cast<std::size_t>(rank)].threads = std::max(1u, worker_threads);
  }
}

Coordinator::~Coordinator() {
  try {
    shutdown();
  } catch (const std::exception& error) {
    spdlog::error("stopping the worker ranks: {}", error.what());
  }
}

bool Coordinator::any_worker(std::initializer_list<State> states) const {
  return std::any_of(workers_.begin() + 1, workers_.end(), [&](const Worker& worker) {
    return std::find(states.begin(), states.end(), worker.state) != states.end();
  });
}

void Coordinator::send_or_lose(Worker& worker, Tag tag, std::vector<std::uint8_t> bytes) {
  try {
    channel_.send(worker.rank, tag, std::move(bytes));
  } catch (const MpiError& error) {
    lose_worker(worker, error.what());
  }
}

DatasetInfo Coordinator::prepare(const ResolvedParams& params) {
  const double heartbeat_seconds = std::chrono::duration<double>(heartbeat_).count();
  // Called again (a refit's splits after the search's), every worker still there loads the new
  // data; what a worker answers to an earlier request (it was still loading it) is stale.
  const auto request = messages::encode(messages::LoadRequest{params, heartbeat_seconds, ++load_});
  dataset_.reset();
  first_ready_host_.clear();
  first_load_error_.clear();
  for (Worker& worker : workers_) {
    if (worker.rank == 0 || worker.state == State::dead || worker.state == State::gone) continue;
    worker.state = State::loading;
    worker.last_heard = Clock::now();
    send_or_lose(worker, Tag::load, request);
  }
  // Training starts as soon as one worker has the data; the others join when they have it too.
  IdleBackoff backoff;
  while (!dataset_) {
    if (!any_worker({State::loading}))
      throw DatasetError("every worker rank", first_load_error_.empty() ? "died while loading the dataset"
                                                                        : first_load_error_);
    // Stopped before anything trained: run() will return at once and the run is marked interrupted.
    if (InterruptGuard::received()) return {};
    poll(backoff);
  }
  return *dataset_;
}

std::string Coordinator::describe_workers(std::size_t groups) const {
  std::size_t ranks = 0, threads = 0;
  for (auto worker = workers_.begin() + 1; worker != workers_.end() && ranks < groups; ++worker) {
    if (worker->state != State::idle && worker->state != State::busy && worker->state != State::loading) continue;
    ++ranks;
    threads += worker->threads;
  }
  return fmt::format("{} worker rank{}", ranks, ranks == 1 ? "" : "s") +
         (threads > ranks ? fmt::format(" ({} threads)", threads) : "");
}

std::deque<Coordinator::Assignment> Coordinator::longest_first(const std::vector<WorkGroup>& groups) const {
  std::deque<Assignment> queue;
  for (const WorkGroup& group : groups) {
    Assignment assignment;
    assignment.group = &group;
    assignment.cost = estimated_cost(group, dataset_ ? dataset_->train_examples : 0);
    queue.push_back(std::move(assignment));
  }
  // Stable: groups of equal cost keep the sweep's order.
  std::stable_sort(queue.begin(), queue.end(),
                   [](const Assignment& a, const Assignment& b) { return a.cost > b.cost; });
  return queue;
}

void Coordinator::run(SweepRound& round, const std::vector<WorkGroup>& groups) {
  std::deque<Assignment> queue = longest_first(groups);
  round_ = &round;
  queue_ = &queue;
  struct Reset {
    Coordinator& self;
    ~Reset() {
      self.round_ = nullptr;
      self.queue_ = nullptr;
    }
  } reset{*this};

  IdleBackoff backoff;
  while (!should_stop(round)) {
    dispatch(queue);
    if (queue.empty() && !any_worker({State::busy})) return;
    if (!any_worker({State::idle, State::busy, State::loading}))
      throw std::runtime_error(fmt::format("no worker rank is left to train the remaining {} group{}",
                                           queue.size(), queue.size() == 1 ? "" : "s"));
    poll(backoff);
  }
  abandon_in_flight(queue);
}

// Spread over the workers (the one with the most free threads first, then the lowest rank), so
// that fewer groups than threads train on as many ranks as they can, each with spare threads.
Coordinator::Worker* Coordinator::least_loaded_worker() {
  Worker* chosen = nullptr;
  std::size_t most_free = 0;
  for (Worker& worker : workers_) {
    if (worker.state != State::idle && worker.state != State::busy) continue;
    const std::size_t free = worker.threads > worker.jobs.size() ? worker.threads - worker.jobs.size() : 0;
    if (free > most_free) {
      chosen = &worker;
      most_free = free;
    }
  }
  return chosen;
}

void Coordinator::dispatch(std::deque<Assignment>& queue) {
  while (!queue.empty()) {
    Worker* const chosen = least_loaded_worker();
    if (chosen == nullptr) return;
    Worker& worker = *chosen;
    Assignment assignment = std::move(queue.front());
    queue.pop_front();
    if (assignment.claimed.empty()) {
      assignment.claimed = claim_group(*round_, *assignment.group);
      // Another process took every trial of the group: nothing for this one to record.
      if (std::find(assignment.claimed.begin(), assignment.claimed.end(), 1) == assignment.claimed.end()) continue;
      assignment.id = next_group_id_++;
    }
    messages::WorkOrder order;
    order.group_id = assignment.id;
    order.wanted = assignment.claimed;
    for (const WorkItem* item : *assignment.group) {
      // A halving rung trains to its own budget, not the trial's training.epochs.
      ResolvedParams params = item->trial->params;
      params["training.epochs"] = static_cast<std::int64_t>(item->config.training.epochs);
      order.trials.push_back(std::move(params));
      if (item->resume) order.resume.push_back(*item->resume);
      order.score_at_end = item->config.training.score_at_end;
    }
    if (order.resume.size() != order.trials.size()) order.resume.clear();
    spdlog::debug("group {} ({} trial{}: {}{}) to worker rank {}", assignment.id, assignment.group->size(),
                  assignment.group->size() == 1 ? "" : "s", assignment.group->front()->trial->name,
                  assignment.group->size() == 1 ? "" : ", ...", worker.rank);
    if (worker.state == State::idle) worker.last_heard = Clock::now();
    worker.state = State::busy;
    worker.told_no_more_work = false;
    worker.jobs.push_back(std::move(assignment));
    send_or_lose(worker, Tag::work, messages::encode(order));
  }
  tell_no_more_work();
}

// The queue is empty: a worker with groups out and threads free lets those threads join its groups.
void Coordinator::tell_no_more_work() {
  for (Worker& worker : workers_) {
    if (worker.state != State::busy || worker.told_no_more_work || worker.jobs.size() >= worker.threads) continue;
    worker.told_no_more_work = true;
    send_or_lose(worker, Tag::no_more_work);
  }
}

void Coordinator::poll(IdleBackoff& backoff) {
  if (receive_available())
    backoff.found_something();
  else
    backoff.found_nothing();
  check_leases();
  ping_waiting_workers();
}

bool Coordinator::receive_available() {
  bool any = false;
  for (int handled = 0; handled < kMessagesPerPoll; ++handled) {
    std::optional<Message> message = channel_.poll();
    if (!message) break;
    any = true;
    handle(*message);
  }
  return any;
}

void Coordinator::handle(const Message& message) {
  if (message.source <= 0 || message.source >= static_cast<int>(workers_.size())) {
    spdlog::warn("ignoring a {} message from rank {}", to_string(message.tag), message.source);
    return;
  }
  Worker& worker = workers_[static_cast<std::size_t>(message.source)];
  // A worker taken as dead is dead to the sweep: what it sends late is not used.
  if (worker.state == State::dead || worker.state == State::gone) return;
  worker.last_heard = Clock::now();
  switch (message.tag) {
    case Tag::ready: on_ready(worker, message.bytes); break;
    case Tag::outcome: on_outcome(worker, message.bytes); break;
    case Tag::heartbeat: break;
    case Tag::bye:  // the worker was stopped by a signal of its own
      if (!worker.jobs.empty())
        lose_worker(worker, "left (stopped by a signal)");
      else
        spdlog::warn("worker rank {} left (stopped by a signal); it gets no more work", worker.rank);
      worker.state = State::gone;
      break;
    default: spdlog::warn("ignoring an unexpected {} message from worker rank {}", to_string(message.tag), worker.rank);
  }
}

void Coordinator::on_ready(Worker& worker, const std::vector<std::uint8_t>& bytes) {
  const messages::WorkerReady ready = messages::decode_worker_ready(bytes);
  if (ready.load != load_) {
    spdlog::debug("worker rank {} loaded the data of an earlier request; waiting for the latest", worker.rank);
    return;
  }
  if (!ready.error.empty()) {
    spdlog::error("worker rank {} (pid {} on {}) cannot load the dataset: {}; it gets no work", worker.rank, ready.pid,
                  ready.host, ready.error);
    if (first_load_error_.empty()) first_load_error_ = ready.error;
    worker.state = State::unusable;
    return;
  }
  // Every rank must train on the same bytes, or the sweep's results would silently mix datasets.
  if (dataset_ && ready.checksums != dataset_->checksums) {
    spdlog::error("worker rank {} on {} read other dataset files than the first worker on {} ({} instead of {}); it "
                  "gets no work",
                  worker.rank, ready.host, first_ready_host_, checksums_text(ready.checksums),
                  checksums_text(dataset_->checksums));
    worker.state = State::unusable;
    return;
  }
  spdlog::info("worker rank {} (pid {} on {}{}) loaded {} in {:.2f}s", worker.rank, ready.pid, ready.host,
               ready.threads > 1 ? fmt::format(", {} threads", ready.threads) : "", ready.description,
               ready.load_seconds);
  worker.threads = std::max<unsigned>(1, ready.threads);
  if (!dataset_) {
    dataset_ = DatasetInfo{ready.checksums, ready.has_bias_row, static_cast<std::size_t>(ready.train_examples),
                           ready.preprocessing};
    first_ready_host_ = ready.host;
  }
  worker.state = State::idle;
}

void Coordinator::on_outcome(Worker& worker, const std::vector<std::uint8_t>& bytes) {
  messages::GroupOutcome outcome = messages::decode_group_outcome(bytes);
  // After a stop, a worker still finishing its group sends an outcome nobody waits for.
  const auto job = std::find_if(worker.jobs.begin(), worker.jobs.end(),
                                [&](const Assignment& assignment) { return assignment.id == outcome.group_id; });
  if (job == worker.jobs.end()) return;
  Assignment assignment = std::move(*job);
  worker.jobs.erase(job);
  if (worker.jobs.empty()) worker.state = State::idle;
  const WorkGroup& group = *assignment.group;
  if (outcome.reports.size() != group.size())
    throw std::runtime_error(fmt::format("worker rank {} sent {} outcomes for a group of {} trials", worker.rank,
                                         outcome.reports.size(), group.size()));
  for (std::size_t k = 0; k < group.size(); ++k)
    if (assignment.claimed[k]) record(*round_, *group[k], std::move(outcome.reports[k]));
}

void Coordinator::check_leases() {
  const auto now = Clock::now();
  for (Worker& worker : workers_) {
    if (worker.state != State::loading && worker.state != State::busy) continue;
    if (now - worker.last_heard <= lease_) continue;
    // Rank 0 itself may have been slow (a long database wait) while the worker's heartbeats queued up.
    if (channel_.waiting(worker.rank)) continue;
    lose_worker(worker, "died (no message for " + seconds_text(now - worker.last_heard) + ")");
  }
}

void Coordinator::lose_worker(Worker& worker, const std::string& why) {
  spdlog::warn("worker rank {} {}; it gets no more work", worker.rank, why);
  worker.state = State::dead;
  std::vector<Assignment> jobs = std::move(worker.jobs);
  worker.jobs.clear();
  // The last handed out goes to the front first, so they go out again in their order.
  for (auto job = jobs.rbegin(); job != jobs.rend(); ++job) {
    job->lost.push_back(fmt::format("worker rank {} {}", worker.rank, why));
    hand_on_or_fail(std::move(*job));
  }
}

void Coordinator::hand_on_or_fail(Assignment assignment) {
  const WorkGroup& group = *assignment.group;
  if (assignment.lost.size() < kTriesPerGroup && queue_ != nullptr) {
    spdlog::warn("handing its group of {} trial{} ({}, ...) to another worker", group.size(),
                 group.size() == 1 ? "" : "s", group.front()->trial->name);
    queue_->push_front(std::move(assignment));
    return;
  }
  std::string reason;
  for (const std::string& loss : assignment.lost) reason += (reason.empty() ? "" : "; ") + loss;
  for (std::size_t k = 0; k < group.size(); ++k)
    if (assignment.claimed[k] && round_ != nullptr) record(*round_, *group[k], TrialReport{TrialStatus::failed, reason, nullptr});
}

void Coordinator::ping_waiting_workers() {
  // Busy workers are training and do not listen; the others watch for rank 0 going silent.
  const auto now = Clock::now();
  for (Worker& worker : workers_) {
    if (worker.state != State::idle && worker.state != State::loading && worker.state != State::unusable) continue;
    if (now - worker.last_pinged < heartbeat_) continue;
    worker.last_pinged = now;
    send_or_lose(worker, Tag::heartbeat);
  }
}

void Coordinator::abandon_in_flight(std::deque<Assignment>& queue) {
  // Stopping (a signal, or the database cannot be written): the trials in flight, and those of a
  // dead worker's group waiting to be handed on, are recorded as interrupted now rather than
  // waited for; the workers get the stop in shutdown().
  const std::string reason = local_control(*round_).stop_reason();
  auto abandon = [&](const Assignment& assignment) {
    const WorkGroup& group = *assignment.group;
    for (std::size_t k = 0; k < assignment.claimed.size(); ++k)
      if (assignment.claimed[k]) record(*round_, *group[k], TrialReport{TrialStatus::interrupted, reason, nullptr});
  };
  for (Worker& worker : workers_) {
    if (worker.jobs.empty()) continue;
    for (const Assignment& assignment : worker.jobs) abandon(assignment);
    worker.jobs.clear();
    worker.state = State::idle;
  }
  for (const Assignment& assignment : queue) abandon(assignment);
  queue.clear();
}

bool Coordinator::lost_a_worker() const { return any_worker({State::dead}); }

bool Coordinator::shutdown() {
  if (shut_down_) return true;
  shut_down_ = true;
  for (Worker& worker : workers_)
    if (worker.rank != 0 && worker.state != State::dead && worker.state != State::gone) send_or_lose(worker, Tag::stop);
  // Every message a live worker still sends is received (and dropped), so none of its sends is
  // left waiting for rank 0; a worker's bye is its last message.
  const auto deadline = Clock::now() + lease_;
  IdleBackoff backoff;
  while (any_worker({State::before_load, State::loading, State::idle, State::busy, State::unusable})) {
    if (Clock::now() > deadline) {
      for (const Worker& worker : workers_)
        if (worker.rank != 0 && worker.state != State::dead && worker.state != State::gone)
          spdlog::error("worker rank {} did not stop within {}", worker.rank, seconds_text(lease_));
      return false;
    }
    std::optional<Message> message = channel_.poll();
    if (!message) {
      backoff.found_nothing();
      continue;
    }
    backoff.found_something();
    if (message->source <= 0 || message->source >= static_cast<int>(workers_.size())) continue;
    Worker& worker = workers_[static_cast<std::size_t>(message->source)];
    if (message->tag == Tag::bye) worker.state = State::gone;
  }
  // The last sends (stops) complete once their workers have received them; they have.
  const auto flush_deadline = Clock::now() + std::chrono::seconds(1);
  while (!channel_.flush_sends() && Clock::now() < flush_deadline) backoff.found_nothing();
  return true;
}

}  // namespace losslab::runner::mpi
