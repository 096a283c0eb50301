#include "yaml_tree.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <tuple>

namespace losslab::runner::detail {
namespace {

// A node as the parser's events describe it, before aliases are expanded: an alias stays one
// node that names its anchor, so a text's raw tree is never larger than the text.
struct RawNode {
  YamlNode::Kind kind = YamlNode::Kind::null;
  YAML::Mark mark;
  std::string scalar{};
  std::vector<RawNode> children{};  // a sequence's items; a mapping's keys and values, alternating
  YAML::anchor_t anchor = YAML::NullAnchor;    // this node is anchored (&name)
  YAML::anchor_t alias_of = YAML::NullAnchor;  // this node is an alias (*name) of that anchor
};

// Reading stops at once at the node that crosses a limit of ConfigLimits (or at a recursive alias).
struct ReadingStopped {
  YAML::Mark mark;
  std::string message;
};

// The name after '*' at an alias's mark, for messages ("alias '*a'").
std::string alias_name(const std::string& text, const YAML::Mark& mark) {
  auto pos = static_cast<std::size_t>(std::max(mark.pos, 0));
  if (pos >= text.size() || text[pos] != '*') return "*";
  std::size_t end = pos + 1;
  while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
         std::string_view(",[]{}").find(text[end]) == std::string_view::npos)
    ++end;
  return text.substr(pos, end - pos);
}

// Builds one RawNode tree per document from the parser's events, counting as it goes what the
// tree will be once every alias is expanded, so that a text that would expand past the limits
// is stopped before anything large is built.
class RawTreeBuilder : public YAML::EventHandler {
 public:
  explicit RawTreeBuilder(const std::string& text) : text_(text) {}

  std::vector<RawNode> documents{};
  YAML::Mark document_start = YAML::Mark::null_mark();

