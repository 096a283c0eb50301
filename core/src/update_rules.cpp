#include "losslab/update_rules.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace losslab {
namespace {

template <typename Scalar>
Scalar as(double value) {
  return static_cast<Scalar>(value);
}

// What every rule keeps of a run: N matrices of the parameters' shape and the steps taken. Kept
// here, not in each rule, so that state(), steps() and restore() mean the same for all of them.
template <typename Scalar, std::size_t N>
class RuleWithState : public UpdateRule<Scalar> {
 public:
  void reset(Eigen::Index rows, Eigen::Index cols) override {
    for (auto& part : parts_) part.setZero(rows, cols);
    rows_ = rows;
    cols_ = cols;
    steps_ = 0;
  }
  void step(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) final {
    ++steps_;
    update(W, dW, lr);
  }
  std::vector<Matrix<Scalar>> state() const override { return {parts_.begin(), parts_.end()}; }
  std::int64_t steps() const override { return steps_; }
  void restore(std::vector<Matrix<Scalar>> state, std::int64_t steps) override {
    if (state.size() != N)
      throw std::invalid_argument("update rule state: expected " + std::to_string(N) + " matrices, got " +
                                  std::to_string(state.size()));
    for (const auto& part : state)
      if (part.rows() != rows_ || part.cols() != cols_)
        throw std::invalid_argument("update rule state: a " + std::to_string(part.rows()) + "x" +
                                    std::to_string(part.cols()) + " matrix for " + std::to_string(rows_) + "x" +
                                    std::to_string(cols_) + " parameters");
    if (steps < 0) throw std::invalid_argument("update rule state: negative step count");
    std::move(state.begin(), state.end(), parts_.begin());
    steps_ = steps;
  }

 protected:
  // One update; step() has counted it already (Adam's bias correction wants t from 1).
  virtual void update(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) = 0;
  Matrix<Scalar>& part(std::size_t i) { return parts_[i]; }

 private:
  std::array<Matrix<Scalar>, N> parts_;
  Eigen::Index rows_ = 0, cols_ = 0;
  std::int64_t steps_ = 0;
};

/// Vanilla SGD:  W -= lr * dW
template <typename Scalar>
class Sgd final : public RuleWithState<Scalar, 0> {
 protected:
  void update(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override { W.noalias() -= lr * dW; }
};

/// Momentum:  v = mu v - lr dW;  W += v
template <typename Scalar>
class Momentum final : public RuleWithState<Scalar, 1> {
 public:
  explicit Momentum(const OptimizerSpec& spec) : mu_(as<Scalar>(spec.momentum)) {}

 protected:
  void update(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override {
    Matrix<Scalar>& v = this->part(0);
    v = mu_ * v - lr * dW;
    W += v;
  }

 private:
  Scalar mu_;
};

/// Nesterov momentum, in the course notes' form that looks ahead without a second gradient:
///   v_prev = v;  v = mu v - lr dW;  W += -mu v_prev + (1 + mu) v
template <typename Scalar>
class Nesterov final : public RuleWithState<Scalar, 1> {
 public:
  explicit Nesterov(const OptimizerSpec& spec) : mu_(as<Scalar>(spec.momentum)) {}

 protected:
  void update(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override {
    Matrix<Scalar>& v = this->part(0);
    W -= mu_ * v;  // undo the look-ahead of the previous velocity
    v = mu_ * v - lr * dW;
    W += (1 + mu_) * v;
  }

 private:
  Scalar mu_;
};

/// Adagrad:  cache += dW^2;  W -= lr dW / (sqrt(cache) + eps)
template <typename Scalar>
class Adagrad final : public RuleWithState<Scalar, 1> {
 public:
  explicit Adagrad(const OptimizerSpec& spec) : eps_(as<Scalar>(spec.epsilon)) {}

 protected:
  void update(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override {
    Matrix<Scalar>& cache = this->part(0);
    cache.array() += dW.array().square();
    W.array() -= lr * dW.array() / (cache.array().sqrt() + eps_);
  }

 private:
  Scalar eps_;
};

/// RMSProp:  cache = d cache + (1 - d) dW^2;  W -= lr dW / (sqrt(cache) + eps)
template <typename Scalar>
class RmsProp final : public RuleWithState<Scalar, 1> {
 public:
  explicit RmsProp(const OptimizerSpec& spec)
      : decay_(as<Scalar>(spec.decay_rate)), eps_(as<Scalar>(spec.epsilon)) {}

 protected:
  void update(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override {
    Matrix<Scalar>& cache = this->part(0);
    cache.array() = decay_ * cache.array() + (1 - decay_) * dW.array().square();
    W.array() -= lr * dW.array() / (cache.array().sqrt() + eps_);
  }

 private:
  Scalar decay_, eps_;
};

/// Adam with bias correction (t counts steps from 1):
///   m = b1 m + (1 - b1) dW;  v = b2 v + (1 - b2) dW^2
///   W -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
template <typename Scalar>
class Adam final : public RuleWithState<Scalar, 2> {
 public:
  explicit Adam(const OptimizerSpec& spec)
      : beta1_(spec.beta1), beta2_(spec.beta2), eps_(as<Scalar>(spec.epsilon)) {}

 protected:
  void update(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override {
    Matrix<Scalar>& m = this->part(0);
    Matrix<Scalar>& v = this->part(1);
    const auto t = static_cast<double>(this->steps());
    const Scalar b1 = as<Scalar>(beta1_), b2 = as<Scalar>(beta2_);
    m = b1 * m + (1 - b1) * dW;
    v.array() = b2 * v.array() + (1 - b2) * dW.array().square();
    // Corrections in double: 1 - beta^t underflows float precision early for beta2 = 0.999.
    const Scalar m_correction = as<Scalar>(1.0 - std::pow(beta1_, t));
    const Scalar v_correction = as<Scalar>(1.0 - std::pow(beta2_, t));
    W.array() -= lr * (m.array() / m_correction) / ((v.array() / v_correction).sqrt() + eps_);
  }

 private:
  double beta1_, beta2_;
  Scalar eps_;
};

}  // namespace

template <typename Scalar>
std::unique_ptr<UpdateRule<Scalar>> make_update_rule(const OptimizerSpec& spec) {
  switch (spec.kind) {
    case OptimizerKind::gd:
    case OptimizerKind::sgd: return std::make_unique<Sgd<Scalar>>();
    case OptimizerKind::momentum: return std::make_unique<Momentum<Scalar>>(spec);
    case OptimizerKind::nesterov: return std::make_unique<Nesterov<Scalar>>(spec);
    case OptimizerKind::adagrad: return std::make_unique<Adagrad<Scalar>>(spec);
    case OptimizerKind::rmsprop: return std::make_unique<RmsProp<Scalar>>(spec);
    case OptimizerKind::adam: return std::make_unique<Adam<Scalar>>(spec);
    case OptimizerKind::random_search:
    case OptimizerKind::random_local_search: break;
  }
  throw std::invalid_argument("optimizer '" + to_string(spec.kind) +
                              "' does not use gradients and has no update rule");
}

template std::unique_ptr<UpdateRule<float>> make_update_rule<float>(const OptimizerSpec&);
template std::unique_ptr<UpdateRule<double>> make_update_rule<double>(const OptimizerSpec&);

}  // namespace losslab
