// losslab-export-splits: writes the exact splits a config trains on (after splitting and
// preprocessing) as NumPy .npy files, so other tools (the peers in experiments/peers/) can train
// on the very same data.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "losslab/runner/command_line.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/runner/dataset_source.hpp"
#include "losslab/runner/guarded_main.hpp"
#include "npy_format.hpp"

namespace {

// One array's .npy bytes (npy_format.hpp) as a file.
void write_npy(const std::filesystem::path& path, const std::string& npy) {
  std::ofstream out(path, std::ios::binary);
  out.write(npy.data(), static_cast<std::streamsize>(npy.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_split(const std::filesystem::path& directory, const std::string& name, const losslab::Dataset& stored) {
  // An image split is kept encoded in memory; the .npy file holds the floats it decodes to.
  std::optional<losslab::Dataset> decoded;
  if (stored.encoded) decoded = losslab::decoded(stored);
  const losslab::Dataset& split = decoded ? *decoded : stored;
  const auto rows = static_cast<std::size_t>(split.X.rows()), cols = static_cast<std::size_t>(split.X.cols());
  write_npy(directory / (name + "_X.npy"), losslab::npy::floats({rows, cols}, split.X.data()));  // RowMatrix: C order
  write_npy(directory / (name + "_y.npy"), losslab::npy::int32s({rows}, split.y.data()));
}

}  // namespace

static int run(int argc, char** argv) {
  CLI::App app{"Write the train/val/test splits CONFIG trains on (after preprocessing) as .npy files:\n"
               "OUTDIR/{train,val,test}_X.npy (float32, N x D, C order) and {train,val,test}_y.npy (int32)."};
  app.footer("Exit codes: 0 written; 1 the dataset could not be loaded or a file written; 2 invalid config or "
             "arguments.");
  std::string config_path, output;
  std::vector<std::string> overrides;
  app.add_option("config", config_path, "The experiment's YAML file")->required()->check(CLI::ExistingFile);
  app.add_option("outdir", output, "Directory for the .npy files (created if missing)")->required();
  app.add_option("--set", overrides, "Override a config key: KEY=VALUE, as for losslab-run")->take_all();
  if (const auto exit_code = losslab::runner::parse_command_line(app, argc, argv)) return *exit_code;
  try {
    const auto config = losslab::runner::load_experiment_config(config_path, overrides);
    const auto dataset = losslab::runner::load_dataset(config.base);
    std::filesystem::create_directories(output);
    write_split(output, "train", dataset.splits->train);
    write_split(output, "val", dataset.splits->val);
    write_split(output, "test", dataset.splits->test);
    std::printf("%s -> %s\n", dataset.description.c_str(), output.c_str());
    return 0;
  } catch (const losslab::runner::ConfigError& error) {
    for (const auto& d : error.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "losslab-export-splits: %s\n", error.what());
    return 1;
  }
}

int main(int argc, char** argv) {
  return losslab::runner::guarded_main("losslab-export-splits", 1, [&] { return run(argc, argv); });
}
