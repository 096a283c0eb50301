// The live report's change log: what it sends for each kind of change, by hand-written documents
// and hand-written expected changes, and that applying the changes a reader missed gives the
// latest document whichever cursor the reader holds.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "change_log.hpp"

namespace losslab::report {
namespace {

using nlohmann::json;

const ArrayKeys kKeys = {{"rows", {"id"}}, {"cells", {"x", "y"}}};

// The reader's side of the format documented in change_log.hpp (report.js applyChange).
json apply_change(json target, const json& change) {
  if (change.contains("set")) return change.at("set");
  if (change.contains("members")) {
    for (const auto& [name, part] : change.at("members").items()) target[name] = apply_change(target[name], part);
    return target;
  }
  const auto& key = change.at("key");
  for (const auto& item : change.at("items")) {
    const json& at = item.at(0);
    bool found = false;
    for (auto& element : target) {
      bool same = true;
      for (std::size_t i = 0; i < key.size(); ++i) same = same && element.at(key[i].get<std::string>()) == at[i];
      if (same) {
        element = apply_change(element, item.at(1));
        found = true;
        break;
      }
    }
    if (!found) target.push_back(apply_change(nullptr, item.at(1)));
  }
  return target;
}

const json kFirst = json::parse(R"j({
  "title": "sweep",
  "counts": {"completed": 1, "running": 1},
  "rows": [{"id": 1, "status": "completed", "acc": 0.5}, {"id": 2, "status": "running", "acc": null}],
  "cells": [{"x": 0.1, "y": 1, "value": 0.5}],
  "curve": [[0, 2.3], [1, 1.9]]
})j");

TEST(ChangeLog, TheFirstVersionIsSentWholeAndAnUnchangedOneMovesNothing) {
  ChangeLog log(kKeys);
  EXPECT_EQ(log.cursor(), 0);
  EXPECT_TRUE(log.changes_since(0).is_null());
  log.record(kFirst);
  EXPECT_EQ(log.cursor(), 1);
  EXPECT_EQ(log.changes_since(0), json({{"set", kFirst}}));
  EXPECT_TRUE(log.changes_since(1).is_null());
  log.record(kFirst);
  EXPECT_EQ(log.cursor(), 1);
}

TEST(ChangeLog, SendsOnlyTheRowsThatChangedOrAreNew) {
  ChangeLog log(kKeys);
  log.record(kFirst);
  json second = kFirst;
  second["counts"] = {{"completed", 2}};  // a member went away: the object is sent whole
  second["rows"][1] = {{"id", 2}, {"status", "completed"}, {"acc", 0.75}};
  second["rows"].push_back({{"id", 3}, {"status", "pending"}, {"acc", nullptr}});
  log.record(second);
  EXPECT_EQ(log.cursor(), 2);
  const json expected = json::parse(R"j({"members": {
    "counts": {"set": {"completed": 2}},
    "rows": {"key": ["id"], "items": [
      [[2], {"members": {"acc": {"set": 0.75}, "status": {"set": "completed"}}}],
      [[3], {"set": {"id": 3, "status": "pending", "acc": null}}]]}}})j");
  EXPECT_EQ(log.changes_since(1), expected);
  EXPECT_EQ(apply_change(kFirst, log.changes_since(1)), second);
}

TEST(ChangeLog, ChangesSinceAnOlderCursorCoverEveryVersionAfterIt) {
  ChangeLog log(kKeys);
  log.record(kFirst);
  json second = kFirst;
  second["rows"][0]["acc"] = 0.625;
  log.record(second);
  json third = second;
  third["cells"].push_back({{"x", 0.01}, {"y", 1}, {"value", 0.25}});
  third["title"] = "sweep (2)";
  log.record(third);
  ASSERT_EQ(log.cursor(), 3);
  // From 2: only what the third version changed.
  EXPECT_EQ(log.changes_since(2), json::parse(R"j({"members": {
    "cells": {"key": ["x", "y"], "items": [[[0.01, 1], {"set": {"x": 0.01, "y": 1, "value": 0.25}}]]},
    "title": {"set": "sweep (2)"}}})j"));
  // From 1: the row of the second version as well, and nothing of what did not change.
  EXPECT_EQ(log.changes_since(1), json::parse(R"j({"members": {
    "cells": {"key": ["x", "y"], "items": [[[0.01, 1], {"set": {"x": 0.01, "y": 1, "value": 0.25}}]]},
    "rows": {"key": ["id"], "items": [[[1], {"members": {"acc": {"set": 0.625}}}]]},
    "title": {"set": "sweep (2)"}}})j"));
  EXPECT_EQ(apply_change(kFirst, log.changes_since(1)), third);
  EXPECT_EQ(apply_change(second, log.changes_since(2)), third);
  EXPECT_EQ(apply_change(nullptr, log.changes_since(0)), third);
}

TEST(ChangeLog, ArraysWithoutKeysOrThatLostAnElementAreSentWhole) {
  ChangeLog log(kKeys);
  log.record(kFirst);
  json second = kFirst;
  second["curve"].push_back({2, 1.7});  // no key rule for "curve"
  second["rows"].erase(0);                // a row went away
  log.record(second);
  EXPECT_EQ(log.changes_since(1), json({{"members", {{"curve", {{"set", second["curve"]}}},
                                                     {"rows", {{"set", second["rows"]}}}}}}));
  // Rows whose key repeats cannot be told apart: sent whole too.
  json third = second;
  third["rows"].push_back(third["rows"][0]);
  log.record(third);
  EXPECT_EQ(log.changes_since(2), json({{"members", {{"rows", {{"set", third["rows"]}}}}}}));
  EXPECT_EQ(apply_change(kFirst, log.changes_since(1)), third);
}

TEST(ChangeLog, APartReplacedWholeIsSentWholeToReadersFromBeforeAndInPartsAfter) {
  ChangeLog log(kKeys);
  log.record(kFirst);
  json second = kFirst;
  second["rows"] = json::array({{{"id", 9}, {"status", "pending"}}});  // row 1 went away: rows sent whole
  log.record(second);
  json third = second;
  third["rows"][0]["status"] = "running";
  log.record(third);
  EXPECT_EQ(log.changes_since(1), json({{"members", {{"rows", {{"set", third["rows"]}}}}}}));
  EXPECT_EQ(log.changes_since(2), json::parse(R"j({"members": {"rows": {"key": ["id"], "items": [
    [[9], {"members": {"status": {"set": "running"}}}]]}}})j"));
}

}  // namespace
}  // namespace losslab::report
