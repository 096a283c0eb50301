// The four renderings of a table: CSV quoting, JSON types, markdown escaping, text alignment.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "table_format.hpp"

namespace losslab::report {
namespace {

Table sample() {
  Table table;
  table.header = {"name", "count", "ratio", "note"};
  table.rows.push_back({Cell("plain"), Cell(3), Cell(0.25), Cell::null()});
  table.rows.push_back({Cell("a,\"quoted\"\nline"), Cell(std::int64_t{-12}), Cell(1e-5), Cell("x|y")});
  table.rows.push_back({Cell("nan"), Cell(0), Cell(std::numeric_limits<double>::quiet_NaN()),
                        Cell::shown_as(0.123456, "0.1235")});
  return table;
}

std::string render(const Table& table, OutputFormat format) {
  std::ostringstream out;
  write_table(table, format, out);
  return out.str();
}

TEST(TableFormat, FormatNames) {
  EXPECT_EQ(parse_output_format("table"), OutputFormat::table);
  EXPECT_EQ(parse_output_format("csv"), OutputFormat::csv);
  EXPECT_EQ(parse_output_format("json"), OutputFormat::json);
  EXPECT_EQ(parse_output_format("markdown"), OutputFormat::markdown);
  EXPECT_EQ(parse_output_format("md"), OutputFormat::markdown);
  EXPECT_FALSE(parse_output_format("xml"));
}

TEST(TableFormat, NumbersInTheirShortestExactForm) {
  EXPECT_EQ(format_number(0.001), "0.001");
  EXPECT_EQ(format_number(1e-5), "1e-5");
  EXPECT_EQ(format_number(1e30), "1e30");
  EXPECT_EQ(format_number(3.0), "3");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(format_number(-2.5e-10), "-2.5e-10");
  EXPECT_EQ(format_number(std::numeric_limits<double>::quiet_NaN()), "");
  EXPECT_EQ(format_fixed(0.84567, 4), "0.8457");
  EXPECT_EQ(format_fixed(std::numeric_limits<double>::quiet_NaN(), 4), "-");
}

TEST(TableFormat, FloatsInTheShortestTextThatReadsBackToThem) {
  Table table;
  table.header = {"score"};
  for (const float value : {0.1f, -1.2345678f, 3.0f, 1e-8f, std::numeric_limits<float>::max()})
    table.rows.push_back({float_cell(value)});
  table.rows.push_back({float_cell(std::numeric_limits<float>::quiet_NaN())});
  // A float's own double would print as 0.10000000149011612.
  EXPECT_EQ(render(table, OutputFormat::csv), "score\n0.1\n-1.2345678\n3\n1e-8\n3.4028235e38\n\n");
  EXPECT_EQ(nlohmann::json::parse(render(table, OutputFormat::json))[1]["score"].get<double>(), -1.2345678);
  EXPECT_EQ(static_cast<float>(std::get<double>(float_cell(-1.2345678f).value)), -1.2345678f);
}

TEST(TableFormat, CsvQuotesWhatNeedsQuoting) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(render(sample(), OutputFormat::csv),
            "name,count,ratio,note\n"
            "plain,3,0.25,\n"
            "\"a,\"\"quoted\"\"\nline\",-12,1e-5,x|y\n"
            "nan,0,,0.123456\n");  // CSV keeps the value, not its display
}

TEST(TableFormat, JsonKeepsTypesAndNulls) {
  Table table = sample();
  table.header.push_back("name");  // a repeated column name
  for (auto& row : table.rows) row.push_back(Cell("again"));
  const auto parsed = nlohmann::json::parse(render(table, OutputFormat::json));
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0]["name"], "plain");
  EXPECT_TRUE(parsed[0]["count"].is_number_integer());
  EXPECT_EQ(parsed[0]["ratio"], 0.25);
  EXPECT_TRUE(parsed[0]["note"].is_null());
  EXPECT_EQ(parsed[1]["name"], "a,\"quoted\"\nline");
  EXPECT_EQ(parsed[1]["ratio"].get<double>(), 1e-5);
  EXPECT_TRUE(parsed[2]["ratio"].is_null());  // NaN
  EXPECT_EQ(parsed[2]["note"].get<double>(), 0.123456);
  EXPECT_EQ(parsed[0]["name_2"], "again");
  // Columns stay in order.
  const auto ordered = nlohmann::ordered_json::parse(render(table, OutputFormat::json));
  std::vector<std::string> keys;
  for (const auto& item : ordered[0].items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "count", "ratio", "note", "name_2"}));
  EXPECT_EQ(render(Table{{"a"}, {}}, OutputFormat::json), "[]\n");
}

TEST(TableFormat, MarkdownEscapesPipesAndLineBreaks) {
  EXPECT_EQ(render(sample(), OutputFormat::markdown),
            "| name | count | ratio | note |\n"
            "|---|---:|---:|---|\n"
            "| plain | 3 | 0.25 |  |\n"
            "| a,\"quoted\" line | -12 | 1e-5 | x\\|y |\n"
            "| nan | 0 |  | 0.1235 |\n");
}

TEST(TableFormat, TextTableAlignsNumbersRightAndTextLeft) {
  Table table;
  table.header = {"id", "trial", "acc"};
  table.rows.push_back({Cell(7), Cell("svm/sgd"), Cell::shown_as(0.5, "0.5000")});
  table.rows.push_back({Cell(12), Cell("softmax/adam/lr=1e-3"), Cell::shown_as(std::nan(""), "-")});
  table.rows.push_back({Cell(3), Cell("x"), Cell::null()});
  EXPECT_EQ(render(table, OutputFormat::table),
            "id  trial                 acc\n"
            "--  --------------------  ------\n"
            " 7  svm/sgd               0.5000\n"
            "12  softmax/adam/lr=1e-3       -\n"
            " 3  x\n");
}

TEST(TableFormat, TextTableCountsUtf8CharactersNotBytes) {
  Table table;
  table.header = {"name", "n"};
  table.rows.push_back({Cell("\xC3\xA9t\xC3\xA9"), Cell(1)});  // "été": 3 characters, 5 bytes
  table.rows.push_back({Cell("abcd"), Cell(2)});
  EXPECT_EQ(render(table, OutputFormat::table),
            "name  n\n"
            "----  -\n"
            "\xC3\xA9t\xC3\xA9   1\n"
            "abcd  2\n");
}

}  // namespace
}  // namespace losslab::report
