#include "where_filter.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <variant>

#include "losslab/runner/did_you_mean.hpp"

namespace losslab::report {
namespace where_detail {

enum class CompareOp { eq, ne, lt, le, gt, ge };

struct Literal {
  bool is_number = false;
  double number = 0;
  std::string text;     // the text value, or the number as written
  std::string written;  // as in the expression, for messages
  int column = 0;
};

struct Node {
  enum class Kind { all, any, negation, compare, in, is_null } kind = Kind::compare;
  std::vector<std::shared_ptr<const Node>> children;  // all, any: 2+; negation: 1
  std::string name;                                   // resolved short name or metric
  int name_column = 0;
  CompareOp op = CompareOp::eq;
  std::string op_text;
  std::vector<Literal> values;  // compare: 1; in: 1+
  bool negated = false;         // not in, is not null
};

}  // namespace where_detail

namespace {

using where_detail::CompareOp;
using where_detail::Literal;
using where_detail::Node;
using NodePtr = std::shared_ptr<const Node>;

constexpr int kMaxDepth = 100;  // deeper nesting is refused rather than risking the stack

std::string lower(std::string_view text) {
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lowered;
}

[[noreturn]] void fail(const std::string& message) { throw WhereError("--where: " + message); }

std::string at(int column) { return " at column " + std::to_string(column); }

// ---- metrics: what each name reads from a TrialRecord ------------------------------------------

// A value of a trial under one name: NULL, a number or text.
struct Operand {
  enum class Kind { null, number, text } kind = Kind::null;
  double number = 0;
  std::string text;
};

Operand number_or_null(double value) {
  if (std::isnan(value)) return {};  // NULL; an infinite final_loss is a value
  return {Operand::Kind::number, value, {}};
}
Operand text(std::string value) { return {Operand::Kind::text, 0, std::move(value)}; }
// Ids, steps and rungs are -1 where the column is NULL.
Operand index_or_null(std::int64_t value) {
  return value < 0 ? Operand{} : number_or_null(static_cast<double>(value));
}

struct Metric {
  ValueKind kind;
  std::function<Operand(const TrialRecord&)> read;
};

// The trial's own columns; every metric trials can be ranked by (runner::rank_metrics) joins them.
const std::map<std::string, Metric>& metrics() {
  static const std::map<std::string, Metric> table = [] {
    std::map<std::string, Metric> names = {
        {"id", {ValueKind::number, [](const TrialRecord& t) { return number_or_null(static_cast<double>(t.id)); }}},
        {"key", {ValueKind::text, [](const TrialRecord& t) { return text(t.key); }}},
        {"name", {ValueKind::text, [](const TrialRecord& t) { return text(t.name); }}},
        {"status", {ValueKind::text, [](const TrialRecord& t) { return text(t.status); }}},
        {"error",
         {ValueKind::text, [](const TrialRecord& t) { return t.error.empty() ? Operand{} : text(t.error); }}},
        {"diverged_step", {ValueKind::number, [](const TrialRecord& t) { return index_or_null(t.diverged_step); }}},
        {"rung", {ValueKind::number, [](const TrialRecord& t) { return index_or_null(t.rung); }}},
        {"round", {ValueKind::number, [](const TrialRecord& t) { return index_or_null(t.round); }}},
        {"train_examples", {ValueKind::number, [](const TrialRecord& t) { return index_or_null(t.train_examples); }}},
        {"refit_of", {ValueKind::number, [](const TrialRecord& t) { return index_or_null(t.refit_of); }}},
    };
    for (const auto& [metric_name, metric] : runner::rank_metrics()) {
      const auto read = metric.read;  // clang 14 cannot capture a structured binding
      names.emplace(metric_name, Metric{ValueKind::number, [read](const TrialRecord& t) { return number_or_null(read(t)); }});
    }
    return names;
  }();
  return table;
}

Operand parameter_operand(const TrialRecord& trial, const std::string& name) {
  const auto it = trial.params.find(name);
  if (it == trial.params.end()) return {};
  return std::visit(
      [](const auto& value) -> Operand {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, bool>) return {Operand::Kind::number, value ? 1.0 : 0.0, {}};
        else if constexpr (std::is_same_v<T, std::int64_t>) return {Operand::Kind::number, static_cast<double>(value), {}};
        else if constexpr (std::is_same_v<T, double>) return number_or_null(value);
        else if constexpr (std::is_same_v<T, std::string>) return text(value);
        else return {};  // lists do not occur in trial_params (they are JSON text there)
      },
      it->second);
}

ValueKind kind_of(const ParamValue& value) {
  if (std::holds_alternative<std::string>(value) || std::holds_alternative<std::vector<std::string>>(value))
    return ValueKind::text;
  return ValueKind::number;
}

// ---- tokens -------------------------------------------------------------------------------------

struct Token {
  enum class Type { word, number, string, op, open, close, comma, end } type = Type::end;
  std::string text;   // as written
  std::string value;  // string: the unquoted contents
  double number = 0;
  int column = 0;     // 1-based
};

bool word_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

std::string printable(char c) {
  if (std::isprint(static_cast<unsigned char>(c))) return std::string("'") + c + "'";
  char code[8];
  std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned char>(c));
  return std::string("byte ") + code;
}

