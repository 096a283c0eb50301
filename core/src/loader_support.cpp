// Reading files through zlib, shared by the IDX, CIFAR-10 and CSV loaders.
#include "loader_support.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

namespace losslab::detail {
namespace {

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

// zlib's message without the "path: " it prefixes, since DatasetError names the file already.
std::string gz_error_text(gzFile file, const std::string& path) {
  int code = Z_OK;
  const char* text = gzerror(file, &code);
  if (code == Z_ERRNO) return std::strerror(errno);
  std::string message = text != nullptr ? text : "unknown zlib error";
  if (message.starts_with(path + ": ")) message.erase(0, path.size() + 2);
  return message;
}

}  // namespace

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  // gzopen would happily open a directory and only fail on read with a vaguer message.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, expected a file");

  errno = 0;
  GzHandle file(gzopen(path.c_str(), "rb"));
  if (!file) fail(path, "cannot open file (", errno != 0 ? std::strerror(errno) : "out of memory", ")");
  gzbuffer(file.get(), 1 << 17);

  std::vector<std::uint8_t> bytes;
  constexpr std::size_t kChunk = 1 << 20;
  for (;;) {
    const std::size_t used = bytes.size();
    bytes.resize(used + kChunk);
    const int got = gzread(file.get(), bytes.data() + used, static_cast<unsigned>(kChunk));
    if (got < 0) {
      // Z_ERRNO is the disk; anything else is zlib rejecting the compressed bytes (bad CRC, ...).
      int code = Z_OK;
      gzerror(file.get(), &code);
      fail(path, code == Z_ERRNO ? "read error (" : "corrupt gzip data (", gz_error_text(file.get(), path), ")");
    }
    bytes.resize(used + static_cast<std::size_t>(got));
    if (static_cast<std::size_t>(got) < kChunk) break;
  }
  // A .gz cut short reads as a short stream; zlib only reports it through gzerror.
  int code = Z_OK;
  gzerror(file.get(), &code);
  if (code != Z_OK) fail(path, "truncated or corrupt gzip data (", gz_error_text(file.get(), path), ")");
  bytes.shrink_to_fit();
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
