#include "table_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <nlohmann/json.hpp>
#include <ostream>

namespace losslab::report {
namespace {

// Display width in terminal columns, counting each UTF-8 code point as one.
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string cell_text(const Cell& cell) {
  if (cell.display) return *cell.display;
  if (const auto* i = std::get_if<std::int64_t>(&cell.value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&cell.value)) return format_number(*d);
  if (const auto* s = std::get_if<std::string>(&cell.value)) return *s;
  return "";
}

// A cell's text on one line: line breaks become spaces so a row stays a row.
std::string one_line(std::string text) {
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text;
}

std::vector<std::string> unique_keys(const std::vector<std::string>& header) {
  std::vector<std::string> keys;
  std::set<std::string> used;
  for (const auto& name : header) {
    std::string key = name;
    for (int n = 2; used.count(key) != 0; ++n) key = name + "_" + std::to_string(n);
    used.insert(key);
    keys.push_back(key);
  }
  return keys;
}

}  // namespace

std::optional<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "table") return OutputFormat::table;
  if (name == "csv") return OutputFormat::csv;
  if (name == "json") return OutputFormat::json;
  if (name == "markdown" || name == "md") return OutputFormat::markdown;
  return std::nullopt;
}

bool Cell::is_null() const {
  if (std::holds_alternative<std::monostate>(value)) return true;
  const auto* d = std::get_if<double>(&value);
  return d != nullptr && std::isnan(*d);
}

bool Cell::is_number() const {
  return std::holds_alternative<std::int64_t>(value) || std::holds_alternative<double>(value);
}

std::string format_number(double value) {
  if (std::isnan(value)) return "";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, value);
  std::string number(text, result.ptr);
  // "1e-04" -> "1e-4", "1e+30" -> "1e30": the way the config files and trial names write them.
  if (const auto e = number.find('e'); e != std::string::npos) {
    std::size_t digits = e + 1;
    if (number[digits] == '+') number.erase(digits, 1);
    else if (number[digits] == '-') ++digits;
    while (digits + 1 < number.size() && number[digits] == '0') number.erase(digits, 1);
  }
  return number;
}

std::string format_fixed(double value, int digits) {
  if (std::isnan(value)) return "-";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

Cell fixed_cell(double value, int digits) { return Cell::shown_as(value, format_fixed(value, digits)); }

Cell float_cell(float value) {
  if (!std::isfinite(value)) return Cell(static_cast<double>(value));
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, value).ptr;
  double shortest = 0;
  std::from_chars(text, end, shortest);
  return Cell(shortest);
}

void write_text_table(const Table& table, std::ostream& out) {
  const std::size_t columns = table.header.size();
  std::vector<std::size_t> width(columns);
  std::vector<bool> numeric(columns, true);
  std::vector<std::vector<std::string>> texts;
  for (std::size_t c = 0; c < columns; ++c) width[c] = display_width(table.header[c]);
  for (const auto& row : table.rows) {
    auto& line = texts.emplace_back();
    for (std::size_t c = 0; c < columns; ++c) {
      const Cell& cell = c < row.size() ? row[c] : Cell();
      line.push_back(one_line(cell_text(cell)));
      width[c] = std::max(width[c], display_width(line.back()));
      if (!cell.is_number() && !std::holds_alternative<std::monostate>(cell.value)) numeric[c] = false;
    }
  }
  const auto emit = [&](const std::vector<std::string>& cells, bool header) {
    std::string line;
    for (std::size_t c = 0; c < columns; ++c) {
      const std::string padding(width[c] - display_width(cells[c]), ' ');
      const bool right = numeric[c] && !header;
      if (c > 0) line += "  ";
      line += right ? padding + cells[c] : cells[c] + (c + 1 < columns ? padding : "");
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  std::vector<std::string> header;
  for (const auto& name : table.header) header.push_back(one_line(name));
  emit(header, true);
  std::vector<std::string> rule;
  for (std::size_t c = 0; c < columns; ++c) rule.emplace_back(width[c], '-');
  emit(rule, true);
  for (const auto& line : texts) emit(line, false);
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

void write_csv(const Table& table, std::ostream& out) {
  const auto emit = [&](const auto& cells, auto text_of) {
    for (std::size_t c = 0; c < cells.size(); ++c) out << (c > 0 ? "," : "") << csv_field(text_of(cells[c]));
    out << '\n';
  };
  emit(table.header, [](const std::string& name) { return name; });
  for (const auto& row : table.rows)
    emit(row, [](const Cell& cell) {
      if (cell.is_null()) return std::string();
      if (const auto* i = std::get_if<std::int64_t>(&cell.value)) return std::to_string(*i);
      if (const auto* d = std::get_if<double>(&cell.value)) return format_number(*d);
      return std::get<std::string>(cell.value);
    });
}

nlohmann::ordered_json to_json(const Cell& cell) {
  if (cell.is_null()) return nullptr;
  if (const auto* i = std::get_if<std::int64_t>(&cell.value)) return *i;
  if (const auto* d = std::get_if<double>(&cell.value)) return std::isfinite(*d) ? nlohmann::ordered_json(*d) : nullptr;
  return std::get<std::string>(cell.value);
}

nlohmann::ordered_json to_json(const Table& table) {
  const auto keys = unique_keys(table.header);
  auto array = nlohmann::ordered_json::array();
  for (const auto& row : table.rows) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < keys.size(); ++c) object[keys[c]] = c < row.size() ? to_json(row[c]) : nullptr;
    array.push_back(std::move(object));
  }
  return array;
}

void write_json(const Table& table, std::ostream& out) {
  // Invalid UTF-8 in a TEXT value is replaced rather than aborting the whole output.
  out << to_json(table).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

void write_markdown(const Table& table, std::ostream& out) {
  const auto escape = [](const std::string& text) {
    std::string escaped;
    for (char c : one_line(text)) {
      if (c == '|' || c == '\\') escaped += '\\';
      escaped += c;
    }
    return escaped;
  };
  std::vector<bool> numeric(table.header.size(), true);
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < numeric.size() && c < row.size(); ++c)
      if (!row[c].is_number() && !std::holds_alternative<std::monostate>(row[c].value)) numeric[c] = false;
  out << '|';
  for (const auto& name : table.header) out << ' ' << escape(name) << " |";
  out << "\n|";
  for (std::size_t c = 0; c < table.header.size(); ++c) out << (numeric[c] && !table.rows.empty() ? "---:|" : "---|");
  out << '\n';
  for (const auto& row : table.rows) {
    out << '|';
    for (std::size_t c = 0; c < table.header.size(); ++c) out << ' ' << escape(c < row.size() ? cell_text(row[c]) : "") << " |";
    out << '\n';
  }
}

void write_table(const Table& table, OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::table: return write_text_table(table, out);
    case OutputFormat::csv: return write_csv(table, out);
    case OutputFormat::json: return write_json(table, out);
    case OutputFormat::markdown: return write_markdown(table, out);
  }
}

}  // namespace losslab::report
