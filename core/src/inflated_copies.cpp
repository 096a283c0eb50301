#include "inflated_copies.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <string>

#include "losslab/stable_hash.hpp"

namespace losslab::detail {
namespace {

namespace fs = std::filesystem;

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
  if (::stat(source.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) return;
  const std::optional<FileEnds> ends = read_file_ends(source);
  if (!ends || !ends->gzip) return;  // raw files need no copy
  stated_ = *ends->gzip;

  std::error_code ec;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(source, ec), ec);
  const std::string identity = "inflated copy v2\n" + absolute.string() + "\n" + std::to_string(status.st_size) +
                               " " + std::to_string(status.st_mtim.tv_sec) + "." +
                               std::to_string(status.st_mtim.tv_nsec) + " " + std::to_string(status.st_ino) + " " +
                               std::to_string(status.st_dev) + " " + std::to_string(stated_.crc) + " " +
                               std::to_string(stated_.size);
  fs::path name = fs::path(source).filename();
  if (name.extension() == ".gz") name.replace_extension();
  path_ = (fs::path(cache.directory) / (name.string() + "-" + stable_hash_hex(identity))).string();
  if (fs::is_regular_file(path_, ec)) existing_ = path_;
}

bool InflatedCopy::verify(const ContentPart& header, const ContentPart& payload) {
  const std::size_t size = header.size + payload.size;
  const std::uint32_t crc = content_crc(header, payload);
  if (crc == stated_.crc && static_cast<std::uint32_t>(size) == stated_.size) {
    if (cache_.on_note) cache_.on_note("read " + source_ + " from its inflated copy " + existing_);
    return true;
  }
  char why[96];
  std::snprintf(why, sizeof why, "its CRC-32 is %08x, the source's gzip trailer says %08x", crc, stated_.crc);
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
  if (static_cast<std::uint32_t>(header.size + payload.size) != stated_.size) return;
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
