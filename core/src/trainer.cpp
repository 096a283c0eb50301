#include "losslab/trainer.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "losslab/batch_sampler.hpp"
#include "losslab/model.hpp"
#include "losslab/objective.hpp"
#include "losslab/update_rules.hpp"
#include "parse_names.hpp"

namespace losslab {
namespace {

constexpr std::array<std::pair<Sampling, const char*>, 2> kSamplingNames{{
    {Sampling::with_replacement, "with_replacement"}, {Sampling::shuffled_epochs, "shuffled_epochs"}}};
constexpr std::array<std::pair<TrainStatus, const char*>, 3> kStatusNames{{
    {TrainStatus::completed, "completed"}, {TrainStatus::diverged, "diverged"}, {TrainStatus::stopped, "stopped"}}};

// Independent random streams of one run.
enum Stream : std::uint64_t { kInitStream = 0, kBatchStream = 1, kSearchStream = 2 };

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Matrix<float> random_weights(Eigen::Index rows, Eigen::Index cols, double scale, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Matrix<float> W(rows, cols);
  for (Eigen::Index k = 0; k < W.size(); ++k) W.data()[k] = normal(rng) * static_cast<float>(scale);
  return W;
}

double split_accuracy(const Dataset& data, const Matrix<float>& W, std::size_t limit = 0) {
  const std::size_t n = limit == 0 ? data.size() : std::min(limit, data.size());
  if (n == 0) return kNaN;
  const auto rows = static_cast<Eigen::Index>(n);
  return accuracy<float>(data.X.topRows(rows), std::span(data.y.data(), n), W);
}

void check_config(const Splits& data, const TrainerConfig& config) {
  if (data.train.size() == 0) throw std::invalid_argument("training set is empty");
  if (data.train.num_classes() < 2) throw std::invalid_argument("need at least 2 classes");
  if (config.training.epochs < 1) throw std::invalid_argument("epochs must be >= 1");
  if (!(config.optimizer.learning_rate >= 0)) throw std::invalid_argument("learning_rate must be >= 0");
}

// The state of one run, so each piece of the loop is a small function.
class Run {
 public:
  Run(const Splits& data, const TrainerConfig& config, const TrainCallbacks& callbacks)
      : data_(data),
        config_(config),
        callbacks_(callbacks),
        objective_(config.loss, config.regularization, data.train.has_bias_column),
        sampler_(data.train.size(),
                 config.optimizer.kind == OptimizerKind::gd ? 0 : config.training.batch_size,
                 config.training.sampling, derive_seed(config.training.seed, kBatchStream)),
        search_rng_(derive_seed(config.training.seed, kSearchStream)) {
    std::mt19937_64 init_rng(derive_seed(config.training.seed, kInitStream));
    const double scale = config.optimizer.kind == OptimizerKind::random_search
                             ? config.optimizer.search_scale
                             : config.training.init_scale;
    result_.W = random_weights(static_cast<Eigen::Index>(data.train.dimension()),
                               static_cast<Eigen::Index>(data.train.num_classes()), scale, init_rng);
    if (uses_gradient(config.optimizer.kind)) {
      rule_ = make_update_rule<float>(config.optimizer);
      rule_->reset(result_.W.rows(), result_.W.cols());
    }
  }

  TrainResult run() {
    const auto start = std::chrono::steady_clock::now();
    const std::size_t steps = sampler_.steps_per_epoch();
    result_.steps_per_epoch = steps;
    result_.loss_history.reserve(steps * static_cast<std::size_t>(config_.training.epochs));
    std::int64_t step = 0;
    for (int epoch = 0; epoch < config_.training.epochs && result_.status == TrainStatus::completed;
         ++epoch) {
      const double lr = scheduled_learning_rate(config_.optimizer.learning_rate, config_.schedule, epoch);
      double loss_sum = 0;
      std::size_t done = 0;
      while (done < steps) {
        const double loss = train_step(static_cast<float>(lr));
        result_.loss_history.push_back(static_cast<float>(loss));
        loss_sum += loss;
        ++done;
        if (!std::isfinite(loss) || !result_.W.allFinite()) {
          diverge(step, loss);
          break;
        }
        const bool stop_requested =
            callbacks_.on_step && callbacks_.on_step(StepInfo{step, epoch, loss, lr});
        ++step;
        if (stop_requested) {
          stop("stopped by on_step at step " + std::to_string(step - 1));
          break;
        }
      }
      if (result_.status == TrainStatus::diverged) break;
      EpochMetrics metrics;
      metrics.epoch = epoch + 1;
      metrics.mean_loss = done > 0 ? loss_sum / static_cast<double>(done) : kNaN;
      metrics.train_accuracy = split_accuracy(data_.train, result_.W, config_.training.eval_train_limit);
      metrics.val_accuracy = split_accuracy(data_.val, result_.W);
      metrics.learning_rate = lr;
      metrics.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      result_.epochs.push_back(metrics);
      result_.final_loss = metrics.mean_loss;
      if (result_.status == TrainStatus::completed && callbacks_.on_epoch_end &&
          callbacks_.on_epoch_end(metrics))
        stop("stopped by on_epoch_end after epoch " + std::to_string(epoch + 1));
    }
    result_.train_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (result_.status != TrainStatus::diverged) {
      result_.train_accuracy = split_accuracy(data_.train, result_.W);
      result_.val_accuracy = split_accuracy(data_.val, result_.W);
      result_.test_accuracy = split_accuracy(data_.test, result_.W);
    } else {
      result_.train_accuracy = result_.val_accuracy = result_.test_accuracy = kNaN;
    }
    if (callbacks_.on_end) callbacks_.on_end(result_);
    return std::move(result_);
  }

