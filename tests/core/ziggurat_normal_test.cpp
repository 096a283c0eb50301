// The fast generators behind synthetic blobs' generator 2: xoshiro256** against its published
// outputs, the ziggurat's draws against the standard normal's distribution (its tail included),
// and blobs that are the same for any number of threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "losslab/loaders.hpp"
#include "ziggurat_normal.hpp"

namespace losslab::detail {
namespace {

TEST(Xoshiro256, MatchesTheReferenceOutputsFromStateOneTwoThreeFour) {
  // The first ten outputs of Blackman and Vigna's xoshiro256starstar.c from the state {1, 2, 3, 4}
  // (the test vector other implementations, e.g. Rust's rand_xoshiro, check against).
  Xoshiro256 random = Xoshiro256::from_state({1, 2, 3, 4});
  const std::vector<std::uint64_t> expected{11520ull,
                                            0ull,
                                            1509978240ull,
                                            1215971899390074240ull,
                                            1216172134540287360ull,
                                            607988272756665600ull,
                                            16172922978634559625ull,
                                            8476171486693032832ull,
                                            10595114339597558777ull,
                                            2904607092377533576ull};
  for (const std::uint64_t value : expected) EXPECT_EQ(random(), value);
}

TEST(Xoshiro256, NeighbouringRowsStartUnrelatedStreams) {
  Xoshiro256 row0(7, 0), row1(7, 1), other_seed(8, 0);
  const std::uint64_t a = row0(), b = row1(), c = other_seed();
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  // Unrelated 64-bit words differ in about half their bits.
  EXPECT_GT(__builtin_popcountll(a ^ b), 16);
  EXPECT_GT(__builtin_popcountll(a ^ c), 16);
}

// Phi(x) of the standard normal.
double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

TEST(ZigguratNormal, DrawsFollowTheStandardNormal) {
  const ZigguratNormal normal;
  Xoshiro256 random(2024);
  const int n = 2'000'000;
  std::vector<double> draws(n);
  for (double& x : draws) x = normal(random);
  double sum = 0, squares = 0, fourth = 0;
  for (const double x : draws) {
    sum += x;
    squares += x * x;
    fourth += x * x * x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.005);       // 7 standard errors of the mean
  EXPECT_NEAR(squares / n, 1.0, 0.007);   // sd of x^2 is sqrt(2): 7 standard errors
  EXPECT_NEAR(fourth / n, 3.0, 0.05);     // kurtosis 3 (sd of x^4 is sqrt(96): 7 standard errors)
  // The empirical distribution function against Phi at points across the layers and beyond R,
  // within 5 standard errors sqrt(p (1 - p) / n) each.
  std::sort(draws.begin(), draws.end());
  for (const double x : {-4.0, -3.7, -3.0, -2.0, -1.0, -0.3, 0.0, 0.5, 1.5, 2.5, 3.66, 4.0}) {
    const double p = normal_cdf(x);
    const double empirical =
        static_cast<double>(std::lower_bound(draws.begin(), draws.end(), x) - draws.begin()) / n;
    EXPECT_NEAR(empirical, p, 5 * std::sqrt(p * (1 - p) / n) + 1.0 / n) << "at " << x;
  }
  // The tail beyond R = 3.654 (about 2.6e-4 of the mass, both sides) is drawn, on both sides.
  EXPECT_LT(draws.front(), -3.7);
  EXPECT_GT(draws.back(), 3.7);
}

TEST(SyntheticBlobsGeneratorTwo, TheSameForAnyNumberOfThreads) {
  BlobsOptions options{.classes = 3, .dimension = 17, .per_class = 101, .seed = 9, .generator = 2, .threads = 1};
  const Dataset one = make_blobs(options);
  for (const unsigned threads : {2u, 3u, 8u}) {
    options.threads = threads;
    const Dataset many = make_blobs(options);
    EXPECT_TRUE(one.X == many.X) << threads << " threads";
    EXPECT_EQ(one.y, many.y);
  }
  // Another generator, another seed: other points.
  BlobsOptions first = options;
  first.generator = 1;
  EXPECT_FALSE(one.X == make_blobs(first).X);
  options.seed = 10;
  EXPECT_FALSE(one.X == make_blobs(options).X);
}

TEST(SyntheticBlobsGeneratorTwo, RejectsAnUnknownGenerator) {
  EXPECT_THROW(make_blobs({.generator = 3}), std::invalid_argument);
}

}  // namespace
}  // namespace losslab::detail
