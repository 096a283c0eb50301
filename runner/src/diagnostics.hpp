// Collects the problems of one config so that all of them are reported together.
#pragma once

#include <string>
#include <vector>

#include "losslab/runner/config.hpp"

namespace losslab::runner::detail {

// Where a piece of the config came from: the file, or "--set" with line = the override's 1-based
// position on the command line and column = the offset within that argument.
struct Location {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based; 0 = unknown
};

class Diagnostics {
 public:
  void error(const Location& where, std::string message) {
    list_.push_back({where.file, where.line, where.column, std::move(message)});
  }
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  // Sorted by line then column (the file's problems before the overrides'), without repeats.
  std::vector<Diagnostic> sorted(const std::string& config_file) const;

 private:
  std::vector<Diagnostic> list_;
};

}  // namespace losslab::runner::detail
