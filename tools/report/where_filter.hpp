// The --where language of losslab-report: a small boolean expression over a trial's parameters
// and metrics, e.g.  learning_rate < 1e-3 and loss in (softmax, svm) and not status = diverged
//
//   expression := or
//   or         := and ("or" and)*
//   and        := unary ("and" unary)*
//   unary      := "not" unary | "(" expression ")" | condition
//   condition  := NAME op value | NAME ["not"] "in" "(" value ("," value)* ")" | NAME "is" ["not"] "null"
//   op         := = | == | != | <> | < | <= | > | >=
//   value      := number (1e-3, -2, 0.5) | word (softmax) | 'quoted' | "quoted"  ('' or "" inside
//                 a quoted string is one quote); the words true and false are the numbers 1 and 0
//
// Keywords are case-insensitive, names too (they are matched in lower case); text values are
// compared exactly. NAME is a parameter's short name (trial_params.name: learning_rate, loss,
// strength, ...), its dotted config key (optimizer.learning_rate), or a metric (see
// where_metric_names()).
//
// The expression is parsed here and evaluated in C++ over TrialRecord: nothing of it ever becomes
// SQL text. Evaluation follows SQL's three-valued logic: a comparison with a missing value (a NULL
// metric, a parameter the trial does not have) is unknown, `not unknown` is unknown, and only
// trials for which the whole expression is true match. Numbers compare numerically, text as bytes.
// Comparing a number with text is an error (check_types) when the name's values are all numbers or
// all text; if a parameter's values have mixed types, such a comparison is simply false.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "report_data.hpp"
#include "usage_error.hpp"

namespace losslab::report {

// A malformed or ill-typed --where expression; the message starts with "--where: " and gives the
// 1-based column.
class WhereError : public UsageError {
 public:
  using UsageError::UsageError;
};

// What names an expression may use besides the metrics.
struct WhereNames {
  std::vector<std::string> parameters;        // trial_params short names
  std::map<std::string, std::string> aliases;  // dotted config key -> short name
};

enum class ValueKind { number, text, mixed };

// id, key, name, status, error, diverged_step, rung (halving searches), round (adaptive samplers),
// train_examples, refit_of (a refit's search trial), and every metric of runner::rank_metrics():
// train_accuracy, val_accuracy, test_accuracy, val_macro_f1, test_macro_f1, macro_f1 (the validation
// one), final_loss, train_seconds, epochs_done.
const std::vector<std::string>& where_metric_names();

namespace where_detail {
struct Node;
}

class WhereFilter {
 public:
  // Throws WhereError for a syntax error or an unknown name.
  static WhereFilter parse(std::string_view expression, const WhereNames& names);

  // Throws WhereError when a condition compares a name whose values are numbers with text (or the
  // other way round). `parameter_kinds` maps short names to the kind of their values; a name that
  // is absent or `mixed` is not checked.
  void check_types(const std::map<std::string, ValueKind>& parameter_kinds) const;

  bool matches(const TrialRecord& trial) const;

 private:
  std::shared_ptr<const where_detail::Node> root_;
};

// Adds the kind of each parameter's values over these trials to `kinds` (booleans and integers are
// numbers; a name seen with both kinds becomes `mixed`).
void collect_parameter_kinds(const std::vector<TrialRecord>& trials, std::map<std::string, ValueKind>& kinds);

}  // namespace losslab::report
