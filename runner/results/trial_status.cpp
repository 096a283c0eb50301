#include <array>
#include <stdexcept>
#include <utility>

#include "losslab/runner/results/store.hpp"

namespace losslab::runner {
namespace {

// The spellings are the values of trials.status in the public schema.
constexpr std::array<std::pair<TrialStatus, const char*>, 7> kNames{{
    {TrialStatus::pending, "pending"},
    {TrialStatus::running, "running"},
    {TrialStatus::completed, "completed"},
    {TrialStatus::failed, "failed"},
    {TrialStatus::diverged, "diverged"},
    {TrialStatus::pruned, "pruned"},
    {TrialStatus::interrupted, "interrupted"},
}};

}  // namespace

std::string to_string(TrialStatus status) {
  for (const auto& [value, name] : kNames)
    if (value == status) return name;
  throw std::logic_error("unknown TrialStatus " + std::to_string(static_cast<int>(status)));
}

TrialStatus parse_trial_status(const std::string& text) {
  for (const auto& [value, name] : kNames)
    if (text == name) return value;
  throw std::invalid_argument("unknown trial status '" + text +
                              "' (expected pending, running, completed, failed, diverged, pruned "
                              "or interrupted)");
}

}  // namespace losslab::runner
