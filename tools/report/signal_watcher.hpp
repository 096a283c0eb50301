// SIGINT and SIGTERM handled by a thread that calls a function, rather than inside the signal
// handler: the function may lock, allocate and stop a server, which a signal handler may not.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace losslab::report {

// At most one at a time: the signals' handlers are the process's.
class SignalWatcher {
 public:
  // Installs the handlers (replacing an inherited "ignore": a background job started by a shell
  // ignores SIGINT) and starts the thread that runs `on_signal`, once per signal.
  explicit SignalWatcher(std::function<void(int signal)> on_signal);
  // Stops the thread and puts the previous handlers back.
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // The first signal received (SIGINT or SIGTERM), or 0.
  int received() const { return received_; }

 private:
  std::function<void(int)> on_signal_;
  std::atomic<int> received_{0};
  std::thread thread_;
};

}  // namespace losslab::report
