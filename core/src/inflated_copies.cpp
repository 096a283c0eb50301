#include "inflated_copies.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>

namespace losslab::detail {
namespace {

namespace fs = std::filesystem;

std::uint32_t little_endian(const unsigned char* bytes) {
  return std::uint32_t{bytes[0]} | (std::uint32_t{bytes[1]} << 8) | (std::uint32_t{bytes[2]} << 16) |
         (std::uint32_t{bytes[3]} << 24);
}

// FNV-1a, 64 bits: stable across builds and machines (std::hash is not), and names need no more.
class NameHash {
 public:
  template <typename T>
  NameHash& add(const T& value) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(&value);
    for (std::size_t i = 0; i < sizeof value; ++i) mix(bytes[i]);
    return *this;
  }
  NameHash& add(const std::string& text) {
    for (const char c : text) mix(static_cast<unsigned char>(c));
    mix(0);
    return *this;
  }
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash_));
    return text;
  }

 private:
  void mix(unsigned char byte) { hash_ = (hash_ ^ byte) * 0x100000001b3ULL; }
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

// CRC-32 of the parts in sequence; a big payload is summed in two halves on two cores.
std::uint32_t content_crc(const ContentPart& header, const ContentPart& payload) {
  const auto crc_of = [](uLong crc, const std::uint8_t* data, std::size_t size) {
    constexpr std::size_t kMaxChunk = std::size_t{1} << 30;  // crc32 takes an unsigned length
    for (std::size_t done = 0; done < size;) {
      const std::size_t chunk = std::min(size - done, kMaxChunk);
      crc = crc32(crc, data + done, static_cast<uInt>(chunk));
      done += chunk;
    }
    return crc;
  };
  const uLong head = crc_of(crc32(0L, Z_NULL, 0), header.data, header.size);
  constexpr std::size_t kWorthTwoThreads = std::size_t{1} << 22;
  if (payload.size < kWorthTwoThreads) return static_cast<std::uint32_t>(crc_of(head, payload.data, payload.size));
  const std::size_t half = payload.size / 2;
  auto second = std::async(std::launch::async, [&] { return crc_of(crc32(0L, Z_NULL, 0), payload.data + half,
                                                                     payload.size - half); });
  const uLong first = crc_of(head, payload.data, half);
  return static_cast<std::uint32_t>(
      crc32_combine(first, second.get(), static_cast<z_off_t>(payload.size - half)));
}

bool write_all(int fd, const ContentPart& part) {
  for (std::size_t done = 0; done < part.size;) {
    const ssize_t wrote = ::write(fd, part.data + done, part.size - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    done += static_cast<std::size_t>(wrote);
  }
  return true;
}

}  // namespace

InflatedCopy::InflatedCopy(const InflateCache& cache, const std::string& source) : cache_(cache), source_(source) {
  if (cache.directory.empty()) return;
  struct stat status {};
  if (::stat(source.c_str(), &status) != 0 || !S_ISREG(status.st_mode) || status.st_size < 18) return;
  std::ifstream in(source, std::ios::binary);
  unsigned char magic[2] = {0, 0}, trailer[8] = {};
  in.read(reinterpret_cast<char*>(magic), 2);
  in.seekg(status.st_size - 8);
  in.read(reinterpret_cast<char*>(trailer), 8);
  if (!in || magic[0] != 0x1f || magic[1] != 0x8b) return;  // raw files need no copy
  stated_crc_ = little_endian(trailer);
  stated_size_ = little_endian(trailer + 4);

  std::error_code ec;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(source, ec), ec);
  NameHash key;
  key.add(std::string("inflated copy v1")).add(absolute.string()).add(status.st_size).add(status.st_mtim.tv_sec);
  key.add(status.st_mtim.tv_nsec).add(status.st_ino).add(status.st_dev).add(stated_crc_).add(stated_size_);
  fs::path name = fs::path(source).filename();
  if (name.extension() == ".gz") name.replace_extension();
  path_ = (fs::path(cache.directory) / (name.string() + "-" + key.hex())).string();
  if (fs::is_regular_file(path_, ec)) existing_ = path_;
}

bool InflatedCopy::verify(const ContentPart& header, const ContentPart& payload) {
  const std::size_t size = header.size + payload.size;
  const std::uint32_t crc = content_crc(header, payload);
  if (crc == stated_crc_ && static_cast<std::uint32_t>(size) == stated_size_) {
    if (cache_.on_note) cache_.on_note("read " + source_ + " from its inflated copy " + existing_);
    return true;
  }
  char why[96];
  std::snprintf(why, sizeof why, "its CRC-32 is %08x, the source's gzip trailer says %08x", crc, stated_crc_);
  reject(why);
  return false;
}

void InflatedCopy::reject(const std::string& why) {
  if (cache_.on_problem) {
    cache_.on_problem("the inflated copy " + existing_ + " of " + source_ + " is damaged (" + why +
                      "): removed, inflating the source again");
  }
  std::error_code ignored;  // another process may have replaced or removed it meanwhile
  fs::remove(existing_, ignored);
  existing_.clear();
}

void InflatedCopy::keep(const ContentPart& header, const ContentPart& payload) {
  if (path_.empty()) return;
  // A multi-member gzip file's trailer describes its last member only: its copy could never be
  // verified, so none is kept. (The inflate checked each member's CRC already; the size tells.)
  if (static_cast<std::uint32_t>(header.size + payload.size) != stated_size_) return;
  const auto problem = [&](const std::string& what, int error) {
    if (cache_.on_problem) {
      cache_.on_problem("cannot keep an inflated copy of " + source_ + " in " + cache_.directory + " (" + what +
                        ": " + std::strerror(error) + "); the next run inflates it again");
    }
  };
  std::error_code ec;
  fs::create_directories(cache_.directory, ec);
  if (ec) return problem("creating the folder", ec.value());
  // Written under a temporary name, then renamed: a reader (another process, or a run killed
  // meanwhile) never sees a part-written copy under the real name.
  std::string temporary = path_ + ".XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) return problem("creating a file", errno);
  ::fchmod(fd, 0644);  // mkstemp makes it private; a shared cache folder serves every user
  const bool wrote = write_all(fd, header) && write_all(fd, payload);
  const int write_error = errno;
  const bool closed = ::close(fd) == 0;
  if (!wrote || !closed || ::rename(temporary.c_str(), path_.c_str()) != 0) {
    const int error = !wrote ? write_error : errno;
    ::unlink(temporary.c_str());
    return problem("writing " + temporary, error);
  }
  if (cache_.on_note) cache_.on_note("kept an inflated copy of " + source_ + " as " + path_);
}

}  // namespace losslab::detail
