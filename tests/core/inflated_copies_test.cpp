// Inflated copies of gzip'd image files (InflateCache): kept by the first load, read back by the
// next, and never trusted blindly: a damaged, truncated or outdated copy is reported and the
// source inflated again. Generated IDX files, and the real Fashion-MNIST ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "losslab/dataset.hpp"
#include "losslab/loaders.hpp"
#include "support/idx_fixture.hpp"
#include "support/temp_dir.hpp"

namespace losslab {
namespace {

namespace fs = std::filesystem;
using test_support::Bytes;
using test_support::counting_bytes;
using test_support::idx_images;
using test_support::idx_labels;
using test_support::read_file;
using test_support::TempDir;
using test_support::write_gzip;

// A cache in `directory` that records what the loader tells it (its two threads may call at once).
class RecordingCache {
 public:
  explicit RecordingCache(const std::string& directory) {
    cache_.directory = directory;
    cache_.on_note = [this](const std::string& note) { add(notes_, note); };
    cache_.on_problem = [this](const std::string& problem) { add(problems_, problem); };
  }
  RecordingCache(const RecordingCache&) = delete;
  RecordingCache& operator=(const RecordingCache&) = delete;

  const InflateCache& cache() const { return cache_; }
  // What was said since the last call, then forgotten.
  std::vector<std::string> take_notes() { return take(notes_); }
  std::vector<std::string> take_problems() { return take(problems_); }

 private:
  void add(std::vector<std::string>& list, const std::string& message) {
    const std::lock_guard<std::mutex> lock(mutex_);
    list.push_back(message);
  }
  std::vector<std::string> take(std::vector<std::string>& list) {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> taken;
    taken.swap(list);
    std::sort(taken.begin(), taken.end());
    return taken;
  }

  InflateCache cache_;
  std::mutex mutex_;
  std::vector<std::string> notes_, problems_;
};

std::size_t count_containing(const std::vector<std::string>& messages, const std::string& fragment) {
  return static_cast<std::size_t>(std::count_if(messages.begin(), messages.end(), [&](const std::string& message) {
    return message.find(fragment) != std::string::npos;
  }));
}

std::vector<std::string> names_in(const std::string& directory) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory, ec)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The one file in `directory` whose name starts with `prefix`.
std::string copy_named(const std::string& directory, const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& name : names_in(directory))
    if (name.rfind(prefix, 0) == 0) found.push_back((fs::path(directory) / name).string());
  EXPECT_EQ(found.size(), 1u) << prefix;
  return found.empty() ? "" : found.front();
}

Bytes train_images(std::size_t first_pixel) { return idx_images(4, 2, 2, counting_bytes(16, first_pixel)); }
const Bytes kTestImages = idx_images(2, 2, 2, {0, 255, 1, 254, 128, 127, 3, 4});

// Both image files gzip'd, so each gets a copy; the labels are small and are never copied.
void write_gzip_mnist(const TempDir& dir, std::size_t first_train_pixel = 100) {
  write_gzip(dir, "train-images-idx3-ubyte.gz", train_images(first_train_pixel));
  write_gzip(dir, "train-labels-idx1-ubyte.gz", idx_labels({9, 0, 5, 5}));
  write_gzip(dir, "t10k-images-idx3-ubyte.gz", kTestImages);
  write_gzip(dir, "t10k-labels-idx1-ubyte.gz", idx_labels({2, 7}));
}

void expect_same_dataset(const ByteDataset& actual, const ByteDataset& expected) {
  ASSERT_EQ(actual.X.rows(), expected.X.rows());
  ASSERT_EQ(actual.X.cols(), expected.X.cols());
  EXPECT_TRUE((actual.X.array() == expected.X.array()).all());
  EXPECT_EQ(actual.y, expected.y);
  EXPECT_EQ(actual.class_names, expected.class_names);
}

void expect_same(const ByteTrainTest& actual, const ByteTrainTest& expected) {
  expect_same_dataset(actual.train, expected.train);
  expect_same_dataset(actual.test, expected.test);
}

ByteTrainTest load(const TempDir& data, const InflateCache& cache = {}) {
  return load_mnist_bytes(data.path().string(), MnistFlavor::fashion_mnist, cache);
}

