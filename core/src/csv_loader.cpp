// CSV datasets: one example per line, the label column chosen by header name or, in a file without a
// header row, by position. Deliberately simple dialect: no quoting, so a delimiter never appears
// inside a cell.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string_view>

#include "loader_support.hpp"
#include "losslab/loaders.hpp"

namespace losslab {
namespace {

// Integer labels are class indices; beyond this they are almost surely an id column picked by mistake,
// and would create that many empty classes.
constexpr std::int64_t kMaxClassIndex = 1 << 16;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string_view> split_cells(std::string_view line, char delimiter) {
  std::vector<std::string_view> cells;
  for (std::size_t start = 0;;) {
    const std::size_t end = line.find(delimiter, start);
    cells.push_back(trim(line.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) return cells;
    start = end + 1;
  }
}

// Case-insensitive Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// "'a', 'b', 'label'": a header as messages show it.
std::string quoted_list(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) text += (i ? ", '" : "'") + names[i] + "'";
  return text;
}

enum class NumberCell { number, not_a_number, out_of_range };

// Whole-cell parse, as strict as std::from_chars: "1.5x", "" and "1 2" are not numbers. One plus
// sign may lead, as numpy and pandas read "+1.5" (from_chars takes none); "+-1" and "++1" do not.
NumberCell parse_number(std::string_view cell, float& value) {
  if (cell.size() > 1 && cell[0] == '+' && cell[1] != '+' && cell[1] != '-') cell.remove_prefix(1);
  const char* const end = cell.data() + cell.size();
  const auto [stop, error] = std::from_chars(cell.data(), end, value);
  if (cell.empty() || stop != end) return NumberCell::not_a_number;
  if (error == std::errc()) return NumberCell::number;
  if (error != std::errc::result_out_of_range) return NumberCell::not_a_number;
  // from_chars calls a value too small for a float (1e-50) out of range just like one too large
  // (1e39); the double tells them apart. A tiny one rounds to 0 (or a denormal), as numpy's float32 does.
  double wide = 0;
  if (std::from_chars(cell.data(), end, wide).ec == std::errc() &&
      std::abs(wide) <= std::numeric_limits<float>::max()) {
    value = static_cast<float>(wide);
    return NumberCell::number;
  }
  return NumberCell::out_of_range;
}

bool parse_class_index(std::string_view cell, std::int64_t& value) {
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return error == std::errc() && end == cell.data() + cell.size() && !cell.empty() && value >= 0;
}

// Numbers in every cell but at most one (the label may be a class name): a first row like this is
// data, not a header.
template <typename Cell>
bool looks_like_data(const std::vector<Cell>& cells) {
  const auto numbers = std::count_if(cells.begin(), cells.end(), [](std::string_view cell) {
    float ignored = 0;
    return parse_number(cell, ignored) == NumberCell::number;
  });
  return numbers > 0 && static_cast<std::size_t>(numbers) + 1 >= cells.size();
}

std::size_t find_label_column(const std::string& path, const std::vector<std::string>& header,
                              const std::string& wanted) {
  const auto found = std::find(header.begin(), header.end(), wanted);
  if (found != header.end()) {
    if (std::find(found + 1, header.end(), wanted) != header.end()) {
      detail::fail(path, "label column '", wanted, "' appears more than once in the header");
    }
    return static_cast<std::size_t>(found - header.begin());
  }
  std::ostringstream reason;
  reason << "no label column '" << wanted << "'";
  // A headerless file read as if it had a header: its "names" are numbers, and listing them helps nobody.
  if (looks_like_data(header)) {
    reason << " in the header, and the first row looks like data, not a header (numbers): for a file without a "
              "header row set header: false and label_column to a 0-based column index or last";
    detail::fail(path, reason.str());
  }
  std::size_t best_distance = 3;  // suggest only names at most 2 edits away
  std::string_view suggestion;
  for (std::string_view name : header) {
    const std::size_t distance = edit_distance(name, wanted);
    if (distance < best_distance) best_distance = distance, suggestion = name;
  }
  if (!suggestion.empty()) reason << "; did you mean '" << suggestion << "'?";
  reason << (suggestion.empty() ? "." : "") << " Available columns: " << quoted_list(header);
  if (parse_column_position(wanted))
    reason << ". A column index or last selects the label column only in a file without a header row (header: false)";
  detail::fail(path, reason.str());
}

// The label column of a row of `columns` cells in a file without a header.
std::size_t label_position(const std::string& path, std::size_t line, std::size_t columns, const std::string& wanted) {
  const std::optional<ColumnPosition> position = parse_column_position(wanted);
  if (!position) {
    detail::fail(path, "label column '", wanted,
                 "' is a name, but the file is read without a header row (header: false): give a 0-based column "
                 "index or last");
  }
  if (position->last) return columns - 1;
  if (position->index >= columns) {
    throw DatasetError(path, line, 0,
                       "label column index " + std::to_string(position->index) + " is past the last column: the " +
                           "first row has " + std::to_string(columns) + " column" + (columns == 1 ? "" : "s") +
                           " (indices 0 to " + std::to_string(columns - 1) + ")");
  }
  return position->index;
}

// The layout the first non-blank row (on line `line`) gives.
CsvLayout first_row_layout(const std::string& path, std::size_t line, const std::vector<std::string_view>& cells,
                           const CsvOptions& options) {
  CsvLayout layout;
  layout.columns = cells.size();
  if (options.header) {
    layout.names.assign(cells.begin(), cells.end());
    layout.label_column = find_label_column(path, layout.names, options.label_column);
  } else {
    layout.label_column = label_position(path, line, cells.size(), options.label_column);
  }
  if (layout.columns < 2) detail::fail(path, "no feature columns besides the label column");
  return layout;
}

// "column 'b'", or "column index 1" in a file without a header.
std::string column_text(const CsvLayout& layout, std::size_t column) {
  return layout.names.empty() ? "column index " + std::to_string(column) : "column '" + layout.names[column] + "'";
}

// The non-blank lines of a text, without their line endings, with their 1-based numbers.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {}
  std::optional<std::string_view> next() {
    while (start_ < text_.size()) {
      std::size_t end = text_.find('\n', start_);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view line = text_.substr(start_, end - start_);
      start_ = end + 1;
      ++number_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // Windows line endings
      if (!trim(line).empty()) return line;
    }
    return std::nullopt;
  }
  std::size_t number() const { return number_; }
  // Whether the line next() returned last ended with a line break (or was cut off by the text's end).
  bool ended() const { return start_ <= text_.size(); }

