// Shared by the libFuzzer targets: the loaders read paths, so each input is written to an
// in-memory file (memfd) that keeps one path for the whole run, and directory loaders see a
// temporary directory whose entries are symlinks to such files. Nothing touches the disk per input.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "losslab/dataset.hpp"

namespace losslab::fuzz {

// An invariant of a successful load does not hold: a finding, reported as a crash.
[[noreturn]] inline void finding(const char* what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what);
  std::abort();
}

class MemoryFile {
 public:
  explicit MemoryFile(const char* name) {
    fd_ = memfd_create(name, MFD_CLOEXEC);
    if (fd_ < 0) {
      std::perror("memfd_create");
      std::abort();
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  // Replaces the content; opening path() afterwards reads exactly these bytes from the start.
  void set(const std::uint8_t* data, std::size_t size) {
    if (ftruncate(fd_, 0) != 0) std::abort();
    std::size_t written = 0;
    while (written < size) {
      const ssize_t n = pwrite(fd_, data + written, size - written, static_cast<off_t>(written));
      if (n <= 0) std::abort();
      written += static_cast<std::size_t>(n);
    }
  }
  void set(std::string_view text) { set(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()); }

  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// A temporary directory of named memory files (symlinks to them), removed at exit.
class MemoryDirectory {
 public:
  MemoryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "losslab-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    path_ = pattern;
  }
  ~MemoryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  MemoryDirectory(const MemoryDirectory&) = delete;
  MemoryDirectory& operator=(const MemoryDirectory&) = delete;

  MemoryFile& file(const std::string& name) {
    auto& slot = files_[name];
    if (!slot) {
      slot = std::make_unique<MemoryFile>(name.c_str());
      std::filesystem::create_symlink(slot->path(), path_ / name);
    }
    return *slot;
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
  std::map<std::string, std::unique_ptr<MemoryFile>> files_;
};

// What every loader promises about a dataset it returns.
inline void check_dataset(const Dataset& data) {
  if (static_cast<std::size_t>(data.X.rows()) != data.y.size()) finding("X rows != label count");
  if (data.class_names.empty()) finding("no class names");
  for (const std::int32_t label : data.y)
    if (label < 0 || static_cast<std::size_t>(label) >= data.class_names.size()) finding("label out of range");
  if (!data.X.allFinite()) finding("non-finite feature");
}

}  // namespace losslab::fuzz
