// Optimizer settings: which method, its hyperparameters and the learning-rate schedule.
#pragma once

#include <array>
#include <string>

namespace losslab {

enum class OptimizerKind {
  random_search,        // best of many random W (lecture strategy #1)
  random_local_search,  // W + step * randn, kept when the loss drops (strategy #2)
  gd,                   // full-batch gradient descent: sgd with batch = N
  sgd,
  momentum,
  nesterov,
  adagrad,
  rmsprop,
  adam,
};
// Every OptimizerKind, in the order users see the names (see enum_names.hpp).
inline constexpr std::array kOptimizerKinds{
    OptimizerKind::random_search, OptimizerKind::random_local_search, OptimizerKind::gd,
    OptimizerKind::sgd,           OptimizerKind::momentum,            OptimizerKind::nesterov,
    OptimizerKind::adagrad,       OptimizerKind::rmsprop,             OptimizerKind::adam};

OptimizerKind parse_optimizer_kind(const std::string& name);  // throws std::invalid_argument
std::string to_string(OptimizerKind kind);  // its config name
bool uses_gradient(OptimizerKind kind);

// Hyperparameters of every method in one plain struct; each method reads the ones it needs.
struct OptimizerSpec {
  OptimizerKind kind = OptimizerKind::sgd;
  double learning_rate = 1e-2;  // also the step size of random_local_search
  double momentum = 0.9;        // momentum, nesterov: mu
  double decay_rate = 0.99;     // rmsprop: cache decay
  double beta1 = 0.9;           // adam
  double beta2 = 0.999;         // adam
  double epsilon = 1e-8;        // adagrad, rmsprop, adam
  double search_scale = 1e-3;   // random_search: candidates are randn * search_scale
};

enum class ScheduleKind {
  constant,     // lr
  step,         // lr * gamma^floor(epoch / step_epochs)
  exponential,  // lr * exp(-decay * epoch)
  inverse_time, // lr / (1 + decay * epoch)   ("1/t decay")
};
// Every ScheduleKind, in the order users see the names (see enum_names.hpp).
inline constexpr std::array kScheduleKinds{ScheduleKind::constant, ScheduleKind::step, ScheduleKind::exponential,
                                           ScheduleKind::inverse_time};

ScheduleKind parse_schedule_kind(const std::string& name);  // throws std::invalid_argument
std::string to_string(ScheduleKind kind);  // its config name

struct ScheduleSpec {
  ScheduleKind kind = ScheduleKind::constant;
  double gamma = 0.5;     // step: factor applied every step_epochs
  int step_epochs = 5;    // step
  double decay = 0.1;     // exponential, inverse_time
};

// The learning rate used during `epoch` (0-based): constant within an epoch.
double scheduled_learning_rate(double base, const ScheduleSpec& schedule, int epoch);

}  // namespace losslab
