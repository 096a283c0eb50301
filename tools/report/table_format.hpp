// Rendering one table (a header and rows of typed cells) as an aligned text table, CSV, JSON or
// markdown. Every losslab-report output that is a table goes through here, so the four formats
// agree on what a cell is.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace losslab::report {

enum class OutputFormat { table, csv, json, markdown };

// "table", "csv", "json", "markdown" (also "md"); nullopt for anything else.
std::optional<OutputFormat> parse_output_format(std::string_view name);

// A typed cell. `display`, when set, is what the text table and markdown show instead of the
// default rendering (e.g. an accuracy with 4 decimals); CSV and JSON always use the value itself,
// so nothing is lost to rounding.
struct Cell {
  using Value = std::variant<std::monostate, std::int64_t, double, std::string>;  // monostate = NULL
  Value value;
  std::optional<std::string> display{};

  Cell() = default;
  Cell(std::int64_t v) : value(v) {}
  Cell(int v) : value(static_cast<std::int64_t>(v)) {}
  Cell(double v) : value(v) {}  // NaN is NULL; infinity is "inf" in CSV and null in JSON
  Cell(std::string v) : value(std::move(v)) {}
  Cell(const char* v) : value(std::string(v)) {}
  static Cell null() { return Cell(); }
  static Cell shown_as(Value value, std::string display) {
    Cell cell;
    cell.value = std::move(value);
    cell.display = std::move(display);
    return cell;
  }

  bool is_null() const;
  bool is_number() const;
};

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;  // each as long as the header
};

// The shortest text that reads back to the same double ("0.001", "1e-5", "1e30", "3", "inf");
// "" for NaN.
std::string format_number(double value);
// `value` with `digits` decimals; "-" for NaN, "inf" / "-inf".
std::string format_fixed(double value, int digits);
// A number shown with `digits` decimals in text and markdown, kept whole in CSV and JSON.
Cell fixed_cell(double value, int digits);
// A float32 value as the double its shortest text reads as, so every format prints that short text
// ("0.1", not 0.10000000149011612) and it reads back as the same float32. NaN is NULL.
Cell float_cell(float value);

// Columns separated by two spaces, a dashed rule under the header (like `sqlite3 -column`),
// numbers right-aligned, text left-aligned, NULL empty.
void write_text_table(const Table& table, std::ostream& out);
// RFC 4180 quoting (a field with a comma, quote, CR or LF is quoted, quotes doubled); lines end in
// "\n"; NULL is an empty field, infinity "inf" / "-inf".
void write_csv(const Table& table, std::ostream& out);
std::string csv_field(std::string_view text);
// A JSON array with one object per row, keys in column order (a repeated column name gets a
// "_2", "_3" suffix); numbers as numbers; NULL, and infinity (which JSON lacks), as null.
void write_json(const Table& table, std::ostream& out);
nlohmann::ordered_json to_json(const Table& table);  // the array write_json prints
nlohmann::ordered_json to_json(const Cell& cell);
// A GitHub-flavoured markdown table; '|' escaped, line breaks shown as spaces.
void write_markdown(const Table& table, std::ostream& out);

void write_table(const Table& table, OutputFormat format, std::ostream& out);

}  // namespace losslab::report
