#include "signal_watcher.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <utility>

namespace losslab::report {
namespace {

// The handler only writes the signal's number to a pipe (write() is async-signal-safe); the
// watching thread reads it. Blocking the signals and sigwait() would not do: threads that
// libraries start before main() (OpenBLAS's) keep them unblocked, and one of them would take
// SIGTERM's default action, ending the process.
int g_pipe[2] = {-1, -1};
struct sigaction g_previous_int, g_previous_term;
constexpr char kStopWatching = 0;

extern "C" void forward_signal(int signal) {
  const int saved = errno;
  const char byte = static_cast<char>(signal);
  [[maybe_unused]] const auto written = write(g_pipe[1], &byte, 1);
  errno = saved;
}

}  // namespace

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
  if (g_pipe[0] >= 0) throw std::logic_error("only one SignalWatcher at a time");
  if (pipe2(g_pipe, O_CLOEXEC) != 0) throw std::runtime_error("cannot create a pipe for the signal watcher");
  struct sigaction action {};
  action.sa_handler = forward_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
  thread_ = std::thread([this] {
    char byte = kStopWatching;
    while (true) {
      const auto got = read(g_pipe[0], &byte, 1);
      if (got < 0 && errno == EINTR) continue;
      if (got != 1 || byte == kStopWatching) return;
      int none = 0;
      received_.compare_exchange_strong(none, byte);
      on_signal_(byte);
    }
  });
}

SignalWatcher::~SignalWatcher() {
  const char byte = kStopWatching;
  [[maybe_unused]] const auto written = write(g_pipe[1], &byte, 1);
  thread_.join();
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
  close(g_pipe[0]);
  close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

}  // namespace losslab::report
