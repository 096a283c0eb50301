// Numerical gradients and the gradient check of the lecture, in double precision.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "losslab/objective.hpp"
#include "losslab/types.hpp"

namespace losslab {

enum class Difference {
  forward,   // (f(W + h e_i) - f(W)) / h, as in the lecture's eval_numerical_gradient
  centered,  // (f(W + h e_i) - f(W - h e_i)) / 2h: error O(h^2) instead of O(h)
};

// A function of W with its analytic gradient, and optionally a kink signature (see Objective).
struct DifferentiableFunction {
  std::function<double(const Matrix<double>& W, Matrix<double>* grad)> evaluate;
  std::function<std::vector<std::uint8_t>(const Matrix<double>& W)> kink_signature;  // may be empty
};

// The full loss of one batch (X, labels) as a function of W, with its kink signature. Holds
// references: `objective`, `X` and `labels` must outlive the function.
DifferentiableFunction batch_objective(Objective<double>& objective, const RowMatrix<double>& X,
                                       std::span<const std::int32_t> labels);

// Numerical gradient at every coordinate of W.
Matrix<double> numerical_gradient(const std::function<double(const Matrix<double>&)>& f,
                                  const Matrix<double>& W, double h, Difference difference);

// |a - n| / max(|a|, |n|, tiny): 0 when both are (numerically) zero.
double relative_error(double analytic, double numerical, double tiny = 1e-12);

// The pass mark of a float64 check with centered differences: the worst relative error over the
// coordinates that sat on no kink. A correct gradient stays orders of magnitude below it; a wrong
// factor (1.01, a missing 2 or 1/B) lands at 1e-2 or above.
constexpr double kGradientCheckThreshold = 1e-6;
// The floor of the relative error's denominator that goes with it (GradientCheckOptions::tiny), in
// units of the loss. A centered difference cannot resolve a slope better than about eps |f| / h
// (2e-10 for a loss near 9, the SVM's at a small W, and h = 1e-5), so the relative error of an
// entry near that size (a feature that is 0 over the whole batch, where only the regularizer's
// 2 lambda w is left) is rounding noise. Below the floor an entry is judged in absolute terms, to
// threshold x floor x max(1, |f|) = 1e-9 max(1, |f|): some 50 times the noise, and still 100 times
// below a regularizer's gradient of 2 lambda w at lambda = 1e-4, w = 1e-3, were it off by 2.
constexpr double kGradientCheckFloor = 1e-3;

struct GradientCheckOptions {
  std::size_t samples = 20;  // coordinates checked, drawn at random; 0 = every coordinate
  double h = 1e-5;
  Difference difference = Difference::centered;
  std::uint64_t seed = 0;
  // Floor of the relative error's denominator, times max(1, |f(W)|) (see kGradientCheckFloor); the
  // default leaves the error relative down to the smallest entries.
  double tiny = 1e-12;
};

struct CoordinateCheck {
  Eigen::Index row = 0, col = 0;
  double analytic = 0, numerical = 0, relative_error = 0;
  bool kink_crossed = false;  // W +- h lie on different sides of a kink: the error says nothing
};

struct GradientCheckReport {
  std::vector<CoordinateCheck> coordinates;
  double max_relative_error = 0;   // over coordinates without a crossed kink
  double mean_relative_error = 0;  // the same coordinates' mean (0 when there are none)
  std::size_t kinks_crossed = 0;
  std::size_t kink_free() const { return coordinates.size() - kinks_crossed; }
};

GradientCheckReport gradient_check(const DifferentiableFunction& function, const Matrix<double>& W,
                                   const GradientCheckOptions& options);

// The totals of coordinates whose relative errors are known: what gradient_check reports on the
// coordinates it computed, and the report of several checks taken together.
GradientCheckReport summarize_gradient_check(std::vector<CoordinateCheck> coordinates);

enum class GradientCheckVerdict {
  pass,          // the worst relative error off the kinks is at most the threshold
  fail,          // above it
  inconclusive,  // every coordinate sat on a kink: nothing was checked
};
GradientCheckVerdict judge(const GradientCheckReport& report, double threshold = kGradientCheckThreshold);

}  // namespace losslab
