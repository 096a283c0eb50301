// Plumbing shared by the file loaders (private to core/src).
#pragma once

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "losslab/dataset.hpp"

struct gzFile_s;  // zlib's open file

namespace losslab::detail {

// Builds a DatasetError reason from streamable pieces, so call sites read like the message.
template <typename... Parts>
[[noreturn]] void fail(const std::string& file, Parts&&... parts) {
  std::ostringstream reason;
  (reason << ... << std::forward<Parts>(parts));
  throw DatasetError(file, reason.str());
}

// A file read through zlib piece by piece, so raw and gzip-compressed files are read alike
// without looking at the name. For loaders that put the content straight where it belongs rather
// than into one buffer first. Failures are DatasetErrors naming the file.
class ZlibReader {
 public:
  explicit ZlibReader(const std::string& path);
  ~ZlibReader();
  ZlibReader(const ZlibReader&) = delete;
  ZlibReader& operator=(const ZlibReader&) = delete;

  // Reads up to `count` bytes into `out`; returns fewer only at the end of the file.
  std::size_t read(std::uint8_t* out, std::size_t count);
  // Reads to the end of the file; returns how many bytes that was.
  std::size_t skip_rest();
  // How many bytes the content likely has (a gzip trailer's word, or a raw file's size), and the
  // most it can have (deflate expands at most 1032:1): a hint and a bound for allocations.
  std::size_t likely_size() const { return likely_size_; }
  std::size_t max_size() const { return max_size_; }

 private:
  std::string path_;
  gzFile_s* file_ = nullptr;
  std::size_t likely_size_ = 0, max_size_ = 0;
};

// What a file's ends say: its size and, when it is gzip (magic 1f 8b, at least 18 bytes), its
// trailer: CRC-32 and size (mod 2^32) of the content of its last member. Nothing when it cannot be
// opened.
struct GzipTrailer {
  std::uint32_t crc = 0, size = 0;
};
struct FileEnds {
  std::size_t size = 0;
  std::optional<GzipTrailer> gzip;
};
std::optional<FileEnds> read_file_ends(const std::string& path);

// The whole (decompressed) content of a file, through ZlibReader.
std::vector<std::uint8_t> read_file_bytes(const std::string& path);
std::string read_file_text(const std::string& path);

// The first of `candidates` (file names inside `directory`) that exists; otherwise a DatasetError
// naming the directory and every name looked for.
std::string find_first_existing(const std::string& directory, const std::vector<std::string>& candidates);

}  // namespace losslab::detail
