// Byte messages between the ranks of one MPI job, never blocking: sends are MPI_Isend kept until
// they complete, receives are a poll (matched probe, then receive). Every MPI call runs with
// MPI_ERRORS_RETURN, so a failure becomes an MpiError naming the peer instead of aborting the job.
#pragma once

#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <list>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace losslab::runner::mpi {

// What a message is; the tag of its MPI message.
enum class Tag : int {
  load = 1,      // rank 0 -> worker: load the dataset (messages::LoadRequest)
  ready,         // worker -> rank 0: dataset loaded or not (messages::WorkerReady)
  work,          // rank 0 -> worker: train a group (messages::WorkOrder)
  outcome,       // worker -> rank 0: the group's results (messages::GroupOutcome)
  heartbeat,     // either way, empty: still alive
  stop,          // rank 0 -> worker, empty: finish the current step and leave
  bye,           // worker -> rank 0, empty: stopped; sends nothing more
  no_more_work,  // rank 0 -> worker, empty: no group is left to hand out; free threads may help
                 // the worker's groups still training
};
std::string to_string(Tag tag);

class MpiError : public std::runtime_error {
 public:
  MpiError(const std::string& what, int peer) : std::runtime_error(what), peer_(peer) {}
  int peer() const { return peer_; }  // the other rank of the failed call, or -1

 private:
  int peer_;
};

struct Message {
  int source = -1;
  Tag tag = Tag::heartbeat;
  std::vector<std::uint8_t> bytes;
};

class Channel {
 public:
  // Uses a duplicate of MPI_COMM_WORLD whose errors are returned, not fatal.
  Channel();
  ~Channel();  // frees the requests still pending (a dead peer never completes them)
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

  // Starts sending; the bytes are kept until the send completes. Throws MpiError.
  void send(int destination, Tag tag, std::vector<std::uint8_t> bytes = {});
  // The next message that has arrived (from `source`, or any rank when -1), if any. Throws MpiError.
  std::optional<Message> poll(int source = MPI_ANY_SOURCE);
  // Whether a message with `tag` (any tag by default) from `source` is waiting (it stays queued).
  bool waiting(int source, std::optional<Tag> tag = std::nullopt);
  // Completes finished sends and forgets them; true when none is left.
  bool flush_sends();

 private:
  struct PendingSend {
    MPI_Request request;
    int destination;
    std::vector<std::uint8_t> bytes;
  };
  void check(int code, const std::string& what, int peer) const;

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  std::list<PendingSend> sends_;
};

// Polling without burning a core: after a poll that found nothing, sleep a little longer each
// time (50 us up to 1 ms); after one that found something, poll again at once. A rank waiting for
// messages then costs almost no CPU, which matters when ranks share cores (--oversubscribe).
class IdleBackoff {
 public:
  void found_something() { pause_ = kShortest; }
  void found_nothing();

 private:
  static constexpr std::chrono::microseconds kShortest{50}, kLongest{1000};
  std::chrono::microseconds pause_ = kShortest;
};

}  // namespace losslab::runner::mpi
