// Loaders: round trips through generated files, one test per way a file can be broken, and the
// real Fashion-MNIST files shipped by the Debian package.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <string>
#include <vector>

#include "losslab/dataset.hpp"
#include "losslab/loaders.hpp"
#include "support/idx_fixture.hpp"
#include "support/temp_dir.hpp"

namespace losslab {
namespace {

using test_support::Bytes;
using test_support::counting_bytes;
using test_support::idx_images;
using test_support::idx_labels;
using test_support::read_file;
using test_support::TempDir;
using test_support::write_gzip;
using test_support::write_small_mnist;

// The message of the DatasetError `load` throws; fails the test when it throws nothing.
std::string error_message(const std::function<void()>& load) {
  try {
    load();
  } catch (const DatasetError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a DatasetError, nothing was thrown";
  return {};
}

// Every check of a broken file: the message names the file and says this file's problem.
void expect_rejected(const std::function<void()>& load, const std::string& file,
                     const std::vector<std::string>& fragments) {
  const std::string message = error_message(load);
  EXPECT_NE(message.find(file), std::string::npos) << "file name missing from: " << message;
  for (const std::string& fragment : fragments) {
    EXPECT_NE(message.find(fragment), std::string::npos) << "'" << fragment << "' missing from: " << message;
  }
}

// ---------------------------------------------------------------- IDX files

TEST(IdxLoader, ImagesRoundTripRawAndGzip) {
  TempDir dir;
  const Bytes small = counting_bytes(3 * 2 * 4, 250);  // includes 255 and 0
  const Bytes square = counting_bytes(5 * 3 * 3, 7);
  const std::string raw = dir.write("images-idx3-ubyte", idx_images(3, 2, 4, small));
  const std::string gzip = write_gzip(dir, "images-idx3-ubyte.gz", idx_images(5, 3, 3, square));
  const IdxImages from_raw = read_idx_images(raw);
  const IdxImages from_gzip = read_idx_images(gzip);
  EXPECT_EQ(std::vector<std::size_t>({from_raw.count, from_raw.rows, from_raw.cols}),
            std::vector<std::size_t>({3, 2, 4}));
  EXPECT_EQ(from_raw.pixels, small);
  EXPECT_EQ(std::vector<std::size_t>({from_gzip.count, from_gzip.rows, from_gzip.cols}),
            std::vector<std::size_t>({5, 3, 3}));
  EXPECT_EQ(from_gzip.pixels, square);
}

TEST(IdxLoader, LabelsRoundTripRawAndGzip) {
  TempDir dir;
  const Bytes labels = {3, 0, 9, 9, 1};
  const Labels expected = {3, 0, 9, 9, 1};
  EXPECT_EQ(read_idx_labels(dir.write("labels-idx1-ubyte", idx_labels(labels))), expected);
  EXPECT_EQ(read_idx_labels(write_gzip(dir, "labels-idx1-ubyte.gz", idx_labels(labels))), expected);
}

TEST(IdxLoader, RejectsWrongMagic) {
  TempDir dir;
  const std::string path = dir.write("not-images", idx_labels({1, 2}));
  expect_rejected([&] { read_idx_images(path); }, path, {"wrong magic number 2049", "expected 2051"});
  const std::string images = dir.write("not-labels", idx_images(1, 1, 1, {0}));
  expect_rejected([&] { read_idx_labels(images); }, images, {"wrong magic number 2051", "expected 2049"});
}

TEST(IdxLoader, RejectsTruncatedHeader) {
  TempDir dir;
  Bytes bytes = idx_images(2, 2, 2, {});
  bytes.resize(10);
  const std::string path = dir.write("short-header", bytes);
  expect_rejected([&] { read_idx_images(path); }, path, {"truncated header", "has 10 bytes", "needs 16"});
  const std::string tiny = dir.write("two-bytes", Bytes{0, 0});
  expect_rejected([&] { read_idx_labels(tiny); }, tiny, {"truncated header", "has 2 bytes", "needs 8"});
}

TEST(IdxLoader, RejectsTruncatedPixels) {
  TempDir dir;
  const std::string path = dir.write("short-pixels", idx_images(3, 2, 4, counting_bytes(20)));
  expect_rejected([&] { read_idx_images(path); }, path, {"expected 24 bytes of pixel data", "file has 20"});
}

TEST(IdxLoader, RejectsTruncatedGzipStream) {
  TempDir dir;
  const std::string compressed = read_file(write_gzip(dir, "full.gz", idx_images(50, 10, 10, counting_bytes(5000))));
  const std::string path = dir.write("cut.gz", compressed.substr(0, compressed.size() / 2));
  expect_rejected([&] { read_idx_images(path); }, path, {"truncated or corrupt gzip data (unexpected end of file)"});
}

TEST(IdxLoader, RejectsCorruptGzipData) {
  TempDir dir;
  const std::string compressed = read_file(write_gzip(dir, "good.gz", idx_images(2, 2, 2, counting_bytes(8))));
  // A gzip file: 10-byte header (byte 2 the method, 8 = deflate), deflate data, then the CRC-32 and
  // the length of the content, 4 bytes each.
  const auto flip = [&](const std::string& name, std::size_t offset) {
    std::string bytes = compressed;
    bytes[offset] = static_cast<char>(bytes[offset] ^ 0x5a);
    return dir.write(name, bytes);
  };
  const std::string crc = flip("bad-crc.gz", compressed.size() - 8);
  expect_rejected([&] { read_idx_images(crc); }, crc, {"corrupt gzip data (incorrect data check)"});
  const std::string length = flip("bad-length.gz", compressed.size() - 1);
  expect_rejected([&] { read_idx_images(length); }, length, {"corrupt gzip data (incorrect length check)"});
  const std::string method = flip("bad-method.gz", 2);
  expect_rejected([&] { read_idx_images(method); }, method, {"corrupt gzip data (unknown compression method)"});
  const std::string data = flip("bad-deflate.gz", 12);
  expect_rejected([&] { read_idx_images(data); }, data, {"corrupt gzip data"});
}

TEST(IdxLoader, RejectsEmptyFile) {
  // What an interrupted download often leaves behind.
  TempDir dir;
  const std::string path = dir.write("train-images-idx3-ubyte", std::string());
  expect_rejected([&] { read_idx_images(path); }, path, {"truncated header: file has 0 bytes, the header needs 16"});
}

TEST(IdxLoader, RejectsHugeCountOnSmallFile) {
  // Counts taken from the header are checked against the file's size, never allocated first.
  TempDir dir;
  const std::string images = dir.write("claims-60000", idx_images(60000, 28, 28, counting_bytes(100)));
  expect_rejected([&] { read_idx_images(images); }, images,
                  {"truncated: expected 47040000 bytes of pixel data (60000 x 28 x 28), file has 100"});
  Bytes labels = idx_labels({1, 2, 3});
  std::fill(labels.begin() + 4, labels.begin() + 8, std::uint8_t{0xFF});  // a count of 2^32 - 1
  const std::string label_path = dir.write("claims-4g-labels", labels);
  expect_rejected([&] { read_idx_labels(label_path); }, label_path,
                  {"truncated: expected 4294967295 bytes of label data (4294967295), file has 3"});
}

TEST(IdxLoader, RejectsTrailingBytes) {
  TempDir dir;
  Bytes bytes = idx_images(1, 2, 2, {1, 2, 3, 4});
  bytes.insert(bytes.end(), {9, 9, 9, 9, 9});
  const std::string path = dir.write("trailing", bytes);
  expect_rejected([&] { read_idx_images(path); }, path, {"5 trailing bytes", "4 bytes of pixel data"});
  Bytes labels = idx_labels({1, 2});
  labels.push_back(0);
  const std::string label_path = dir.write("trailing-labels", labels);
  expect_rejected([&] { read_idx_labels(label_path); }, label_path, {"1 trailing bytes", "2 bytes of label data"});
}

TEST(IdxLoader, RejectsLabelOutOfRange) {
  TempDir dir;
  const std::string path = dir.write("bad-label", idx_labels({1, 2, 12, 3}));
  expect_rejected([&] { read_idx_labels(path); }, path, {"label 12 at index 2", "[0, 10)"});
}

TEST(IdxLoader, RejectsAbsurdDimensions) {
  TempDir dir;
  // 2^32-1 cubed overflows 64 bits: must be caught before any multiplication wraps around.
  const std::string path = dir.write("huge", idx_images(0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, {}));
  expect_rejected([&] { read_idx_images(path); }, path, {"implausible dimensions"});
  // No images, but each would have 2^64 - 2^33 + 1 pixels: nothing to read, yet no matrix of that
  // width may be made (the fuzzer's find, with the images read straight into their matrix).
  const std::string no_images = dir.write("zero-count", idx_images(0, 0xFFFFFFFFu, 0xFFFFFFFFu, {}));
  expect_rejected([&] { read_idx_images(no_images); }, no_images, {"implausible dimensions", "0 x 4294967295"});
  const std::string empty_image = dir.write("zero-cols", idx_images(1, 28, 0, {}));
  expect_rejected([&] { read_idx_images(empty_image); }, empty_image, {"28 x 0", "no pixels"});
}

TEST(IdxLoader, MissingFileAndDirectory) {
  TempDir dir;
  const std::string missing = dir.file("nope-idx3-ubyte");
  expect_rejected([&] { read_idx_images(missing); }, missing, {"cannot open file", "No such file"});
  const std::string directory = dir.path().string();
  expect_rejected([&] { read_idx_labels(directory); }, directory, {"is a directory"});
}

// ---------------------------------------------------------------- MNIST directories

TEST(MnistDirectory, LoadsMixedRawAndGzipFiles) {
  TempDir dir;
  write_small_mnist(dir);
  const TrainTest data = load_mnist_directory(dir.path().string(), MnistFlavor::fashion_mnist);

  ASSERT_EQ(data.train.X.rows(), 4);
  ASSERT_EQ(data.train.X.cols(), 4);
  EXPECT_EQ(data.train.X(0, 0), 100.0f);
  EXPECT_EQ(data.train.X(1, 2), 106.0f);  // image 1, pixel 2 = byte 4 + 2 of the counting pattern
  EXPECT_EQ(data.train.X(3, 3), 115.0f);
  EXPECT_EQ(data.train.y, (Labels{9, 0, 5, 5}));

  ASSERT_EQ(data.test.X.rows(), 2);
  const std::array<float, 8> test_pixels = {0, 255, 1, 254, 128, 127, 3, 4};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(data.test.X(i / 4, i % 4), test_pixels[i]) << i;
  EXPECT_EQ(data.test.y, (Labels{2, 7}));

  const std::vector<std::string> fashion = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                            "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  EXPECT_EQ(data.train.class_names, fashion);
  EXPECT_EQ(data.test.class_names, fashion);
}

TEST(MnistDirectory, MnistFlavorHasDigitNames) {
  TempDir dir;
  write_small_mnist(dir);
  const TrainTest data = load_mnist_directory(dir.path().string(), MnistFlavor::mnist);
  EXPECT_EQ(data.train.class_names, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
}

TEST(MnistDirectory, PrefersRawFileOverGzip) {
  TempDir dir;
  write_small_mnist(dir);
  // A broken .gz next to the good raw file must not be read.
  dir.write("train-images-idx3-ubyte.gz", std::string("garbage"));
  const std::vector<std::string> files = mnist_files(dir.path().string());
  const std::vector<std::string> expected = {dir.file("train-images-idx3-ubyte"), dir.file("train-labels-idx1-ubyte.gz"),
                                             dir.file("t10k-images-idx3-ubyte.gz"), dir.file("t10k-labels-idx1-ubyte")};
  EXPECT_EQ(files, expected);
  EXPECT_EQ(load_mnist_directory(dir.path().string(), MnistFlavor::mnist).train.size(), 4u);
}

TEST(MnistDirectory, RejectsImageLabelCountMismatch) {
  TempDir dir;
  write_small_mnist(dir);
  dir.write("t10k-labels-idx1-ubyte", idx_labels({2, 7, 1}));
  expect_rejected([&] { load_mnist_directory(dir.path().string(), MnistFlavor::mnist); },
                  dir.file("t10k-images-idx3-ubyte.gz"), {"2 images", dir.file("t10k-labels-idx1-ubyte"), "3 labels"});
}

TEST(MnistDirectory, RejectsTestImagesOfAnotherShape) {
  // Next to 2 x 2 training images: 3 x 3 test images, and 1 x 4 ones (as many pixels, laid out
  // otherwise). A model of one cannot score the other.
  for (const auto& [rows, cols] : {std::pair{3u, 3u}, std::pair{1u, 4u}}) {
    TempDir dir;
    write_small_mnist(dir);
    const std::string test_images =
        write_gzip(dir, "t10k-images-idx3-ubyte.gz", idx_images(2, rows, cols, counting_bytes(2 * rows * cols)));
    expect_rejected([&] { load_mnist_directory(dir.path().string(), MnistFlavor::mnist); }, test_images,
                    {"images are " + std::to_string(rows) + " x " + std::to_string(cols) +
                     " pixels but the training images in " + dir.file("train-images-idx3-ubyte") + " are 2 x 2"});
  }
}

TEST(MnistDirectory, KeepsTheImageShape) {
  TempDir dir;
  write_small_mnist(dir);
  const TrainTest data = load_mnist_directory(dir.path().string(), MnistFlavor::mnist);
  EXPECT_EQ(data.train.layout.shape, (std::vector<std::size_t>{2, 2}));
  EXPECT_EQ(data.test.layout.shape, (std::vector<std::size_t>{2, 2}));
  EXPECT_TRUE(data.train.layout.names.empty());
}

TEST(MnistDirectory, MissingFileNamesDirectoryAndNamesLookedFor) {
  TempDir dir;
  write_small_mnist(dir);
  std::filesystem::remove(dir.file("t10k-labels-idx1-ubyte"));
  expect_rejected([&] { load_mnist_directory(dir.path().string(), MnistFlavor::mnist); }, dir.path().string(),
                  {"found none of: t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz"});
}

// The Debian package dataset-fashion-mnist; this test fails (never skips) when it is missing.
TEST(FashionMnist, RealFilesHaveTheDocumentedShape) {
  const std::string directory = LOSSLAB_FASHION_MNIST_DIR;
  ASSERT_TRUE(std::filesystem::is_directory(directory)) << directory << " missing: install dataset-fashion-mnist";
  const TrainTest data = load_mnist_directory(directory, MnistFlavor::fashion_mnist);

  ASSERT_EQ(data.train.X.rows(), 60000);
  ASSERT_EQ(data.test.X.rows(), 10000);
  EXPECT_EQ(data.train.X.cols(), 784);
  EXPECT_EQ(data.test.X.cols(), 784);
  EXPECT_EQ(data.train.y.size(), 60000u);
  EXPECT_EQ(data.test.y.size(), 10000u);
  EXPECT_EQ(data.train.X.minCoeff(), 0.0f);
  EXPECT_EQ(data.train.X.maxCoeff(), 255.0f);
  EXPECT_EQ(data.test.X.minCoeff(), 0.0f);
  EXPECT_EQ(data.test.X.maxCoeff(), 255.0f);
  // Pixels are whole byte values, not rescaled.
  EXPECT_TRUE((data.train.X.array() == data.train.X.array().round()).all());

  std::array<int, 10> train_counts{}, test_counts{};
  for (std::int32_t label : data.train.y) {
    ASSERT_TRUE(label >= 0 && label < 10) << label;
    ++train_counts[static_cast<std::size_t>(label)];
  }
  for (std::int32_t label : data.test.y) {
    ASSERT_TRUE(label >= 0 && label < 10) << label;
    ++test_counts[static_cast<std::size_t>(label)];
  }
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(train_counts[c], 6000) << "class " << c;
    EXPECT_EQ(test_counts[c], 1000) << "class " << c;
  }
  EXPECT_EQ(data.train.class_names[0], "T-shirt/top");
  EXPECT_EQ(data.train.class_names[9], "Ankle boot");
  EXPECT_EQ(data.train.num_classes(), 10u);
  EXPECT_NO_THROW(validate_dataset(data.train, directory));
}

// ---------------------------------------------------------------- CIFAR-10

// Records whose pixel byte i is (first_value + record * 3 + i) mod 256.
Bytes cifar_records(const Bytes& labels, std::size_t first_value) {
  Bytes bytes;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    bytes.push_back(labels[r]);
    const Bytes pixels = counting_bytes(kCifarImageBytes, first_value + r * 3);
    bytes.insert(bytes.end(), pixels.begin(), pixels.end());
  }
  return bytes;
}

float cifar_pixel(std::size_t first_value, std::size_t record, std::size_t i) {
  return static_cast<float>((first_value + record * 3 + i) % 256);
}

const std::vector<std::string> kMetaNames = {"airplane", "automobile", "bird",  "cat",  "deer",
                                             "dog",      "frog",       "horse", "ship", "truck"};

TEST(Cifar10Loader, BatchRoundTrip) {
  TempDir dir;
  const std::string path = dir.write("data_batch_1.bin", cifar_records({0, 9, 4}, 11));
  const Dataset data = read_cifar10_batch(path);
  ASSERT_EQ(data.X.rows(), 3);
  ASSERT_EQ(data.X.cols(), 3072);
  EXPECT_EQ(data.y, (Labels{0, 9, 4}));
  for (std::size_t r = 0; r < 3; ++r) {
    // First red, last red, first green, first blue, last blue: the file order is kept.
    for (std::size_t i : {0u, 1023u, 1024u, 2048u, 3071u}) {
      EXPECT_EQ(data.X(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(i)), cifar_pixel(11, r, i));
    }
  }
  EXPECT_EQ(data.class_names, kMetaNames);
  EXPECT_EQ(data.layout.shape, (std::vector<std::size_t>{3, 32, 32}));  // red, green, blue planes
}

// 5 data batches of 2, 1, 3, 1, 2 records, a test batch of 2, and a meta file with blank lines and CRLF.
void write_small_cifar(const TempDir& dir) {
  const std::vector<Bytes> batch_labels = {{1, 2}, {3}, {4, 5, 6}, {7}, {8, 9}};
  for (std::size_t b = 0; b < batch_labels.size(); ++b) {
    dir.write("data_batch_" + std::to_string(b + 1) + ".bin", cifar_records(batch_labels[b], 10 * b));
  }
  dir.write("test_batch.bin", cifar_records({0, 3}, 200));
  std::string meta;
  for (const std::string& name : kMetaNames) meta += name + "\r\n";
  dir.write("batches.meta.txt", meta + "\r\n\n");
}

TEST(Cifar10Loader, DirectoryConcatenatesBatchesInOrder) {
  TempDir dir;
  write_small_cifar(dir);
  const TrainTest data = load_cifar10_directory(dir.path().string());
  ASSERT_EQ(data.train.X.rows(), 9);
  ASSERT_EQ(data.train.X.cols(), 3072);
  EXPECT_EQ(data.train.y, (Labels{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  // Row 5 is the third record of batch 3 (first_value 20); row 8 the second of batch 5 (first_value 40).
  EXPECT_EQ(data.train.X(5, 0), cifar_pixel(20, 2, 0));
  EXPECT_EQ(data.train.X(5, 3071), cifar_pixel(20, 2, 3071));
  EXPECT_EQ(data.train.X(8, 1500), cifar_pixel(40, 1, 1500));
  EXPECT_EQ(data.train.X(0, 7), cifar_pixel(0, 0, 7));
  ASSERT_EQ(data.test.X.rows(), 2);
  EXPECT_EQ(data.test.y, (Labels{0, 3}));
  EXPECT_EQ(data.test.X(1, 2000), cifar_pixel(200, 1, 2000));
  EXPECT_EQ(data.train.class_names, kMetaNames);
  EXPECT_EQ(data.test.class_names, kMetaNames);

  const std::vector<std::string> files = cifar10_files(dir.path().string());
  ASSERT_EQ(files.size(), 7u);
  EXPECT_EQ(files[0], dir.file("data_batch_1.bin"));
  EXPECT_EQ(files[4], dir.file("data_batch_5.bin"));
  EXPECT_EQ(files[5], dir.file("test_batch.bin"));
  EXPECT_EQ(files[6], dir.file("batches.meta.txt"));
}

TEST(Cifar10Loader, RejectsLabelOutOfRange) {
  TempDir dir;
  const std::string path = dir.write("bad.bin", cifar_records({3, 10, 2}, 0));
  expect_rejected([&] { read_cifar10_batch(path); }, path, {"record 1 has label 10", "expected 0..9"});
}

TEST(Cifar10Loader, RejectsSizeNotMultipleOfRecord) {
  TempDir dir;
  Bytes bytes = cifar_records({1, 2}, 0);
  bytes.resize(bytes.size() + 5);
  const std::string path = dir.write("ragged.bin", bytes);
  expect_rejected([&] { read_cifar10_batch(path); }, path,
                  {"size 6151 bytes is not a multiple of the 3073-byte record size"});
}

TEST(Cifar10Loader, RejectsEmptyFile) {
  TempDir dir;
  const std::string path = dir.write("empty.bin", std::string());
  expect_rejected([&] { read_cifar10_batch(path); }, path, {"file is empty"});
}

TEST(Cifar10Loader, RejectsMetaWithNineNames) {
  TempDir dir;
  write_small_cifar(dir);
  std::string meta;
  for (std::size_t c = 0; c < 9; ++c) meta += kMetaNames[c] + "\n";
  const std::string path = dir.write("batches.meta.txt", meta);
  expect_rejected([&] { load_cifar10_directory(dir.path().string()); }, path,
                  {"expected 10 class names", "found 9"});
}

TEST(Cifar10Loader, RejectsBadBatchInsideDirectory) {
  TempDir dir;
  write_small_cifar(dir);
  const std::string path = dir.write("data_batch_4.bin", cifar_records({7, 200}, 0));
  expect_rejected([&] { load_cifar10_directory(dir.path().string()); }, path, {"record 1 has label 200"});
}

TEST(Cifar10Loader, MissingBatchNamesDirectoryAndFile) {
  TempDir dir;
  write_small_cifar(dir);
  std::filesystem::remove(dir.file("data_batch_3.bin"));
  expect_rejected([&] { load_cifar10_directory(dir.path().string()); }, dir.path().string(),
                  {"missing data_batch_3.bin"});
}

// ---------------------------------------------------------------- CSV

TEST(CsvLoader, IntegerLabelsAreClassIndices) {
  TempDir dir;
  const std::string path = dir.write("ints.csv", std::string("x1,label,x2\n1.5,2,-3\n0, 0 ,4e2\n-0.25,2,7\n"));
  const Dataset data = load_csv(path);
  ASSERT_EQ(data.X.rows(), 3);
  ASSERT_EQ(data.X.cols(), 2);
  EXPECT_EQ(data.X(0, 0), 1.5f);
  EXPECT_EQ(data.X(0, 1), -3.0f);
  EXPECT_EQ(data.X(1, 0), 0.0f);
  EXPECT_EQ(data.X(1, 1), 400.0f);
  EXPECT_EQ(data.X(2, 0), -0.25f);
  EXPECT_EQ(data.X(2, 1), 7.0f);
  EXPECT_EQ(data.y, (Labels{2, 0, 2}));
  // Class 1 never occurs but indices are taken as written: 3 classes.
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(data.layout.names, (std::vector<std::string>{"x1", "x2"}));
  EXPECT_EQ(data.layout.shape, (std::vector<std::size_t>{2}));
}

TEST(CsvLoader, StringLabelsAreIndexedInSortedOrder) {
  TempDir dir;
  const std::string path =
      dir.write("iris.csv", std::string("a,b,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n7,8,versicolor"));
  const Dataset data = load_csv(path, {.label_column = "species"});
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(data.y, (Labels{0, 2, 0, 1}));
  ASSERT_EQ(data.X.rows(), 4);
  EXPECT_EQ(data.X(3, 0), 7.0f);
  EXPECT_EQ(data.X(3, 1), 8.0f);
}

TEST(CsvLoader, MixedIntegerAndNameLabelsAreAllNames) {
  TempDir dir;
  const std::string path = dir.write("mixed.csv", std::string("f,label\n1,10\n2,cat\n3,9\n"));
  const Dataset data = load_csv(path);
  // std::sort order of strings: "10" < "9" < "cat".
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"10", "9", "cat"}));
  EXPECT_EQ(data.y, (Labels{0, 2, 1}));
}

TEST(CsvLoader, HandlesCrlfBlankLinesDelimiterAndBom) {
  TempDir dir;
  const std::string path =
      dir.write("windows.csv", std::string("\xEF\xBB\xBF" "class;x;y\r\n1;0.5;-1\r\n\r\n0;2;3\r\n"));
  const Dataset data = load_csv(path, {.label_column = "class", .delimiter = ';'});
  ASSERT_EQ(data.X.rows(), 2);
  EXPECT_EQ(data.X(0, 0), 0.5f);
  EXPECT_EQ(data.X(0, 1), -1.0f);
  EXPECT_EQ(data.X(1, 0), 2.0f);
  EXPECT_EQ(data.X(1, 1), 3.0f);
  EXPECT_EQ(data.y, (Labels{1, 0}));
}

TEST(CsvLoader, RejectsHeaderWithoutLabelColumn) {
  TempDir dir;
  const std::string path = dir.write("typo.csv", std::string("x,y,lable\n1,2,0\n"));
  expect_rejected([&] { load_csv(path); }, path,
                  {"no label column 'label'", "did you mean 'lable'?", "'x', 'y', 'lable'"});
  const std::string message = error_message([&] { load_csv(path, {.label_column = "target"}); });
  EXPECT_NE(message.find("no label column 'target'"), std::string::npos) << message;
  EXPECT_EQ(message.find("did you mean"), std::string::npos) << message;
}

TEST(CsvLoader, RejectsLabelColumnAlone) {
  TempDir dir;
  const std::string path = dir.write("labels-only.csv", std::string("label\n0\n1\n"));
  expect_rejected([&] { load_csv(path); }, path, {"no feature columns besides the label column"});
}

TEST(CsvLoader, RejectsAmbiguousLabelColumn) {
  TempDir dir;
  const std::string path = dir.write("twice.csv", std::string("label,x,label\n0,1,1\n"));
  expect_rejected([&] { load_csv(path); }, path, {"label column 'label' appears more than once"});
}

TEST(CsvLoader, RejectsRaggedRow) {
  TempDir dir;
  const std::string path = dir.write("ragged.csv", std::string("a,b,label\n1,2,0\n3,1\n"));
  expect_rejected([&] { load_csv(path); }, path, {path + ":3: expected 3 cells, found 2"});
}

TEST(CsvLoader, RejectsNonNumericCellWithLineAndColumn) {
  TempDir dir;
  const std::string path = dir.write("text.csv", std::string("a,b,label\n1,2,0\n4,abc,1\n"));
  expect_rejected([&] { load_csv(path); }, path, {path + ":3:2: 'abc' in column 'b' is not a number"});
  const std::string partly = dir.write("partly.csv", std::string("label,a\n0,1.5x\n"));
  expect_rejected([&] { load_csv(partly); }, partly, {partly + ":2:2: '1.5x' in column 'a' is not a number"});
  const std::string empty_cell = dir.write("hole.csv", std::string("a,label\n,1\n"));
  expect_rejected([&] { load_csv(empty_cell); }, empty_cell, {":2:1: '' in column 'a' is not a number"});
  const std::string nan = dir.write("nan.csv", std::string("a,label\n1,1\nnan,0\n"));
  expect_rejected([&] { load_csv(nan); }, nan, {":3:1: 'nan' in column 'a' is not a finite number"});
}

TEST(CsvLoader, ReadsALeadingPlusSignAsNumpyDoes) {
  // numpy.loadtxt and pandas read "+1.5" as 1.5; a second sign is still not a number.
  TempDir dir;
  const std::string path = dir.write("plus.csv", std::string("a,b,label\n+1.5,+2e3,0\n-0.25,+.5,1\n"));
  const Dataset data = load_csv(path);
  ASSERT_EQ(data.X.rows(), 2);
  EXPECT_EQ(data.X(0, 0), 1.5f);
  EXPECT_EQ(data.X(0, 1), 2000.0f);
  EXPECT_EQ(data.X(1, 0), -0.25f);
  EXPECT_EQ(data.X(1, 1), 0.5f);
  int k = 0;
  for (const std::string cell : {"+-1", "++1", "+", "+ 1"}) {
    const std::string bad = dir.write("sign" + std::to_string(k++) + ".csv", "a,label\n" + cell + ",0\n");
    expect_rejected([&] { load_csv(bad); }, bad, {":2:1: '" + cell + "' in column 'a' is not a number"});
  }
}

TEST(CsvLoader, RejectsValueOutsideFloatRange) {
  TempDir dir;
  const std::string path = dir.write("huge.csv", std::string("a,b,label\n1,2,0\n3,1e39,1\n"));
  expect_rejected([&] { load_csv(path); }, path, {path + ":3:2: '1e39' in column 'b' is outside the float32 range"});
  const std::string negative = dir.write("negative.csv", std::string("label,a\n0,-4.5e40\n"));
  expect_rejected([&] { load_csv(negative); }, negative, {":2:2: '-4.5e40' in column 'a' is outside the float32 range"});
}

TEST(CsvLoader, TinyValuesRoundToZero) {
  // Below float's smallest denormal a value becomes 0, as numpy.float32 makes it; it is not an error.
  TempDir dir;
  const std::string path = dir.write("tiny.csv", std::string("a,label\n1e-50,0\n-2e-60,1\n1e-40,0\n"));
  const Dataset data = load_csv(path);
  ASSERT_EQ(data.X.rows(), 3);
  EXPECT_EQ(data.X(0, 0), 0.0f);
  EXPECT_EQ(data.X(1, 0), 0.0f);
  EXPECT_EQ(data.X(2, 0), 1e-40f);  // a denormal float, kept
}

TEST(CsvLoader, RejectsEmptyLabel) {
  TempDir dir;
  const std::string path = dir.write("no-label.csv", std::string("a,label\n1,0\n2,\n"));
  expect_rejected([&] { load_csv(path); }, path, {path + ":3:2: empty label"});
}

TEST(CsvLoader, RejectsImplausibleClassIndex) {
  // Typically an id column chosen as the label: it would create 100001 classes, nearly all empty.
  TempDir dir;
  const std::string path = dir.write("ids.csv", std::string("a,label\n1,3\n2,100000\n"));
  expect_rejected([&] { load_csv(path); }, path,
                  {path + ":3:2: class index 100000 is implausibly large (limit 65536)", "write class names instead"});
}

TEST(CsvLoader, RejectsBinaryFile) {
  // The usual way to get one: dataset.kind csv with the path of an IDX file.
  TempDir dir;
  const std::string path = dir.write("train-images-idx3-ubyte", idx_images(1, 2, 2, {1, 2, 3, 4}));
  expect_rejected([&] { load_csv(path); }, path, {"binary data (a NUL byte at offset 0), expected CSV text"});
}

TEST(CsvLoader, PairIndexesClassesOverBothFiles) {
  TempDir dir;
  // The test file lacks "dog": read on its own, "fish" would become class 1.
  const std::string train = dir.write("train.csv", std::string("x,label\n1,cat\n2,dog\n3,fish\n"));
  const std::string test = dir.write("test.csv", std::string("x,label\n4,fish\n5,cat\n"));
  const TrainTest names = load_csv_pair(train, test);
  const std::vector<std::string> animals = {"cat", "dog", "fish"};
  EXPECT_EQ(names.train.class_names, animals);
  EXPECT_EQ(names.test.class_names, animals);
  EXPECT_EQ(names.train.y, (Labels{0, 1, 2}));
  EXPECT_EQ(names.test.y, (Labels{2, 0}));
  EXPECT_EQ(names.test.X(1, 0), 5.0f);

  // Integer labels: the classes run to the largest index in either file.
  const std::string int_train = dir.write("int-train.csv", std::string("x,label\n1,0\n2,1\n"));
  const std::string int_test = dir.write("int-test.csv", std::string("x,label\n3,4\n"));
  const TrainTest indices = load_csv_pair(int_train, int_test);
  EXPECT_EQ(indices.train.class_names, numbered_class_names(5));
  EXPECT_EQ(indices.test.class_names, numbered_class_names(5));
  EXPECT_EQ(indices.test.y, (Labels{4}));
}

TEST(CsvLoader, RejectsTestFileWithOtherColumns) {
  TempDir dir;
  const std::string train = dir.write("train.csv", std::string("a,b,label\n1,2,0\n3,4,1\n"));
  const std::string swapped = dir.write("swapped.csv", std::string("b,a,label\n2,1,0\n"));
  expect_rejected([&] { load_csv_pair(train, swapped); }, swapped,
                  {"columns 'b', 'a', 'label' differ from the training file " + train + "'s ('a', 'b', 'label')",
                   "the same columns in the same order"});
  const std::string wider = dir.write("wider.csv", std::string("a,b,c,label\n1,2,3,0\n"));
  expect_rejected([&] { load_csv_pair(train, wider); }, wider, {"columns 'a', 'b', 'c', 'label' differ"});
}

TEST(CsvLoader, RejectsEmptyFileAndHeaderOnly) {
  TempDir dir;
  const std::string empty = dir.write("empty.csv", std::string());
  expect_rejected([&] { load_csv(empty); }, empty, {"file is empty"});
  const std::string header_only = dir.write("header.csv", std::string("a,b,label\r\n"));
  expect_rejected([&] { load_csv(header_only); }, header_only, {"no data rows"});
}

TEST(CsvLoader, MissingFile) {
  TempDir dir;
  const std::string path = dir.file("absent.csv");
  expect_rejected([&] { load_csv(path); }, path, {"cannot open file"});
}

// ---------------------------------------------------------------- CSV without a header row

Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

TEST(CsvHeaderless, GzipLastColumnNamesSortedAsWithAHeader) {
  TempDir dir;
  // UCI iris style: no header, the class name last.
  const std::string path = write_gzip(dir, "iris.data.gz",
                                      bytes_of("5.1,3.5,Iris-setosa\n6.3,2.5,Iris-virginica\n\n5.7,2.8,"
                                               "Iris-versicolor\n4.9,3.0,Iris-setosa\n"));
  const Dataset data = load_csv(path, {.label_column = "last", .header = false});
  ASSERT_EQ(data.X.rows(), 4);
  ASSERT_EQ(data.X.cols(), 2);
  EXPECT_EQ(data.X(0, 0), 5.1f);
  EXPECT_EQ(data.X(0, 1), 3.5f);
  EXPECT_EQ(data.X(1, 0), 6.3f);
  EXPECT_EQ(data.X(2, 1), 2.8f);
  EXPECT_EQ(data.X(3, 0), 4.9f);
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"Iris-setosa", "Iris-versicolor", "Iris-virginica"}));
  EXPECT_EQ(data.y, (Labels{0, 2, 1, 0}));
}

