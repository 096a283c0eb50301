// Where losslab-run keeps inflated copies of gzip'd image files: the environment decides.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "losslab/runner/dataset_source.hpp"
#include "support/scoped_environment.hpp"

namespace losslab::runner {
namespace {

using test_support::ScopedEnvironment;

TEST(InflateCacheDirectory, LosslabCacheDirComesFirst) {
  ScopedEnvironment env({{"LOSSLAB_CACHE_DIR", "/data/copies"}, {"XDG_CACHE_HOME", "/x"}, {"HOME", "/home/u"}});
  EXPECT_EQ(inflate_cache_directory(), "/data/copies");
}

TEST(InflateCacheDirectory, EmptyLosslabCacheDirMeansNone) {
  ScopedEnvironment env({{"LOSSLAB_CACHE_DIR", ""}, {"XDG_CACHE_HOME", "/x"}, {"HOME", "/home/u"}});
  EXPECT_EQ(inflate_cache_directory(), "");
}

TEST(InflateCacheDirectory, ThenXdgCacheHomeThenHome) {
  {
    ScopedEnvironment env({{"LOSSLAB_CACHE_DIR", std::nullopt}, {"XDG_CACHE_HOME", "/x"}, {"HOME", "/home/u"}});
    EXPECT_EQ(inflate_cache_directory(), "/x/losslab");
  }
  {
    ScopedEnvironment env({{"LOSSLAB_CACHE_DIR", std::nullopt}, {"XDG_CACHE_HOME", ""}, {"HOME", "/home/u"}});
    EXPECT_EQ(inflate_cache_directory(), "/home/u/.cache/losslab");
  }
  {
    ScopedEnvironment env({{"LOSSLAB_CACHE_DIR", std::nullopt}, {"XDG_CACHE_HOME", std::nullopt}, {"HOME", std::nullopt}});
    EXPECT_EQ(inflate_cache_directory(), "");
  }
}

}  // namespace
}  // namespace losslab::runner
