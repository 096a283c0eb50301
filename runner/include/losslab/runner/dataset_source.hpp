// Loads the dataset a config describes, once per process, ready to share read-only between trials.
#pragma once

#include <map>
#include <string>

#include "losslab/dataset.hpp"
#include "losslab/loaders.hpp"
#include "losslab/runner/params.hpp"
#include "losslab/runner/results/records.hpp"

namespace losslab::runner {

struct LoadedDataset {
  SharedSplits splits;
  Preprocessing preprocessing;                   // what scoring raw examples with weights trained on it takes
  std::map<std::string, std::string> checksums;  // every file read -> "crc32:89abcdef size:123"
  std::string description;                       // "fashion-mnist: 50000 train / 10000 val / ..."
};

// Reads the files (or generates the synthetic data), splits and preprocesses as the dataset.*
// keys say. Throws losslab::DatasetError for unreadable or malformed files.
LoadedDataset load_dataset(const ResolvedParams& params);

// The CSV loader's options as dataset.header and dataset.label_column give them.
CsvOptions csv_options(const ResolvedParams& params);

// Where inflated copies of gzip'd image files are kept between runs (see losslab::InflateCache):
// $LOSSLAB_CACHE_DIR (set but empty: nowhere), else $XDG_CACHE_HOME/losslab, else
// $HOME/.cache/losslab.
std::string inflate_cache_directory();

// "crc32:xxxxxxxx size:N" of a file's bytes as stored on disk.
std::string file_checksum(const std::string& path);

}  // namespace losslab::runner
