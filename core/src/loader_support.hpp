// Plumbing shared by the file loaders (private to core/src).
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "losslab/dataset.hpp"

namespace losslab::detail {

// Builds a DatasetError reason from streamable pieces, so call sites read like the message.
template <typename... Parts>
[[noreturn]] void fail(const std::string& file, Parts&&... parts) {
  std::ostringstream reason;
  (reason << ... << std::forward<Parts>(parts));
  throw DatasetError(file, reason.str());
}

// The whole (decompressed) content of a file. Read through zlib so every loader accepts
// both raw and gzip-compressed files without looking at the name.
std::vector<std::uint8_t> read_file_bytes(const std::string& path);
std::string read_file_text(const std::string& path);

// The first of `candidates` (file names inside `directory`) that exists; otherwise a DatasetError
// naming the directory and every name looked for.
std::string find_first_existing(const std::string& directory, const std::vector<std::string>& candidates);

}  // namespace losslab::detail
