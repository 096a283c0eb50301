// The live progress line: trials done/total, running, ETA, best validation accuracy so far.
// Drawn on stderr only when it is a terminal; silent otherwise (logs and CI stay clean).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace losslab::runner {

class ProgressLine {
 public:
  ProgressLine(std::size_t total, bool enabled);
  ~ProgressLine();  // stops the drawing thread and clears the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void trial_started();
  void trial_finished(double val_accuracy);  // NaN when the trial has none
  bool enabled() const { return enabled_; }

  // The text of the line now (also used by tests).
  std::string render() const;

 private:
  void draw_loop();

  std::size_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::size_t done_ = 0, running_ = 0;
  double best_ = -1;
  std::thread thread_;
};

// True when stderr is a terminal.
bool stderr_is_terminal();

}  // namespace losslab::runner
