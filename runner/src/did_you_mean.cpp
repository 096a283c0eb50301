#include "losslab/runner/did_you_mean.hpp"

#include <algorithm>
#include <cctype>

namespace losslab::runner::detail {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A third of the word, at least 1 and at most 3: "lr" tolerates one typo, "learning_rat" three.
std::size_t tolerance(std::string_view word) { return std::clamp<std::size_t>(word.size() / 3, 1, 3); }

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.empty()) return std::nullopt;
  const std::string lowered = lower(word);
  std::optional<std::string> best;
  std::size_t best_distance = tolerance(word) + 1;
  for (const std::string& candidate : candidates) {
    const std::string lowered_candidate = lower(candidate);
    std::size_t distance = edit_distance(lowered, lowered_candidate);
    // A prefix of three or more letters ("learning" for "learning_rate") names it well enough.
    if (lowered.size() >= 3 && lowered_candidate.starts_with(lowered)) distance = std::min(distance, tolerance(word));
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const auto match = closest_match(word, candidates);
  return match ? "; did you mean '" + *match + "'?" : "";
}

}  // namespace losslab::runner::detail
