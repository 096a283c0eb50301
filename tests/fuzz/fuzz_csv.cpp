// libFuzzer target: the CSV loader (load_csv), plain or gzip. The first byte picks the options:
// bits 0-1 the delimiter (, ; tab |), bit 2 the label column name ("label" or "class").
// Expected failure: losslab::DatasetError; anything else is a finding.
#include <cstdint>

#include "fuzz_support.hpp"
#include "losslab/loaders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static losslab::fuzz::MemoryFile file("csv");
  if (size == 0) return 0;
  losslab::CsvOptions options;
  options.delimiter = ",;\t|"[data[0] & 3];
  options.label_column = (data[0] & 4) ? "class" : "label";
  file.set(data + 1, size - 1);
  try {
    const losslab::Dataset loaded = losslab::load_csv(file.path(), options);
    losslab::fuzz::check_dataset(loaded);
    if (loaded.dimension() == 0) losslab::fuzz::finding("CSV dataset without features");
  } catch (const losslab::DatasetError&) {
    // the expected rejection
  }
  return 0;
}
