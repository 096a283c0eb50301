// A small CIFAR-10 binary directory (data_batch_1..5.bin, test_batch.bin, batches.meta.txt) with
// learnable content: each class has its own mean colour plus noise. We have no public copy of
// CIFAR-10 here, so tests generate the format.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "support/temp_dir.hpp"

namespace losslab::test_support {

inline std::string cifar_batch(std::size_t records, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string bytes;
  bytes.reserve(records * 3073);
  for (std::size_t r = 0; r < records; ++r) {
    const auto label = static_cast<unsigned char>(rng() % 10);
    bytes.push_back(static_cast<char>(label));
    for (int channel = 0; channel < 3; ++channel) {
      const int base = 40 + 20 * ((label + channel * 3) % 10);  // class-specific colour
      for (int i = 0; i < 1024; ++i) bytes.push_back(static_cast<char>(base + static_cast<int>(rng() % 30)));
    }
  }
  return bytes;
}

inline void write_cifar10_directory(const TempDir& dir, std::size_t per_batch, std::size_t test_records) {
  for (int b = 1; b <= 5; ++b)
    dir.write("data_batch_" + std::to_string(b) + ".bin", cifar_batch(per_batch, static_cast<std::uint64_t>(b)));
  dir.write("test_batch.bin", cifar_batch(test_records, 99));
  dir.write("batches.meta.txt", "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
}

}  // namespace losslab::test_support
