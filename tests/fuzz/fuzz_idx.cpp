// libFuzzer target: the IDX (MNIST / Fashion-MNIST) reader, raw or gzip.
// The first byte picks what the rest of the input is:
//   0 an image file (read_idx_images)      2 the training images of a directory (load_mnist_directory)
//   1 a label file (read_idx_labels)       3 the training labels of a directory
// In a directory the three other files are small valid ones (4 images of 2 x 2 pixels).
// Expected failure: losslab::DatasetError. Anything else thrown, a crash, a sanitizer report or
// an allocation beyond libFuzzer's -malloc_limit_mb (absurd header sizes) is a finding.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "losslab/loaders.hpp"

namespace {

using losslab::fuzz::finding;

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}
std::string valid_images() { return be32(2051) + be32(4) + be32(2) + be32(2) + std::string(16, '\x7f'); }
std::string valid_labels() { return be32(2049) + be32(4) + std::string("\x00\x01\x02\x09", 4); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static losslab::fuzz::MemoryFile single("idx");
  static losslab::fuzz::MemoryDirectory directory;
  if (size == 0) return 0;
  const int mode = data[0] % 4;
  ++data, --size;
  try {
    switch (mode) {
      case 0: {
        single.set(data, size);
        const auto images = losslab::read_idx_images(single.path());
        if (images.pixels.size() != images.count * images.rows * images.cols) finding("pixel count != header");
        break;
      }
      case 1: {
        single.set(data, size);
        const auto labels = losslab::read_idx_labels(single.path());
        for (const auto label : labels)
          if (label < 0 || label > 9) finding("IDX label out of range");
        break;
      }
      default: {
        directory.file("train-images-idx3-ubyte").set(valid_images());
        directory.file("train-labels-idx1-ubyte").set(valid_labels());
        directory.file("t10k-images-idx3-ubyte").set(valid_images());
        directory.file("t10k-labels-idx1-ubyte").set(valid_labels());
        directory.file(mode == 2 ? "train-images-idx3-ubyte" : "train-labels-idx1-ubyte").set(data, size);
        const auto loaded = losslab::load_mnist_directory(directory.path(), losslab::MnistFlavor::fashion_mnist);
        losslab::fuzz::check_dataset(loaded.train);
        losslab::fuzz::check_dataset(loaded.test);
        if (loaded.train.dimension() != loaded.test.dimension()) finding("train and test dimensions differ");
        break;
      }
    }
  } catch (const losslab::DatasetError&) {
    // the expected rejection
  }
  return 0;
}
