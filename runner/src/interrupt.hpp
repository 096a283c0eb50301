// SIGINT / SIGTERM -> a flag the training callbacks poll, so trials stop between steps.
#pragma once

namespace losslab::runner {

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handlers
  ~InterruptGuard();  // restores the previous ones
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // The signal number received (SIGINT or SIGTERM), or 0.
  static int received();
};

}  // namespace losslab::runner
