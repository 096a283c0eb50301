#include "losslab/optimizer.hpp"

#include <algorithm>
#include <cmath>

#include "parse_names.hpp"

namespace losslab {
namespace {

constexpr std::array<std::pair<OptimizerKind, const char*>, 9> kOptimizerNames{{
    {OptimizerKind::random_search, "random_search"},
    {OptimizerKind::random_local_search, "random_local_search"},
    {OptimizerKind::gd, "gd"},
    {OptimizerKind::sgd, "sgd"},
    {OptimizerKind::momentum, "momentum"},
    {OptimizerKind::nesterov, "nesterov"},
    {OptimizerKind::adagrad, "adagrad"},
    {OptimizerKind::rmsprop, "rmsprop"},
    {OptimizerKind::adam, "adam"},
}};

constexpr std::array<std::pair<ScheduleKind, const char*>, 4> kScheduleNames{{
    {ScheduleKind::constant, "constant"},
    {ScheduleKind::step, "step"},
    {ScheduleKind::exponential, "exponential"},
    {ScheduleKind::inverse_time, "inverse_time"},
}};

}  // namespace

OptimizerKind parse_optimizer_kind(const std::string& name) {
  return detail::parse_name(kOptimizerNames, name, "optimizer");
}
std::string to_string(OptimizerKind kind) { return detail::name_of(kOptimizerNames, kind); }

bool uses_gradient(OptimizerKind kind) {
  return kind != OptimizerKind::random_search && kind != OptimizerKind::random_local_search;
}

ScheduleKind parse_schedule_kind(const std::string& name) {
  return detail::parse_name(kScheduleNames, name, "schedule");
}
std::string to_string(ScheduleKind kind) { return detail::name_of(kScheduleNames, kind); }

double scheduled_learning_rate(double base, const ScheduleSpec& schedule, int epoch) {
  switch (schedule.kind) {
    case ScheduleKind::constant: return base;
    case ScheduleKind::step:
      return base * std::pow(schedule.gamma, epoch / std::max(1, schedule.step_epochs));
    case ScheduleKind::exponential: return base * std::exp(-schedule.decay * epoch);
    case ScheduleKind::inverse_time: return base / (1.0 + schedule.decay * epoch);
  }
  return base;
}

}  // namespace losslab
