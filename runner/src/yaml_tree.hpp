// The config file as a plain tree that remembers where every key and value was written.
// yaml-cpp's nodes are converted once, so --set overrides can graft values (with their own
// "--set" locations) into the same tree and validation sees a single document.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diagnostics.hpp"

namespace losslab::runner::detail {

struct YamlNode {
  enum class Kind { null, scalar, sequence, mapping };
  struct Entry;

  Kind kind = Kind::null;
  Location location;           // the value's first character (a null value: its key)
  std::string scalar{};        // Kind::scalar: the text as written, quotes removed
  std::vector<YamlNode> items{};  // Kind::sequence
#if defined(__clang__)
  // clang (14, with libstdc++ 12 in C++20) instantiates vector<Entry>'s destructor at a default
  // member initializer, while Entry is still incomplete; GCC wants the initializer for
  // -Wmissing-field-initializers on designated initializers.
  std::vector<Entry> entries;     // Kind::mapping, in the order written (repeated keys kept)
#else
  std::vector<Entry> entries{};   // Kind::mapping, in the order written (repeated keys kept)
#endif

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }
  // The first entry named `key`, or nullptr.
  Entry* find(const std::string& key);
};

struct YamlNode::Entry {
  std::string key;
  Location key_location;
  YamlNode value;
};

// How marks of a parsed text map to locations: a file uses the marks as they are; an override
// value sits at `column_offset` within the argument numbered `fixed_line`.
struct TextOrigin {
  std::string file;
  int fixed_line = 0;     // 0: use the mark's line
  int column_offset = 0;  // added to the mark's column
};

// Parses one YAML document. An empty text gives a null node. Syntax errors, several documents
// and non-scalar mapping keys become diagnostics; nullopt when the text could not be parsed.
std::optional<YamlNode> parse_yaml(const std::string& text, const TextOrigin& origin, Diagnostics& diagnostics);

// "'fast'", "a list", "a mapping", "nothing": how a value is named in "expected X, got Y".
std::string describe_node(const YamlNode& node);

}  // namespace losslab::runner::detail