TEST(CsvHeaderless, IndexedLabelColumnWithIntegerLabels) {
  TempDir dir;
  // The first row is data too: three examples, the labels in column 0, the features in 1 and 2.
  const std::string path = dir.write("digits.csv", std::string("1,0.5,-2\n0,3,4e1\n3,-0.25,7\n"));
  const Dataset data = load_csv(path, {.label_column = "0", .header = false});
  ASSERT_EQ(data.X.rows(), 3);
  ASSERT_EQ(data.X.cols(), 2);
  EXPECT_EQ(data.X(0, 0), 0.5f);
  EXPECT_EQ(data.X(0, 1), -2.0f);
  EXPECT_EQ(data.X(1, 1), 40.0f);
  EXPECT_EQ(data.X(2, 0), -0.25f);
  EXPECT_EQ(data.y, (Labels{1, 0, 3}));
  EXPECT_EQ(data.class_names, numbered_class_names(4));
  // The same file with the label in the middle column: column 1 holds 0.5, 3, -0.25, not class indices.
  const std::string middle = dir.write("middle.csv", std::string("0.5,2,7\n1.5,0,8\n"));
  const Dataset by_index = load_csv(middle, {.label_column = "1", .header = false});
  EXPECT_EQ(by_index.y, (Labels{2, 0}));
  EXPECT_EQ(by_index.X(1, 0), 1.5f);
  EXPECT_EQ(by_index.X(1, 1), 8.0f);
}

