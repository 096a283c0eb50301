#include "mpi_channel.hpp"

#include <algorithm>
#include <climits>
#include <thread>

namespace losslab::runner::mpi {

std::string to_string(Tag tag) {
  switch (tag) {
    case Tag::load: return "load";
    case Tag::ready: return "ready";
    case Tag::work: return "work";
    case Tag::outcome: return "outcome";
    case Tag::heartbeat: return "heartbeat";
    case Tag::stop: return "stop";
    case Tag::bye: return "bye";
    case Tag::no_more_work: return "no-more-work";
  }
  return "tag " + std::to_string(static_cast<int>(tag));
}

Channel::Channel() {
  check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup", -1);
  check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler", -1);
  check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank", -1);
  check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size", -1);
}

Channel::~Channel() {
  for (auto& pending : sends_) MPI_Request_free(&pending.request);
  // Not MPI_Comm_free: it is collective-ish in some implementations and a peer may be dead.
}

void Channel::check(int code, const std::string& what, int peer) const {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw MpiError(what + (peer >= 0 ? " with rank " + std::to_string(peer) : std::string()) + " failed: " +
                     std::string(text, static_cast<std::size_t>(length)),
                 peer);
}

void Channel::send(int destination, Tag tag, std::vector<std::uint8_t> bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX))
    throw MpiError("a " + to_string(tag) + " message of " + std::to_string(bytes.size()) + " bytes is too large",
                   destination);
  sends_.push_back({MPI_REQUEST_NULL, destination, std::move(bytes)});
  PendingSend& pending = sends_.back();
  const int code = MPI_Isend(pending.bytes.data(), static_cast<int>(pending.bytes.size()), MPI_BYTE, destination,
                             static_cast<int>(tag), comm_, &pending.request);
  if (code != MPI_SUCCESS) {
    sends_.pop_back();
    check(code, "MPI_Isend of a " + to_string(tag) + " message", destination);
  }
  flush_sends();
}

bool Channel::flush_sends() {
  for (auto it = sends_.begin(); it != sends_.end();) {
    int done = 0;
    const int code = MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
    if (code != MPI_SUCCESS) {
      const int peer = it->destination;
      sends_.erase(it);
      check(code, "completing a send", peer);
    }
    it = done ? sends_.erase(it) : std::next(it);
  }
  return sends_.empty();
}

std::optional<Message> Channel::poll(int source) {
  flush_sends();
  int found = 0;
  MPI_Message handle;
  MPI_Status status;
  check(MPI_Improbe(source, MPI_ANY_TAG, comm_, &found, &handle, &status), "MPI_Improbe", source);
  if (!found) return std::nullopt;
  int count = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count", status.MPI_SOURCE);
  Message message;
  message.source = status.MPI_SOURCE;
  message.tag = static_cast<Tag>(status.MPI_TAG);
  message.bytes.resize(static_cast<std::size_t>(count));
  check(MPI_Mrecv(message.bytes.data(), count, MPI_BYTE, &handle, MPI_STATUS_IGNORE), "MPI_Mrecv", message.source);
  return message;
}

bool Channel::waiting(int source, std::optional<Tag> tag) {
  int found = 0;
  check(MPI_Iprobe(source, tag ? static_cast<int>(*tag) : MPI_ANY_TAG, comm_, &found, MPI_STATUS_IGNORE), "MPI_Iprobe",
        source);
  return found != 0;
}

void IdleBackoff::found_nothing() {
  std::this_thread::sleep_for(pause_);
  pause_ = std::min(pause_ * 2, kLongest);
}

}  // namespace losslab::runner::mpi
