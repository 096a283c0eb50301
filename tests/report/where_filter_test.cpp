// The --where language in process: parse errors with their columns, evaluation over hand-made
// trials (three-valued logic, numbers vs text, in / not in, case), and type checks.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "where_filter.hpp"

namespace losslab::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const WhereNames kNames = {{"learning_rate", "loss", "strength", "optimizer", "batch_size", "regularize_bias", "seed"},
                           {{"optimizer.learning_rate", "learning_rate"}, {"loss.kind", "loss"}}};

TrialRecord trial(std::int64_t id, const std::string& loss, double learning_rate, double val_accuracy,
                  const std::string& status = "completed") {
  TrialRecord t;
  t.id = id;
  t.name = loss + "/lr=" + std::to_string(learning_rate);
  t.status = status;
  t.params = {{"loss", loss},
              {"learning_rate", learning_rate},
              {"strength", 1e-4},
              {"optimizer", std::string("sgd")},
              {"batch_size", std::int64_t{200}},
              {"regularize_bias", std::int64_t{0}}};
  t.val_accuracy = val_accuracy;
  t.train_accuracy = val_accuracy;
  t.test_accuracy = kNaN;
  t.final_loss = std::isnan(val_accuracy) ? kNaN : 1 - val_accuracy;
  t.epochs_done = 2;
  return t;
}

const std::vector<TrialRecord> kTrials = {
    trial(1, "svm", 1e-3, 0.70),      trial(2, "svm", 1e-2, 0.80),         trial(3, "softmax", 1e-3, 0.75),
    trial(4, "softmax", 1e-2, 0.85),  trial(5, "softmax", 1.0, kNaN, "diverged"),
    trial(6, "it's", 1e-2, 0.5, "pruned")};

std::vector<std::int64_t> matching(const std::string& expression) {
  const auto filter = WhereFilter::parse(expression, kNames);
  std::map<std::string, ValueKind> kinds;
  collect_parameter_kinds(kTrials, kinds);
  filter.check_types(kinds);
  std::vector<std::int64_t> ids;
  for (const auto& t : kTrials)
    if (filter.matches(t)) ids.push_back(t.id);
  return ids;
}

std::string error_of(const std::string& expression) {
  try {
    matching(expression);
  } catch (const WhereError& error) {
    return error.what();
  }
  return "(no error)";
}

using Ids = std::vector<std::int64_t>;

