// CIFAR-10 binary batches: records of one label byte followed by 3072 pixel bytes.
#include <filesystem>

#include "loader_support.hpp"
#include "losslab/loaders.hpp"

namespace losslab {
namespace {

constexpr std::size_t kCifarClasses = 10;
constexpr int kTrainBatches = 5;
// An image is three planes (red, green, blue) of 32 x 32 pixels.
constexpr std::size_t kCifarChannels = 3, kCifarSide = 32;
static_assert(kCifarChannels * kCifarSide * kCifarSide == kCifarImageBytes);

// The names batches.meta.txt lists, used when a batch file is read on its own.
std::vector<std::string> default_class_names() {
  return {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
}

// One batch file's bytes, checked: a positive whole number of records, every label < 10.
std::vector<std::uint8_t> read_checked_batch(const std::string& path) {
  std::vector<std::uint8_t> bytes = detail::read_file_bytes(path);
  if (bytes.empty()) detail::fail(path, "file is empty, expected records of ", kCifarRecordBytes, " bytes");
  if (bytes.size() % kCifarRecordBytes != 0) {
    detail::fail(path, "size ", bytes.size(), " bytes is not a multiple of the ", kCifarRecordBytes,
                 "-byte record size (", bytes.size() / kCifarRecordBytes, " whole records + ",
                 bytes.size() % kCifarRecordBytes, " bytes)");
  }
  for (std::size_t record = 0; record * kCifarRecordBytes < bytes.size(); ++record) {
    const std::uint8_t label = bytes[record * kCifarRecordBytes];
    if (label >= kCifarClasses) {
      detail::fail(path, "record ", record, " has label ", int{label}, ", expected 0..", kCifarClasses - 1);
    }
  }
  return bytes;
}

// Decodes several checked batches into one dataset, allocating the pixel matrix once.
ByteDataset decode_batches(const std::vector<std::vector<std::uint8_t>>& batches) {
  std::size_t total = 0;
  for (const auto& batch : batches) total += batch.size() / kCifarRecordBytes;

  ByteDataset data;
  data.X.resize(static_cast<Eigen::Index>(total), static_cast<Eigen::Index>(kCifarImageBytes));
  data.y.reserve(total);
  Eigen::Index row = 0;
  for (const auto& batch : batches) {
    for (std::size_t offset = 0; offset < batch.size(); offset += kCifarRecordBytes, ++row) {
      data.y.push_back(batch[offset]);
      // File order (R plane, G plane, B plane) is kept, so a feature index means the same in every tool.
      const Eigen::Map<const Eigen::Matrix<std::uint8_t, 1, Eigen::Dynamic>> pixels(
          batch.data() + offset + 1, static_cast<Eigen::Index>(kCifarImageBytes));
      data.X.row(row) = pixels;
    }
  }
  data.class_names = default_class_names();
  data.layout.shape = {kCifarChannels, kCifarSide, kCifarSide};
  return data;
}

std::vector<std::string> read_class_names(const std::string& path) {
  const std::string text = detail::read_file_text(path);
  std::vector<std::string> names;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto end = line.find_last_not_of(" \t\r");
    if (end != std::string::npos) names.push_back(line.substr(0, end + 1));
  }
  if (names.size() != kCifarClasses) {
    detail::fail(path, "expected ", kCifarClasses, " class names (one per line), found ", names.size());
  }
  return names;
}

std::string batch_path(const std::string& directory, const std::string& name) {
  return (std::filesystem::path(directory) / name).string();
}

}  // namespace

Dataset read_cifar10_batch(const std::string& path) { return to_float(decode_batches({read_checked_batch(path)})); }

std::vector<std::string> cifar10_files(const std::string& directory) {
  std::vector<std::string> paths;
  for (int i = 1; i <= kTrainBatches; ++i) {
    paths.push_back(batch_path(directory, "data_batch_" + std::to_string(i) + ".bin"));
  }
  paths.push_back(batch_path(directory, "test_batch.bin"));
  paths.push_back(batch_path(directory, "batches.meta.txt"));
  return paths;
}

ByteTrainTest load_cifar10_bytes(const std::string& directory) {
  const std::vector<std::string> paths = cifar10_files(directory);
  // Check every file is there before spending time decoding any of them.
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      detail::fail(directory, "missing ", std::filesystem::path(path).filename().string(),
                   " (a CIFAR-10 binary directory holds data_batch_1..5.bin, test_batch.bin, batches.meta.txt)");
    }
  }
  const std::vector<std::string> names = read_class_names(paths[6]);

  ByteTrainTest data;
  {
    std::vector<std::vector<std::uint8_t>> train_batches;
    for (int i = 0; i < kTrainBatches; ++i) train_batches.push_back(read_checked_batch(paths[i]));
    data.train = decode_batches(train_batches);
  }  // the batch buffers go before the test batch is read
  data.test = decode_batches({read_checked_batch(paths[5])});
  data.train.class_names = names;
  data.test.class_names = names;
  return data;
}

TrainTest load_cifar10_directory(const std::string& directory) {
  const ByteTrainTest bytes = load_cifar10_bytes(directory);
  return TrainTest{to_float(bytes.train), to_float(bytes.test)};
}

}  // namespace losslab
