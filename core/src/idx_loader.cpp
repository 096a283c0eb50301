// IDX files (MNIST, Fashion-MNIST): a big-endian header (magic, dimensions) then raw bytes.

#include <future>
#include <sstream>

#include "huge_pages.hpp"
#include "inflated_copies.hpp"
#include "loader_support.hpp"
#include "losslab/loaders.hpp"

namespace losslab {
namespace {

constexpr std::uint32_t kImagesMagic = 2051;  // 0x00000803: unsigned byte, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 2049;  // 0x00000801: unsigned byte, 1 dimension
constexpr std::size_t kMnistClasses = 10;
// Far above any real IDX file; only there so dimension products cannot overflow.
constexpr std::uint64_t kMaxPayloadBytes = std::uint64_t{1} << 36;

std::uint32_t read_big_endian(const std::vector<std::uint8_t>& bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

const char* idx_kind(std::uint32_t magic) {
  if (magic == kImagesMagic) return "an IDX image file";
  if (magic == kLabelsMagic) return "an IDX label file";
  return "not an IDX file this reader knows";
}

struct IdxHeader {
  std::vector<std::uint32_t> dims;
  std::size_t bytes = 0;           // of the header itself
  std::uint64_t payload_bytes = 1;  // product(dims)
  std::string shape;               // "60000 x 28 x 28", for messages
};

// Checks magic and header, given at least the header's bytes of the file's content (all of it when
// the file is shorter).
IdxHeader parse_header(const std::string& path, const std::vector<std::uint8_t>& bytes, std::uint32_t expected_magic,
                       std::size_t num_dims) {
  IdxHeader header;
  header.bytes = 4 * (1 + num_dims);
  if (bytes.size() >= 4) {
    const std::uint32_t magic = read_big_endian(bytes, 0);
    if (magic != expected_magic) {
      detail::fail(path, "wrong magic number ", magic, " (", idx_kind(magic), "), expected ", expected_magic,
                   " (", idx_kind(expected_magic), ")");
    }
  }
  if (bytes.size() < header.bytes) {
    detail::fail(path, "truncated header: file has ", bytes.size(), " bytes, the header needs ", header.bytes);
  }
  std::ostringstream shape;
  for (std::size_t d = 0; d < num_dims; ++d) {
    const std::uint32_t dim = read_big_endian(bytes, 4 * (1 + d));
    header.dims.push_back(dim);
    shape << (d ? " x " : "") << dim;
    if (dim != 0 && header.payload_bytes > kMaxPayloadBytes / dim) {
      detail::fail(path, "implausible dimensions in header (", shape.str(), " ...)");
    }
    header.payload_bytes *= dim;
  }
  header.shape = shape.str();
  return header;
}

// The file has exactly the payload its header announces. `payload` names the data in messages
// ("pixel", "label").
void check_payload(const std::string& path, const IdxHeader& header, std::uint64_t actual_bytes, const char* payload) {
  if (actual_bytes < header.payload_bytes) {
    detail::fail(path, "truncated: expected ", header.payload_bytes, " bytes of ", payload, " data (", header.shape,
                 "), file has ", actual_bytes);
  }
  if (actual_bytes > header.payload_bytes) {
    detail::fail(path, actual_bytes - header.payload_bytes, " trailing bytes after the ", header.payload_bytes,
                 " bytes of ", payload, " data (", header.shape, ")");
  }
}

// A small IDX file read whole (labels; images go through read_images_matrix).
struct IdxContent {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> file;  // the whole file: header, then exactly product(dims) bytes
  std::size_t header_bytes = 0;

  const std::uint8_t* data() const { return file.data() + header_bytes; }
  std::size_t size() const { return file.size() - header_bytes; }
};

IdxContent read_idx(const std::string& path, std::uint32_t expected_magic, std::size_t num_dims,
                    const char* payload) {
  std::vector<std::uint8_t> bytes = detail::read_file_bytes(path);
  const IdxHeader header = parse_header(path, bytes, expected_magic, num_dims);
  check_payload(path, header, bytes.size() - header.bytes, payload);
  IdxContent content;
  content.dims = header.dims;
  content.file = std::move(bytes);
  content.header_bytes = header.bytes;
  return content;
}

void check_image_size(const std::string& path, const std::vector<std::uint32_t>& dims) {
  if (dims[1] == 0 || dims[2] == 0) detail::fail(path, "image size ", dims[1], " x ", dims[2], " has no pixels");
}

// The images of an IDX file, one per row of a byte matrix on huge pages (the training split
// decodes its minibatches' rows from it, at random: huge pages spare those reads most TLB misses).
// The pixels are inflated straight into place while another thread has the kernel map that memory
// ahead of them: on this VM a fresh 2 MiB page costs ~4 ms, which at first touch would stall the
// inflate, and inflating into a buffer first would cost a copy of the whole matrix.
struct IdxPixels {
  std::uint32_t image_rows = 0, image_cols = 0;
  RowMatrix<std::uint8_t> matrix;  // one image per row
  std::vector<std::uint8_t> header;  // the file's header: with the matrix, its whole content
};

IdxPixels read_images_file(const std::string& path) {
  constexpr std::size_t kHeaderBytes = 16;
  detail::ZlibReader in(path);
  std::vector<std::uint8_t> first(kHeaderBytes);
  first.resize(in.read(first.data(), kHeaderBytes));
  const IdxHeader header = parse_header(path, first, kImagesMagic, 3);
  check_image_size(path, header.dims);
  // With no images the payload check passes whatever the image size: bound it on its own, since
  // the matrix is made (one row per image) before the pixels are read.
  if (std::uint64_t{header.dims[1]} * header.dims[2] > kMaxPayloadBytes) {
    detail::fail(path, "implausible dimensions in header (", header.shape, ")");
  }
  if (header.payload_bytes > in.max_size()) {  // surely truncated: do not allocate what it claims
    check_payload(path, header, in.skip_rest(), "pixel");
  }
  IdxPixels pixels{header.dims[1], header.dims[2], {}, first};
  RowMatrix<std::uint8_t>& matrix = pixels.matrix;
  matrix.resize(static_cast<Eigen::Index>(header.dims[0]),
                static_cast<Eigen::Index>(std::size_t{header.dims[1]} * header.dims[2]));
  const auto bytes = static_cast<std::size_t>(matrix.size());
  detail::advise_huge_pages(matrix.data(), bytes);
  auto mapped = std::async(std::launch::async, [&] { detail::map_for_writing(matrix.data(), bytes); });
  const std::size_t got = in.read(matrix.data(), bytes);
  mapped.get();
  check_payload(path, header, got < bytes ? got : got + in.skip_rest(), "pixel");
  return pixels;
}

detail::ContentPart header_of(const IdxPixels& pixels) { return {pixels.header.data(), pixels.header.size()}; }
detail::ContentPart payload_of(const IdxPixels& pixels) {
  return {pixels.matrix.data(), static_cast<std::size_t>(pixels.matrix.size())};
}

// The images of `path`, from its inflated copy in `cache` when there is a sound one; otherwise
// inflated, and then kept there for the next run.
IdxPixels read_images_matrix(const std::string& path, const InflateCache& cache) {
  detail::InflatedCopy copy(cache, path);
  if (!copy.existing().empty()) {
    try {
      IdxPixels pixels = read_images_file(copy.existing());
      if (copy.verify(header_of(pixels), payload_of(pixels))) return pixels;
    } catch (const DatasetError& error) {
      copy.reject(error.what());
    }
  }
  IdxPixels pixels = read_images_file(path);
  copy.keep(header_of(pixels), payload_of(pixels));
  return pixels;
}

std::vector<std::string> class_names_of(MnistFlavor flavor) {
  if (flavor == MnistFlavor::mnist) return numbered_class_names(kMnistClasses);
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

ByteDataset load_pair(const std::string& images_path, const std::string& labels_path, MnistFlavor flavor,
                      const InflateCache& cache) {
  ByteDataset data;
  IdxPixels pixels = read_images_matrix(images_path, cache);
  data.layout.shape = {pixels.image_rows, pixels.image_cols};
  data.X = std::move(pixels.matrix);
  data.y = read_idx_labels(labels_path);
  if (data.y.size() != static_cast<std::size_t>(data.X.rows())) {
    detail::fail(images_path, "has ", data.X.rows(), " images but ", labels_path, " has ", data.y.size(), " labels");
  }
  data.class_names = class_names_of(flavor);
  return data;
}

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  const IdxPixels pixels = read_images_file(path);
  IdxImages images;
  images.count = static_cast<std::size_t>(pixels.matrix.rows());
  images.rows = pixels.image_rows;
  images.cols = pixels.image_cols;
  images.pixels.assign(pixels.matrix.data(), pixels.matrix.data() + pixels.matrix.size());
  return images;
}

Labels read_idx_labels(const std::string& path) {
  const IdxContent content = read_idx(path, kLabelsMagic, 1, "label");
  Labels labels(content.data(), content.data() + content.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (static_cast<std::size_t>(labels[i]) >= kMnistClasses) {
      detail::fail(path, "label ", labels[i], " at index ", i, " is out of range [0, ", kMnistClasses, ")");
    }
  }
  return labels;
}

std::vector<std::string> mnist_files(const std::string& directory) {
  std::vector<std::string> paths;
  for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                           "t10k-labels-idx1-ubyte"}) {
    // Raw first: when someone has unpacked the archives, the raw file is the one they mean.
    paths.push_back(detail::find_first_existing(directory, {name, std::string(name) + ".gz"}));
  }
  return paths;
}

ByteTrainTest load_mnist_bytes(const std::string& directory, MnistFlavor flavor, const InflateCache& cache) {
  const std::vector<std::string> paths = mnist_files(directory);
  // The test files decompress on another core meanwhile (gunzip is most of the loading time).
  auto test = std::async(std::launch::async, [&] { return load_pair(paths[2], paths[3], flavor, cache); });
  ByteTrainTest data;
  data.train = load_pair(paths[0], paths[1], flavor, cache);
  data.test = test.get();
  if (data.test.layout.shape != data.train.layout.shape) {
    const auto& test_shape = data.test.layout.shape;
    const auto& train_shape = data.train.layout.shape;
    detail::fail(paths[2], "images are ", test_shape[0], " x ", test_shape[1], " pixels but the training images in ",
                 paths[0], " are ", train_shape[0], " x ", train_shape[1]);
  }
  return data;
}

TrainTest load_mnist_directory(const std::string& directory, MnistFlavor flavor) {
  const ByteTrainTest bytes = load_mnist_bytes(directory, flavor);
  return TrainTest{to_float(bytes.train), to_float(bytes.test)};
}

}  // namespace losslab
