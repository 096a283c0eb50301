#include "losslab/gradient_check.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace losslab {

Matrix<double> numerical_gradient(const std::function<double(const Matrix<double>&)>& f,
                                  const Matrix<double>& W, double h, Difference difference) {
  Matrix<double> x = W;
  Matrix<double> grad(W.rows(), W.cols());
  const double fx = difference == Difference::forward ? f(x) : 0.0;
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    const double original = x.data()[k];
    x.data()[k] = original + h;
    const double f_plus = f(x);
    if (difference == Difference::forward) {
      grad.data()[k] = (f_plus - fx) / h;
    } else {
      x.data()[k] = original - h;
      grad.data()[k] = (f_plus - f(x)) / (2 * h);
    }
    x.data()[k] = original;
  }
  return grad;
}

double relative_error(double analytic, double numerical, double tiny) {
  const double scale = std::max({std::abs(analytic), std::abs(numerical), tiny});
  return std::abs(analytic - numerical) / scale;
}

DifferentiableFunction batch_objective(Objective<double>& objective, const RowMatrix<double>& X,
                                       std::span<const std::int32_t> labels) {
  DifferentiableFunction f;
  f.evaluate = [&objective, &X, labels](const Matrix<double>& W, Matrix<double>* grad) {
    return objective.evaluate(X, labels, W, grad);
  };
  f.kink_signature = [&objective, &X, labels](const Matrix<double>& W) {
    return objective.kink_signature(X, labels, W);
  };
  return f;
}

GradientCheckReport summarize_gradient_check(std::vector<CoordinateCheck> coordinates) {
  GradientCheckReport report;
  double sum = 0;
  for (const CoordinateCheck& check : coordinates) {
    if (check.kink_crossed) {
      ++report.kinks_crossed;
    } else {
      // A NaN (a non-finite gradient or loss) is the worst error there is, not one std::max drops.
      if (!(check.relative_error <= report.max_relative_error) && !std::isnan(report.max_relative_error))
        report.max_relative_error = check.relative_error;
      sum += check.relative_error;
    }
  }
  report.coordinates = std::move(coordinates);
  if (report.kink_free() > 0) report.mean_relative_error = sum / static_cast<double>(report.kink_free());
  return report;
}

GradientCheckVerdict judge(const GradientCheckReport& report, double threshold) {
  if (report.kink_free() == 0) return GradientCheckVerdict::inconclusive;
  return report.max_relative_error <= threshold ? GradientCheckVerdict::pass : GradientCheckVerdict::fail;
}

GradientCheckReport gradient_check(const DifferentiableFunction& function, const Matrix<double>& W,
                                   const GradientCheckOptions& options) {
  if (!function.evaluate) throw std::invalid_argument("gradient_check: no function to check");
  if (!(options.h > 0)) throw std::invalid_argument("gradient_check: h must be positive");
  Matrix<double> analytic;
  const double fx = function.evaluate(W, &analytic);
  const double tiny = options.tiny * std::max(1.0, std::abs(fx));
  if (analytic.rows() != W.rows() || analytic.cols() != W.cols())
    throw std::invalid_argument("gradient_check: the gradient's shape differs from W's");

  // Coordinates to check: all of them, or a seeded random sample without repeats.
  std::vector<Eigen::Index> indices(static_cast<std::size_t>(W.size()));
  std::iota(indices.begin(), indices.end(), Eigen::Index{0});
  if (options.samples > 0 && options.samples < indices.size()) {
    std::mt19937_64 rng(options.seed);
    for (std::size_t i = 0; i < options.samples; ++i) {
      std::uniform_int_distribution<std::size_t> pick(i, indices.size() - 1);
      std::swap(indices[i], indices[pick(rng)]);
    }
    indices.resize(options.samples);
  }

  std::vector<CoordinateCheck> checks;
  Matrix<double> x = W;
  for (Eigen::Index k : indices) {
    const double original = x.data()[k];
    CoordinateCheck check;
    check.row = k % W.rows();
    check.col = k / W.rows();
    check.analytic = analytic.data()[k];

    x.data()[k] = original + options.h;
    const double f_plus = function.evaluate(x, nullptr);
    const auto signature_plus =
        function.kink_signature ? function.kink_signature(x) : std::vector<std::uint8_t>{};
    double f_other = fx;
    if (options.difference == Difference::centered) {
      x.data()[k] = original - options.h;
      f_other = function.evaluate(x, nullptr);
    } else {
      x.data()[k] = original;
    }
    // Compare the signature at the far end of the difference with the near end.
    if (function.kink_signature) check.kink_crossed = function.kink_signature(x) != signature_plus;
    x.data()[k] = original;

    check.numerical = options.difference == Difference::centered
                          ? (f_plus - f_other) / (2 * options.h)
                          : (f_plus - f_other) / options.h;
    check.relative_error = relative_error(check.analytic, check.numerical, tiny);
    checks.push_back(check);
  }
  return summarize_gradient_check(std::move(checks));
}

}  // namespace losslab
