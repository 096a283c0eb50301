// The TPE sampler: the same batch for the same arguments, points inside the space, random draws
// before `startup` observations, densities that follow the best observations, a small optimization
// it wins against random search, and the Parzen estimators' densities against values by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "axis_sampling.hpp"
#include "losslab/batch_sampler.hpp"
#include "parzen_estimator.hpp"
#include "tpe_sampler.hpp"

namespace losslab::runner {
namespace {

using Points = std::vector<std::vector<ParamValue>>;

RandomAxis numeric_axis(const std::string& key, RandomAxis::Distribution distribution, double low, double high) {
  RandomAxis axis;
  axis.key = key;
  axis.distribution = distribution;
  axis.low = low;
  axis.high = high;
  return axis;
}

RandomAxis uniform(const std::string& key, double low, double high) {
  return numeric_axis(key, RandomAxis::Distribution::uniform, low, high);
}

RandomAxis log_uniform(const std::string& key, double low, double high) {
  return numeric_axis(key, RandomAxis::Distribution::log_uniform, low, high);
}

RandomAxis choice(const std::string& key, const std::vector<std::string>& choices) {
  RandomAxis axis;
  axis.key = key;
  axis.distribution = RandomAxis::Distribution::choice;
  for (const std::string& value : choices) axis.choices.push_back(value);
  return axis;
}

double number(const ParamValue& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  return std::get<double>(value);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Every kind of axis: a log-uniform and a uniform number, a log-uniform and a uniform integer, a choice.
std::vector<RandomAxis> mixed_space() {
  return {log_uniform("optimizer.learning_rate", 1e-4, 1e-1), uniform("regularization.strength", 0.0, 0.01),
          log_uniform("optimizer.batch_size", 16, 512), uniform("training.epochs", 1, 9),
          choice("optimizer.kind", {"sgd", "momentum", "adam"})};
}

// Random points of the mixed space, scored best near lr = 1e-2 with adam.
std::vector<TpeObservation> mixed_history(std::size_t n) {
  std::vector<TpeObservation> history;
  for (const auto& values : tpe_batch(mixed_space(), {}, n, 5)) {
    const double score = -std::abs(std::log10(number(values[0])) + 2) + (values[4] == ParamValue("adam") ? 0.5 : 0);
    history.push_back({values, score});
  }
  return history;
}

void expect_in_space(const std::vector<RandomAxis>& axes, const Points& points) {
  for (const auto& point : points) {
    ASSERT_EQ(point.size(), axes.size());
    for (std::size_t a = 0; a < axes.size(); ++a) {
      const RandomAxis& axis = axes[a];
      if (axis.distribution == RandomAxis::Distribution::choice) {
        EXPECT_NE(std::find(axis.choices.begin(), axis.choices.end(), point[a]), axis.choices.end()) << axis.key;
        continue;
      }
      const bool integer = axis.key == "optimizer.batch_size" || axis.key == "training.epochs";
      EXPECT_EQ(std::holds_alternative<std::int64_t>(point[a]), integer) << axis.key;
      EXPECT_GE(number(point[a]), axis.low) << axis.key;
      EXPECT_LE(number(point[a]), axis.high) << axis.key;
      if (axis.distribution == RandomAxis::Distribution::log_uniform) {
        EXPECT_GT(number(point[a]), 0) << axis.key;
      }
    }
  }
}

TEST(TpeSampler, SameArgumentsGiveTheSameBatchAndAnotherSeedAnother) {
  const auto history = mixed_history(30);
  const Points batch = tpe_batch(mixed_space(), history, 8, 42);
  EXPECT_EQ(tpe_batch(mixed_space(), history, 8, 42), batch);
  EXPECT_NE(tpe_batch(mixed_space(), history, 8, 43), batch);
  EXPECT_EQ(tpe_batch(mixed_space(), {}, 8, 42), tpe_batch(mixed_space(), {}, 8, 42));
  EXPECT_NE(tpe_batch(mixed_space(), {}, 8, 43), tpe_batch(mixed_space(), {}, 8, 42));
}

TEST(TpeSampler, PointsLieInTheSpaceWithTheirKeysTypesAndDiffer) {
  const auto axes = mixed_space();
  expect_in_space(axes, tpe_batch(axes, {}, 50, 1));
  const Points batch = tpe_batch(axes, mixed_history(30), 50, 1);
  expect_in_space(axes, batch);
  for (std::size_t i = 0; i < batch.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) EXPECT_NE(batch[i], batch[j]) << i << " repeats " << j;
}

TEST(TpeSampler, FewerObservationsThanStartupGiveUniformDraws) {
  const auto axes = mixed_space();
  const auto history = mixed_history(5);
  const Points batch = tpe_batch(axes, history, 6, 9);
  // Point i draws from stream history.size() + i, its index in the sweep.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    PortableRandom random(derive_seed(9, history.size() + i));
    std::vector<ParamValue> expected;
    for (const RandomAxis& axis : axes) expected.push_back(detail::sample(axis, random));
    EXPECT_EQ(batch[i], expected) << i;
  }
  EXPECT_NE(tpe_batch(axes, history, 6, 9, {.startup = 5}), batch);
}

// One uniform axis on [0, 1], observed on a grid and scored best at 0.7.
std::vector<TpeObservation> peak_history() {
  std::vector<TpeObservation> history;
  for (int k = 0; k < 30; ++k) {
    const double x = k / 29.0;
    history.push_back({{x}, -(x - 0.7) * (x - 0.7)});
  }
  return history;
}

std::vector<double> first_values(const Points& points) {
  std::vector<double> values;
  for (const auto& point : points) values.push_back(number(point[0]));
  return values;
}

TEST(TpeSampler, PointsGatherWhereTheBestObservationsAre) {
  const std::vector<RandomAxis> axes{uniform("regularization.strength", 0, 1)};
  const double middle = median(first_values(tpe_batch(axes, peak_history(), 20, 3)));
  EXPECT_GT(middle, 0.62);
  EXPECT_LT(middle, 0.78);
}

TEST(TpeSampler, NanScoresCountAsTheWorst) {
  const std::vector<RandomAxis> axes{uniform("regularization.strength", 0, 1)};
  auto history = peak_history();
  for (int k = 0; k < 10; ++k) history.push_back({{0.1 + 0.01 * k}, std::numeric_limits<double>::quiet_NaN()});
  const double middle = median(first_values(tpe_batch(axes, history, 20, 3)));
  EXPECT_GT(middle, 0.62);
  EXPECT_LT(middle, 0.78);
}

TEST(TpeSampler, TheChoiceThatAlwaysScoresBestDominates) {
  const std::vector<RandomAxis> axes{choice("optimizer.kind", {"sgd", "momentum", "adam"}),
                                     uniform("regularization.strength", 0, 1)};
  std::vector<TpeObservation> history;
  const std::vector<std::string> kinds{"sgd", "momentum", "adam"};
  for (int k = 0; k < 30; ++k) {
    const double x = k / 29.0;  // a little noise that does not change the order of the kinds
    history.push_back({{kinds[k % 3], x}, (k % 3 == 2 ? 1.0 : 0.0) + 0.1 * x});
  }
  const Points batch = tpe_batch(axes, history, 20, 4);
  const auto adam = std::count_if(batch.begin(), batch.end(), [](const auto& p) { return p[0] == ParamValue("adam"); });
  EXPECT_GE(adam, 16);
}

TEST(TpeSampler, ObservationsOutsideTheSpaceAreRejected) {
  const std::vector<RandomAxis> axes{choice("optimizer.kind", {"sgd", "adam"}), uniform("regularization.strength", 0, 1)};
  std::vector<TpeObservation> history(10, TpeObservation{{std::string("sgd"), 0.5}, 1.0});
  EXPECT_NO_THROW(tpe_batch(axes, history, 1, 0));
  history[3].values = {std::string("rmsprop"), 0.5};
  EXPECT_THROW(tpe_batch(axes, history, 1, 0), std::invalid_argument);
  history[3].values = {std::string("sgd")};
  EXPECT_THROW(tpe_batch(axes, history, 1, 0), std::invalid_argument);
  history[3].values = {std::string("sgd"), std::string("0.5")};
  EXPECT_THROW(tpe_batch(axes, history, 1, 0), std::invalid_argument);
}

// Best at lr = 1e-2, reg = 1e-4.
double bowl(const std::vector<ParamValue>& point) {
  const double lr = std::log10(number(point[0])) + 2;
  const double reg = std::log10(number(point[1])) + 4;
  return -lr * lr - reg * reg;
}

const std::vector<RandomAxis> kBowlSpace{log_uniform("optimizer.learning_rate", 1e-5, 1),
                                         log_uniform("regularization.strength", 1e-7, 1e-1)};

struct BowlSearch {
  double best = -INFINITY;
  std::vector<double> first_round, last_round;
};

// 5 rounds of 8 points: 2 rounds of uniform draws (startup 10), then 3 of TPE.
BowlSearch tpe_search(std::uint64_t seed) {
  BowlSearch search;
  std::vector<TpeObservation> history;
  for (int round = 0; round < 5; ++round) {
    std::vector<double> scores;
    for (const auto& point : tpe_batch(kBowlSpace, history, 8, seed)) {
      scores.push_back(bowl(point));
      history.push_back({point, scores.back()});
      search.best = std::max(search.best, scores.back());
    }
    if (round == 0) search.first_round = scores;
    search.last_round = scores;
  }
  return search;
}

// 40 uniform draws; the first 16 are the TPE search's first 16 points.
double random_search_best(std::uint64_t seed) {
  double best = -INFINITY;
  for (const auto& point : tpe_batch(kBowlSpace, {}, 40, seed)) best = std::max(best, bowl(point));
  return best;
}

TEST(TpeSampler, BeatsRandomSearchOnASmallProblem) {
  const BowlSearch search = tpe_search(1);
  EXPECT_GT(search.best, random_search_best(1));
  EXPECT_GT(median(search.last_round), median(search.first_round));
  // Random search gets lucky at times (TPE's best is the better for 18 of these 20 seeds, and for
  // about 3 seeds in 4 at large): the claim is about most seeds, not each.
  int wins = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) wins += tpe_search(seed).best > random_search_best(seed);
  EXPECT_GE(wins, 15);
}

// A Gaussian of mean mu and width sigma truncated to [0, 1], at x.
double truncated_normal(double x, double mu, double sigma) {
  const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); };
  const double z = (x - mu) / sigma;
  const double density = std::exp(-0.5 * z * z) / (sigma * std::sqrt(2 * std::numbers::pi));
  return density / (cdf((1 - mu) / sigma) - cdf(-mu / sigma));
}

