#include "progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace losslab::runner {
namespace {

std::string format_duration(double seconds) {
  const long s = std::lround(seconds);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

}  // namespace

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

ProgressLine::ProgressLine(std::size_t total, bool enabled)
    : total_(total), enabled_(enabled), start_(std::chrono::steady_clock::now()) {
  if (enabled_) thread_ = std::thread([this] { draw_loop(); });
}

ProgressLine::~ProgressLine() {
  if (!enabled_) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

void ProgressLine::trial_started() {
  std::lock_guard lock(mutex_);
  ++running_;
}

void ProgressLine::trial_finished(double val_accuracy) {
  std::lock_guard lock(mutex_);
  if (running_ > 0) --running_;
  ++done_;
  if (std::isfinite(val_accuracy) && val_accuracy > best_) best_ = val_accuracy;
}

std::string ProgressLine::render() const {
  std::lock_guard lock(mutex_);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string eta = "--:--";
  if (done_ > 0 && done_ < total_) eta = format_duration(elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_));
  if (done_ >= total_) eta = "0:00";
  char best[32] = "-";
  if (best_ >= 0) std::snprintf(best, sizeof best, "%.4f", best_);
  char text[160];
  std::snprintf(text, sizeof text, "[%zu/%zu trials] running %zu | elapsed %s | ETA %s | best val acc %s", done_,
                total_, running_, format_duration(elapsed).c_str(), eta.c_str(), best);
  return text;
}

void ProgressLine::draw_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const std::string line = render();
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; });
  }
}

}  // namespace losslab::runner