TEST(InflatedCopies, KeptByTheFirstLoadAndReadBackByTheNext) {
  TempDir data, cache_dir;
  write_gzip_mnist(data);
  RecordingCache recording(cache_dir.path().string());

  const ByteTrainTest first = load(data, recording.cache());
  EXPECT_EQ(recording.take_problems(), std::vector<std::string>{});
  const std::vector<std::string> kept = recording.take_notes();
  EXPECT_EQ(count_containing(kept, "kept an inflated copy of "), 2u) << ::testing::PrintToString(kept);
  ASSERT_EQ(names_in(cache_dir.path().string()).size(), 2u);
  // A copy is the source's content exactly: the IDX file as it was before gzip.
  const std::string train_copy = copy_named(cache_dir.path().string(), "train-images-idx3-ubyte-");
  const std::string test_copy = copy_named(cache_dir.path().string(), "t10k-images-idx3-ubyte-");
  const Bytes expected_train = train_images(100);
  EXPECT_EQ(read_file(train_copy), std::string(expected_train.begin(), expected_train.end()));
  EXPECT_EQ(read_file(test_copy), std::string(kTestImages.begin(), kTestImages.end()));
  // Readable by every user (a cache folder may be shared), writable by its owner only.
  EXPECT_EQ(fs::status(train_copy).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);

  const ByteTrainTest second = load(data, recording.cache());
  EXPECT_EQ(recording.take_problems(), std::vector<std::string>{});
  const std::vector<std::string> read = recording.take_notes();
  EXPECT_EQ(count_containing(read, "from its inflated copy " + train_copy), 1u) << ::testing::PrintToString(read);
  EXPECT_EQ(count_containing(read, "from its inflated copy " + test_copy), 1u) << ::testing::PrintToString(read);
  EXPECT_EQ(count_containing(read, "kept"), 0u);

  const ByteTrainTest uncached = load(data);
  expect_same(first, uncached);
  expect_same(second, uncached);
  EXPECT_EQ(second.train.X(1, 2), 106);  // image 1, pixel 2 = byte 4 + 2 of the counting pattern from 100
  EXPECT_EQ(second.test.X(0, 1), 255);
}

TEST(InflatedCopies, RawFilesAndLabelsAreNotCopied) {
  TempDir data, cache_dir;
  test_support::write_small_mnist(data);  // raw training images, gzip'd test images
  RecordingCache recording(cache_dir.path().string());
  load(data, recording.cache());
  const std::vector<std::string> names = names_in(cache_dir.path().string());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].rfind("t10k-images-idx3-ubyte-", 0), 0u) << names[0];
}

TEST(InflatedCopies, NoFolderNoCopies) {
  TempDir data;
  write_gzip_mnist(data);
  RecordingCache recording("");
  expect_same(load(data, recording.cache()), load(data));
  EXPECT_EQ(recording.take_notes(), std::vector<std::string>{});
  EXPECT_EQ(recording.take_problems(), std::vector<std::string>{});
}

TEST(InflatedCopies, DamagedCopyIsReportedRemovedAndInflatedAgain) {
  TempDir data, cache_dir;
  write_gzip_mnist(data);
  RecordingCache recording(cache_dir.path().string());
  load(data, recording.cache());
  const std::string train_copy = copy_named(cache_dir.path().string(), "train-images-idx3-ubyte-");
  std::string damaged = read_file(train_copy);
  damaged[20] = static_cast<char>(damaged[20] ^ 0x40);  // a pixel, not the header: still a valid IDX file
  cache_dir.write(fs::path(train_copy).filename().string(), damaged);
  recording.take_notes();

  expect_same(load(data, recording.cache()), load(data));
  const std::vector<std::string> problems = recording.take_problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(count_containing(problems, "the inflated copy " + train_copy + " of " + data.file("train-images-idx3-ubyte.gz") +
                                           " is damaged (its CRC-32 is "),
            1u)
      << problems[0];
  EXPECT_EQ(count_containing(problems, "inflating the source again"), 1u) << problems[0];
  // It was replaced by a sound copy, which the next load reads without complaint.
  EXPECT_EQ(count_containing(recording.take_notes(), "kept an inflated copy of " + data.file("train-images")), 1u);
  const Bytes expected_train = train_images(100);
  EXPECT_EQ(read_file(train_copy), std::string(expected_train.begin(), expected_train.end()));
  load(data, recording.cache());
  EXPECT_EQ(recording.take_problems(), std::vector<std::string>{});
  EXPECT_EQ(count_containing(recording.take_notes(), "from its inflated copy"), 2u);
}

TEST(InflatedCopies, TruncatedCopyIsReportedAndInflatedAgain) {
  TempDir data, cache_dir;
  write_gzip_mnist(data);
  RecordingCache recording(cache_dir.path().string());
  load(data, recording.cache());
  const std::string test_copy = copy_named(cache_dir.path().string(), "t10k-images-idx3-ubyte-");
  cache_dir.write(fs::path(test_copy).filename().string(), read_file(test_copy).substr(0, 20));

  expect_same(load(data, recording.cache()), load(data));
  const std::vector<std::string> problems = recording.take_problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(count_containing(problems, "the inflated copy " + test_copy), 1u) << problems[0];
  EXPECT_EQ(count_containing(problems, "truncated"), 1u) << problems[0];
}