// Splits the expression into tokens on demand, so the leftmost problem is the one reported.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token next() {
    const std::string_view text = text_;
    std::size_t& i = i_;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    Token token;
    token.column = static_cast<int>(i) + 1;
    if (i >= text.size()) return token;  // the end
    const char c = text[i];
    const std::size_t start = i;
    if (word_start(c)) {
      while (i < text.size() && word_char(text[i])) ++i;
      token.type = Token::Type::word;
    } else if (digit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < text.size() &&
                            (digit(text[i + 1]) || (text[i + 1] == '.' && c != '.')))) {
      if (c == '-' || c == '+') ++i;
      while (i < text.size() && digit(text[i])) ++i;
      if (i < text.size() && text[i] == '.') ++i;
      while (i < text.size() && digit(text[i])) ++i;
      if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
        while (i < text.size() && digit(text[i])) ++i;
      }
      while (i < text.size() && word_char(text[i])) ++i;  // "1abc" is one malformed token
      token.type = Token::Type::number;
      const std::string_view written = text.substr(start, i - start);
      const std::string_view digits = written.front() == '+' ? written.substr(1) : written;
      const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), token.number);
      if (error == std::errc::result_out_of_range)
        fail("number '" + std::string(written) + "' is out of range" + at(token.column));
      if (error != std::errc() || end != digits.data() + digits.size())
        fail("malformed number '" + std::string(written) + "'" + at(token.column));
    } else if (c == '\'' || c == '"') {
      ++i;
      for (;;) {
        if (i >= text.size()) fail("unterminated string" + at(token.column));
        if (text[i] == c) {
          if (i + 1 < text.size() && text[i + 1] == c) {  // a doubled quote is one quote
            token.value += c;
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        token.value += text[i++];
      }
      token.type = Token::Type::string;
    } else if (c == '(' || c == ')' || c == ',') {
      ++i;
      token.type = c == '(' ? Token::Type::open : c == ')' ? Token::Type::close : Token::Type::comma;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      const std::string_view two = text.substr(i, 2);
      if (two == "==" || two == "!=" || two == "<>" || two == "<=" || two == ">=") i += 2;
      else if (c == '!') fail("unexpected character '!'" + at(token.column) + " (use '!=' or 'not')");
      else ++i;
      token.type = Token::Type::op;
    } else {
      fail("unexpected character " + printable(c) + at(token.column) +
           (c == ';' ? " (--where takes a filter expression, not SQL)" : ""));
    }
    token.text = std::string(text.substr(start, i - start));
    return token;
  }

 private:
  std::string_view text_;
  std::size_t i_ = 0;
};

// ---- parser -------------------------------------------------------------------------------------

bool is_keyword(const Token& token, std::string_view keyword) {
  return token.type == Token::Type::word && lower(token.text) == keyword;
}

