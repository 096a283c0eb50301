// Every value of every named enum has one distinct name that parses back, and each enum's list
// (kLossKinds, ...) holds every value once. A value left out of its to_string switch does not
// compile (-Werror=switch); one named there but left out of its list fails here.
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "losslab/enum_names.hpp"
#include "losslab/loss.hpp"
#include "losslab/optimizer.hpp"
#include "losslab/regularizer.hpp"
#include "losslab/splits.hpp"
#include "losslab/trainer.hpp"

namespace losslab {
namespace {

// The name of a value, or "" when it has none (to_string returns "?" or throws for those).
template <typename Enum>
std::string name_or_empty(Enum value) {
  try {
    const std::string name = to_string(value);
    return name == "?" ? "" : name;
  } catch (const std::invalid_argument&) {
    return "";
  }
}

// One enum's list of values, and its parser where core has one.
template <typename Enum, std::size_t N>
void check_names(const std::array<Enum, N>& values, Enum (*parse)(const std::string&) = nullptr) {
  std::set<int> listed;
  std::set<std::string> distinct;
  std::vector<std::string> names;
  for (const Enum value : values) {
    const std::string name = name_or_empty(value);
    EXPECT_FALSE(name.empty()) << "value " << static_cast<int>(value) << " has no name";
    EXPECT_TRUE(distinct.insert(name).second) << "'" << name << "' names two values";
    EXPECT_TRUE(listed.insert(static_cast<int>(value)).second) << "'" << name << "' is listed twice";
    if (parse != nullptr) {
      EXPECT_EQ(parse(name), value) << name;
    }
    names.push_back(name);
  }
  EXPECT_EQ(names_of(values), names);
  // The enums count from 0 without gaps: N distinct values are 0 .. N-1, and N is not a value.
  EXPECT_EQ(listed.size(), N);
  if (!listed.empty()) {
    EXPECT_EQ(*listed.rbegin(), static_cast<int>(N) - 1);
  }
  EXPECT_EQ(name_or_empty(static_cast<Enum>(N)), "") << "a value is named but not in the list";
}

TEST(EnumNames, EveryValueHasOneNameThatParsesBack) {
  check_names(kLossKinds, &parse_loss_kind);
  check_names(kRegKinds, &parse_reg_kind);
  check_names(kOptimizerKinds, &parse_optimizer_kind);
  check_names(kScheduleKinds, &parse_schedule_kind);
  check_names(kSamplings, &parse_sampling);
  check_names(kTrainAccuracies, &parse_train_accuracy);
  check_names(kPreprocessSteps, &parse_preprocess_step);
  check_names(kTrainStatuses);
}

// What `parse` throws for `name`.
template <typename Enum>
std::string error_of(Enum (*parse)(const std::string&), const std::string& name) {
  try {
    parse(name);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "(accepted)";
}

TEST(EnumNames, UnknownNameListsTheChoices) {
  EXPECT_EQ(error_of(&parse_reg_kind, "l3"),
            "unknown regularization 'l3' (expected one of: none, l1, l2, elastic_net, max_norm)");
  EXPECT_EQ(error_of(&parse_preprocess_step, "normalize"),
            "unknown preprocessing step 'normalize' (expected mean_subtract, standardize, scale_unit or bias)");
}

TEST(EnumNames, Joined) { EXPECT_EQ(joined_names(kLossKinds), "svm | squared_hinge | softmax"); }

}  // namespace
}  // namespace losslab