TEST(WhereFilter, ComparisonsOverParametersAndMetrics) {
  EXPECT_EQ(matching("learning_rate < 1e-2"), (Ids{1, 3}));
  EXPECT_EQ(matching("learning_rate <= 0.01"), (Ids{1, 2, 3, 4, 6}));
  EXPECT_EQ(matching("learning_rate = 1e-3"), (Ids{1, 3}));
  EXPECT_EQ(matching("learning_rate == 0.001"), (Ids{1, 3}));
  EXPECT_EQ(matching("learning_rate != 1e-3"), (Ids{2, 4, 5, 6}));
  EXPECT_EQ(matching("learning_rate <> 1e-3"), (Ids{2, 4, 5, 6}));
  EXPECT_EQ(matching("learning_rate > 0.5"), (Ids{5}));
  EXPECT_EQ(matching("learning_rate >= -2"), (Ids{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(matching("loss = softmax"), (Ids{3, 4, 5}));
  EXPECT_EQ(matching("loss = 'softmax'"), (Ids{3, 4, 5}));
  EXPECT_EQ(matching("loss = \"softmax\""), (Ids{3, 4, 5}));
  EXPECT_EQ(matching("loss < svm"), (Ids{3, 4, 5, 6}));  // text compares as text: "it's" < "softmax" < "svm"
  EXPECT_EQ(matching("loss = 'it''s'"), (Ids{6}));
  EXPECT_EQ(matching("loss = \"it's\""), (Ids{6}));
  EXPECT_EQ(matching("batch_size = 200 and regularize_bias = false"), (Ids{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(matching("regularize_bias = true"), Ids{});
  EXPECT_EQ(matching("val_accuracy >= .8"), (Ids{2, 4}));
  EXPECT_EQ(matching("status = pruned"), (Ids{6}));
  EXPECT_EQ(matching("id > 4"), (Ids{5, 6}));
  EXPECT_EQ(matching("epochs_done = 2 and name = 'svm/lr=0.001000'"), (Ids{1}));
}

TEST(WhereFilter, AndOrNotParenthesesAndPrecedence) {
  EXPECT_EQ(matching("loss = svm or loss = softmax and learning_rate < 0.005"), (Ids{1, 2, 3}));
  EXPECT_EQ(matching("(loss = svm or loss = softmax) and learning_rate < 0.005"), (Ids{1, 3}));
  EXPECT_EQ(matching("not loss = svm and learning_rate < 0.1"), (Ids{3, 4, 6}));
  EXPECT_EQ(matching("not (loss = svm and learning_rate < 0.1)"), (Ids{3, 4, 5, 6}));
  EXPECT_EQ(matching("not not loss = svm"), (Ids{1, 2}));
  EXPECT_EQ(matching("((((loss = svm))))"), (Ids{1, 2}));
}

TEST(WhereFilter, InAndNotIn) {
  EXPECT_EQ(matching("loss in (svm, 'it''s')"), (Ids{1, 2, 6}));
  EXPECT_EQ(matching("loss not in (svm, softmax)"), (Ids{6}));
  EXPECT_EQ(matching("learning_rate in (1e-3, 1)"), (Ids{1, 3, 5}));
  EXPECT_EQ(matching("status not in (completed)"), (Ids{5, 6}));
}

TEST(WhereFilter, MissingValuesFollowSqlThreeValuedLogic) {
  // Trial 5 has no val_accuracy: neither a comparison nor its negation holds for it.
  EXPECT_EQ(matching("val_accuracy > 0.72"), (Ids{2, 3, 4}));
  EXPECT_EQ(matching("not val_accuracy > 0.72"), (Ids{1, 6}));
  EXPECT_EQ(matching("val_accuracy > 0.72 or loss = softmax"), (Ids{2, 3, 4, 5}));
  EXPECT_EQ(matching("val_accuracy in (0.7) or val_accuracy not in (0.7)"), (Ids{1, 2, 3, 4, 6}));
  EXPECT_EQ(matching("val_accuracy is null"), (Ids{5}));
  EXPECT_EQ(matching("val_accuracy is not null"), (Ids{1, 2, 3, 4, 6}));
  EXPECT_EQ(matching("test_accuracy > 0 or test_accuracy <= 0"), Ids{});
  EXPECT_EQ(matching("seed = 0"), Ids{});         // a parameter these trials lack
  EXPECT_EQ(matching("not seed = 0"), Ids{});
  EXPECT_EQ(matching("seed is null"), (Ids{1, 2, 3, 4, 5, 6}));
}

TEST(WhereFilter, KeywordsAndNamesAreCaseInsensitiveAndKeysAreAliases) {
  EXPECT_EQ(matching("LOSS = svm AND Learning_Rate < 1E-2"), (Ids{1}));
  EXPECT_EQ(matching("loss NOT IN (softmax) Or STATUS Is NULL"), (Ids{1, 2, 6}));
  EXPECT_EQ(matching("optimizer.learning_rate < 1e-2 and loss.kind = svm"), (Ids{1}));
  EXPECT_EQ(matching("loss = SVM"), Ids{});  // values are compared exactly
  EXPECT_EQ(matching("  loss\t=\nsvm  "), (Ids{1, 2}));
}

TEST(WhereFilter, SyntaxErrorsNameTheColumn) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"learning_rat < 1", "--where: unknown name 'learning_rat' at column 1; did you mean 'learning_rate'?"},
      {"learning_rate < 1e-3 and los = svm", "--where: unknown name 'los' at column 26; did you mean 'loss'?"},
      {"learning_rate <", "--where: expected a value after '<' at column 15, found the end of the expression"},
      {"learning_rate < and", "--where: expected a value after '<' at column 15, found 'and'"},
      {"loss = 'softmax", "--where: unterminated string at column 8"},
      {"name = \"x", "--where: unterminated string at column 8"},
      {"", "--where: the expression is empty"},
      {"(loss = svm", "--where: missing ')' to close the '(' at column 1: expected 'and', 'or' or ')' at column 12, "
                      "found the end of the expression"},
      {"loss = svm)", "--where: unmatched ')' at column 11"},
      {"loss = svm svm", "--where: expected 'and', 'or' or the end of the expression at column 12, found 'svm'"},
      {"loss svm", "--where: expected a comparison (=, !=, <, <=, >, >=, in, is null) after 'loss' at column 6, "
                   "found 'svm'"},
      {"1 = loss", "--where: expected a parameter or metric name at column 1, found '1'"},
      {"loss = svm;", "--where: unexpected character ';' at column 11 (--where takes a filter expression, not SQL)"},
      {"loss ! svm", "--where: unexpected character '!' at column 6 (use '!=' or 'not')"},
      {"learning_rate < 1e", "--where: malformed number '1e' at column 17"},
      {"learning_rate < 12abc", "--where: malformed number '12abc' at column 17"},
      {"learning_rate < 1e400", "--where: number '1e400' is out of range at column 17"},
      {"loss in svm", "--where: expected '(' after 'in' at column 9, found 'svm'"},
      {"loss in (svm softmax)", "--where: expected ',' or ')' in the list of 'in' at column 14, found 'softmax'"},
      {"loss in (svm,)", "--where: expected a value after ',' at column 13, found ')'"},
      {"loss not svm", "--where: expected 'in' after 'not' at column 10, found 'svm'"},
      {"loss is svm", "--where: expected 'null' after 'is' at column 9, found 'svm'"},
      {"loss = null", "--where: compare with NULL using 'is null' or 'is not null' at column 8"},
      {"loss = svm and", "--where: expected a parameter or metric name at column 15, found the end of the expression"},
      {"loss = svm or or", "--where: expected a parameter or metric name at column 15, found 'or'"},
      {"loss = \xC3\xA9", "--where: unexpected character byte 0xC3 at column 8"},
  };
  for (const auto& [expression, message] : cases) EXPECT_EQ(error_of(expression), message) << expression;
}

TEST(WhereFilter, TypeErrorsWhenANumberMeetsText) {
  EXPECT_EQ(error_of("learning_rate = fast"), "--where: learning_rate is a number, but 'fast' at column 17 is text");
  EXPECT_EQ(error_of("learning_rate in (0.1, '0.2')"),
            "--where: learning_rate is a number, but '0.2' at column 24 is text");
  EXPECT_EQ(error_of("loss = 5"), "--where: loss is text, but 5 at column 8 is a number (quote it: '5')");
  EXPECT_EQ(error_of("val_accuracy > high"), "--where: val_accuracy is a number, but 'high' at column 16 is text");
  EXPECT_EQ(error_of("status = 1"), "--where: status is text, but 1 at column 10 is a number (quote it: '1')");
  // Where a parameter's values have both types, no error: the mismatched comparison is just false.
  std::vector<TrialRecord> mixed = {trial(1, "svm", 0.1, 0.5), trial(2, "svm", 0.1, 0.5)};
  mixed[1].params["loss"] = 3.0;
  std::map<std::string, ValueKind> kinds;
  collect_parameter_kinds(mixed, kinds);
  EXPECT_EQ(kinds.at("loss"), ValueKind::mixed);
  const auto filter = WhereFilter::parse("loss = 3", kNames);
  EXPECT_NO_THROW(filter.check_types(kinds));
  EXPECT_FALSE(filter.matches(mixed[0]));
  EXPECT_TRUE(filter.matches(mixed[1]));
  EXPECT_TRUE(WhereFilter::parse("not loss = svm", kNames).matches(mixed[1]));  // 3 is not 'svm'
  EXPECT_FALSE(WhereFilter::parse("loss < svm", kNames).matches(mixed[1]));     // no order across types
}

TEST(WhereFilter, DeepNestingIsRefusedNotACrash) {
  EXPECT_EQ(matching(std::string(50, '(') + "loss = svm" + std::string(50, ')')), (Ids{1, 2}));
  const std::string deep = std::string(100000, '(') + "loss = svm" + std::string(100000, ')');
  EXPECT_NE(error_of(deep).find("nested too deeply"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "not ";
  EXPECT_NE(error_of(nots + "loss = svm").find("nested too deeply"), std::string::npos);
}

TEST(WhereFilter, ErrorsAreUsageErrors) {
  try {
    WhereFilter::parse("loss =", kNames);
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("--where: ", 0), 0u);
  }
}

}  // namespace
}  // namespace losslab::report
