#include "losslab/optimizer.hpp"

#include <algorithm>
#include <cmath>

#include "parse_names.hpp"

namespace losslab {

OptimizerKind parse_optimizer_kind(const std::string& name) {
  return detail::parse_name(kOptimizerKinds, name, "optimizer");
}
std::string to_string(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::random_search: return "random_search";
    case OptimizerKind::random_local_search: return "random_local_search";
    case OptimizerKind::gd: return "gd";
    case OptimizerKind::sgd: return "sgd";
    case OptimizerKind::momentum: return "momentum";
    case OptimizerKind::nesterov: return "nesterov";
    case OptimizerKind::adagrad: return "adagrad";
    case OptimizerKind::rmsprop: return "rmsprop";
    case OptimizerKind::adam: return "adam";
  }
  return "?";  // not an OptimizerKind
}

bool uses_gradient(OptimizerKind kind) {
  return kind != OptimizerKind::random_search && kind != OptimizerKind::random_local_search;
}

ScheduleKind parse_schedule_kind(const std::string& name) {
  return detail::parse_name(kScheduleKinds, name, "schedule");
}
std::string to_string(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::constant: return "constant";
    case ScheduleKind::step: return "step";
    case ScheduleKind::exponential: return "exponential";
    case ScheduleKind::inverse_time: return "inverse_time";
  }
  return "?";  // not a ScheduleKind
}

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
