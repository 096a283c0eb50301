#include "losslab/update_rules.hpp"

#include <cmath>
#include <stdexcept>

namespace losslab {
namespace {

template <typename Scalar>
Scalar as(double value) {
  return static_cast<Scalar>(value);
}

/// Vanilla SGD:  W -= lr * dW
template <typename Scalar>
class Sgd final : public UpdateRule<Scalar> {
 public:
  void reset(Eigen::Index, Eigen::Index) override {}
  void step(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override { W.noalias() -= lr * dW; }
};

/// Momentum:  v = mu v - lr dW;  W += v
template <typename Scalar>
class Momentum final : public UpdateRule<Scalar> {
 public:
  explicit Momentum(const OptimizerSpec& spec) : mu_(as<Scalar>(spec.momentum)) {}
  void reset(Eigen::Index rows, Eigen::Index cols) override { v_.setZero(rows, cols); }
  void step(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override {
    v_ = mu_ * v_ - lr * dW;
    W += v_;
  }

 private:
  Scalar mu_;
  Matrix<Scalar> v_;
};

/// Nesterov momentum, in the course notes' form that looks ahead without a second gradient:
///   v_prev = v;  v = mu v - lr dW;  W += -mu v_prev + (1 + mu) v
template <typename Scalar>
class Nesterov final : public UpdateRule<Scalar> {
 public:
  explicit Nesterov(const OptimizerSpec& spec) : mu_(as<Scalar>(spec.momentum)) {}
  void reset(Eigen::Index rows, Eigen::Index cols) override { v_.setZero(rows, cols); }
  void step(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override {
    W -= mu_ * v_;  // undo the look-ahead of the previous velocity
    v_ = mu_ * v_ - lr * dW;
    W += (1 + mu_) * v_;
  }

 private:
  Scalar mu_;
  Matrix<Scalar> v_;
};

/// Adagrad:  cache += dW^2;  W -= lr dW / (sqrt(cache) + eps)
template <typename Scalar>
class Adagrad final : public UpdateRule<Scalar> {
 public:
  explicit Adagrad(const OptimizerSpec& spec) : eps_(as<Scalar>(spec.epsilon)) {}
  void reset(Eigen::Index rows, Eigen::Index cols) override { cache_.setZero(rows, cols); }
  void step(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override {
    cache_.array() += dW.array().square();
    W.array() -= lr * dW.array() / (cache_.array().sqrt() + eps_);
  }

 private:
  Scalar eps_;
  Matrix<Scalar> cache_;
};

/// RMSProp:  cache = d cache + (1 - d) dW^2;  W -= lr dW / (sqrt(cache) + eps)
template <typename Scalar>
class RmsProp final : public UpdateRule<Scalar> {
 public:
  explicit RmsProp(const OptimizerSpec& spec)
      : decay_(as<Scalar>(spec.decay_rate)), eps_(as<Scalar>(spec.epsilon)) {}
  void reset(Eigen::Index rows, Eigen::Index cols) override { cache_.setZero(rows, cols); }
  void step(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override {
    cache_.array() = decay_ * cache_.array() + (1 - decay_) * dW.array().square();
    W.array() -= lr * dW.array() / (cache_.array().sqrt() + eps_);
  }

 private:
  Scalar decay_, eps_;
  Matrix<Scalar> cache_;
};

/// Adam with bias correction (t counts steps from 1):
///   m = b1 m + (1 - b1) dW;  v = b2 v + (1 - b2) dW^2
///   W -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
template <typename Scalar>
class Adam final : public UpdateRule<Scalar> {
 public:
  explicit Adam(const OptimizerSpec& spec)
      : beta1_(spec.beta1), beta2_(spec.beta2), eps_(as<Scalar>(spec.epsilon)) {}
  void reset(Eigen::Index rows, Eigen::Index cols) override {
    m_.setZero(rows, cols);
    v_.setZero(rows, cols);
    t_ = 0;
  }
  void step(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar lr) override {
    ++t_;
    const Scalar b1 = as<Scalar>(beta1_), b2 = as<Scalar>(beta2_);
    m_ = b1 * m_ + (1 - b1) * dW;
    v_.array() = b2 * v_.array() + (1 - b2) * dW.array().square();
    // Corrections in double: 1 - beta^t underflows float precision early for beta2 = 0.999.
    const Scalar m_correction = as<Scalar>(1.0 - std::pow(beta1_, t_));
    const Scalar v_correction = as<Scalar>(1.0 - std::pow(beta2_, t_));
    W.array() -= lr * (m_.array() / m_correction) / ((v_.array() / v_correction).sqrt() + eps_);
  }

 private:
  double beta1_, beta2_;
  Scalar eps_;
  Matrix<Scalar> m_, v_;
  long t_ = 0;
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