bool is_any_keyword(const Token& token) {
  for (std::string_view keyword : {"and", "or", "not", "in", "is", "null"})
    if (is_keyword(token, keyword)) return true;
  return false;
}

std::string describe(const Token& token) {
  if (token.type == Token::Type::end) return "the end of the expression";
  return "'" + token.text + "'";
}

class Parser {
 public:
  Parser(std::string_view text, const WhereNames& names) : lexer_(text), names_(names) {}

  NodePtr parse() {
    if (peek().type == Token::Type::end) fail("the expression is empty");
    NodePtr root = parse_or();
    const Token& rest = peek();
    if (rest.type == Token::Type::close) fail("unmatched ')'" + at(rest.column));
    if (rest.type != Token::Type::end)
      fail("expected 'and', 'or' or the end of the expression" + at(rest.column) + ", found " + describe(rest));
    return root;
  }

 private:
  // A deque, so references to earlier tokens stay valid as more are read.
  const Token& peek() {
    while (tokens_.size() <= pos_) tokens_.push_back(lexer_.next());
    return tokens_[pos_];
  }
  const Token& next() {
    const Token& token = peek();
    if (token.type != Token::Type::end) ++pos_;
    return token;
  }

  struct DepthGuard {
    explicit DepthGuard(Parser& parser) : parser_(parser) {
      if (++parser_.depth_ > kMaxDepth)
        fail("the expression is nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)" +
             at(parser_.peek().column));
    }
    ~DepthGuard() { --parser_.depth_; }
    Parser& parser_;
  };

  NodePtr parse_or() { return parse_chain("or", Node::Kind::any, [this] { return parse_and(); }); }
  NodePtr parse_and() { return parse_chain("and", Node::Kind::all, [this] { return parse_unary(); }); }

  template <typename ParseOperand>
  NodePtr parse_chain(std::string_view keyword, Node::Kind kind, ParseOperand operand) {
    NodePtr first = operand();
    if (!is_keyword(peek(), keyword)) return first;
    auto node = std::make_shared<Node>();
    node->kind = kind;
    node->children.push_back(std::move(first));
    while (is_keyword(peek(), keyword)) {
      next();
      node->children.push_back(operand());
    }
    return node;
  }

  NodePtr parse_unary() {
    DepthGuard guard(*this);
    if (is_keyword(peek(), "not")) {
      next();
      auto node = std::make_shared<Node>();
      node->kind = Node::Kind::negation;
      node->children.push_back(parse_unary());
      return node;
    }
    if (peek().type == Token::Type::open) {
      const Token open = next();
      NodePtr inner = parse_or();
      if (peek().type != Token::Type::close)
        fail("missing ')' to close the '('" + at(open.column) + ": expected 'and', 'or' or ')'" + at(peek().column) +
             ", found " + describe(peek()));
      next();
      return inner;
    }
    return parse_condition();
  }

  std::string resolve_name(const Token& token) {
    const std::string name = lower(token.text);
    if (metrics().count(name) != 0) return name;
    for (const auto& parameter : names_.parameters)
      if (lower(parameter) == name) return parameter;
    for (const auto& [alias, target] : names_.aliases)
      if (lower(alias) == name) return target;
    std::vector<std::string> candidates = where_metric_names();
    candidates.insert(candidates.end(), names_.parameters.begin(), names_.parameters.end());
    for (const auto& alias : names_.aliases) candidates.push_back(alias.first);
    fail("unknown name '" + token.text + "'" + at(token.column) + runner::detail::did_you_mean(token.text, candidates));
  }