 private:
  std::string_view text_;
  std::size_t start_ = 0, number_ = 0;
};

// The text as the parser sees it: a binary file (an IDX file, a .zip, a spreadsheet) is rejected
// rather than failing on a "header" of raw bytes, and the UTF-8 byte order mark many spreadsheet
// exports start with is dropped (it would end up in the first name).
std::string_view csv_text(const std::string& path, std::string_view text) {
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    detail::fail(path, "binary data (a NUL byte at offset ", nul, "), expected CSV text");
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

struct LabelCell {
  std::string text;
  std::size_t line;
};

[[noreturn]] void fail_empty(const std::string& path, const CsvOptions& options) {
  detail::fail(path, options.header ? "file is empty, expected a header row" : "file is empty");
}

// CsvLayout::label_column of a file without one (examples to score).
constexpr std::size_t kNoLabelColumn = static_cast<std::size_t>(-1);

// One CSV file as read, before its labels are turned into class indices.
struct CsvTable {
  std::string path;
  CsvLayout layout;
  std::vector<float> features;  // row-major, feature_count() per row
  std::vector<LabelCell> labels;  // one per row, unless the file has no label column
  std::size_t rows = 0;

  bool labelled() const { return layout.label_column != kNoLabelColumn; }
  std::size_t feature_count() const { return layout.columns - (labelled() ? 1 : 0); }
  // The feature columns' header names, in order; none without a header.
  std::vector<std::string> feature_names() const {
    std::vector<std::string> names;
    for (std::size_t c = 0; c < layout.names.size(); ++c)
      if (c != layout.label_column) names.push_back(layout.names[c]);
    return names;
  }
};

// How a file's first non-blank row (its number, its cells) gives its layout.
using LayoutRule = std::function<CsvLayout(std::size_t, const std::vector<std::string_view>&)>;

CsvTable read_table(const std::string& path, const CsvOptions& options, const LayoutRule& first_row = {}) {
  const std::string content = detail::read_file_text(path);
  CsvTable table;
  table.path = path;
  bool have_layout = false;
  Lines lines(csv_text(path, content));
  while (const std::optional<std::string_view> line = lines.next()) {
    const std::size_t line_number = lines.number();
    const std::vector<std::string_view> cells = split_cells(*line, options.delimiter);
    if (!have_layout) {
      table.layout = first_row ? first_row(line_number, cells) : first_row_layout(path, line_number, cells, options);
      have_layout = true;
      if (options.header) continue;
    }
    const CsvLayout& layout = table.layout;
    if (cells.size() != layout.columns) {
      throw DatasetError(path, line_number, 0,
                         "expected " + std::to_string(layout.columns) + " cells, found " +
                             std::to_string(cells.size()));
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c == layout.label_column) continue;
      float value = 0;
      const NumberCell parsed = parse_number(cells[c], value);
      // NaN or infinity would silently poison every loss and gradient downstream.
      if (parsed != NumberCell::number || !std::isfinite(value)) {
        std::string problem = parsed == NumberCell::not_a_number   ? "is not a number"
                              : parsed == NumberCell::out_of_range ? "is outside the float32 range (+-3.4e38)"
                                                                   : "is not a finite number";
        if (!options.header && table.rows == 0 && !looks_like_data(cells))
          problem += "; the first row looks like a header: leave header on (header: true) to read it as one";
        throw DatasetError(path, line_number, c + 1,
                           "'" + std::string(cells[c]) + "' in " + column_text(layout, c) + " " + problem);
      }
      table.features.push_back(value);
    }
    ++table.rows;
    if (!table.labelled()) continue;
    if (cells[layout.label_column].empty()) {
      throw DatasetError(path, line_number, layout.label_column + 1, "empty label");
    }
    table.labels.push_back({std::string(cells[layout.label_column]), line_number});
  }
  if (!have_layout) fail_empty(path, options);
  if (table.rows == 0) detail::fail(path, "no data rows after the header");
  return table;
}

struct ClassLabels {
  std::vector<Labels> per_table;  // the class index of every row, one list per table
  std::vector<std::string> class_names;
};

// Integer labels are indices as written; otherwise names are indexed in sorted order, so the
// mapping does not depend on which class happens to come first. The cells of every table are
// indexed together, so a class has the same index in a training file and its test file.
ClassLabels index_labels(const std::vector<const CsvTable*>& tables) {
  ClassLabels result;
  std::int64_t max_index = -1;
  bool all_indices = true;
  for (const CsvTable* table : tables) {
    Labels& y = result.per_table.emplace_back();
    y.reserve(table->labels.size());
    for (const LabelCell& cell : table->labels) {
      std::int64_t index = 0;
      if (!parse_class_index(cell.text, index)) {
        all_indices = false;
        break;
      }
      if (index > kMaxClassIndex) {
        throw DatasetError(table->path, cell.line, table->layout.label_column + 1,
                           "class index " + cell.text + " is implausibly large (limit " +
                               std::to_string(kMaxClassIndex) + "); write class names instead");
      }
      max_index = std::max(max_index, index);
      y.push_back(static_cast<std::int32_t>(index));
    }
    if (!all_indices) break;
  }
  if (all_indices) {
    result.class_names = numbered_class_names(static_cast<std::size_t>(max_index + 1));
    return result;
  }
  std::vector<std::string> names;
  for (const CsvTable* table : tables)
    for (const LabelCell& cell : table->labels) names.push_back(cell.text);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::map<std::string, std::int32_t, std::less<>> index_of;
  for (std::size_t c = 0; c < names.size(); ++c) index_of.emplace(names[c], static_cast<std::int32_t>(c));
  result.per_table.clear();
  for (const CsvTable* table : tables) {
    Labels& y = result.per_table.emplace_back();
    for (const LabelCell& cell : table->labels) y.push_back(index_of.find(cell.text)->second);
  }
  result.class_names = std::move(names);
  return result;
}

Dataset to_dataset(const CsvTable& table, Labels y, std::vector<std::string> class_names) {
  Dataset data;
  data.X = Eigen::Map<const RowMatrix<float>>(table.features.data(), static_cast<Eigen::Index>(table.rows),
                                              static_cast<Eigen::Index>(table.feature_count()));
  data.y = std::move(y);
  data.class_names = std::move(class_names);
  data.layout.names = table.feature_names();
  data.layout.shape = {table.feature_count()};
  return data;
}

// The layout of a file of examples to score: its label column is optional. With a header, it is
// there when its name is; without, when the row has one column more than the model's features.
CsvLayout input_layout(const std::string& path, std::size_t line, const std::vector<std::string_view>& cells,
                       const CsvInputOptions& options) {
  CsvLayout layout;
  layout.columns = cells.size();
  layout.label_column = kNoLabelColumn;
  if (options.header) {
    layout.names.assign(cells.begin(), cells.end());
    if (std::find(layout.names.begin(), layout.names.end(), options.label_column) != layout.names.end())
      layout.label_column = find_label_column(path, layout.names, options.label_column);
  } else if (cells.size() == options.features + 1) {
    layout.label_column = label_position(path, line, cells.size(), options.label_column);
  } else if (cells.size() != options.features) {
    throw DatasetError(path, line, 0,
                       "has " + std::to_string(cells.size()) + " columns; the model takes " +
                           std::to_string(options.features) + " features, and the label column (" +
                           options.label_column + ") may come with them");
  }
  if (layout.columns == (layout.label_column == kNoLabelColumn ? 0u : 1u))
    detail::fail(path, "no feature columns besides the label column");
  return layout;
}

// Where each of the model's features is among the file's feature columns: by name, or in file
// order when the model's data named none.
std::vector<std::size_t> input_columns(const CsvTable& table, const CsvInputOptions& options) {
  const std::vector<std::string> present = table.feature_names();
  std::vector<std::size_t> columns;
  if (options.feature_names.empty()) {
    if (table.feature_count() != options.features)
      detail::fail(table.path, "has ", table.feature_count(), " feature columns (every column but '",
                   options.label_column, "'), the model takes ", options.features);
    for (std::size_t c = 0; c < table.feature_count(); ++c) columns.push_back(c);
    return columns;
  }
  std::vector<std::string> missing;
  for (const std::string& name : options.feature_names) {
    const auto found = std::find(present.begin(), present.end(), name);
    if (found == present.end()) {
      missing.push_back(name);
      continue;
    }
    if (std::find(found + 1, present.end(), name) != present.end())
      detail::fail(table.path, "column '", name, "' appears more than once in the header");
    columns.push_back(static_cast<std::size_t>(found - present.begin()));
  }
  if (!missing.empty())
    detail::fail(table.path, "missing feature column", missing.size() == 1 ? " " : "s ", quoted_list(missing),
                 " the model was trained on; its columns are ", quoted_list(options.feature_names), " (and '",
                 options.label_column, "' for labels)");
  for (const std::string& name : present)
    if (std::find(options.feature_names.begin(), options.feature_names.end(), name) == options.feature_names.end())
      detail::fail(table.path, "column '", name, "' is not one of the model's feature columns ",
                   quoted_list(options.feature_names), " nor its label column '", options.label_column, "'");
  return columns;
}

// The class index of each label cell, by the model's class names (or, for classes numbered 0..C-1,
// as an index the way training read it: "07" is class 7).
Labels input_labels(const CsvTable& table, const std::vector<std::string>& class_names) {
  const bool numbered = class_names == numbered_class_names(class_names.size());
  Labels y;
  y.reserve(table.labels.size());
  for (const LabelCell& cell : table.labels) {
    const auto found = std::find(class_names.begin(), class_names.end(), cell.text);
    std::int64_t index = 0;
    if (found != class_names.end()) {
      y.push_back(static_cast<std::int32_t>(found - class_names.begin()));
    } else if (numbered && parse_class_index(cell.text, index) && index < static_cast<std::int64_t>(class_names.size())) {
      y.push_back(static_cast<std::int32_t>(index));
    } else {
      throw DatasetError(table.path, cell.line, table.layout.label_column + 1,
                         "label '" + cell.text + "' is not one of the model's classes " + quoted_list(class_names));
    }
  }
  return y;
}

}  // namespace

