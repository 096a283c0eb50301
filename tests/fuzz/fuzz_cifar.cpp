// libFuzzer target: the CIFAR-10 binary reader. The first byte picks what the rest is:
//   0 one batch file (read_cifar10_batch)
//   1 batches.meta.txt of a directory (load_cifar10_directory)
//   2 test_batch.bin of a directory
//   3 data_batch_3.bin of a directory
// The directory's other files are small valid ones (one record per batch).
// Expected failure: losslab::DatasetError; anything else is a finding.
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "losslab/loaders.hpp"

namespace {

std::string one_record(int label) {
  std::string record(losslab::kCifarRecordBytes, '\x40');
  record[0] = static_cast<char>(label);
  return record;
}

const char* const kMeta = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static losslab::fuzz::MemoryFile single("cifar");
  static losslab::fuzz::MemoryDirectory directory;
  if (size == 0) return 0;
  const int mode = data[0] % 4;
  ++data, --size;
  try {
    if (mode == 0) {
      single.set(data, size);
      const auto batch = losslab::read_cifar10_batch(single.path());
      losslab::fuzz::check_dataset(batch);
      if (batch.dimension() != losslab::kCifarImageBytes) losslab::fuzz::finding("CIFAR dimension");
    } else {
      for (int i = 1; i <= 5; ++i) directory.file("data_batch_" + std::to_string(i) + ".bin").set(one_record(i));
      directory.file("test_batch.bin").set(one_record(0));
      directory.file("batches.meta.txt").set(kMeta);
      const char* fuzzed = mode == 1 ? "batches.meta.txt" : mode == 2 ? "test_batch.bin" : "data_batch_3.bin";
      directory.file(fuzzed).set(data, size);
      const auto loaded = losslab::load_cifar10_directory(directory.path());
      losslab::fuzz::check_dataset(loaded.train);
      losslab::fuzz::check_dataset(loaded.test);
      if (loaded.train.class_names.size() != 10) losslab::fuzz::finding("CIFAR class names");
    }
  } catch (const losslab::DatasetError&) {
    // the expected rejection
  }
  return 0;
}
