// Short, readable text for a number in trial names and docs ("1e-3", "0.5", "200").
// Unlike format_value it may round: it is for people, never for hashing.
#pragma once

#include <string>

namespace losslab::runner::detail {

// Scientific with a bare exponent when |v| < 0.01 or |v| >= 1e6 ("1e-3", "2.5e-4", "2e6"), plain
// otherwise ("0.01", "0.5", "200"). Values that need more than 6 significant digits (random-search
// samples) are rounded to 4 ("3.457e-3").
std::string compact_number(double value);

}  // namespace losslab::runner::detail
