// libFuzzer target: the CSV loader, plain or gzip. The first byte picks the options: bits 0-1 the
// delimiter (, ; tab |), bit 2 the label column ("label" or "class" with a header, "0" or "last"
// without), bit 3 a training and a test file for load_csv_pair, cut at the first 0x1E byte (ASCII
// record separator; no such byte: an empty test file), bit 4 no header row. Expected failure:
// losslab::DatasetError; anything else is a finding.
#include <algorithm>
#include <cstdint>

#include "fuzz_support.hpp"
#include "losslab/loaders.hpp"

namespace {

void load_one(const losslab::fuzz::MemoryFile& file, const losslab::CsvOptions& options) {
  const losslab::Dataset loaded = losslab::load_csv(file.path(), options);
  losslab::fuzz::check_dataset(loaded);
  if (loaded.dimension() == 0) losslab::fuzz::finding("CSV dataset without features");
}

// The pair's promises: both files checked as one dataset each, the same features, and one class
// index space over both (load_csv_pair's comment).
void load_pair(const losslab::fuzz::MemoryFile& train_file, const losslab::fuzz::MemoryFile& test_file,
               const losslab::CsvOptions& options) {
  const losslab::TrainTest pair = losslab::load_csv_pair(train_file.path(), test_file.path(), options);
  losslab::fuzz::check_dataset(pair.train);
  losslab::fuzz::check_dataset(pair.test);
  if (pair.train.dimension() == 0) losslab::fuzz::finding("CSV pair without features");
  if (pair.train.dimension() != pair.test.dimension()) losslab::fuzz::finding("train and test features differ");
  if (pair.train.class_names != pair.test.class_names) losslab::fuzz::finding("train and test classes differ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static losslab::fuzz::MemoryFile file("csv");
  static losslab::fuzz::MemoryFile test_file("csv-test");
  if (size == 0) return 0;
  losslab::CsvOptions options;
  options.delimiter = ",;\t|"[data[0] & 3];
  options.header = (data[0] & 16) == 0;
  if (options.header) {
    options.label_column = (data[0] & 4) ? "class" : "label";
  } else {
    options.label_column = (data[0] & 4) ? "last" : "0";
  }
  const std::uint8_t* const begin = data + 1;
  const std::uint8_t* const end = data + size;
  try {
    if (data[0] & 8) {
      const std::uint8_t* const cut = std::find(begin, end, std::uint8_t{0x1E});
      file.set(begin, static_cast<std::size_t>(cut - begin));
      const std::uint8_t* const rest = cut == end ? end : cut + 1;
      test_file.set(rest, static_cast<std::size_t>(end - rest));
      load_pair(file, test_file, options);
    } else {
      file.set(begin, static_cast<std::size_t>(end - begin));
      load_one(file, options);
    }
  } catch (const losslab::DatasetError&) {
    // the expected rejection
  }
  return 0;
}
