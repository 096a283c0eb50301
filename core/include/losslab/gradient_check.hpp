// Numerical gradients and the gradient check of the lecture, in double precision.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

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

// Numerical gradient at every coordinate of W.
Matrix<double> numerical_gradient(const std::function<double(const Matrix<double>&)>& f,
                                  const Matrix<double>& W, double h, Difference difference);

// |a - n| / max(|a|, |n|, tiny): 0 when both are (numerically) zero.
double relative_error(double analytic, double numerical, double tiny = 1e-12);

struct GradientCheckOptions {
  std::size_t samples = 20;  // coordinates checked, drawn at random; 0 = every coordinate
  double h = 1e-5;
  Difference difference = Difference::centered;
  std::uint64_t seed = 0;
  // Floor of the relative error's denominator. A centered difference cannot resolve better than
  // about eps |f| / h in absolute terms (~1e-11 for a loss near 1 and h = 1e-5), so gradient
  // entries near that size have meaningless relative errors; a floor turns the check into an
  // absolute one for them.
  double tiny = 1e-12;
};

struct CoordinateCheck {
  Eigen::Index row = 0, col = 0;
  double analytic = 0, numerical = 0, relative_error = 0;
  bool kink_crossed = false;  // W +- h lie on different sides of a kink: the error says nothing
};

struct GradientCheckReport {
  std::vector<CoordinateCheck> coordinates;
  double max_relative_error = 0;  // over coordinates without a crossed kink
  std::size_t kinks_crossed = 0;
};

GradientCheckReport gradient_check(const DifferentiableFunction& function, const Matrix<double>& W,
                                   const GradientCheckOptions& options);

}  // namespace losslab
