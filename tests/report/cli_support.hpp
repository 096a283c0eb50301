// What the losslab-report end-to-end tests share: a real results database built once per suite by
// the real losslab-run on Fashion-MNIST, running the report executable, reading the database
// directly, parsing CSV back, and a fingerprint proving the database did not change.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/fashion_config.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab::report_test {

using test_support::kRun;
using test_support::RunResult;
using test_support::TempDir;

inline const std::string kReport = test_support::program_path("losslab-report");

// A small Fashion-MNIST experiment: 3000 training examples (1000 of them for validation), SGD,
// `epochs` epochs, the given sweep block.
inline std::string small_config(const std::string& name, int epochs, const std::string& sweep, int limit = 3000) {
  return test_support::small_fashion_config(name, limit, epochs, sweep, /*preprocess=*/false);
}

// "sweep": 2 losses x 3 learning rates (1e30 diverges) x 2 strengths; its best learning rate
// (1e-2) is inside the values tried. "edge": learning rates 1e-5, 1e-4, 1e-3 for 2 epochs, where
// the largest is best — at the upper edge.
inline const std::string kSweepGrid =
    "  grid:\n"
    "    loss.kind: [svm, softmax]\n"
    "    optimizer.learning_rate: [1.0e-3, 1.0e-2, 1.0e30]\n"
    "    regularization.strength: [1.0e-4, 1.0e-2]\n";
inline const std::string kEdgeGrid =
    "  grid:\n"
    "    optimizer.learning_rate: [1.0e-5, 1.0e-4, 1.0e-3]\n";

// Runs the report (or any program) with `args`; its output files go to a scratch directory.
inline RunResult run_in(const std::vector<std::string>& argv, const TempDir& scratch) {
  return test_support::run_program(argv, scratch.path().string());
}

// Runs losslab-report with `args` in `scratch`.
inline RunResult run_report(std::vector<std::string> args, const TempDir& scratch) {
  args.insert(args.begin(), kReport);
  return run_in(args, scratch);
}

// Everything that must stay as it was: the schema, every row of every table, user_version and
// integrity_check.
inline std::string fingerprint(const std::string& db_path) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  std::string text;
  std::vector<std::string> tables;
  SQLite::Statement schema(db, "SELECT type, name, sql FROM sqlite_master ORDER BY name");
  while (schema.executeStep()) {
    text += schema.getColumn(1).getString() + ": " + schema.getColumn(2).getString() + "\n";
    if (schema.getColumn(0).getString() == "table") tables.push_back(schema.getColumn(1).getString());
  }
  for (const auto& table : tables) {
    SQLite::Statement rows(db, "SELECT * FROM \"" + table + "\" ORDER BY 1, 2");
    std::size_t count = 0;
    while (rows.executeStep()) {
      ++count;
      for (int c = 0; c < rows.getColumnCount(); ++c)
        text += (rows.getColumn(c).isNull() ? std::string("NULL") : rows.getColumn(c).getString()) + "|";
      text += "\n";
    }
    text += table + ": " + std::to_string(count) + " rows\n";
  }
  for (const char* pragma : {"PRAGMA user_version", "PRAGMA integrity_check"}) {
    SQLite::Statement statement(db, pragma);
    statement.executeStep();
    text += std::string(pragma) + " = " + statement.getColumn(0).getString() + "\n";
  }
  return text;
}

// RFC 4180: fields separated by commas, optionally quoted ("" is a quote inside quotes), records
// ending in LF or CRLF.
inline std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  const auto end_field = [&] {
    record.push_back(field);
    field.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_field();
      records.push_back(record);
      record.clear();
    } else {
      field += c;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quoted CSV field";
  if (!field.empty() || !record.empty()) {
    end_field();
    records.push_back(record);
  }
  return records;
}

}  // namespace losslab::report_test
