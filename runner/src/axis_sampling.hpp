// Values of the random space's axes (sweep.random.space): the uniform draws of random search, and
// the mapping of a number in an axis's range onto the value a trial runs with.
#pragma once

#include "losslab/runner/config.hpp"
#include "losslab/portable_random.hpp"

namespace losslab::runner::detail {

// `x` as a value of the numeric `axis`: clamped to [low, high] (exp(log(x)) may land an ulp
// outside), and rounded to an int64 for an integer key.
ParamValue axis_value(const RandomAxis& axis, double x);

// One draw: a uniform choice, or uniform in [low, high] (in log space for log_uniform).
ParamValue sample(const RandomAxis& axis, PortableRandom& random);

}  // namespace losslab::runner::detail
