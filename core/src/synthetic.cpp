// Synthetic 2-D and D-dimensional datasets for quick experiments and tests.
#include <algorithm>
#include <stdexcept>
#include <thread>

#include "losslab/loaders.hpp"
#include "losslab/portable_random.hpp"
#include "work_team.hpp"
#include "ziggurat_normal.hpp"

namespace losslab {
namespace {

Dataset empty_dataset(std::size_t rows, std::size_t dimension, std::size_t classes) {
  Dataset data;
  data.X.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(dimension));
  data.y.reserve(rows);
  data.class_names = numbered_class_names(classes);
  data.layout.shape = {dimension};
  return data;
}

void require_positive(std::size_t value, const char* name) {
  if (value == 0) throw std::invalid_argument(std::string(name) + " must be at least 1");
}

// Generator 2's points: row r is center + spread * normals from its own stream, so any split of the
// rows among threads gives the same data.
void fill_blob_rows(Dataset& data, const std::vector<Vector<double>>& centers, const BlobsOptions& options) {
  const detail::ZigguratNormal normal;
  const auto rows = static_cast<std::size_t>(data.X.rows());
  const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t tasks = std::min<std::size_t>(rows, 4 * std::size_t{threads});
  detail::WorkTeam team(static_cast<unsigned>(std::min<std::size_t>(threads, tasks)));
  team.run(tasks, [&](std::size_t task, unsigned) {
    for (std::size_t row = rows * task / tasks; row < rows * (task + 1) / tasks; ++row) {
      detail::Xoshiro256 random(options.seed, row);
      const Vector<double>& center = centers[row / options.per_class];
      const auto r = static_cast<Eigen::Index>(row);
      for (Eigen::Index d = 0; d < center.size(); ++d)
        data.X(r, d) = static_cast<float>(center(d) + options.spread * normal(random));
    }
  });
}

}  // namespace

Dataset make_blobs(const BlobsOptions& options) {
  require_positive(options.classes, "blobs: classes");
  require_positive(options.dimension, "blobs: dimension");
  require_positive(options.per_class, "blobs: per_class");
  if (options.generator != 1 && options.generator != 2)
    throw std::invalid_argument("blobs: generator must be 1 or 2, got " + std::to_string(options.generator));
  std::mt19937_64 generator(options.seed);
  Dataset data = empty_dataset(options.classes * options.per_class, options.dimension, options.classes);
  std::vector<Vector<double>> centers;
  Eigen::Index row = 0;
  for (std::size_t c = 0; c < options.classes; ++c) {
    Vector<double>& center = centers.emplace_back(static_cast<Eigen::Index>(options.dimension));
    for (double& x : center) x = (2 * uniform01(generator) - 1) * options.center_scale;
    for (std::size_t i = 0; i < options.per_class; ++i, ++row) {
      if (options.generator == 1)
        for (Eigen::Index d = 0; d < center.size(); ++d)
          data.X(row, d) = static_cast<float>(center(d) + options.spread * standard_normal(generator));
      data.y.push_back(static_cast<std::int32_t>(c));
    }
  }
  if (options.generator == 2) fill_blob_rows(data, centers, options);
  return data;
}

Dataset make_spiral(const SpiralOptions& options) {
  require_positive(options.classes, "spiral: classes");
  require_positive(options.per_class, "spiral: per_class");
  std::mt19937_64 generator(options.seed);
  Dataset data = empty_dataset(options.classes * options.per_class, 2, options.classes);
  // numpy.linspace(a, b, N) semantics: both ends included; a single point sits at a.
  const double step = options.per_class > 1 ? 1.0 / static_cast<double>(options.per_class - 1) : 0.0;
  Eigen::Index row = 0;
  for (std::size_t j = 0; j < options.classes; ++j) {
    for (std::size_t i = 0; i < options.per_class; ++i, ++row) {
      const double radius = static_cast<double>(i) * step;
      const double theta = 4.0 * (static_cast<double>(j) + static_cast<double>(i) * step) +
                           options.noise * standard_normal(generator);
      data.X(row, 0) = static_cast<float>(radius * std::sin(theta));
      data.X(row, 1) = static_cast<float>(radius * std::cos(theta));
      data.y.push_back(static_cast<std::int32_t>(j));
    }
  }
  return data;
}

Dataset make_toy2d() {
  Dataset data = empty_dataset(9, 2, 3);
  data.X << 0.5f, 0.4f, 0.8f, 0.3f, 0.3f, 0.8f,  //
      -0.4f, 0.3f, -0.3f, 0.7f, -0.7f, 0.2f,      //
      0.7f, -0.4f, 0.5f, -0.6f, -0.4f, -0.5f;
  data.y = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  return data;
}

}  // namespace losslab
