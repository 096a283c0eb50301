#include "tpe_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include "axis_sampling.hpp"
#include "losslab/batch_sampler.hpp"
#include "parzen_estimator.hpp"

namespace losslab::runner {
namespace {

using Distribution = RandomAxis::Distribution;
using Density = std::variant<detail::NumericParzen, detail::CategoricalParzen>;
using Point = std::vector<ParamValue>;

std::optional<double> number_of(const ParamValue& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  if (const auto* number = std::get_if<double>(&value)) return *number;
  return std::nullopt;
}

// An integer key may come back as int64 or as a double with the same value.
bool same_value(const ParamValue& a, const ParamValue& b) {
  const std::optional<double> x = number_of(a);
  const std::optional<double> y = number_of(b);
  if (x && y) return *x == *y;
  return a == b;
}

bool same_point(const Point& a, const Point& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same_value);
}

double to_coordinate(const RandomAxis& axis, double number) {
  return axis.distribution == Distribution::log_uniform ? std::log(number) : number;
}

// Where a value lies on its axis for the estimators: the index of a choice, or the number in the
// space the axis is uniform in (log space for log_uniform).
double coordinate(const RandomAxis& axis, const ParamValue& value) {
  if (axis.distribution == Distribution::choice) {
    const auto it = std::find_if(axis.choices.begin(), axis.choices.end(),
                                 [&](const ParamValue& choice) { return same_value(choice, value); });
    if (it == axis.choices.end())
      throw std::invalid_argument("tpe_batch: an observation's " + axis.key + " is not among the axis's choices");
    return static_cast<double>(it - axis.choices.begin());
  }
  const std::optional<double> number = number_of(value);
  if (!number || std::isnan(*number))
    throw std::invalid_argument("tpe_batch: an observation's " + axis.key + " is not a number");
  return to_coordinate(axis, std::clamp(*number, axis.low, axis.high));
}

ParamValue value_at(const RandomAxis& axis, double x) {
  if (axis.distribution == Distribution::choice) return axis.choices[static_cast<std::size_t>(x)];
  return detail::axis_value(axis, axis.distribution == Distribution::log_uniform ? std::exp(x) : x);
}

// Optuna's default_weights: 1 for the newest 25, a ramp from 1/n for the older ones.
std::vector<double> observation_weights(std::size_t n) {
  constexpr std::size_t kFlat = 25;
  std::vector<double> weights(n, 1.0);
  if (n <= kFlat) return weights;
  const std::size_t ramp = n - kFlat;
  const double first = 1.0 / static_cast<double>(n);
  for (std::size_t k = 0; k < ramp; ++k)
    weights[k] = ramp == 1 ? first : first + static_cast<double>(k) * (1.0 - first) / static_cast<double>(ramp - 1);
  return weights;
}

bool better(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a > b;
}

struct Split {
  std::vector<std::size_t> below, above;  // indices into the history, in history order
};

Split split(const std::vector<TpeObservation>& history, const TpeSettings& settings) {
  std::vector<std::size_t> order(history.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return better(history[a].score, history[b].score); });
  const auto n_below = std::min(
      static_cast<std::size_t>(std::ceil(settings.gamma * static_cast<double>(history.size()))), settings.max_below);
  Split result{{order.begin(), order.begin() + static_cast<std::ptrdiff_t>(std::min(n_below, order.size()))},
               {order.begin() + static_cast<std::ptrdiff_t>(std::min(n_below, order.size())), order.end()}};
  std::sort(result.below.begin(), result.below.end());
  std::sort(result.above.begin(), result.above.end());
  return result;
}

