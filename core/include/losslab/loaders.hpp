// Readers for the on-disk dataset formats. Each one validates everything it reads and
// throws DatasetError(file, reason) on truncated or malformed input.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "losslab/dataset.hpp"

namespace losslab {

// ---- IDX (MNIST, Fashion-MNIST): big-endian header, magic 2051 images / 2049 labels.
// Files may be gzip-compressed or raw; both are read through zlib.
struct IdxImages {
  std::size_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols, row-major per image
};
IdxImages read_idx_images(const std::string& path);
Labels read_idx_labels(const std::string& path);

// Where inflated copies of gzip'd image files are kept between runs, so that a later run reads
// their bytes back instead of inflating them again (Fashion-MNIST: ~0.15 s of a ~0.18 s load).
// A copy is used only when its CRC-32 matches the source's gzip trailer; see inflated_copies.hpp.
struct InflateCache {
  std::string directory;  // empty: inflate every time, keep nothing
  // What happened (a copy read or kept) and what went wrong (a copy that could not be written, or
  // was damaged and is inflated again): loading goes on either way. Called from the loader's
  // threads, possibly two at once.
  std::function<void(const std::string&)> on_note, on_problem;
};

enum class MnistFlavor { mnist, fashion_mnist };
// Reads {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] from `directory` (raw file preferred
// when both exist). Pixels stay in [0, 255]; class names follow the flavor.
TrainTest load_mnist_directory(const std::string& directory, MnistFlavor flavor);
// The same with the pixels kept as bytes, for prepare_splits (4x less memory than floats).
// The gzip'd image files are read from (or inflated into) `cache`.
ByteTrainTest load_mnist_bytes(const std::string& directory, MnistFlavor flavor, const InflateCache& cache = {});
// The files load_mnist_directory would read, in order train images, train labels, test images,
// test labels (so callers can checksum exactly what was read).
std::vector<std::string> mnist_files(const std::string& directory);

// ---- CIFAR-10 binary version: records of 1 label byte + 3072 pixel bytes (1024 R, 1024 G, 1024 B).
constexpr std::size_t kCifarImageBytes = 3072;
constexpr std::size_t kCifarRecordBytes = kCifarImageBytes + 1;
// One batch file: any whole number of records; labels must be < 10.
Dataset read_cifar10_batch(const std::string& path);
// data_batch_1..5.bin -> train, test_batch.bin -> test, class names from batches.meta.txt.
TrainTest load_cifar10_directory(const std::string& directory);
ByteTrainTest load_cifar10_bytes(const std::string& directory);
std::vector<std::string> cifar10_files(const std::string& directory);

// ---- CSV: one example per line; a header row names the columns, or (header off) every row is data.
// The label column is chosen by its header name, or in a file without a header by its 0-based
// position or `last`. Labels may be integers 0..C-1 or class names (then indexed in sorted order).
// Feature cells must be numbers; errors name file:line:column. Blank lines are skipped; cells
// are not quoted (a delimiter never appears inside one); .csv.gz is read too.
struct CsvOptions {
  // With a header: the label column's name (a name only: "last" or "0" name columns called so).
  // Without: a 0-based column index ("0", "4") or "last".
  std::string label_column = "label";
  char delimiter = ',';
  bool header = true;  // whether the first non-blank row names the columns
};
// A column given by position in a file without a header: its 0-based index, or the last column.
struct ColumnPosition {
  bool last = false;
  std::size_t index = 0;  // when not last
};
// "last" or a whole number >= 0 written in plain digits; nullopt for anything else ("-1", "x").
std::optional<ColumnPosition> parse_column_position(std::string_view text);

// What the first row of a CSV file says: how many columns, the header's names (none without a
// header), which column holds the labels.
struct CsvLayout {
  std::size_t columns = 0;
  std::vector<std::string> names;
  std::size_t label_column = 0;
};
// Reads only up to the first non-blank row, so a config can be checked against a large file at
// once; throws the DatasetError load_csv would throw for that row (no such label column, an index
// past the last column, a label column and nothing else, ...).
CsvLayout read_csv_layout(const std::string& path, const CsvOptions& options = {});

Dataset load_csv(const std::string& path, const CsvOptions& options = {});
// Examples to score with a model trained on a CSV file (or on other flat data): a CSV file with or
// without the label column. With `feature_names` (the training file's feature columns), the file's
// header must have each of them once, in any order, and no other column but the label column; X
// holds them in the model's order. Without (data that named none), every column but the label
// column is a feature, in file order, and there must be `features` of them; in a file without a
// header (`header` false, as the model's training file was read) the label column is there when a
// row has one column more than that. Labels, when the label column is there, must be among
// `class_names` (classes numbered 0..C-1 are also read as indices, as training read them); y then
// holds their class indices, and is empty otherwise.
struct CsvInputOptions {
  std::vector<std::string> feature_names;
  std::size_t features = 0;  // without feature_names: how many columns are features
  std::string label_column = "label";  // a name, or without a header a 0-based index or last
  std::vector<std::string> class_names;
  char delimiter = ',';
  bool header = true;
};
Dataset load_csv_input(const std::string& path, const CsvInputOptions& options);
// A training file and a separate test file. The test file must have the same columns in the same
// order, and the labels of both files are indexed together, so a class has one index in both.
TrainTest load_csv_pair(const std::string& train_path, const std::string& test_path, const CsvOptions& options = {});

// ---- Synthetic data, deterministic given the seed.
struct BlobsOptions {
  std::size_t classes = 3, dimension = 2, per_class = 100;
  double spread = 1.0;      // standard deviation of each blob
  double center_scale = 5;  // centers drawn uniformly in [-center_scale, center_scale]^D
  std::uint64_t seed = 0;
  // Which generator draws the points. 1: one Mersenne Twister stream for centers and points,
  // Box-Muller normals, one thread. 2: the centers from that stream, the points from a xoshiro256**
  // stream per row with ziggurat normals, rows generated on `threads` threads (0: every core) with
  // the same result for any count. Each gives its own numbers for a seed; 1 stays the default so
  // that data generated before 2 existed is generated again.
  int generator = 1;
  unsigned threads = 0;
};
Dataset make_blobs(const BlobsOptions& options);

// The course's spiral: `classes` arms of `per_class` points in 2-D.
struct SpiralOptions {
  std::size_t classes = 3, per_class = 100;
  double noise = 0.2;
  std::uint64_t seed = 0;
};
Dataset make_spiral(const SpiralOptions& options);

// The 9 points / 3 classes of the lecture's linear-classifier web demo.
Dataset make_toy2d();

}  // namespace losslab
