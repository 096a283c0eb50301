#include "parzen_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

namespace losslab::runner::detail {
namespace {

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

std::vector<double> running_sum(const std::vector<double>& values) {
  std::vector<double> sums(values.size());
  std::partial_sum(values.begin(), values.end(), sums.begin());
  return sums;
}

// The index whose share of the running sum holds a uniform draw.
std::size_t pick(const std::vector<double>& cumulative, PortableRandom& random) {
  const double target = random.uniform01() * cumulative.back();
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  return std::min<std::size_t>(it - cumulative.begin(), cumulative.size() - 1);
}

std::vector<double> bandwidths(const std::vector<double>& points, double low, double high) {
  const std::size_t n = points.size();
  std::vector<double> mus = points;
  mus.push_back(0.5 * (low + high));  // the prior's mean takes part in the gaps
  std::vector<std::size_t> order(mus.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return mus[a] < mus[b]; });
  std::vector<double> edges{low};  // the sorted means between the bounds
  for (std::size_t i : order) edges.push_back(mus[i]);
  edges.push_back(high);

  const std::size_t m = mus.size();
  std::vector<double> sorted(m);
  for (std::size_t j = 0; j < m; ++j) sorted[j] = std::max(edges[j + 1] - edges[j], edges[j + 2] - edges[j + 1]);
  if (m >= 2) {
    sorted.front() = edges[2] - edges[1];
    sorted.back() = edges[m] - edges[m - 1];
  }
  const double range = high - low;
  const double smallest = range / std::min(100.0, static_cast<double>(n) + 2.0);
  std::vector<double> sigmas(m);
  for (std::size_t j = 0; j < m; ++j) sigmas[order[j]] = std::clamp(sorted[j], smallest, range);
  sigmas.resize(n);  // the prior's own is its range
  return sigmas;
}

}  // namespace

NumericParzen::NumericParzen(const std::vector<double>& points, const std::vector<double>& weights, double low,
                             double high, double prior_weight)
    : low_(low), high_(high) {
  std::vector<double> mus = points;
  std::vector<double> sigmas = bandwidths(points, low, high);
  std::vector<double> mixture = weights;
  mus.push_back(0.5 * (low + high));
  sigmas.push_back(high - low);
  mixture.push_back(prior_weight);
  const double total = std::accumulate(mixture.begin(), mixture.end(), 0.0);
  for (std::size_t i = 0; i < mus.size(); ++i) {
    const double mass = normal_cdf((high - mus[i]) / sigmas[i]) - normal_cdf((low - mus[i]) / sigmas[i]);
    const double log_scale =
        std::log(mixture[i] / total) - std::log(sigmas[i] * std::sqrt(2.0 * std::numbers::pi) * mass);
    kernels_.push_back({mus[i], sigmas[i], log_scale});
  }
  cumulative_weights_ = running_sum(mixture);
}

double NumericParzen::log_pdf(double x) const {
  // log-sum-exp over the kernels, so that a point far from every kernel still has a finite density
  std::vector<double> terms;
  for (const Kernel& k : kernels_) {
    const double z = (x - k.mu) / k.sigma;
    terms.push_back(k.log_scale - 0.5 * z * z);
  }
  const double top = *std::max_element(terms.begin(), terms.end());
  double sum = 0;
  for (double term : terms) sum += std::exp(term - top);
  return top + std::log(sum);
}

double NumericParzen::sample(PortableRandom& random) const {
  const Kernel& k = kernels_[pick(cumulative_weights_, random)];
  // Rejection: mu lies in [low, high] and sigma is at most high - low, so a draw is kept with
  // probability above 0.34.
  for (;;) {
    const double x = k.mu + k.sigma * random.normal();
    if (low_ <= x && x <= high_) return x;
  }
}

CategoricalParzen::CategoricalParzen(const std::vector<std::size_t>& observed, const std::vector<double>& weights,
                                     std::size_t choices, double prior_weight)
    : probabilities_(choices, 0.0) {
  const double total = std::accumulate(weights.begin(), weights.end(), prior_weight);
  const double smoothing = prior_weight / static_cast<double>(observed.size() + 1);
  const double row_total = static_cast<double>(choices) * smoothing + 1.0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double share = weights[i] / total / row_total;
    for (std::size_t c = 0; c < choices; ++c) probabilities_[c] += share * (smoothing + (c == observed[i] ? 1.0 : 0.0));
  }
  for (double& p : probabilities_) p += prior_weight / total / static_cast<double>(choices);
  cumulative_ = running_sum(probabilities_);
}

double CategoricalParzen::log_pdf(std::size_t choice) const { return std::log(probabilities_[choice]); }

std::size_t CategoricalParzen::sample(PortableRandom& random) const { return pick(cumulative_, random); }

}  // namespace losslab::runner::detail
