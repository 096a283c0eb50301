// Inflated copies of gzip'd dataset files, kept between runs (private to core/src).
//
// Inflating Fashion-MNIST's training images takes ~0.15 s, most of a sweep's loading time; reading
// an inflated copy back from the page cache takes ~0.01 s. A copy is found by a name derived from
// its source's identity (path, size, modification time, inode, gzip trailer), so a changed source
// gets a new copy, and it is used only when its content's CRC-32 equals the one the source's gzip
// trailer states: a damaged or half-written copy is noticed, reported, and inflated again.
#pragma once

#include <cstdint>
#include <string>

#include "loader_support.hpp"
#include "losslab/loaders.hpp"

namespace losslab::detail {

// A piece of content, for computing and writing it in parts (a file's header, then its payload).
struct ContentPart {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

class InflatedCopy {
 public:
  // Looks for the copy of `source` in `cache`; nothing is kept when the cache has no directory or
  // `source` is not a gzip file.
  InflatedCopy(const InflateCache& cache, const std::string& source);

  // The kept copy's path, or empty when there is none (yet) for this version of the source.
  const std::string& existing() const { return existing_; }
  // Whether `parts`, read from existing(), are the source's content. A copy that is not is
  // reported and removed.
  bool verify(const ContentPart& header, const ContentPart& payload);
  // Reports (through cache.on_problem) that existing() could not be read, and removes it.
  void reject(const std::string& why);
  // Keeps `parts`, just inflated from the source, as its copy. Failures (no space, no permission)
  // are reported, never thrown: loading goes on without a copy.
  void keep(const ContentPart& header, const ContentPart& payload);

 private:
  const InflateCache& cache_;
  std::string source_;
  std::string path_;      // where this version's copy lives; empty: keep nothing
  std::string existing_;  // path_ when a file is there
  GzipTrailer stated_;  // the source's
};

}  // namespace losslab::detail
