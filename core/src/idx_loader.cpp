// IDX files (MNIST, Fashion-MNIST): a big-endian header (magic, dimensions) then raw bytes.

#include <future>

#include "huge_pages.hpp"
#include "loader_support.hpp"
#include "losslab/loaders.hpp"
#include "two_halves.hpp"

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

struct IdxContent {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> file;  // the whole file: header, then exactly product(dims) bytes
  std::size_t header_bytes = 0;

  const std::uint8_t* data() const { return file.data() + header_bytes; }
  std::size_t size() const { return file.size() - header_bytes; }
};

// Checks magic, header and payload length. `payload` names the data in messages ("pixel", "label").
IdxContent read_idx(const std::string& path, std::uint32_t expected_magic, std::size_t num_dims,
                    const char* payload) {
  std::vector<std::uint8_t> bytes = detail::read_file_bytes(path);
  const std::size_t header_bytes = 4 * (1 + num_dims);
  if (bytes.size() >= 4) {
    const std::uint32_t magic = read_big_endian(bytes, 0);
    if (magic != expected_magic) {
      detail::fail(path, "wrong magic number ", magic, " (", idx_kind(magic), "), expected ", expected_magic,
                   " (", idx_kind(expected_magic), ")");
    }
  }
  if (bytes.size() < header_bytes) {
    detail::fail(path, "truncated header: file has ", bytes.size(), " bytes, the header needs ", header_bytes);
  }

  IdxContent content;
  std::uint64_t expected_bytes = 1;
  std::ostringstream shape;
  for (std::size_t d = 0; d < num_dims; ++d) {
    const std::uint32_t dim = read_big_endian(bytes, 4 * (1 + d));
    content.dims.push_back(dim);
    shape << (d ? " x " : "") << dim;
    if (dim != 0 && expected_bytes > kMaxPayloadBytes / dim) {
      detail::fail(path, "implausible dimensions in header (", shape.str(), " ...)");
    }
    expected_bytes *= dim;
  }
  const std::size_t actual_bytes = bytes.size() - header_bytes;
  if (actual_bytes < expected_bytes) {
    detail::fail(path, "truncated: expected ", expected_bytes, " bytes of ", payload, " data (", shape.str(),
                 "), file has ", actual_bytes);
  }
  if (actual_bytes > expected_bytes) {
    detail::fail(path, actual_bytes - expected_bytes, " trailing bytes after the ", expected_bytes, " bytes of ",
                 payload, " data (", shape.str(), ")");
  }
  // The header stays in front: moving 47 MB of pixels down by 16 bytes would cost a pass over them.
  content.file = std::move(bytes);
  content.header_bytes = header_bytes;
  return content;
}

std::vector<std::string> class_names_of(MnistFlavor flavor) {
  if (flavor == MnistFlavor::mnist) return numbered_class_names(kMnistClasses);
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

IdxContent read_images_content(const std::string& path) {
  IdxContent content = read_idx(path, kImagesMagic, 3, "pixel");
  if (content.dims[1] == 0 || content.dims[2] == 0) {
    detail::fail(path, "image size ", content.dims[1], " x ", content.dims[2], " has no pixels");
  }
  return content;
}

ByteDataset load_pair(const std::string& images_path, const std::string& labels_path, MnistFlavor flavor) {
  const IdxContent images = read_images_content(images_path);
  const std::size_t count = images.dims[0];
  Labels labels = read_idx_labels(labels_path);
  if (labels.size() != count) {
    detail::fail(images_path, "has ", count, " images but ", labels_path, " has ", labels.size(), " labels");
  }
  using ByteMatrix = RowMatrix<std::uint8_t>;
  const auto features = static_cast<Eigen::Index>(std::size_t{images.dims[1]} * images.dims[2]);
  ByteDataset data;
  // The training split decodes its minibatches' rows straight from this matrix, at random: huge
  // pages spare those reads most TLB misses. Filled by two threads, since faulting in fresh huge
  // pages is most of the cost.
  data.X.resize(static_cast<Eigen::Index>(count), features);
  detail::advise_huge_pages(data.X.data(), static_cast<std::size_t>(data.X.size()));
  detail::in_two_halves(count, [&](std::size_t begin, std::size_t end) {
    const auto rows = static_cast<Eigen::Index>(end - begin);
    data.X.middleRows(static_cast<Eigen::Index>(begin), rows) =
        Eigen::Map<const ByteMatrix>(images.data() + begin * static_cast<std::size_t>(features), rows, features);
  });
  data.y = std::move(labels);
  data.class_names = class_names_of(flavor);
  return data;
}

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  const IdxContent content = read_images_content(path);
  IdxImages images;
  images.count = content.dims[0];
  images.rows = content.dims[1];
  images.cols = content.dims[2];
  images.pixels.assign(content.data(), content.data() + content.size());
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

ByteTrainTest load_mnist_bytes(const std::string& directory, MnistFlavor flavor) {
  const std::vector<std::string> paths = mnist_files(directory);
  // The test files decompress on another core meanwhile (gunzip is most of the loading time).
  auto test = std::async(std::launch::async, [&] { return load_pair(paths[2], paths[3], flavor); });
  ByteTrainTest data;
  data.train = load_pair(paths[0], paths[1], flavor);
  data.test = test.get();
  if (data.test.dimension() != data.train.dimension()) {
    detail::fail(paths[2], "images have ", data.test.dimension(), " pixels but the training images in ",
                 paths[0], " have ", data.train.dimension());
  }
  return data;
}

TrainTest load_mnist_directory(const std::string& directory, MnistFlavor flavor) {
  const ByteTrainTest bytes = load_mnist_bytes(directory, flavor);
  return TrainTest{to_float(bytes.train), to_float(bytes.test)};
}

}  // namespace losslab