Density fit(const RandomAxis& axis, const std::vector<std::vector<double>>& coordinates,
            const std::vector<std::size_t>& members, std::size_t a, double prior_weight) {
  const std::vector<double> weights = observation_weights(members.size());
  if (axis.distribution == Distribution::choice) {
    std::vector<std::size_t> observed;
    for (std::size_t i : members) observed.push_back(static_cast<std::size_t>(coordinates[i][a]));
    return detail::CategoricalParzen(observed, weights, axis.choices.size(), prior_weight);
  }
  std::vector<double> points;
  for (std::size_t i : members) points.push_back(coordinates[i][a]);
  return detail::NumericParzen(points, weights, to_coordinate(axis, axis.low), to_coordinate(axis, axis.high),
                               prior_weight);
}

double draw(const Density& density, PortableRandom& random) {
  if (const auto* categorical = std::get_if<detail::CategoricalParzen>(&density))
    return static_cast<double>(categorical->sample(random));
  return std::get<detail::NumericParzen>(density).sample(random);
}

double log_pdf(const Density& density, double x) {
  if (const auto* categorical = std::get_if<detail::CategoricalParzen>(&density))
    return categorical->log_pdf(static_cast<std::size_t>(x));
  return std::get<detail::NumericParzen>(density).log_pdf(x);
}

struct Candidate {
  Point values;
  double score = 0;  // log l(x) - log g(x)
};

bool repeats(const Point& point, const std::vector<TpeObservation>& history, const std::vector<Point>& batch) {
  return std::any_of(history.begin(), history.end(),
                     [&](const TpeObservation& observation) { return same_point(point, observation.values); }) ||
         std::any_of(batch.begin(), batch.end(), [&](const Point& other) { return same_point(point, other); });
}

}  // namespace

std::vector<std::vector<ParamValue>> tpe_batch(const std::vector<RandomAxis>& axes,
                                               const std::vector<TpeObservation>& history, std::size_t batch,
                                               std::uint64_t seed, const TpeSettings& settings) {
  if (settings.candidates == 0) throw std::invalid_argument("tpe_batch: settings.candidates must be positive");
  std::vector<std::vector<double>> coordinates;  // [observation][axis]
  for (const TpeObservation& observation : history) {
    if (observation.values.size() != axes.size())
      throw std::invalid_argument("tpe_batch: an observation has " + std::to_string(observation.values.size()) +
                                  " values for " + std::to_string(axes.size()) + " axes");
    std::vector<double> row;
    for (std::size_t a = 0; a < axes.size(); ++a) row.push_back(coordinate(axes[a], observation.values[a]));
    coordinates.push_back(std::move(row));
  }

  std::vector<Point> points;
  if (history.empty() || history.size() < settings.startup) {
    for (std::size_t i = 0; i < batch; ++i) {
      PortableRandom random(derive_seed(seed, history.size() + i));
      Point point;
      for (const RandomAxis& axis : axes) point.push_back(detail::sample(axis, random));
      points.push_back(std::move(point));
    }
    return points;
  }

  const Split sets = split(history, settings);
  std::vector<Density> below, above;  // l and g of each axis
  for (std::size_t a = 0; a < axes.size(); ++a) {
    below.push_back(fit(axes[a], coordinates, sets.below, a, settings.prior_weight));
    above.push_back(fit(axes[a], coordinates, sets.above, a, settings.prior_weight));
  }
  for (std::size_t i = 0; i < batch; ++i) {
    PortableRandom random(derive_seed(seed, history.size() + i));
    std::vector<Candidate> candidates(settings.candidates);
    for (Candidate& candidate : candidates) {
      for (std::size_t a = 0; a < axes.size(); ++a) {
        const double x = draw(below[a], random);
        candidate.score += log_pdf(below[a], x) - log_pdf(above[a], x);
        candidate.values.push_back(value_at(axes[a], x));
      }
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
    const auto fresh = std::find_if(candidates.begin(), candidates.end(),
                                    [&](const Candidate& c) { return !repeats(c.values, history, points); });
    points.push_back(fresh != candidates.end() ? fresh->values : candidates.front().values);
  }
  return points;
}

}  // namespace losslab::runner
