// losslab-export-splits writes exactly the splits the runner trains on, as valid .npy files.
#include <gtest/gtest.h>

#include <cstring>

#include "losslab/runner/config.hpp"
#include "losslab/runner/dataset_source.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab::runner {
namespace {

struct Npy {
  std::string header;
  std::string data;
};

Npy read_npy(const std::string& path) {
  const std::string bytes = test_support::ChildProcess::slurp(path);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t length = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + length) % 64, 0u) << "data must start 64-byte aligned";
  return {bytes.substr(10, length), bytes.substr(10 + length)};
}

TEST(ExportSplits, WritesTheSplitsTheRunnerTrainsOn) {
  test_support::TempDir dir;
  const std::string config = dir.write("blobs.yaml",
                                       "name: blobs\n"
                                       "dataset:\n"
                                       "  kind: synthetic\n"
                                       "  synthetic: {shape: blobs, classes: 3, dimension: 4, per_class: 50}\n"
                                       "  test: 30\n"
                                       "  validation: 20\n");
  const auto run = test_support::run_program(
      {test_support::program_path("losslab-export-splits"), config, dir.file("out")}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto expected = load_dataset(load_experiment_config(config).base);
  const Npy X = read_npy(dir.file("out/train_X.npy"));
  EXPECT_NE(X.header.find("'descr': '<f4'"), std::string::npos) << X.header;
  EXPECT_NE(X.header.find("'shape': (100, 5)"), std::string::npos) << X.header;  // 150 - 30 - 20, 4 + bias
  ASSERT_EQ(X.data.size(), 100u * 5u * sizeof(float));
  EXPECT_EQ(std::memcmp(X.data.data(), decoded(expected.splits->train).X.data(), X.data.size()), 0);
  const Npy y = read_npy(dir.file("out/val_y.npy"));
  EXPECT_NE(y.header.find("'descr': '<i4'"), std::string::npos) << y.header;
  EXPECT_NE(y.header.find("'shape': (20,)"), std::string::npos) << y.header;
  ASSERT_EQ(y.data.size(), 20u * sizeof(std::int32_t));
  EXPECT_EQ(std::memcmp(y.data.data(), expected.splits->val.y.data(), y.data.size()), 0);
  EXPECT_NE(read_npy(dir.file("out/test_X.npy")).header.find("'shape': (30, 5)"), std::string::npos);
}

}  // namespace
}  // namespace losslab::runner