TEST(InflatedCopies, ChangedSourceGetsItsOwnCopy) {
  TempDir data, cache_dir;
  write_gzip_mnist(data, 100);
  RecordingCache recording(cache_dir.path().string());
  load(data, recording.cache());
  // New pixels under the same name, and a later modification time even on a coarse clock.
  const std::string source = write_gzip(data, "train-images-idx3-ubyte.gz", train_images(7));
  fs::last_write_time(source, fs::last_write_time(source) + std::chrono::seconds(10));
  recording.take_notes();

  const ByteTrainTest changed = load(data, recording.cache());
  EXPECT_EQ(changed.train.X(0, 0), 7);
  EXPECT_EQ(changed.train.X(3, 3), 22);
  expect_same(changed, load(data));
  EXPECT_EQ(recording.take_problems(), std::vector<std::string>{});
  EXPECT_EQ(count_containing(recording.take_notes(), "kept an inflated copy of " + source), 1u);
  EXPECT_EQ(names_in(cache_dir.path().string()).size(), 3u);  // the old copy stays, unused
}

TEST(InflatedCopies, FolderThatCannotBeMadeIsReportedAndLoadingGoesOn) {
  TempDir data, elsewhere;
  write_gzip_mnist(data);
  const std::string blocker = elsewhere.write("a-file", std::string("not a folder"));
  RecordingCache recording(blocker + "/cache");

  expect_same(load(data, recording.cache()), load(data));
  const std::vector<std::string> problems = recording.take_problems();
  EXPECT_EQ(problems.size(), 2u);
  EXPECT_EQ(count_containing(problems, "cannot keep an inflated copy of " + data.file("train-images-idx3-ubyte.gz") +
                                           " in " + blocker + "/cache (creating the folder: "),
            1u)
      << ::testing::PrintToString(problems);
  EXPECT_EQ(count_containing(problems, "the next run inflates it again"), 2u);
}

TEST(InflatedCopies, MultiMemberGzipIsReadButNotCopied) {
  TempDir data, cache_dir;
  write_gzip_mnist(data);
  // Two gzip members back to back: zlib reads them as one content, but the trailer describes the
  // last member only, so a copy could never be checked against it.
  const Bytes images = train_images(100);
  const Bytes head(images.begin(), images.begin() + 10), tail(images.begin() + 10, images.end());
  const std::string joined = read_file(write_gzip(data, "head.gz", head)) + read_file(write_gzip(data, "tail.gz", tail));
  data.write("train-images-idx3-ubyte.gz", joined);
  RecordingCache recording(cache_dir.path().string());

  const ByteTrainTest loaded = load(data, recording.cache());
  EXPECT_EQ(loaded.train.X(1, 2), 106);
  expect_same(loaded, load(data));
  EXPECT_EQ(recording.take_problems(), std::vector<std::string>{});
  const std::vector<std::string> names = names_in(cache_dir.path().string());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].rfind("t10k-images-idx3-ubyte-", 0), 0u) << names[0];
}

// The Debian package dataset-fashion-mnist: the copies of its 55 MB of pixels give every byte back.
TEST(InflatedCopies, RealFashionMnistIsTheSameThroughItsCopies) {
  const std::string directory = LOSSLAB_FASHION_MNIST_DIR;
  TempDir cache_dir;
  RecordingCache recording(cache_dir.path().string());
  const ByteTrainTest inflated = load_mnist_bytes(directory, MnistFlavor::fashion_mnist);
  const ByteTrainTest first = load_mnist_bytes(directory, MnistFlavor::fashion_mnist, recording.cache());
  EXPECT_EQ(count_containing(recording.take_notes(), "kept an inflated copy"), 2u);
  const ByteTrainTest second = load_mnist_bytes(directory, MnistFlavor::fashion_mnist, recording.cache());
  EXPECT_EQ(count_containing(recording.take_notes(), "from its inflated copy"), 2u);
  EXPECT_EQ(recording.take_problems(), std::vector<std::string>{});
  ASSERT_EQ(second.train.X.rows(), 60000);
  ASSERT_EQ(second.test.X.rows(), 10000);
  expect_same(first, inflated);
  expect_same(second, inflated);
}

}  // namespace
}  // namespace losslab
