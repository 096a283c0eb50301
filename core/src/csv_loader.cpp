// CSV datasets: a header row, one example per line, the label column chosen by name.
// Deliberately simple dialect: no quoting, so a delimiter never appears inside a cell.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
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

std::size_t find_label_column(const std::string& path, const std::vector<std::string_view>& header,
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
  reason << " Available columns:";
  for (std::size_t c = 0; c < header.size(); ++c) reason << (c ? ", '" : " '") << header[c] << "'";
  detail::fail(path, reason.str());
}

// Whole-cell parse, as strict as std::from_chars: "1.5x", "" and "1 2" are not numbers.
bool parse_number(std::string_view cell, float& value) {
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return error == std::errc() && end == cell.data() + cell.size() && !cell.empty();
}

bool parse_class_index(std::string_view cell, std::int64_t& value) {
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return error == std::errc() && end == cell.data() + cell.size() && !cell.empty() && value >= 0;
}

struct LabelCell {
  std::string text;
  std::size_t line;
};

// Integer labels are indices as written; otherwise names are indexed in sorted order, so the
// mapping does not depend on which class happens to come first in the file.
void assign_labels(const std::string& path, std::size_t label_column, const std::vector<LabelCell>& cells,
                   Dataset& data) {
  std::int64_t max_index = -1;
  data.y.reserve(cells.size());
  for (const LabelCell& cell : cells) {
    std::int64_t index = 0;
    if (!parse_class_index(cell.text, index)) break;
    if (index > kMaxClassIndex) {
      throw DatasetError(path, cell.line, label_column + 1,
                         "class index " + cell.text + " is implausibly large (limit " +
                             std::to_string(kMaxClassIndex) + "); write class names instead");
    }
    max_index = std::max(max_index, index);
    data.y.push_back(static_cast<std::int32_t>(index));
  }
  if (data.y.size() == cells.size()) {
    data.class_names = numbered_class_names(static_cast<std::size_t>(max_index + 1));
    return;
  }
  data.y.clear();
  std::vector<std::string> names;
  for (const LabelCell& cell : cells) names.push_back(cell.text);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::map<std::string, std::int32_t, std::less<>> index_of;
  for (std::size_t c = 0; c < names.size(); ++c) index_of.emplace(names[c], static_cast<std::int32_t>(c));
  for (const LabelCell& cell : cells) data.y.push_back(index_of.find(cell.text)->second);
  data.class_names = std::move(names);
}

}  // namespace

Dataset load_csv(const std::string& path, const CsvOptions& options) {
  std::string text = detail::read_file_text(path);
  // Spreadsheet exports often start with a UTF-8 byte order mark, which would end up in the first name.
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  std::vector<std::string_view> header;
  std::size_t label_column = 0;
  std::vector<float> features;  // row-major, num_features per row
  std::vector<LabelCell> labels;

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
    if (header.empty()) {
      header = cells;
      label_column = find_label_column(path, header, options.label_column);
      if (header.size() < 2) detail::fail(path, "no feature columns besides the label column");
      continue;
    }
    if (cells.size() != header.size()) {
      throw DatasetError(path, line_number, 0,
                         "expected " + std::to_string(header.size()) + " cells, found " +
                             std::to_string(cells.size()));
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c == label_column) continue;
      float value = 0;
      const bool parsed = parse_number(cells[c], value);
      // NaN or infinity would silently poison every loss and gradient downstream.
      if (!parsed || !std::isfinite(value)) {
        throw DatasetError(path, line_number, c + 1,
                           "'" + std::string(cells[c]) + "' in column '" + std::string(header[c]) +
                               (parsed ? "' is not a finite number" : "' is not a number"));
      }
      features.push_back(value);
    }
    if (cells[label_column].empty()) throw DatasetError(path, line_number, label_column + 1, "empty label");
    labels.push_back({std::string(cells[label_column]), line_number});
  }
  if (header.empty()) detail::fail(path, "file is empty, expected a header row");
  if (labels.empty()) detail::fail(path, "no data rows after the header");

  Dataset data;
  const auto rows = static_cast<Eigen::Index>(labels.size());
  data.X = Eigen::Map<const RowMatrix<float>>(features.data(), rows, static_cast<Eigen::Index>(header.size() - 1));
  assign_labels(path, label_column, labels, data);
  return data;
}

}  // namespace losslab
