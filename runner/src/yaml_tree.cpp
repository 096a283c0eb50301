#include "yaml_tree.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <tuple>

namespace losslab::runner::detail {
namespace {

constexpr int kMaxDepth = 64;  // deeper nesting is surely a mistake (or a recursive alias)

class Converter {
 public:
  Converter(const TextOrigin& origin, Diagnostics& diagnostics) : origin_(origin), diagnostics_(diagnostics) {}

  Location at(const YAML::Mark& mark) const {
    if (mark.line < 0) return {origin_.file, origin_.fixed_line, 0};
    return {origin_.file, origin_.fixed_line ? origin_.fixed_line : mark.line + 1,
            origin_.column_offset + mark.column + 1};
  }

  YamlNode convert(const YAML::Node& node, const Location& null_location, int depth) {
    YamlNode out;
    out.location = at(node.Mark());
    if (depth > kMaxDepth) {
      diagnostics_.error(out.location, "the document nests deeper than " + std::to_string(kMaxDepth) + " levels");
      return out;
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        // yaml-cpp marks an empty value at the next token; its key is where the reader should look.
        out.location = null_location;
        return out;
      case YAML::NodeType::Scalar:
        out.kind = YamlNode::Kind::scalar;
        out.scalar = node.Scalar();
        return out;
      case YAML::NodeType::Sequence:
        out.kind = YamlNode::Kind::sequence;
        for (const YAML::Node& item : node) {
          const Location item_location = at(item.Mark());
          out.items.push_back(convert(item, item_location.line ? item_location : out.location, depth + 1));
        }
        return out;
      case YAML::NodeType::Map:
        out.kind = YamlNode::Kind::mapping;
        for (auto it = node.begin(); it != node.end(); ++it) {
          const Location key_location = at(it->first.Mark());
          if (!it->first.IsScalar()) {
            diagnostics_.error(key_location, "a key must be a plain name, not a list or mapping");
            continue;
          }
          out.entries.push_back({it->first.Scalar(), key_location, convert(it->second, key_location, depth + 1)});
        }
        return out;
    }
    return out;
  }

 private:
  TextOrigin origin_;
  Diagnostics& diagnostics_;
};

}  // namespace

YamlNode::Entry* YamlNode::find(const std::string& key) {
  for (Entry& entry : entries)
    if (entry.key == key) return &entry;
  return nullptr;
}

std::optional<YamlNode> parse_yaml(const std::string& text, const TextOrigin& origin, Diagnostics& diagnostics) {
  Converter converter(origin, diagnostics);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::ParserException& error) {
    diagnostics.error(converter.at(error.mark), "YAML syntax error: " + error.msg);
    return std::nullopt;
  } catch (const YAML::Exception& error) {
    diagnostics.error(converter.at(error.mark), "YAML error: " + error.msg);
    return std::nullopt;
  }
  const Location start{origin.file, origin.fixed_line ? origin.fixed_line : 1, origin.column_offset + 1};
  if (documents.empty()) return YamlNode{.location = start};
  if (documents.size() > 1) {
    diagnostics.error(converter.at(documents[1].Mark()),
                      "expected one YAML document, found " + std::to_string(documents.size()) +
                          " (remove the '---' separators)");
    return std::nullopt;
  }
  return converter.convert(documents.front(), start, 0);
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
