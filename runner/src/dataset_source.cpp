#include "losslab/runner/dataset_source.hpp"

#include <spdlog/spdlog.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <vector>

#include "losslab/loaders.hpp"
#include "losslab/splits.hpp"

namespace losslab::runner {
namespace {

std::vector<PreprocessStep> preprocess_steps(const ResolvedParams& params) {
  std::vector<PreprocessStep> steps;
  for (const auto& name : get_string_list(params, "dataset.preprocess"))
    steps.push_back(parse_preprocess_step(name));
  return steps;
}

// Holds `test` examples (count or fraction) out of one set of examples, for the formats that
// ship no separate test set.
TrainTest hold_out_test(Dataset data, double test, std::uint64_t seed) {
  // A parameter may live until the end of the caller's full expression (GCC does so), which here
  // spans preparing the splits: moved into a local, the unsplit data is freed on return.
  const Dataset all = std::move(data);
  auto [train, held_out] = split_validation(all, test, seed);
  return TrainTest{std::move(train), std::move(held_out)};
}

Dataset synthetic_data(const ResolvedParams& params) {
  const std::string shape = get_string(params, "dataset.synthetic.shape");
  const auto seed = static_cast<std::uint64_t>(get_integer(params, "dataset.synthetic.seed"));
  const auto classes = static_cast<std::size_t>(get_integer(params, "dataset.synthetic.classes"));
  const auto per_class = static_cast<std::size_t>(get_integer(params, "dataset.synthetic.per_class"));
  if (shape == "toy2d") return make_toy2d();
  if (shape == "spiral")
    return make_spiral({classes, per_class, get_number(params, "dataset.synthetic.noise"), seed});
  BlobsOptions blobs;
  blobs.classes = classes;
  blobs.per_class = per_class;
  blobs.dimension = static_cast<std::size_t>(get_integer(params, "dataset.synthetic.dimension"));
  blobs.spread = get_number(params, "dataset.synthetic.spread");
  blobs.seed = seed;
  blobs.generator = static_cast<int>(get_integer(params, "dataset.synthetic.generator"));
  return make_blobs(blobs);
}

// The files a dataset is read from (none for synthetic data), as their runs record them.
std::vector<std::string> dataset_files(const ResolvedParams& params) {
  const std::string kind = get_string(params, "dataset.kind");
  const std::string path = get_string(params, "dataset.path");
  if (kind == "fashion-mnist" || kind == "mnist") return mnist_files(path);
  if (kind == "cifar10") return cifar10_files(path);
  if (kind != "csv") return {};
  std::vector<std::string> files{path};
  if (const std::string test_path = get_string(params, "dataset.test_path"); !test_path.empty())
    files.push_back(test_path);
  return files;
}

InflateCache inflate_cache() {
  InflateCache cache;
  cache.directory = inflate_cache_directory();
  cache.on_note = [](const std::string& note) { spdlog::debug("{}", note); };
  cache.on_problem = [](const std::string& problem) { spdlog::warn("{}", problem); };
  return cache;
}

}  // namespace

CsvOptions csv_options(const ResolvedParams& params) {
  CsvOptions options;
  options.header = get_bool(params, "dataset.header");
  options.label_column = get_string(params, "dataset.label_column");
  return options;
}

std::string inflate_cache_directory() {
  if (const char* chosen = std::getenv("LOSSLAB_CACHE_DIR")) return chosen;  // set but empty: no cache
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0')
    return std::string(xdg) + "/losslab";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return std::string(home) + "/.cache/losslab";
  return "";
}

std::string file_checksum(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DatasetError(path, "cannot open file to checksum it");
  std::vector<char> buffer(1 << 20);
  uLong crc = crc32(0L, Z_NULL, 0);
  std::uint64_t size = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = in.gcount();
    crc = crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), static_cast<uInt>(got));
    size += static_cast<std::uint64_t>(got);
  }
  char text[64];
  std::snprintf(text, sizeof text, "crc32:%08lx size:%llu", crc, static_cast<unsigned long long>(size));
  return text;
}

LoadedDataset load_dataset(const ResolvedParams& params) {
  const std::string kind = get_string(params, "dataset.kind");
  const std::string path = get_string(params, "dataset.path");
  const auto split_seed = static_cast<std::uint64_t>(get_integer(params, "dataset.split_seed"));
  const double test = get_number(params, "dataset.test");
  // The course evaluates on the first 1000 test images of CIFAR-10; test_limit allows the same.
  const auto test_limit = static_cast<std::size_t>(get_integer(params, "dataset.test_limit"));
  const double validation = get_number(params, "dataset.validation");
  const auto limit = static_cast<std::size_t>(get_integer(params, "dataset.limit"));

  const std::vector<std::string> files = dataset_files(params);
  // Checksummed on another core while the data loads.
  auto checksums = std::async(std::launch::async, [&files] {
    std::map<std::string, std::string> sums;
    for (const auto& file : files) sums[file] = file_checksum(file);
    return sums;
  });
  std::shared_ptr<Splits> splits;
  // Image formats arrive as bytes (ByteTrainTest), the others as floats (TrainTest); either way
  // prepare_splits converts each split once (the memory peak).
  const auto prepare = [&](auto data) {
    data.test = take_first(data.test, test_limit);
    return std::make_shared<Splits>(
        prepare_splits(std::move(data), validation, limit, preprocess_steps(params), split_seed));
  };
  if (kind == "fashion-mnist" || kind == "mnist") {
    splits = prepare(load_mnist_bytes(path, kind == "mnist" ? MnistFlavor::mnist : MnistFlavor::fashion_mnist,
                                      inflate_cache()));
  } else if (kind == "cifar10") {
    splits = prepare(load_cifar10_bytes(path));
  } else if (kind == "csv") {
    const CsvOptions csv = csv_options(params);
    const std::string test_path = get_string(params, "dataset.test_path");
    if (!test_path.empty()) {
      splits = prepare(load_csv_pair(path, test_path, csv));
    } else {
      splits = prepare(hold_out_test(load_csv(path, csv), test, split_seed));
    }
  } else {
    splits = prepare(hold_out_test(synthetic_data(params), test, split_seed));
  }

  LoadedDataset loaded;
  loaded.preprocessing.dataset_kind = kind;
  loaded.preprocessing.layout = splits->train.layout;
  if (kind == "csv") loaded.preprocessing.label_column = get_string(params, "dataset.label_column");
  loaded.preprocessing.class_names = splits->train.class_names;
  loaded.preprocessing.steps = splits->preprocessing;
  loaded.checksums = checksums.get();
  loaded.description = kind + ": " + std::to_string(splits->train.size()) + " train / " +
                       std::to_string(splits->val.size()) + " val / " + std::to_string(splits->test.size()) +
                       " test, " + std::to_string(splits->train.dimension()) + " features, " +
                       std::to_string(splits->train.num_classes()) + " classes";
  loaded.splits = std::move(splits);
  return loaded;
}

}  // namespace losslab::runner
