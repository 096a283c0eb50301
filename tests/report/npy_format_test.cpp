// The .npy writer and the .npz archive (tools/numpy): the format's bytes worked out by hand, and
// every kind of array read back by NumPy itself (Debian's python3-numpy, /usr/bin/python3).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "npy_format.hpp"
#include "npz_archive.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab::npy {
namespace {

using test_support::TempDir;

TEST(NpyFormat, AScalarBoolByHand) {
  // The dict is 55 characters; with the 10-byte preamble and the final newline the data would start
  // at 66, so 62 spaces pad it to 128: a header length of 118.
  const std::string bytes = boolean(true);
  const std::string dict = "{'descr': '|b1', 'fortran_order': False, 'shape': (), }";
  ASSERT_EQ(dict.size(), 55u);
  ASSERT_EQ(bytes.size(), 129u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(static_cast<unsigned char>(bytes[8]), 118);
  EXPECT_EQ(bytes[9], 0);
  EXPECT_EQ(bytes.substr(10, 55), dict);
  EXPECT_EQ(bytes.substr(65, 62), std::string(62, ' '));
  EXPECT_EQ(bytes[127], '\n');
  EXPECT_EQ(bytes[128], 1);
}

TEST(NpyFormat, StringsAreUtf32CodePointsPaddedToTheLongest) {
  const std::string bytes = strings({2}, {"ab", "\xc3\xa9"});  // "é" is one code point, U+00E9
  const std::string header = bytes.substr(10, static_cast<unsigned char>(bytes[8]));
  EXPECT_NE(header.find("'descr': '<U2'"), std::string::npos) << header;
  EXPECT_NE(header.find("'shape': (2,)"), std::string::npos) << header;
  EXPECT_EQ(bytes.size() % 64, 16u);
  EXPECT_EQ(bytes.substr(bytes.size() - 16), std::string("a\0\0\0b\0\0\0\xe9\0\0\0\0\0\0\0", 16));
  EXPECT_THROW(strings({1}, {"\xff"}), std::invalid_argument);
  EXPECT_THROW(strings({1}, {"\xc3"}), std::invalid_argument);  // cut off
  EXPECT_THROW(strings({2}, {"one"}), std::invalid_argument);    // the shape holds two
}

TEST(NpzArchive, NumpyReadsEveryArrayBack) {
  TempDir dir;
  const float matrix[] = {1, 2, 3, 4, 5, 6};  // column-major 2 x 3: rows (1 3 5) and (2 4 6)
  const std::int64_t longs[] = {28, -28};
  const std::int32_t ints[] = {7, -1, 0};
  const std::string path = dir.file("arrays.npz");
  write_npz(path, {{"matrix", floats({2, 3}, matrix, true)},
                   {"rows", floats({3, 2}, matrix)},
                   {"empty", floats({0, 3}, nullptr)},
                   {"longs", int64s({2}, longs)},
                   {"ints", int32s({3}, ints)},
                   {"flag", boolean(false)},
                   {"names", strings({3}, {"T-shirt/top", "Ankle boot", "caf\xc3\xa9"})},
                   {"word", string("softmax")}});
  const std::string script = dir.write("read.py", std::string(R"(import json, sys, numpy as np
archive = np.load(sys.argv[1])
print(json.dumps({name: {"dtype": archive[name].dtype.str, "shape": list(archive[name].shape),
                         "values": archive[name].tolist()} for name in archive.files}))
)"));
  const auto run = test_support::run_program({"/usr/bin/python3", script, path}, dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json arrays = nlohmann::json::parse(run.out);
  EXPECT_EQ(arrays["matrix"]["values"], nlohmann::json::parse("[[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]"));
  EXPECT_EQ(arrays["matrix"]["dtype"], "<f4");
  EXPECT_EQ(arrays["rows"]["values"], nlohmann::json::parse("[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]"));
  EXPECT_EQ(arrays["empty"]["shape"], nlohmann::json::parse("[0, 3]"));
  EXPECT_EQ(arrays["longs"]["values"], nlohmann::json::parse("[28, -28]"));
  EXPECT_EQ(arrays["longs"]["dtype"], "<i8");
  EXPECT_EQ(arrays["ints"]["values"], nlohmann::json::parse("[7, -1, 0]"));
  EXPECT_EQ(arrays["ints"]["dtype"], "<i4");
  EXPECT_EQ(arrays["flag"]["values"], false);
  EXPECT_EQ(arrays["flag"]["shape"], nlohmann::json::array());
  EXPECT_EQ(arrays["names"]["values"], nlohmann::json::parse(R"(["T-shirt/top", "Ankle boot", "caf\u00e9"])"));
  EXPECT_EQ(arrays["names"]["dtype"], "<U11");
  EXPECT_EQ(arrays["word"]["values"], "softmax");
}

TEST(NpzArchive, AFileThatCannotBeWrittenIsAnErrorAndLeavesNothing) {
  TempDir dir;
  const std::string path = dir.file("missing/arrays.npz");
  try {
    write_npz(path, {{"flag", boolean(true)}});
    FAIL() << "wrote into a directory that does not exist";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot write " + path), std::string::npos) << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("missing")));
}

}  // namespace
}  // namespace losslab::npy