TEST(ParzenEstimator, NumericDensityIsTheMixtureByHand) {
  const detail::NumericParzen parzen({0.2, 0.6}, {1, 1}, 0, 1, 1.0);
  // Sorted means with the prior's: 0.2, 0.5, 0.6 between the bounds 0 and 1. 0.2 is the lowest: its
  // inner gap 0.3; 0.6 the highest: its inner gap 0.1, clipped up to 1 / min(100, 2 + 2) = 0.25.
  // The prior N(0.5, 1). Weights 1/3 each.
  for (double x : {0.0, 0.4, 0.93}) {
    const double expected =
        (truncated_normal(x, 0.2, 0.3) + truncated_normal(x, 0.6, 0.25) + truncated_normal(x, 0.5, 1.0)) / 3;
    EXPECT_NEAR(parzen.log_pdf(x), std::log(expected), 1e-12) << x;
  }
  double integral = 0;  // the truncation keeps the mass in [0, 1]: midpoint rule
  constexpr int kSteps = 10000;
  for (int k = 0; k < kSteps; ++k) integral += std::exp(parzen.log_pdf((k + 0.5) / kSteps)) / kSteps;
  EXPECT_NEAR(integral, 1.0, 1e-6);
}

TEST(ParzenEstimator, CategoricalDensityIsTheSmoothedCountsByHand) {
  const detail::CategoricalParzen parzen({0, 0, 2}, {1, 1, 1}, 3, 1.0);
  // Each observation: 1 on its choice, 1/4 on every choice (row total 1.75); the prior 1/3 each;
  // weights 1/4 each.
  const double p0 = (2 * 1.25 / 1.75 + 0.25 / 1.75) / 4 + 1.0 / 12;
  const double p1 = (3 * 0.25 / 1.75) / 4 + 1.0 / 12;
  const double p2 = (2 * 0.25 / 1.75 + 1.25 / 1.75) / 4 + 1.0 / 12;
  EXPECT_NEAR(p0 + p1 + p2, 1.0, 1e-15);
  EXPECT_NEAR(parzen.log_pdf(0), std::log(p0), 1e-12);
  EXPECT_NEAR(parzen.log_pdf(1), std::log(p1), 1e-12);
  EXPECT_NEAR(parzen.log_pdf(2), std::log(p2), 1e-12);
}

}  // namespace
}  // namespace losslab::runner
