// Synthetic datasets: shapes, label balance, determinism, and the geometry each one promises.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <stdexcept>

#include "losslab/loaders.hpp"

namespace losslab {
namespace {

std::map<std::int32_t, int> label_counts(const Dataset& data) {
  std::map<std::int32_t, int> counts;
  for (std::int32_t label : data.y) ++counts[label];
  return counts;
}

TEST(SyntheticBlobs, ShapeAndBalancedLabels) {
  const Dataset data = make_blobs({.classes = 4, .dimension = 3, .per_class = 25, .seed = 7});
  EXPECT_EQ(data.X.rows(), 100);
  EXPECT_EQ(data.X.cols(), 3);
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(label_counts(data), (std::map<std::int32_t, int>{{0, 25}, {1, 25}, {2, 25}, {3, 25}}));
  EXPECT_NO_THROW(validate_dataset(data, "blobs"));
}

TEST(SyntheticBlobs, DeterministicBySeed) {
  const BlobsOptions options{.classes = 3, .dimension = 2, .per_class = 20, .seed = 11};
  const Dataset first = make_blobs(options);
  const Dataset again = make_blobs(options);
  EXPECT_TRUE(first.X == again.X);
  EXPECT_EQ(first.y, again.y);
  BlobsOptions other = options;
  other.seed = 12;
  EXPECT_FALSE(first.X == make_blobs(other).X);
}

TEST(SyntheticBlobs, TightBlobsSitInsideTheCenterBox) {
  // spread 0.01: every class is a tiny cloud around a center in [-5, 5]^2.
  const Dataset data = make_blobs({.classes = 5, .dimension = 2, .per_class = 40, .spread = 0.01, .seed = 3});
  for (std::int32_t c = 0; c < 5; ++c) {
    Eigen::Vector2d sum = Eigen::Vector2d::Zero();
    for (Eigen::Index i = c * 40; i < (c + 1) * 40; ++i) {
      ASSERT_EQ(data.y[static_cast<std::size_t>(i)], c);
      sum += data.X.row(i).transpose().cast<double>();
    }
    const Eigen::Vector2d mean = sum / 40;
    EXPECT_LE(mean.cwiseAbs().maxCoeff(), 5.0 + 0.01) << "class " << c;
    for (Eigen::Index i = c * 40; i < (c + 1) * 40; ++i) {
      // 0.06 is 6 standard deviations: a point farther out means the spread is not applied.
      EXPECT_LT((data.X.row(i).transpose().cast<double>() - mean).cwiseAbs().maxCoeff(), 0.06);
    }
  }
}

TEST(SyntheticBlobs, SpreadIsTheStandardDeviationForEitherGenerator) {
  // One class, many points: the sample std and the 1-sigma fraction of a normal with sd 2.
  for (const int generator : {1, 2}) {
    const Dataset data = make_blobs(
        {.classes = 1, .dimension = 1, .per_class = 20000, .spread = 2.0, .seed = 5, .generator = generator});
    const double mean = data.X.cast<double>().mean();
    const double variance = (data.X.cast<double>().array() - mean).square().mean();
    EXPECT_NEAR(std::sqrt(variance), 2.0, 0.05) << "generator " << generator;
    const double within_one_sigma = ((data.X.cast<double>().array() - mean).abs() < 2.0).cast<double>().mean();
    EXPECT_NEAR(within_one_sigma, 0.6827, 0.015) << "generator " << generator;
  }
}

TEST(SyntheticBlobs, RejectsEmptyShapes) {
  EXPECT_THROW(make_blobs({.classes = 0}), std::invalid_argument);
  EXPECT_THROW(make_blobs({.dimension = 0}), std::invalid_argument);
  EXPECT_THROW(make_blobs({.per_class = 0}), std::invalid_argument);
}

TEST(SyntheticSpiral, ShapeAndBalancedLabels) {
  const Dataset data = make_spiral({.classes = 3, .per_class = 100, .seed = 1});
  EXPECT_EQ(data.X.rows(), 300);
  EXPECT_EQ(data.X.cols(), 2);
  EXPECT_EQ(label_counts(data), (std::map<std::int32_t, int>{{0, 100}, {1, 100}, {2, 100}}));
  EXPECT_EQ(data.num_classes(), 3u);
}

TEST(SyntheticSpiral, NoiselessPointsFollowTheCourseFormula) {
  // r = linspace(0, 1, N), t = linspace(4j, 4(j+1), N); x = (r sin t, r cos t).
  const Dataset data = make_spiral({.classes = 2, .per_class = 5, .noise = 0.0});
  const double r[5] = {0.0, 0.25, 0.5, 0.75, 1.0};
  const double t0[5] = {0.0, 1.0, 2.0, 3.0, 4.0};
  const double t1[5] = {4.0, 5.0, 6.0, 7.0, 8.0};
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(data.X(i, 0), r[i] * std::sin(t0[i]), 1e-6) << i;
    EXPECT_NEAR(data.X(i, 1), r[i] * std::cos(t0[i]), 1e-6) << i;
    EXPECT_NEAR(data.X(5 + i, 0), r[i] * std::sin(t1[i]), 1e-6) << i;
    EXPECT_NEAR(data.X(5 + i, 1), r[i] * std::cos(t1[i]), 1e-6) << i;
  }
  EXPECT_EQ(data.y, (Labels{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}));
}

TEST(SyntheticSpiral, NoiseMovesTheAngleNotTheRadius) {
  const Dataset noisy = make_spiral({.classes = 3, .per_class = 11, .noise = 0.3, .seed = 4});
  const Dataset clean = make_spiral({.classes = 3, .per_class = 11, .noise = 0.0, .seed = 4});
  for (Eigen::Index row = 0; row < 33; ++row) {
    EXPECT_NEAR(noisy.X.row(row).norm(), static_cast<double>(row % 11) / 10.0, 1e-6) << row;
  }
  EXPECT_GT((noisy.X - clean.X).cwiseAbs().maxCoeff(), 0.01f);
  EXPECT_TRUE(noisy.X == make_spiral({.classes = 3, .per_class = 11, .noise = 0.3, .seed = 4}).X);
  EXPECT_FALSE(noisy.X == make_spiral({.classes = 3, .per_class = 11, .noise = 0.3, .seed = 5}).X);
}

TEST(SyntheticSpiral, SinglePointPerClassSitsAtTheOrigin) {
  const Dataset data = make_spiral({.classes = 2, .per_class = 1, .noise = 0.5});
  EXPECT_EQ(data.X.rows(), 2);
  EXPECT_EQ(data.X.cwiseAbs().maxCoeff(), 0.0f);
}

TEST(SyntheticToy2d, LectureDemoPoints) {
  const Dataset data = make_toy2d();
  const float expected[9][2] = {{0.5f, 0.4f},  {0.8f, 0.3f},  {0.3f, 0.8f},  {-0.4f, 0.3f}, {-0.3f, 0.7f},
                                {-0.7f, 0.2f}, {0.7f, -0.4f}, {0.5f, -0.6f}, {-0.4f, -0.5f}};
  ASSERT_EQ(data.X.rows(), 9);
  ASSERT_EQ(data.X.cols(), 2);
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(data.X(i, 0), expected[i][0]) << i;
    EXPECT_EQ(data.X(i, 1), expected[i][1]) << i;
  }
  EXPECT_EQ(data.y, (Labels{0, 0, 0, 1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(data.num_classes(), 3u);
}

}  // namespace
}  // namespace losslab
