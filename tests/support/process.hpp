// Starting losslab's executables from tests: run to completion capturing output, or start in the
// background and signal or kill.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace losslab::test_support {

// One of losslab's executables, as this build made them (LOSSLAB_BIN_DIR comes from CMake).
inline std::string program_path(const std::string& name) { return std::string(LOSSLAB_BIN_DIR) + "/" + name; }
inline const std::string kRun = program_path("losslab-run");

// A child process whose stdout and stderr go to files. `pass` gives it more open descriptors:
// {number in the child, descriptor of this process} (a pipe to talk to it, say).
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
               const std::string& stderr_path, const std::vector<std::pair<int, int>>& pass = {})
      : stdout_path_(stdout_path), stderr_path_(stderr_path) {
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Copies out of the way first, so that placing one cannot overwrite another still to place.
      std::vector<std::pair<int, int>> copies;
      for (const auto& [number, descriptor] : pass) copies.emplace_back(number, fcntl(descriptor, F_DUPFD_CLOEXEC, 64));
      const int out = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int in = open("/dev/null", O_RDONLY);
      dup2(out, 1);
      dup2(err, 2);
      dup2(in, 0);
      for (const auto& [number, copy] : copies) dup2(copy, number);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~ChildProcess() {
    if (!reaped_) {
      kill(pid_, SIGKILL);
      wait();
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Whether the process has ended, without reaping it (wait() still returns its exit code).
  bool has_exited() const {
    if (reaped_) return true;
    siginfo_t info{};
    waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    return info.si_pid == pid_;
  }
  void signal(int signal_number) const { kill(pid_, signal_number); }

  // Waits for the exit; returns the exit code, or 128 + signal when killed by a signal.
  int wait() {
    if (reaped_) return code_;
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return code_;
  }

  std::string out() const { return slurp(stdout_path_); }
  std::string err() const { return slurp(stderr_path_); }

  static std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int code_ = -1;
  std::string stdout_path_, stderr_path_;
};

struct RunResult {
  int exit_code;
  std::string out, err;
};

// Runs a program to completion in `dir` (its output files go there too).
inline RunResult run_program(const std::vector<std::string>& argv, const std::string& dir) {
  ChildProcess child(argv, dir + "/stdout.txt", dir + "/stderr.txt");
  const int code = child.wait();
  return {code, child.out(), child.err()};
}

// Polls `condition` every 20 ms for up to `timeout`; returns whether it became true.
template <typename Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace losslab::test_support
