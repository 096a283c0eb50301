#include "yaml_tree.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <sstream>
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

// Where yaml-cpp's document loop would stop making progress, if it would. YAML::LoadAll (0.7)
// loops forever, allocating a null document each turn, when a document begins with a token that
// starts no node, such as a stray ',' (jbeder/yaml-cpp#1040; found by tests/fuzz/fuzz_config).
// Walking the documents with a no-op handler shows it: a document that starts where the previous
// one did. ParserExceptions propagate as from LoadAll.
class DocumentStarts : public YAML::EventHandler {
 public:
  static std::optional<YAML::Mark> first_stuck(const std::string& text) {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentStarts starts;
    std::optional<YAML::Mark> previous;
    while (parser.HandleNextDocument(starts)) {
      if (previous && starts.start_.pos == previous->pos) return starts.start_;
      previous = starts.start_;
    }
    return std::nullopt;
  }
  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  YAML::Mark start_ = YAML::Mark::null_mark();
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
    if (const auto stuck = DocumentStarts::first_stuck(text)) {
      const auto pos = static_cast<std::size_t>(stuck->pos);
      const std::string token = pos < text.size() ? std::string(1, text[pos]) : std::string("end of input");
      diagnostics.error(converter.at(*stuck), "YAML syntax error: unexpected '" + token + "'");
      return std::nullopt;
    }
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
