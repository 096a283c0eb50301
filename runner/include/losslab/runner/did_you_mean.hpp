// "did you mean ...?" suggestions for misspelled keys and values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace losslab::runner::detail {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbours each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo (or `word` is a
// prefix of it, or they differ only in case); the first such candidate on ties.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'x'?" or "" when there is no plausible suggestion.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace losslab::runner::detail
