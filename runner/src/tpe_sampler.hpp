// A batch sampler of the random space (sweep.random.space) by the tree-structured Parzen estimator
// (Bergstra et al., "Algorithms for Hyper-Parameter Optimization", 2011), with the choices of
// Optuna's TPESampler where the paper leaves them open:
// - The history is split by score: the best n_below = min(ceil(gamma * n), max_below) observations
//   fit l, the rest fit g (Optuna's default gamma). NaN scores (diverged trials) count as the worst;
//   among equal scores the earlier observation is the better.
// - Univariate estimators: each axis has its own l and g, independent of the other axes
//   (parzen_estimator.hpp); numeric axes are fitted in log space for log_uniform. Each estimator
//   holds a prior of weight prior_weight. An observation's weight is 1, except that in a set of
//   more than 25 the older ones fade: the first n - 25 ramp linearly from 1/n up to 1 (Optuna's
//   default_weights; history order is trial order).
// - A point is the best of `candidates` points drawn from l by log l(x) - log g(x), summed over the
//   axes. Unlike Optuna's univariate sampler, which takes each axis's best candidate on its own, whole
//   points are ranked: a point that repeats one of the history or of the batch is passed over for
//   the next best, which keeps the points of a batch distinct. When every candidate repeats one (a
//   small categorical space), the best is taken anyway; the caller's trial keys merge repeats.
// - Integer keys are scored as numbers and rounded after (axis_sampling.hpp), like random search.
// - Every point of a batch comes from the same fit; point i draws from its own stream,
//   derive_seed(seed, history.size() + i), its index in the whole sweep, so the points of a batch
//   differ, and so do the rounds of a sweep that passes the same seed to each. Ties: the first.
// The generator is the portable one (losslab/portable_random.hpp): the same arguments give the same batch on
// every machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "losslab/runner/config.hpp"

namespace losslab::runner {

// One finished trial: its values in the order of the axes, and its score, higher is better
// (validation accuracy); NaN for a trial that diverged.
struct TpeObservation {
  std::vector<ParamValue> values;
  double score = 0;
};

struct TpeSettings {
  std::size_t startup = 10;     // random points while the history holds fewer observations
  std::size_t candidates = 24;  // draws from l a point is chosen among
  double gamma = 0.1;           // the share of the history that fits l ...
  std::size_t max_below = 25;   // ... up to this many
  double prior_weight = 1.0;
};

// The next `batch` points of the space, each as values in the order of `axes`: uniform draws
// (axis_sampling.hpp) while the history holds fewer than settings.startup observations (or none),
// TPE points otherwise. A pure function of its arguments. Throws std::invalid_argument for an
// observation that is not a point of the space: another number of values, a non-number on a numeric
// axis, a value that is not among an axis's choices. A number outside an axis's bounds is taken at
// the nearest bound.
std::vector<std::vector<ParamValue>> tpe_batch(const std::vector<RandomAxis>& axes,
                                               const std::vector<TpeObservation>& history, std::size_t batch,
                                               std::uint64_t seed, const TpeSettings& settings = {});

}  // namespace losslab::runner