 private:
  // One optimizer step on the next minibatch; returns the loss it measured.
  double train_step(float lr) {
    const auto indices = sampler_.next();
    if (!sampler_.full_batch()) gather(indices);
    const auto& X = sampler_.full_batch() ? data_.train.X : batch_X_;
    const std::span<const std::int32_t> y = sampler_.full_batch()
                                                ? std::span<const std::int32_t>(data_.train.y)
                                                : std::span<const std::int32_t>(batch_y_);
    Matrix<float>& W = result_.W;
    double loss = 0;
    switch (config_.optimizer.kind) {
      case OptimizerKind::random_search:
      case OptimizerKind::random_local_search: {
        // Keep whichever of W and a random candidate has the lower loss on this same batch.
        candidate_ = config_.optimizer.kind == OptimizerKind::random_search
                         ? random_weights(W.rows(), W.cols(), config_.optimizer.search_scale, search_rng_)
                         : Matrix<float>(W + random_weights(W.rows(), W.cols(), lr, search_rng_));
        const double current = objective_.evaluate(X, y, W, nullptr);
        const double challenger = objective_.evaluate(X, y, candidate_, nullptr);
        if (challenger < current) W.swap(candidate_);
        loss = std::min(current, challenger);
        break;
      }
      default:
        loss = objective_.evaluate(X, y, W, &gradient_);
        rule_->step(W, gradient_, lr);
        break;
    }
    objective_.constrain(W);
    return loss;
  }

  void gather(std::span<const std::size_t> indices) {
    const auto rows = static_cast<Eigen::Index>(indices.size());
    batch_X_.resize(rows, data_.train.X.cols());
    batch_y_.resize(indices.size());
    for (Eigen::Index i = 0; i < rows; ++i) {
      batch_X_.row(i) = data_.train.X.row(static_cast<Eigen::Index>(indices[i]));
      batch_y_[i] = data_.train.y[indices[i]];
    }
  }

  void diverge(std::int64_t step, double loss) {
    result_.status = TrainStatus::diverged;
    result_.diverged_step = step;
    result_.message = std::isfinite(loss)
                          ? "weights became non-finite at step " + std::to_string(step)
                          : "loss became " + std::string(std::isnan(loss) ? "nan" : "inf") +
                                " at step " + std::to_string(step);
    result_.final_loss = loss;
  }

  void stop(std::string message) {
    result_.status = TrainStatus::stopped;
    result_.message = std::move(message);
  }

  const Splits& data_;
  const TrainerConfig& config_;
  const TrainCallbacks& callbacks_;
  Objective<float> objective_;
  BatchSampler sampler_;
  std::mt19937_64 search_rng_;
  std::unique_ptr<UpdateRule<float>> rule_;
  TrainResult result_;
  RowMatrix<float> batch_X_;
  Labels batch_y_;
  Matrix<float> gradient_, candidate_;
};

}  // namespace

Sampling parse_sampling(const std::string& name) {
  return detail::parse_name(kSamplingNames, name, "sampling");
}
std::string to_string(Sampling sampling) { return detail::name_of(kSamplingNames, sampling); }
std::string to_string(TrainStatus status) { return detail::name_of(kStatusNames, status); }

TrainResult train(const Splits& data, const TrainerConfig& config, const TrainCallbacks& callbacks) {
  check_config(data, config);
  return Run(data, config, callbacks).run();
}

}  // namespace losslab