  void OnDocumentStart(const YAML::Mark& mark) override {
    document_start = mark;
    anchored_.clear();  // anchors are the document's own
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { add_leaf(YamlNode::Kind::null, mark, anchor, {}); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    add_leaf(YamlNode::Kind::scalar, mark, anchor, value);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchored_.find(anchor);
    if (it == anchored_.end())  // its anchor is still open: the alias sits inside what it names
      throw ReadingStopped{mark, "alias '" + alias_name(text_, mark) + "' refers to a node that contains it"};
    const std::string what = "alias '" + alias_name(text_, mark) + "'";
    count(it->second.nodes, it->second.height, mark, what);
    RawNode alias{.mark = mark};
    alias.alias_of = anchor;
    deliver(std::move(alias), it->second.nodes, it->second.height);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(YamlNode::Kind::sequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(YamlNode::Kind::mapping, mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    RawNode node;
    std::size_t nodes_before;  // expanded nodes counted before this one
    int height = 1;            // its own level and its deepest child's
  };
  struct Extent {
    std::size_t nodes;
    int height;
  };

  // Counts `nodes` more expanded nodes reaching `height` levels below the open ones.
  void count(std::size_t nodes, int height, const YAML::Mark& mark, const std::string& what) {
    const int depth = static_cast<int>(open_.size()) + height;
    if (depth > ConfigLimits::max_depth)
      throw ReadingStopped{mark, what + " nests the document " + std::to_string(depth) +
                                     " levels deep, past the limit of " + std::to_string(ConfigLimits::max_depth)};
    nodes_ += nodes;
    if (nodes_ > ConfigLimits::max_nodes)
      throw ReadingStopped{mark, what + " expands the document past " + std::to_string(ConfigLimits::max_nodes) +
                                     " nodes, the limit for a config (each alias counts every node it repeats)"};
  }

  void add_leaf(YamlNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor, std::string scalar) {
    count(1, 1, mark, "this value");
    RawNode leaf{.kind = kind, .mark = mark, .scalar = std::move(scalar)};
    leaf.anchor = anchor;
    deliver(std::move(leaf), 1, 1);
  }

  void open(YamlNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    count(1, 1, mark, kind == YamlNode::Kind::sequence ? "this list" : "this mapping");
    RawNode node{.kind = kind, .mark = mark};
    node.anchor = anchor;
    open_.push_back({std::move(node), nodes_ - 1});
  }

  void close() {
    Open done = std::move(open_.back());
    open_.pop_back();
    deliver(std::move(done.node), nodes_ - done.nodes_before, done.height);
  }

  // Hands a finished node (`nodes` and `height` once expanded) to its parent, or ends a document.
  void deliver(RawNode node, std::size_t nodes, int height) {
    if (node.anchor != YAML::NullAnchor) anchored_[node.anchor] = {nodes, height};
    if (open_.empty()) {
      documents.push_back(std::move(node));
      return;
    }
    Open& parent = open_.back();
    parent.height = std::max(parent.height, height + 1);
    parent.node.children.push_back(std::move(node));
  }

  const std::string& text_;
  std::vector<Open> open_{};
  std::map<YAML::anchor_t, Extent> anchored_{};
  std::size_t nodes_ = 0;
};

// RawNode trees -> YamlNode trees: aliases replaced by their anchor's node, marks by locations.
class Converter {
 public:
  Converter(const TextOrigin& origin, Diagnostics& diagnostics) : origin_(origin), diagnostics_(diagnostics) {}

  Location at(const YAML::Mark& mark) const {
    if (mark.line < 0) return {origin_.file, origin_.fixed_line, 0};
    return {origin_.file, origin_.fixed_line ? origin_.fixed_line : mark.line + 1,
            origin_.column_offset + mark.column + 1};
  }

  void remember_anchors(const RawNode& node) {
    if (node.anchor != YAML::NullAnchor) anchored_[node.anchor] = &node;
    for (const RawNode& child : node.children) remember_anchors(child);
  }

  YamlNode convert(const RawNode& written, const Location& null_location) {
    const RawNode& node = written.alias_of != YAML::NullAnchor ? *anchored_.at(written.alias_of) : written;
    YamlNode out;
    out.location = at(node.mark);
    switch (node.kind) {
      case YamlNode::Kind::null:
        // yaml-cpp marks an empty value at the next token; its key is where the reader should look.
        out.location = null_location;
        return out;
      case YamlNode::Kind::scalar:
        out.kind = YamlNode::Kind::scalar;
        out.scalar = node.scalar;
        return out;
      case YamlNode::Kind::sequence:
        out.kind = YamlNode::Kind::sequence;
        for (const RawNode& item : node.children) {
          const Location item_location = at(resolved(item).mark);
          out.items.push_back(convert(item, item_location.line ? item_location : out.location));
        }
        return out;
      case YamlNode::Kind::mapping:
        out.kind = YamlNode::Kind::mapping;
        for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
          const RawNode& key = resolved(node.children[i]);
          const Location key_location = at(key.mark);
          if (key.kind != YamlNode::Kind::scalar) {
            diagnostics_.error(key_location, "a key must be a plain name, not a list or mapping");
            continue;
          }
          out.entries.push_back({key.scalar, key_location, convert(node.children[i + 1], key_location)});
        }
        return out;
    }
    return out;
  }

 private:
  const RawNode& resolved(const RawNode& node) const {
    return node.alias_of != YAML::NullAnchor ? *anchored_.at(node.alias_of) : node;
  }

  TextOrigin origin_;
  Diagnostics& diagnostics_;
  std::map<YAML::anchor_t, const RawNode*> anchored_{};
};

}  // namespace

YamlNode::Entry* YamlNode::find(const std::string& key) {
  for (Entry& entry : entries)
    if (entry.key == key) return &entry;
  return nullptr;
}

std::optional<YamlNode> parse_yaml(const std::string& text, const TextOrigin& origin, Diagnostics& diagnostics) {
  Converter converter(origin, diagnostics);
  const Location start{origin.file, origin.fixed_line ? origin.fixed_line : 1, origin.column_offset + 1};
  if (text.size() > ConfigLimits::max_bytes) {
    diagnostics.error(start, "the text is " + std::to_string(text.size()) + " bytes, past the limit of " +
                                 std::to_string(ConfigLimits::max_bytes) + " bytes for a config");
    return std::nullopt;
  }
  RawTreeBuilder builder(text);
  try {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    std::optional<YAML::Mark> previous_start;
    while (parser.HandleNextDocument(builder)) {
      // yaml-cpp 0.7 loops forever, a null document each turn, when a document begins with a token
      // that starts no node, such as a stray ',' (jbeder/yaml-cpp#1040; found by
      // tests/fuzz/fuzz_config): a document that starts where the previous one did shows it.
      if (previous_start && builder.document_start.pos == previous_start->pos) {
        const auto pos = static_cast<std::size_t>(builder.document_start.pos);
        const std::string token = pos < text.size() ? std::string(1, text[pos]) : std::string("end of input");
        diagnostics.error(converter.at(builder.document_start), "YAML syntax error: unexpected '" + token + "'");
        return std::nullopt;
      }
      previous_start = builder.document_start;
    }
  } catch (const ReadingStopped& stop) {
    diagnostics.error(converter.at(stop.mark), stop.message);
    return std::nullopt;
  } catch (const YAML::ParserException& error) {
    diagnostics.error(converter.at(error.mark), "YAML syntax error: " + error.msg);
    return std::nullopt;
  } catch (const YAML::Exception& error) {
    diagnostics.error(converter.at(error.mark), "YAML error: " + error.msg);
    return std::nullopt;
  }
  const std::vector<RawNode>& documents = builder.documents;
  if (documents.empty()) return YamlNode{.location = start};
  if (documents.size() > 1) {
    diagnostics.error(converter.at(documents[1].mark),
                      "expected one YAML document, found " + std::to_string(documents.size()) +
                          " (remove the '---' separators)");
    return std::nullopt;
  }
  converter.remember_anchors(documents.front());
  return converter.convert(documents.front(), start);
}

std::string describe_node(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::null: return "nothing";
    case YamlNode::Kind::scalar: return "'" + node.scalar + "'";
    case YamlNode::Kind::sequence: return "a list";
    case YamlNode::Kind::mapping: return "a mapping";
  }
  return "?";
}

std::vector<Diagnostic> Diagnostics::sorted(const std::string& config_file) const {
  std::vector<Diagnostic> out = list_;
  const auto order = [&](const Diagnostic& d) {
    return std::make_tuple(d.file != config_file, d.file, d.line, d.column, d.message);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return order(a) < order(b); });
  out.erase(std::unique(out.begin(), out.end(),
                        [&](const Diagnostic& a, const Diagnostic& b) { return order(a) == order(b); }),
            out.end());
  return out;
}

}  // namespace losslab::runner::detail