  Literal parse_value(const std::string& after, int after_column) {
    const Token& token = peek();
    Literal literal;
    literal.column = token.column;
    literal.written = token.text;
    if (token.type == Token::Type::number) {
      literal.is_number = true;
      literal.number = token.number;
      literal.text = token.text;
    } else if (token.type == Token::Type::string) {
      literal.text = token.value;
    } else if (token.type == Token::Type::word && !is_any_keyword(token)) {
      const std::string word = lower(token.text);
      if (word == "true" || word == "false") {
        literal.is_number = true;
        literal.number = word == "true" ? 1 : 0;
      }
      literal.text = token.text;
    } else {
      if (is_keyword(token, "null"))
        fail("compare with NULL using 'is null' or 'is not null'" + at(token.column));
      fail("expected a value after '" + after + "'" + at(after_column) + ", found " + describe(token));
    }
    next();
    return literal;
  }

  NodePtr parse_condition() {
    const Token& name_token = peek();
    if (name_token.type != Token::Type::word || is_any_keyword(name_token))
      fail("expected a parameter or metric name" + at(name_token.column) + ", found " + describe(name_token));
    auto node = std::make_shared<Node>();
    node->name = resolve_name(name_token);
    node->name_column = name_token.column;
    const std::string written_name = name_token.text;
    next();

    const Token& op = peek();
    if (op.type == Token::Type::op) {
      static const std::map<std::string, CompareOp> ops = {{"=", CompareOp::eq},  {"==", CompareOp::eq},
                                                          {"!=", CompareOp::ne}, {"<>", CompareOp::ne},
                                                          {"<", CompareOp::lt},  {"<=", CompareOp::le},
                                                          {">", CompareOp::gt},  {">=", CompareOp::ge}};
      node->kind = Node::Kind::compare;
      node->op = ops.at(op.text);
      node->op_text = op.text;
      const int op_column = op.column;
      next();
      node->values.push_back(parse_value(node->op_text, op_column));
      return node;
    }
    if (is_keyword(op, "is")) {
      next();
      node->kind = Node::Kind::is_null;
      if (is_keyword(peek(), "not")) {
        next();
        node->negated = true;
      }
      if (!is_keyword(peek(), "null")) fail("expected 'null' after 'is'" + at(peek().column) + ", found " + describe(peek()));
      next();
      return node;
    }
    if (is_keyword(op, "not") || is_keyword(op, "in")) {
      node->kind = Node::Kind::in;
      if (is_keyword(op, "not")) {
        next();
        node->negated = true;
        if (!is_keyword(peek(), "in")) fail("expected 'in' after 'not'" + at(peek().column) + ", found " + describe(peek()));
      }
      next();
      if (peek().type != Token::Type::open)
        fail("expected '(' after 'in'" + at(peek().column) + ", found " + describe(peek()));
      const Token open = next();
      std::string after = "(";
      int after_column = open.column;
      for (;;) {
        node->values.push_back(parse_value(after, after_column));
        const Token& separator = peek();
        if (separator.type == Token::Type::close) break;
        if (separator.type != Token::Type::comma)
          fail("expected ',' or ')' in the list of 'in'" + at(separator.column) + ", found " + describe(separator));
        after = ",";
        after_column = separator.column;
        next();
      }
      next();
      return node;
    }
    fail("expected a comparison (=, !=, <, <=, >, >=, in, is null) after '" + written_name + "'" + at(op.column) +
         ", found " + describe(op));
  }

