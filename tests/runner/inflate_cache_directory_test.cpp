// Where losslab-run keeps inflated copies of gzip'd image files: the environment decides.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "losslab/runner/dataset_source.hpp"

namespace losslab::runner {
namespace {

// Sets (or, with nullopt, unsets) the variables for one test and puts the old values back after.
class ScopedEnvironment {
 public:
  explicit ScopedEnvironment(const std::map<std::string, std::optional<std::string>>& values) {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
      apply(name, value);
    }
  }
  ~ScopedEnvironment() {
    for (const auto& [name, value] : saved_) apply(name, value);
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  static void apply(const std::string& name, const std::optional<std::string>& value) {
    if (value) {
      setenv(name.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name.c_str());
    }
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

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
