// What losslab-report reads: the results module's readers, row structs and ranking, under the
// report's names, and the report's own error for problems with what it was asked.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>

#include "losslab/runner/results/ranking.hpp"
#include "losslab/runner/results/reader.hpp"
#include "losslab/runner/results/records.hpp"

namespace losslab::report {

using runner::EpochRow;
using runner::ExperimentInfo;
using runner::ParamValue;
using runner::rank_trials;
using runner::ResultsReader;
using runner::RoundSummary;
using runner::RungRecord;
using runner::RungSummary;
using runner::SortKey;
using runner::TrialRecord;
using runner::Weights;

// A parameter's value as a number: integers and reals are, text, booleans and lists are not.
inline std::optional<double> param_number(const ParamValue& value) {
  if (const auto* real = std::get_if<double>(&value)) return *real;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  return std::nullopt;
}

// Any problem with the database's content or with the report's arguments; the message names the cause.
class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace losslab::report