TEST(CsvHeaderless, RejectsIndexPastTheLastColumn) {
  TempDir dir;
  const std::string path = dir.write("short.csv", std::string("\n1,2,3\n4,5,6\n"));
  expect_rejected([&] { load_csv(path, {.label_column = "3", .header = false}); }, path,
                  {path + ":2: label column index 3 is past the last column: the first row has 3 columns "
                          "(indices 0 to 2)"});
  expect_rejected([&] { read_csv_layout(path, {.label_column = "7", .header = false}); }, path,
                  {":2: label column index 7 is past the last column"});
}

TEST(CsvHeaderless, RejectsALabelColumnName) {
  TempDir dir;
  const std::string path = dir.write("data.csv", std::string("1,2,0\n"));
  expect_rejected([&] { load_csv(path, {.header = false}); }, path,
                  {"label column 'label' is a name, but the file is read without a header row (header: false): "
                   "give a 0-based column index or last"});
}

TEST(CsvHeaderless, AFirstRowOfNamesIsReportedAsAHeader) {
  TempDir dir;
  const std::string path = dir.write("named.csv", std::string("a,b,species\n1,2,setosa\n"));
  expect_rejected([&] { load_csv(path, {.label_column = "last", .header = false}); }, path,
                  {path + ":1:1: 'a' in column index 0 is not a number; the first row looks like a header"});
  // A bad cell in a first row of numbers is just a bad cell.
  const std::string typo = dir.write("typo.csv", std::string("1,2x,0\n"));
  const std::string message = error_message([&] { load_csv(typo, {.label_column = "last", .header = false}); });
  EXPECT_NE(message.find(":1:2: '2x' in column index 1 is not a number"), std::string::npos) << message;
  EXPECT_EQ(message.find("header"), std::string::npos) << message;
}

