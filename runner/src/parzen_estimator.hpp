// The densities of the TPE sampler (tpe_sampler.hpp): one axis's Parzen estimator fitted to
// weighted observations, as Optuna's univariate TPESampler fits them (a prior, the "magic clip" of
// the bandwidths, the bounds as neighbours of the inner observations only).
#pragma once

#include <cstddef>
#include <vector>

#include "losslab/portable_random.hpp"

namespace losslab::runner::detail {

// A mixture of Gaussians truncated to [low, high]: one at each observation, weighted by its weight,
// and the prior N((low + high) / 2, high - low) weighted by `prior_weight`. An observation's
// bandwidth is its larger gap to its neighbours among the sorted observations and the prior's mean,
// where low and high are the outer neighbours of all but the lowest and highest point (which take
// their inner gap alone, so a lone point at a bound does not get the whole range). Bandwidths are
// clipped to [(high - low) / min(100, n + 2), high - low]: never so narrow that the density is a
// set of spikes on a few points, never wider than the prior.
class NumericParzen {
 public:
  // low < high; points in [low, high]; weights positive, one a point.
  NumericParzen(const std::vector<double>& points, const std::vector<double>& weights, double low, double high,
                double prior_weight);

  double log_pdf(double x) const;  // x in [low, high]
  double sample(PortableRandom& random) const;

 private:
  struct Kernel {
    double mu, sigma;
    double log_scale;  // log(weight) - log(sigma * sqrt(2 pi) * mass of N(mu, sigma) in [low, high])
  };
  std::vector<Kernel> kernels_;
  std::vector<double> cumulative_weights_;
  double low_, high_;
};

// Smoothed counts over `choices` categories, as a mixture like the numeric one: each observation
// puts 1 on its category and prior_weight / (n + 1) on every category; the prior is uniform.
class CategoricalParzen {
 public:
  // observed[i] < choices; weights positive, one an observation.
  CategoricalParzen(const std::vector<std::size_t>& observed, const std::vector<double>& weights, std::size_t choices,
                    double prior_weight);

  double log_pdf(std::size_t choice) const;
  std::size_t sample(PortableRandom& random) const;

 private:
  std::vector<double> probabilities_;
  std::vector<double> cumulative_;
};

}  // namespace losslab::runner::detail
