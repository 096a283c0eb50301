// A .npz file, what numpy.savez writes and numpy.load reads: a zip archive with one NAME.npy
// member per array (npy_format.hpp), stored uncompressed as numpy.savez stores them. The zip
// container is libzip's (Debian libzip-dev).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace losslab::npy {

// Writes `arrays` (name, .npy bytes) to `path`. libzip writes a temporary file beside `path` and
// renames it into place once complete, so on any failure `path` is left as it was. Throws
// std::runtime_error naming the file and libzip's reason.
void write_npz(const std::string& path, const std::vector<std::pair<std::string, std::string>>& arrays);

}  // namespace losslab::npy