  Lexer lexer_;
  std::deque<Token> tokens_;
  const WhereNames& names_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

// ---- evaluation ---------------------------------------------------------------------------------

enum class Truth { no, yes, unknown };

Truth negate(Truth truth) {
  if (truth == Truth::unknown) return truth;
  return truth == Truth::yes ? Truth::no : Truth::yes;
}

Truth of(bool value) { return value ? Truth::yes : Truth::no; }

template <typename T>
bool compare(const T& a, CompareOp op, const T& b) {
  switch (op) {
    case CompareOp::eq: return a == b;
    case CompareOp::ne: return a != b;
    case CompareOp::lt: return a < b;
    case CompareOp::le: return a <= b;
    case CompareOp::gt: return a > b;
    case CompareOp::ge: return a >= b;
  }
  return false;
}

Truth compare(const Operand& value, CompareOp op, const Literal& literal) {
  if (value.kind == Operand::Kind::null) return Truth::unknown;
  if ((value.kind == Operand::Kind::number) != literal.is_number) return Truth::no;  // mixed-type parameter
  if (literal.is_number) return of(compare(value.number, op, literal.number));
  return of(compare(std::string_view(value.text), op, std::string_view(literal.text)));
}

Operand operand(const TrialRecord& trial, const std::string& name) {
  const auto metric = metrics().find(name);
  if (metric != metrics().end()) return metric->second.read(trial);
  return parameter_operand(trial, name);
}

Truth evaluate(const Node& node, const TrialRecord& trial) {
  switch (node.kind) {
    case Node::Kind::all:
    case Node::Kind::any: {
      // One false child decides an `and`, one true child an `or`; otherwise an unknown child
      // leaves the whole unknown.
      const Truth decisive = node.kind == Node::Kind::all ? Truth::no : Truth::yes;
      Truth result = negate(decisive);
      for (const auto& child : node.children) {
        const Truth truth = evaluate(*child, trial);
        if (truth == decisive) return decisive;
        if (truth == Truth::unknown) result = Truth::unknown;
      }
      return result;
    }
    case Node::Kind::negation: return negate(evaluate(*node.children.front(), trial));
    case Node::Kind::compare: return compare(operand(trial, node.name), node.op, node.values.front());
    case Node::Kind::in: {
      const Operand value = operand(trial, node.name);
      Truth result = Truth::no;
      for (const auto& literal : node.values) {
        const Truth truth = compare(value, CompareOp::eq, literal);
        if (truth == Truth::yes) {
          result = Truth::yes;
          break;
        }
        if (truth == Truth::unknown) result = Truth::unknown;
      }
      return node.negated ? negate(result) : result;
    }
    case Node::Kind::is_null: return of((operand(trial, node.name).kind == Operand::Kind::null) != node.negated);
  }
  return Truth::unknown;
}

void check_node(const Node& node, const std::map<std::string, ValueKind>& parameter_kinds) {
  for (const auto& child : node.children) check_node(*child, parameter_kinds);
  if (node.kind != Node::Kind::compare && node.kind != Node::Kind::in) return;
  ValueKind kind = ValueKind::mixed;
  if (const auto metric = metrics().find(node.name); metric != metrics().end()) kind = metric->second.kind;
  else if (const auto parameter = parameter_kinds.find(node.name); parameter != parameter_kinds.end())
    kind = parameter->second;
  if (kind == ValueKind::mixed) return;
  for (const auto& literal : node.values) {
    if (literal.is_number == (kind == ValueKind::number)) continue;
    if (kind == ValueKind::number) {
      const bool quoted = literal.written.front() == '\'' || literal.written.front() == '"';
      fail(node.name + " is a number, but " + (quoted ? literal.written : "'" + literal.written + "'") +
           at(literal.column) + " is text");
    }
    fail(node.name + " is text, but " + literal.written + at(literal.column) + " is a number (quote it: '" +
         literal.written + "')");
  }
}

}  // namespace

const std::vector<std::string>& where_metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const auto& [name, metric] : metrics()) all.push_back(name);
    return all;
  }();
  return names;
}

WhereFilter WhereFilter::parse(std::string_view expression, const WhereNames& names) {
  WhereFilter filter;
  filter.root_ = Parser(expression, names).parse();
  return filter;
}

void WhereFilter::check_types(const std::map<std::string, ValueKind>& parameter_kinds) const {
  check_node(*root_, parameter_kinds);
}

bool WhereFilter::matches(const TrialRecord& trial) const { return evaluate(*root_, trial) == Truth::yes; }

void collect_parameter_kinds(const std::vector<TrialRecord>& trials, std::map<std::string, ValueKind>& kinds) {
  for (const auto& trial : trials)
    for (const auto& [name, value] : trial.params) {
      const ValueKind kind = kind_of(value);
      const auto [it, inserted] = kinds.emplace(name, kind);
      if (!inserted && it->second != kind) it->second = ValueKind::mixed;
    }
}

}  // namespace losslab::report