std::optional<ColumnPosition> parse_column_position(std::string_view text) {
  if (text == "last") return ColumnPosition{.last = true};
  std::size_t index = 0;
  const char* const end = text.data() + text.size();
  // Digits only: from_chars alone would take "-0", and "+1" or " 1" are not how an index is written.
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::from_chars(text.data(), end, index).ec != std::errc()) {
    return std::nullopt;
  }
  return ColumnPosition{.index = index};
}

CsvLayout read_csv_layout(const std::string& path, const CsvOptions& options) {
  detail::ZlibReader in(path);
  std::string head;
  std::vector<std::uint8_t> chunk(1 << 16);
  for (;;) {
    const std::size_t got = in.read(chunk.data(), chunk.size());
    head.append(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
    const bool at_end = got < chunk.size();
    Lines lines(csv_text(path, head));
    if (const std::optional<std::string_view> line = lines.next(); line && (lines.ended() || at_end)) {
      return first_row_layout(path, lines.number(), split_cells(*line, options.delimiter), options);
    }
    if (at_end) fail_empty(path, options);
  }
}

Dataset load_csv(const std::string& path, const CsvOptions& options) {
  const CsvTable table = read_table(path, options);
  ClassLabels labels = index_labels({&table});
  return to_dataset(table, std::move(labels.per_table[0]), std::move(labels.class_names));
}

Dataset load_csv_input(const std::string& path, const CsvInputOptions& options) {
  const CsvOptions csv{.label_column = options.label_column, .delimiter = options.delimiter, .header = options.header};
  const CsvTable table = read_table(path, csv, [&](std::size_t line, const std::vector<std::string_view>& cells) {
    return input_layout(path, line, cells, options);
  });
  const std::vector<std::size_t> columns = input_columns(table, options);
  const Eigen::Map<const RowMatrix<float>> cells(table.features.data(), static_cast<Eigen::Index>(table.rows),
                                                 static_cast<Eigen::Index>(table.feature_count()));
  Dataset data;
  data.X.resize(cells.rows(), static_cast<Eigen::Index>(columns.size()));
  for (std::size_t k = 0; k < columns.size(); ++k)
    data.X.col(static_cast<Eigen::Index>(k)) = cells.col(static_cast<Eigen::Index>(columns[k]));
  if (table.labelled()) data.y = input_labels(table, options.class_names);
  data.class_names = options.class_names;
  data.layout.names = options.feature_names;
  data.layout.shape = {columns.size()};
  return data;
}

TrainTest load_csv_pair(const std::string& train_path, const std::string& test_path, const CsvOptions& options) {
  const CsvTable train = read_table(train_path, options);
  const CsvTable test = read_table(test_path, options);
  // Read on its own, a test file with other columns would feed the model the wrong features.
  if (options.header && test.layout.names != train.layout.names) {
    detail::fail(test_path, "columns ", quoted_list(test.layout.names), " differ from the training file ", train_path,
                 "'s (", quoted_list(train.layout.names), "); a test file needs the same columns in the same order");
  }
  if (test.layout.columns != train.layout.columns) {
    detail::fail(test_path, test.layout.columns, " columns, the training file ", train_path, " has ",
                 train.layout.columns, "; a test file needs the same columns in the same order");
  }
  ClassLabels labels = index_labels({&train, &test});
  return {to_dataset(train, std::move(labels.per_table[0]), labels.class_names),
          to_dataset(test, std::move(labels.per_table[1]), labels.class_names)};
}

}  // namespace losslab