TEST(CsvHeaderless, PairNeedsTheSameNumberOfColumns) {
  TempDir dir;
  const std::string train = dir.write("train.csv", std::string("1,2,cat\n3,4,dog\n"));
  const std::string test = dir.write("test.csv", std::string("5,6,dog\n"));
  const TrainTest pair = load_csv_pair(train, test, {.label_column = "2", .header = false});
  EXPECT_EQ(pair.test.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(pair.test.y, (Labels{1}));
  EXPECT_EQ(pair.test.X(0, 1), 6.0f);
  const std::string wider = dir.write("wider.csv", std::string("5,6,7,dog\n"));
  expect_rejected([&] { load_csv_pair(train, wider, {.label_column = "last", .header = false}); }, wider,
                  {"4 columns, the training file " + train + " has 3"});
}

TEST(CsvHeaderless, EmptyFile) {
  TempDir dir;
  const std::string path = dir.write("blank.csv", std::string("\n\r\n"));
  expect_rejected([&] { load_csv(path, {.label_column = "0", .header = false}); }, path, {"file is empty"});
}

TEST(CsvHeader, AFirstRowOfNumbersSuggestsHeaderFalse) {
  TempDir dir;
  const std::string path = dir.write("numbers.csv", std::string("5.1,3.5,Iris-setosa\n6.3,2.5,Iris-virginica\n"));
  const std::string message = error_message([&] { load_csv(path); });
  EXPECT_NE(message.find("no label column 'label' in the header, and the first row looks like data, not a header"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("set header: false and label_column to a 0-based column index or last"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("Available columns"), std::string::npos) << message;  // numbers are no names
}

TEST(CsvHeader, LastAndIndicesAreNamesWithAHeader) {
  TempDir dir;
  const std::string path = dir.write("named.csv", std::string("x,y,class\n1,2,0\n"));
  expect_rejected([&] { load_csv(path, {.label_column = "last"}); }, path,
                  {"no label column 'last'", "A column index or last selects the label column only in a file "
                                             "without a header row (header: false)"});
  // A column that is called "last" is found by its name.
  const std::string called_last = dir.write("called-last.csv", std::string("last,x\n1,5\n0,6\n"));
  const Dataset data = load_csv(called_last, {.label_column = "last"});
  EXPECT_EQ(data.y, (Labels{1, 0}));
  EXPECT_EQ(data.X(1, 0), 6.0f);
}

TEST(CsvLayout, ReadsTheFirstRowOnly) {
  TempDir dir;
  // The second line is broken: only load_csv, which reads it, may reject the file.
  const std::string path = write_gzip(dir, "big.csv.gz", bytes_of("\xEF\xBB\xBF" "a;label;b\r\n1;2\n"));
  const CsvLayout layout = read_csv_layout(path, {.delimiter = ';'});
  EXPECT_EQ(layout.columns, 3u);
  EXPECT_EQ(layout.names, (std::vector<std::string>{"a", "label", "b"}));
  EXPECT_EQ(layout.label_column, 1u);
  expect_rejected([&] { load_csv(path, {.delimiter = ';'}); }, path, {":2: expected 3 cells, found 2"});

  const CsvLayout headerless = read_csv_layout(path, {.label_column = "last", .delimiter = ';', .header = false});
  EXPECT_EQ(headerless.columns, 3u);
  EXPECT_TRUE(headerless.names.empty());
  EXPECT_EQ(headerless.label_column, 2u);
  // A first row longer than one read: still found whole.
  const std::string wide_row = std::string(70000, '1') + ",label\n";
  const std::string wide = dir.write("wide.csv", wide_row + "2,0\n");
  EXPECT_EQ(read_csv_layout(wide).label_column, 1u);
  expect_rejected([&] { read_csv_layout(dir.write("empty.csv", std::string("  \n"))); }, dir.file("empty.csv"),
                  {"file is empty, expected a header row"});
}

TEST(CsvColumnPosition, IndexOrLast) {
  const auto last = parse_column_position("last");
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->last);
  const auto twelve = parse_column_position("12");
  ASSERT_TRUE(twelve);
  EXPECT_FALSE(twelve->last);
  EXPECT_EQ(twelve->index, 12u);
  EXPECT_EQ(parse_column_position("0")->index, 0u);
  for (const char* text : {"", "-1", "+1", " 1", "1.0", "1e2", "Last", "label", "99999999999999999999999"})
    EXPECT_FALSE(parse_column_position(text)) << "'" << text << "'";
}

// ---------------------------------------------------------------- CSV input to score

CsvInputOptions iris_model() {
  CsvInputOptions options;
  options.feature_names = {"petal", "sepal"};
  options.label_column = "species";
  options.class_names = {"setosa", "versicolor", "virginica"};
  return options;
}

TEST(CsvInput, FeaturesInTheModelsOrderWithOrWithoutLabels) {
  TempDir dir;
  // Columns in another order than the model's, the label column in the middle.
  const std::string labelled = dir.write("labelled.csv", std::string("sepal,species,petal\n1,virginica,2\n3,setosa,4\n"));
  const Dataset data = load_csv_input(labelled, iris_model());
  ASSERT_EQ(data.X.rows(), 2);
  ASSERT_EQ(data.X.cols(), 2);
  EXPECT_EQ(data.X(0, 0), 2.0f);  // petal first, as the model has it
  EXPECT_EQ(data.X(0, 1), 1.0f);
  EXPECT_EQ(data.X(1, 0), 4.0f);
  EXPECT_EQ(data.y, (Labels{2, 0}));  // by the model's class names, not indexed anew
  EXPECT_EQ(data.class_names, iris_model().class_names);

  const std::string unlabelled = dir.write("unlabelled.csv", std::string("petal,sepal\n5,6\n"));
  const Dataset bare = load_csv_input(unlabelled, iris_model());
  ASSERT_EQ(bare.X.rows(), 1);
  EXPECT_EQ(bare.X(0, 1), 6.0f);
  EXPECT_TRUE(bare.y.empty());
}

TEST(CsvInput, UnnamedFeaturesAreEveryOtherColumnInOrder) {
  TempDir dir;
  CsvInputOptions options;
  options.features = 2;
  options.class_names = numbered_class_names(3);
  // "01" is class 1, as training read integer labels.
  const std::string path = dir.write("blobs.csv", std::string("b,label,a\n1,2,3\n4,01,5\n"));
  const Dataset data = load_csv_input(path, options);
  EXPECT_EQ(data.X(0, 0), 1.0f);
  EXPECT_EQ(data.X(0, 1), 3.0f);
  EXPECT_EQ(data.X(1, 1), 5.0f);
  EXPECT_EQ(data.y, (Labels{2, 1}));
  options.features = 3;
  expect_rejected([&] { load_csv_input(path, options); }, path,
                  {"has 2 feature columns (every column but 'label'), the model takes 3"});
}

TEST(CsvInput, WithoutAHeaderTheLabelColumnIsThereWhenARowHasOneColumnMore) {
  TempDir dir;
  // A model trained on a headerless file of 2 features with the label last: it names no columns.
  const std::string train = dir.write("train.csv", std::string("0.5,1.5,2\n2.5,3.5,0\n"));
  const Dataset trained = load_csv(train, {.label_column = "last", .header = false});
  EXPECT_TRUE(trained.layout.names.empty());
  EXPECT_EQ(trained.layout.shape, (std::vector<std::size_t>{2}));
  CsvInputOptions options;
  options.features = 2;
  options.label_column = "last";
  options.class_names = trained.class_names;
  options.header = false;
  const Dataset labelled = load_csv_input(dir.write("labelled.csv", std::string("1,2,1\n3,4,2\n")), options);
  EXPECT_EQ(labelled.y, (Labels{1, 2}));
  EXPECT_EQ(labelled.X(1, 0), 3.0f);
  EXPECT_EQ(labelled.X(1, 1), 4.0f);
  const Dataset bare = load_csv_input(dir.write("bare.csv", std::string("1,2\n3,4\n")), options);
  EXPECT_TRUE(bare.y.empty());
  EXPECT_EQ(bare.X(1, 1), 4.0f);
  const std::string wide = dir.write("wide.csv", std::string("1,2,3,4\n"));
  expect_rejected([&] { load_csv_input(wide, options); }, wide + ":1",
                  {"has 4 columns; the model takes 2 features, and the label column (last) may come with them"});
}

TEST(CsvInput, RejectsMissingExtraAndDuplicateColumnsAndUnknownLabels) {
  TempDir dir;
  const std::string missing = dir.write("missing.csv", std::string("petal,species\n1,setosa\n"));
  expect_rejected([&] { load_csv_input(missing, iris_model()); }, missing,
                  {"missing feature column 'sepal' the model was trained on; its columns are 'petal', 'sepal' (and "
                   "'species' for labels)"});
  const std::string extra = dir.write("extra.csv", std::string("id,petal,sepal\n7,1,2\n"));
  expect_rejected([&] { load_csv_input(extra, iris_model()); }, extra,
                  {"column 'id' is not one of the model's feature columns 'petal', 'sepal' nor its label column "
                   "'species'"});
  const std::string twice = dir.write("twice.csv", std::string("petal,sepal,petal\n1,2,3\n"));
  expect_rejected([&] { load_csv_input(twice, iris_model()); }, twice, {"column 'petal' appears more than once"});
  const std::string unknown = dir.write("unknown.csv", std::string("petal,sepal,species\n1,2,setosa\n1,2,rose\n"));
  expect_rejected([&] { load_csv_input(unknown, iris_model()); }, unknown + ":3:3",
                  {"label 'rose' is not one of the model's classes 'setosa', 'versicolor', 'virginica'"});
  const std::string empty = dir.write("empty.csv", std::string("petal,sepal\n"));
  expect_rejected([&] { load_csv_input(empty, iris_model()); }, empty, {"no data rows after the header"});
}

// ---------------------------------------------------------------- Dataset invariants

TEST(DatasetValidation, NumberedClassNames) {
  EXPECT_EQ(numbered_class_names(3), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_TRUE(numbered_class_names(0).empty());
}

TEST(DatasetValidation, RejectsInconsistentDatasets) {
  Dataset data;
  data.X = RowMatrix<float>::Zero(3, 2);
  data.y = {0, 1, 1};
  data.class_names = {"a", "b"};
  EXPECT_NO_THROW(validate_dataset(data, "ok"));

  Dataset short_labels = data;
  short_labels.y.pop_back();
  expect_rejected([&] { validate_dataset(short_labels, "src"); }, "src", {"3 rows", "2 labels"});

  Dataset bad_label = data;
  bad_label.y[2] = 2;
  expect_rejected([&] { validate_dataset(bad_label, "src"); }, "src", {"label 2 of example 2", "[0, 2)"});
  bad_label.y[2] = -1;
  expect_rejected([&] { validate_dataset(bad_label, "src"); }, "src", {"label -1 of example 2"});

  Dataset no_classes = data;
  no_classes.class_names.clear();
  expect_rejected([&] { validate_dataset(no_classes, "src"); }, "src", {"no classes"});
}

}  // namespace
}  // namespace losslab
