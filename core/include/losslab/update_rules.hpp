// Parameter update rules. As in ensmallen, the hyperparameters (OptimizerSpec) stay apart from the
// state of one run (velocity, caches, t), which reset() allocates; step() applies one update.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "losslab/optimizer.hpp"
#include "losslab/types.hpp"

namespace losslab {

template <typename Scalar>
class UpdateRule {
 public:
  virtual ~UpdateRule() = default;
  // Allocates zeroed state for a rows x cols parameter matrix and restarts the step count.
  virtual void reset(Eigen::Index rows, Eigen::Index cols) = 0;
  // W <- W + update(dW, learning_rate, state).
  virtual void step(MatrixRef<Scalar> W, const ConstMatrixRef<Scalar>& dW, Scalar learning_rate) = 0;

  // The run's state, so that another rule of the same spec can continue it (restore()): its
  // matrices in a fixed order (momentum, nesterov: {v}; adagrad, rmsprop: {cache}; adam: {m, v};
  // sgd: none), each of reset()'s shape.
  virtual std::vector<Matrix<Scalar>> state() const = 0;
  // Steps taken since reset() (Adam's t).
  virtual std::int64_t steps() const = 0;
  // Takes over state() and steps() of another run; call after reset() to the same shape. Throws
  // std::invalid_argument for another number of matrices, another shape or negative steps.
  virtual void restore(std::vector<Matrix<Scalar>> state, std::int64_t steps) = 0;
};

// The rule for a gradient-based optimizer kind (gd and sgd share vanilla SGD).
// Throws std::invalid_argument for random_search / random_local_search.
template <typename Scalar>
std::unique_ptr<UpdateRule<Scalar>> make_update_rule(const OptimizerSpec& spec);

}  // namespace losslab
