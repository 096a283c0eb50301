// Reading files through zlib, shared by the IDX, CIFAR-10 and CSV loaders.
#include "loader_support.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

namespace losslab::detail {
namespace {

// zlib's message without the "path: " it prefixes, since DatasetError names the file already.
std::string gz_error_text(gzFile file, const std::string& path) {
  int code = Z_OK;
  const char* text = gzerror(file, &code);
  if (code == Z_ERRNO) return std::strerror(errno);
  std::string message = text != nullptr ? text : "unknown zlib error";
  if (message.starts_with(path + ": ")) message.erase(0, path.size() + 2);
  return message;
}

std::uint32_t little_endian(const unsigned char* bytes) {
  return std::uint32_t{bytes[0]} | (std::uint32_t{bytes[1]} << 8) | (std::uint32_t{bytes[2]} << 16) |
         (std::uint32_t{bytes[3]} << 24);
}

// How many bytes reading `path` through zlib is likely to give, and at most: a gzip file's trailer
// holds its uncompressed size (mod 2^32, of the last member only), a raw file is its own size.
struct ContentSize {
  std::size_t likely = 0, most = 0;
};

ContentSize content_size(const std::string& path) {
  const std::optional<FileEnds> ends = read_file_ends(path);
  if (!ends) return {};
  // Deflate cannot expand more than 1032:1, so a trailer claiming more is not believed (a corrupt
  // or crafted one may claim 4 GB: the fuzzers' find).
  constexpr std::size_t kMaxDeflateRatio = 1032;
  const std::size_t size = ends->size;
  if (!ends->gzip) return {size, size < 18 ? size * kMaxDeflateRatio : size};
  return {std::min<std::size_t>(ends->gzip->size, size * kMaxDeflateRatio), size * kMaxDeflateRatio};
}

}  // namespace

std::optional<FileEnds> read_file_ends(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  FileEnds ends;
  ends.size = static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0));
  if (ends.size < 18) return ends;  // gzip's header and trailer alone take 18 bytes
  unsigned char magic[2] = {0, 0}, trailer[8] = {};
  in.seekg(0);
  in.read(reinterpret_cast<char*>(magic), 2);
  in.seekg(static_cast<std::streamoff>(ends.size) - 8);
  in.read(reinterpret_cast<char*>(trailer), 8);
  if (in && magic[0] == 0x1f && magic[1] == 0x8b) {
    ends.gzip = GzipTrailer{little_endian(trailer), little_endian(trailer + 4)};
  }
  return ends;
}

ZlibReader::ZlibReader(const std::string& path) : path_(path) {
  // gzopen would happily open a directory and only fail on read with a vaguer message.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, expected a file");
  errno = 0;
  file_ = gzopen(path.c_str(), "rb");
  if (file_ == nullptr) fail(path, "cannot open file (", errno != 0 ? std::strerror(errno) : "out of memory", ")");
  gzbuffer(file_, 1 << 17);
  const ContentSize size = content_size(path);
  likely_size_ = size.likely;
  max_size_ = size.most;
}

ZlibReader::~ZlibReader() { gzclose(file_); }

std::size_t ZlibReader::read(std::uint8_t* out, std::size_t count) {
  std::size_t used = 0;
  while (used < count) {
    constexpr std::size_t kMaxRead = std::size_t{1} << 30;  // gzread takes an unsigned count
    const int got = gzread(file_, out + used, static_cast<unsigned>(std::min(count - used, kMaxRead)));
    if (got < 0) {
      // Z_ERRNO is the disk; anything else is zlib rejecting the compressed bytes (bad CRC, ...).
      int code = Z_OK;
      gzerror(file_, &code);
      fail(path_, code == Z_ERRNO ? "read error (" : "corrupt gzip data (", gz_error_text(file_, path_), ")");
    }
    if (got == 0) {
      // A .gz cut short reads as a short stream; zlib only reports it through gzerror.
      int code = Z_OK;
      gzerror(file_, &code);
      if (code != Z_OK) fail(path_, "truncated or corrupt gzip data (", gz_error_text(file_, path_), ")");
      break;
    }
    used += static_cast<std::size_t>(got);
  }
  return used;
}

std::size_t ZlibReader::skip_rest() {
  std::vector<std::uint8_t> scratch(1 << 16);
  std::size_t total = 0;
  for (std::size_t got = 0; (got = read(scratch.data(), scratch.size())) > 0;) total += got;
  return total;
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  ZlibReader in(path);
  // One byte more than expected, so reaching the end of the file is seen without growing.
  std::vector<std::uint8_t> bytes(std::max<std::size_t>(in.likely_size(), 1 << 16) + 1);
  std::size_t used = 0;
  for (;;) {
    used += in.read(bytes.data() + used, bytes.size() - used);
    if (used < bytes.size()) break;
    bytes.resize(2 * bytes.size());
  }
  bytes.resize(used);
  if (bytes.capacity() > used + used / 4 + (1 << 16)) bytes.shrink_to_fit();  // a wrong hint
  return bytes;
}

std::string read_file_text(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

std::string find_first_existing(const std::string& directory, const std::vector<std::string>& candidates) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const std::string& name : candidates) {
    const fs::path path = fs::path(directory) / name;
    if (fs::is_regular_file(path, ec)) return path.string();
  }
  std::ostringstream looked_for;
  for (std::size_t i = 0; i < candidates.size(); ++i) looked_for << (i ? ", " : "") << candidates[i];
  fail(directory, "found none of: ", looked_for.str());
}

}  // namespace losslab::detail
