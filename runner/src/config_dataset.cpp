// dataset.*: the defaults that depend on the kind, path resolution and the files-exist check, so
// a sweep never starts only to fail on its first trial.
#include <algorithm>
#include <vector>

#include "config_internal.hpp"
#include "losslab/dataset.hpp"
#include "losslab/loaders.hpp"
#include "losslab/runner/dataset_source.hpp"

namespace losslab::runner::detail {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

bool needs_path(const std::string& kind) { return kind != "synthetic"; }
bool ships_test_set(const std::string& kind) { return kind == "fashion-mnist" || kind == "mnist" || kind == "cifar10"; }

class DatasetResolver {
 public:
  DatasetResolver(const WrittenConfig& written, const fs::path& config_dir, ResolvedParams& base,
                  Diagnostics& diagnostics)
      : written_(written), config_dir_(config_dir), base_(base), diagnostics_(diagnostics) {}

  void resolve() {
    if (written_.invalid.count("dataset.kind")) return;  // nothing below can be checked
    const std::string kind = get_string(base_, "dataset.kind");
    resolve_path(kind);
    resolve_test(kind);
  }

 private:
  // A relative path from the file is relative to the file; one from --set to the current directory.
  std::string absolute(const std::string& key) const {
    const std::string& path = get_string(base_, key);
    const auto written = written_.values.find(key);
    if (path.empty() || fs::path(path).is_absolute() || written == written_.values.end()) return path;
    const fs::path base = written->second.location.file == written_.file ? config_dir_ : fs::path();
    std::error_code ignored;
    return fs::absolute(base / path, ignored).lexically_normal().string();
  }

  void resolve_path(const std::string& kind) {
    if (written_.invalid.count("dataset.path")) return;
    if (kind == "fashion-mnist" && get_string(base_, "dataset.path").empty())
      base_["dataset.path"] = std::string(kDefaultFashionMnistDir);
    base_["dataset.path"] = absolute("dataset.path");
    const std::string& path = get_string(base_, "dataset.path");
    if (!needs_path(kind)) return;
    if (path.empty()) {
      diagnostics_.error(written_.where("dataset.kind"), "dataset.path is required when dataset.kind is " + kind);
      return;
    }
    const Location where = written_.where("dataset.path");
    if (kind == "csv") {
      if (check_file(path, "dataset.path", where)) check_label_column(path, "dataset.path");
    } else if (check_directory(path, where)) {
      if (kind == "cifar10") {
        check_cifar10(path, where);
      } else {
        try {
          mnist_files(path);  // throws naming the first IDX file missing
        } catch (const DatasetError& error) {
          diagnostics_.error(where, std::string("dataset.path: ") + error.what());
        }
      }
    }
  }

  void resolve_test(const std::string& kind) {
    if (!written_.invalid.count("dataset.test_path")) {
      base_["dataset.test_path"] = absolute("dataset.test_path");
      const std::string& test_path = get_string(base_, "dataset.test_path");
      if (!test_path.empty()) {
        if (kind != "csv") {
          diagnostics_.error(written_.where("dataset.test_path"),
                             "dataset.test_path is only read when dataset.kind is csv, not " + kind);
        } else {
          if (check_file(test_path, "dataset.test_path", written_.where("dataset.test_path")))
            check_label_column(test_path, "dataset.test_path");
        }
      }
    }
    if (written_.invalid.count("dataset.test") || written_.invalid.count("dataset.test_path")) return;
    const bool separate_test_file = kind == "csv" && !get_string(base_, "dataset.test_path").empty();
    if (!ships_test_set(kind) && !separate_test_file) {
      if (!written_.has("dataset.test")) base_["dataset.test"] = 0.2;
      return;
    }
    if (get_number(base_, "dataset.test") != 0) {
      diagnostics_.error(written_.where("dataset.test"),
                         separate_test_file ? "dataset.test must be 0 when dataset.test_path is given"
                                            : "dataset.test must be 0 for " + kind + ": its files include a test set");
    }
  }

  bool check_directory(const std::string& path, const Location& where) {
    std::error_code ignored;
    if (fs::is_directory(path, ignored)) return true;
    diagnostics_.error(where, fs::exists(path, ignored) ? "dataset.path: " + path + " is not a directory"
                                                       : "dataset.path: no such directory: " + path);
    return false;
  }

  bool check_file(const std::string& path, const std::string& key, const Location& where) {
    std::error_code ignored;
    if (fs::is_regular_file(path, ignored)) return true;
    diagnostics_.error(where, fs::is_directory(path, ignored) ? key + ": " + path + " is a directory, not a CSV file"
                                                             : key + ": no such file: " + path);
    return false;
  }

  // dataset.label_column against the CSV file's first row (read alone, however large the file), so
  // a wrong name or index stops the config rather than the first trial.
  void check_label_column(const std::string& path, const std::string& path_key) {
    if (written_.invalid.count("dataset.header") || written_.invalid.count("dataset.label_column")) return;
    const CsvOptions options = csv_options(base_);
    const bool label_written = written_.has("dataset.label_column");
    const Location where = written_.where(label_written                    ? "dataset.label_column"
                                          : written_.has("dataset.header") ? "dataset.header"
                                                                           : path_key);
    if (!options.header && !parse_column_position(options.label_column)) {
      if (path_key == "dataset.path") {  // said once, not again for the test file
        diagnostics_.error(where, label_written ? "dataset.label_column: '" + options.label_column +
                                                      "' is a column name, but dataset.header is false: give the "
                                                      "label column's 0-based index or last"
                                                : "dataset.label_column is required when dataset.header is false: "
                                                  "the label column's 0-based index or last");
      }
      return;
    }
    try {
      read_csv_layout(path, options);
    } catch (const DatasetError& error) {
      diagnostics_.error(where, path_key + ": " + error.what());
    }
  }

  void check_cifar10(const std::string& directory, const Location& where) {
    std::string missing;
    std::error_code ignored;
    for (const std::string& file : cifar10_files(directory))
      if (!fs::is_regular_file(file, ignored))
        missing += (missing.empty() ? "" : ", ") + fs::path(file).filename().string();
    if (!missing.empty())
      diagnostics_.error(where, "dataset.path: " + directory + " lacks " + missing +
                                    " (a CIFAR-10 binary directory holds data_batch_1..5.bin, test_batch.bin and "
                                    "batches.meta.txt)");
  }

  const WrittenConfig& written_;
  fs::path config_dir_;
  ResolvedParams& base_;
  Diagnostics& diagnostics_;
};

}  // namespace

void resolve_dataset(const WrittenConfig& written, const std::filesystem::path& config_dir, ResolvedParams& base,
                     Diagnostics& diagnostics) {
  DatasetResolver(written, config_dir, base, diagnostics).resolve();
}

}  // namespace losslab::runner::detail
