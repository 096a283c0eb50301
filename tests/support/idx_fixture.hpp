// IDX files (MNIST's format) built in tests: headers, predictable pixels, gzip'd or raw, and a
// small MNIST directory.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace losslab::test_support {

using Bytes = std::vector<std::uint8_t>;

inline void append_big_endian(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
}

inline Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels) {
  Bytes bytes;
  for (std::uint32_t word : {2051u, count, rows, cols}) append_big_endian(bytes, word);
  bytes.insert(bytes.end(), pixels.begin(), pixels.end());
  return bytes;
}

inline Bytes idx_labels(const Bytes& labels) {
  Bytes bytes;
  for (std::uint32_t word : {2049u, static_cast<std::uint32_t>(labels.size())}) append_big_endian(bytes, word);
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  return bytes;
}

inline std::string write_gzip(const TempDir& dir, const std::string& name, const Bytes& bytes) {
  const std::string path = dir.file(name);
  gzFile file = gzopen(path.c_str(), "wb");
  EXPECT_NE(file, nullptr);
  EXPECT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  EXPECT_EQ(gzclose(file), Z_OK);
  return path;
}

// Pixel bytes 0, 1, 2, ... (wrapping), so every position has a distinct, predictable value.
inline Bytes counting_bytes(std::size_t n, std::size_t start = 0) {
  Bytes bytes(n);
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::uint8_t>((start + i) % 256);
  return bytes;
}

// 4 training images of 2x2 (raw images, gzip labels), 2 test images (gzip images, raw labels).
inline void write_small_mnist(const TempDir& dir) {
  dir.write("train-images-idx3-ubyte", idx_images(4, 2, 2, counting_bytes(16, 100)));
  write_gzip(dir, "train-labels-idx1-ubyte.gz", idx_labels({9, 0, 5, 5}));
  write_gzip(dir, "t10k-images-idx3-ubyte.gz", idx_images(2, 2, 2, {0, 255, 1, 254, 128, 127, 3, 4}));
  dir.write("t10k-labels-idx1-ubyte", idx_labels({2, 7}));
}

}  // namespace losslab::test_support
