// CSV datasets: a header row, one example per line, the label column chosen by name.
// Deliberately simple dialect: no quoting, so a delimiter never appears inside a cell.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
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
  std::size_t best_distance = 3;  // suggest only names at most 2 edits away
  std::string_view suggestion;
  for (std::string_view name : header) {
    const std::size_t distance = edit_distance(name, wanted);
    if (distance < best_distance) best_distance = distance, suggestion = name;
  }
  if (!suggestion.empty()) reason << "; did you mean '" << suggestion << "'?";
  reason << " Available columns: " << quoted_list(header);
  detail::fail(path, reason.str());
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

struct LabelCell {
  std::string text;
  std::size_t line;
};

// One CSV file as read, before its labels are turned into class indices.
struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::size_t label_column = 0;
  std::vector<float> features;  // row-major, header.size() - 1 per row
  std::vector<LabelCell> labels;
};

CsvTable read_table(const std::string& path, const CsvOptions& options) {
  std::string text = detail::read_file_text(path);
  // A binary file (an IDX file, a .zip, a spreadsheet) would otherwise fail on a "header" of raw bytes.
  if (const std::size_t nul = text.find('\0'); nul != std::string::npos) {
    detail::fail(path, "binary data (a NUL byte at offset ", nul, "), expected CSV text");
  }
  // Spreadsheet exports often start with a UTF-8 byte order mark, which would end up in the first name.
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  CsvTable table;
  table.path = path;

  std::size_t line_number = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // Windows line endings
    if (trim(line).empty()) continue;

    const std::vector<std::string_view> cells = split_cells(line, options.delimiter);
    if (table.header.empty()) {
      table.header.assign(cells.begin(), cells.end());
      table.label_column = find_label_column(path, table.header, options.label_column);
      if (table.header.size() < 2) detail::fail(path, "no feature columns besides the label column");
      continue;
    }
    if (cells.size() != table.header.size()) {
      throw DatasetError(path, line_number, 0,
                         "expected " + std::to_string(table.header.size()) + " cells, found " +
                             std::to_string(cells.size()));
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c == table.label_column) continue;
      float value = 0;
      const NumberCell parsed = parse_number(cells[c], value);
      // NaN or infinity would silently poison every loss and gradient downstream.
      if (parsed != NumberCell::number || !std::isfinite(value)) {
        const std::string problem = parsed == NumberCell::not_a_number   ? "is not a number"
                                    : parsed == NumberCell::out_of_range ? "is outside the float32 range (+-3.4e38)"
                                                                         : "is not a finite number";
        throw DatasetError(path, line_number, c + 1,
                           "'" + std::string(cells[c]) + "' in column '" + table.header[c] + "' " + problem);
      }
      table.features.push_back(value);
    }
    if (cells[table.label_column].empty()) {
      throw DatasetError(path, line_number, table.label_column + 1, "empty label");
    }
    table.labels.push_back({std::string(cells[table.label_column]), line_number});
  }
  if (table.header.empty()) detail::fail(path, "file is empty, expected a header row");
  if (table.labels.empty()) detail::fail(path, "no data rows after the header");
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
        throw DatasetError(table->path, cell.line, table->label_column + 1,
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
  data.X = Eigen::Map<const RowMatrix<float>>(table.features.data(), static_cast<Eigen::Index>(table.labels.size()),
                                              static_cast<Eigen::Index>(table.header.size() - 1));
  data.y = std::move(y);
  data.class_names = std::move(class_names);
  return data;
}

}  // namespace

Dataset load_csv(const std::string& path, const CsvOptions& options) {
  const CsvTable table = read_table(path, options);
  ClassLabels labels = index_labels({&table});
  return to_dataset(table, std::move(labels.per_table[0]), std::move(labels.class_names));
}

TrainTest load_csv_pair(const std::string& train_path, const std::string& test_path, const CsvOptions& options) {
  const CsvTable train = read_table(train_path, options);
  const CsvTable test = read_table(test_path, options);
  // Read on its own, a test file with other columns would feed the model the wrong features.
  if (test.header != train.header) {
    detail::fail(test_path, "columns ", quoted_list(test.header), " differ from the training file ", train_path,
                 "'s (", quoted_list(train.header), "); a test file needs the same columns in the same order");
  }
  ClassLabels labels = index_labels({&train, &test});
  return {to_dataset(train, std::move(labels.per_table[0]), labels.class_names),
          to_dataset(test, std::move(labels.per_table[1]), labels.class_names)};
}

}  // namespace losslab
