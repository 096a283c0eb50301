#include "interrupt.hpp"

#include <atomic>
#include <csignal>

namespace losslab::runner {
namespace {

std::atomic<int> g_signal{0};
struct sigaction g_previous_int, g_previous_term;

extern "C" void record_signal(int signal_number) {
  // Only the first signal counts; a second Ctrl-C while stopping changes nothing.
  int expected = 0;
  g_signal.compare_exchange_strong(expected, signal_number);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

int InterruptGuard::received() { return g_signal.load(std::memory_order_relaxed); }

}  // namespace losslab::runner
