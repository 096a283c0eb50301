// The report's two kinds of failure: a ReportError is a problem with the database (exit code 1);
// a UsageError is a problem with what the user asked for — an unknown experiment, a bad --where
// expression, a rejected query (exit code 2).
#pragma once

#include "report_data.hpp"

namespace losslab::report {

class UsageError : public ReportError {
 public:
  using ReportError::ReportError;
};

}  // namespace losslab::report
