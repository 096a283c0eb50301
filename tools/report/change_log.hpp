// The versions of one JSON document (the live report's data) as a log of changes: a reader that
// holds the document as of cursor N asks for what changed after N and gets only the parts that
// did: a changed member of an object, a new or changed element of an array whose elements have
// a key (a trial row by its id), or, where neither applies, the whole new value.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace losslab::report {

// Arrays sent element by element: the array's member name -> the members that identify an element.
// An array is only sent so when every element before and after is an object with these members,
// no two elements share a key and no element went away; otherwise it is sent whole.
using ArrayKeys = std::map<std::string, std::vector<std::string>>;

// A change, applied to the value the reader has at its cursor:
//   {"set": VALUE}                          the value becomes VALUE;
//   {"members": {"NAME": CHANGE, ...}}      an object: each named member changes, the others stay;
//   {"key": ["id"], "items": [[[7], CHANGE], ...]}
//                                           an array: the element whose key members equal the
//                                           values ([7]) changes; a new element comes as
//                                           {"set": ELEMENT}, to be appended.
class ChangeLog {
 public:
  explicit ChangeLog(ArrayKeys keys);

  // Takes `now` as the document's latest version; the cursor moves on by one when it differs.
  void record(nlohmann::json now);

  std::int64_t cursor() const { return cursor_; }
  const nlohmann::json& current() const { return current_; }
  // What turns the document as of `since` (at most cursor()) into current(); null when nothing
  // changed after it.
  nlohmann::json changes_since(std::int64_t since) const;

 private:
  // When a part of the document last changed, mirroring its shape (members, or keyed elements by
  // their key's JSON text) down to the parts that were last replaced whole.
  struct Stamp {
    std::int64_t replaced = 0;  // the cursor at which the part was last replaced whole
    std::int64_t changed = 0;   // the cursor of the latest change anywhere inside it
    std::map<std::string, Stamp> parts;
  };

  void update(Stamp& stamp, const nlohmann::json& before, const nlohmann::json& after, const std::string& name);
  nlohmann::json change(const Stamp& stamp, const nlohmann::json& value, const std::string& name,
                        std::int64_t since) const;
  const std::vector<std::string>* key_of(const std::string& name, const nlohmann::json& array) const;
  nlohmann::json key_values(const std::vector<std::string>& key, const nlohmann::json& element) const;

  ArrayKeys keys_;
  std::int64_t cursor_ = 0;
  nlohmann::json current_;
  Stamp root_;
};

}  // namespace losslab::report
