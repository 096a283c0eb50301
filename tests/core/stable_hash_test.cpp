// The hash behind trial keys and inflated copies' names: FNV-1a, 64 bits, against the published
// test vectors of its authors (Fowler, Noll, Vo).
#include <gtest/gtest.h>

#include <string>

#include "losslab/stable_hash.hpp"

namespace losslab {
namespace {

TEST(StableHash, MatchesFnv1aTestVectors) {
  EXPECT_EQ(stable_hash_hex(""), "cbf29ce484222325");  // the offset basis
  EXPECT_EQ(stable_hash_hex("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(stable_hash_hex("foobar"), "85944171f73967e8");
}

TEST(StableHash, EveryByteCounts) {
  EXPECT_NE(stable_hash_hex("ab"), stable_hash_hex("ba"));
  EXPECT_NE(stable_hash_hex(std::string("a\0b", 3)), stable_hash_hex("ab"));
}

}  // namespace
}  // namespace losslab
