#include "halving_plan.hpp"

#include <stdexcept>
#include <string>

namespace losslab::runner {
namespace {

// The largest s with max / eta^s >= min, in integers: eta^s * min <= max.
int halvings(int min_epochs, int max_epochs, int eta) {
  if (min_epochs < 1 || max_epochs < min_epochs || eta < 2)
    throw std::invalid_argument("successive halving needs 1 <= min_epochs <= epochs and reduction_factor >= 2 (got " +
                                std::to_string(min_epochs) + ", " + std::to_string(max_epochs) + ", " +
                                std::to_string(eta) + ")");
  int s = 0;
  long long scaled = min_epochs;
  while (scaled * eta <= max_epochs) {
    scaled *= eta;
    ++s;
  }
  return s;
}

long long power(int base, int exponent) {
  long long value = 1;
  for (int i = 0; i < exponent; ++i) value *= base;
  return value;
}

}  // namespace

std::vector<int> rung_epochs(int min_epochs, int max_epochs, int eta) {
  const int s = halvings(min_epochs, max_epochs, eta);
  std::vector<int> epochs;
  for (int i = 0; i <= s; ++i) epochs.push_back(static_cast<int>(max_epochs / power(eta, s - i)));
  return epochs;
}

std::size_t promoted_count(std::size_t entered, int eta) {
  if (entered == 0) return 0;
  const std::size_t kept = entered / static_cast<std::size_t>(eta);
  return kept > 0 ? kept : 1;
}

std::vector<Bracket> hyperband_brackets(int min_epochs, int max_epochs, int eta) {
  const int s_max = halvings(min_epochs, max_epochs, eta);
  const std::vector<int> all = rung_epochs(min_epochs, max_epochs, eta);
  std::vector<Bracket> brackets;
  for (int s = s_max; s >= 0; --s) {
    Bracket bracket;
    bracket.s = s;
    // ceil((s_max + 1) * eta^s / (s + 1)) in integers.
    const long long numerator = static_cast<long long>(s_max + 1) * power(eta, s);
    bracket.trials = static_cast<std::size_t>((numerator + s) / (s + 1));
    bracket.epochs.assign(all.end() - (s + 1), all.end());
    brackets.push_back(std::move(bracket));
  }
  return brackets;
}

}  // namespace losslab::runner
