#include "change_log.hpp"

#include <set>
#include <utility>

namespace losslab::report {

using nlohmann::json;

ChangeLog::ChangeLog(ArrayKeys keys) : keys_(std::move(keys)) {}

void ChangeLog::record(json now) {
  if (now == current_) return;
  ++cursor_;
  update(root_, current_, now, "");
  current_ = std::move(now);
}

json ChangeLog::changes_since(std::int64_t since) const {
  if (root_.changed <= since) return nullptr;
  return change(root_, current_, "", since);
}

const std::vector<std::string>* ChangeLog::key_of(const std::string& name, const json& array) const {
  const auto rule = keys_.find(name);
  if (rule == keys_.end() || !array.is_array()) return nullptr;
  std::set<std::string> seen;
  for (const auto& element : array) {
    if (!element.is_object()) return nullptr;
    for (const auto& member : rule->second)
      if (!element.contains(member)) return nullptr;
    if (!seen.insert(key_values(rule->second, element).dump()).second) return nullptr;
  }
  return &rule->second;
}

json ChangeLog::key_values(const std::vector<std::string>& key, const json& element) const {
  json values = json::array();
  for (const auto& member : key) values.push_back(element.at(member));
  return values;
}

void ChangeLog::update(Stamp& stamp, const json& before, const json& after, const std::string& name) {
  if (before == after) return;
  stamp.changed = cursor_;
  // A part not stamped before was last replaced together with its parent.
  const auto part = [&](const std::string& part_name) -> Stamp& {
    return stamp.parts.try_emplace(part_name, Stamp{stamp.replaced, stamp.replaced, {}}).first->second;
  };

  const auto same_members = [&] {
    if (!before.is_object() || !after.is_object() || before.size() != after.size()) return false;
    for (const auto& [member, value] : after.items())
      if (!before.contains(member)) return false;
    return true;
  };
  if (same_members()) {
    for (const auto& [member, value] : after.items()) update(part(member), before.at(member), value, member);
    return;
  }

  const auto* key = key_of(name, after);
  if (key && key_of(name, before)) {
    std::map<std::string, const json*> old_elements;
    for (const auto& element : before) old_elements[key_values(*key, element).dump()] = &element;
    std::size_t kept = 0;
    for (const auto& element : after) kept += old_elements.count(key_values(*key, element).dump());
    if (kept == old_elements.size()) {  // nothing went away: a reader can update its copy in place
      for (const auto& element : after) {
        const std::string id = key_values(*key, element).dump();
        const auto old = old_elements.find(id);
        if (old == old_elements.end()) {
          stamp.parts[id] = Stamp{cursor_, cursor_, {}};
        } else {
          update(part(id), *old->second, element, "");
        }
      }
      return;
    }
  }

  stamp.replaced = cursor_;
  stamp.parts.clear();
}

json ChangeLog::change(const Stamp& stamp, const json& value, const std::string& name, std::int64_t since) const {
  if (stamp.replaced > since) return {{"set", value}};
  if (value.is_object()) {
    json members = json::object();
    for (const auto& [member, part] : stamp.parts)
      if (part.changed > since) members[member] = change(part, value.at(member), member, since);
    return {{"members", members}};
  }
  // Only a keyed array changes in parts (update() replaced anything else whole).
  const auto& key = keys_.at(name);
  json items = json::array();
  for (const auto& element : value) {
    json at = key_values(key, element);
    const auto part = stamp.parts.find(at.dump());
    if (part != stamp.parts.end() && part->second.changed > since)
      items.push_back({std::move(at), change(part->second, element, "", since)});
  }
  return {{"key", key}, {"items", items}};
}

}  // namespace losslab::report
