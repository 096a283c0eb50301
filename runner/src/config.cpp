#include "losslab/runner/config.hpp"

#include <fstream>
#include <sstream>

#include "config_internal.hpp"

namespace losslab::runner {
namespace {

std::string joined_messages(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) text += (text.empty() ? "" : "\n") + diagnostic.to_string();
  return text;
}

// Every schema parameter: the written value, else its default.
ResolvedParams base_params(const detail::WrittenConfig& written) {
  ResolvedParams params;
  for (const detail::KeySpec& spec : detail::key_specs()) {
    if (!spec.param) continue;
    const auto it = written.values.find(spec.key);
    params[spec.key] = it != written.values.end() ? it->second.value : spec.default_value;
  }
  return params;
}

ExperimentConfig read_config(const std::string& yaml_text, const std::string& file,
                             const std::vector<std::string>& overrides, const std::filesystem::path& config_dir) {
  detail::Diagnostics diagnostics;
  std::optional<detail::YamlNode> root = detail::parse_yaml(yaml_text, {.file = file}, diagnostics);
  // Overrides are grafted even into a broken file, so that their own mistakes are reported too.
  detail::YamlNode tree = root ? std::move(*root) : detail::YamlNode{};
  for (std::size_t i = 0; i < overrides.size(); ++i)
    detail::apply_override(tree, overrides[i], static_cast<int>(i) + 1, diagnostics);
  if (root && !tree.is_mapping() && !tree.is_null()) {
    diagnostics.error(tree.location, "expected a mapping of sections (dataset, loss, regularization, optimizer, "
                                     "training, sweep), got " + detail::describe_node(tree));
  }
  if (!root || (!tree.is_mapping() && !tree.is_null())) throw ConfigError(diagnostics.sorted(file));

  const detail::WrittenConfig written = detail::read_written(tree, file, diagnostics);
  ExperimentConfig config;
  config.file = file;
  config.yaml_text = yaml_text;
  config.overrides = overrides;
  const auto name = written.values.find("name");
  config.name = name != written.values.end() ? std::get<std::string>(name->second.value)
                                             : std::filesystem::path(file).stem().string();
  if (config.name.empty()) config.name = "experiment";
  config.base = base_params(written);
  detail::resolve_dataset(written, config_dir, config.base, diagnostics);
  config.sweep = detail::read_sweep(written, diagnostics);
  if (!diagnostics.empty()) throw ConfigError(diagnostics.sorted(file));
  return config;
}

}  // namespace

std::string Diagnostic::to_string() const {
  std::string text = file;
  if (line > 0) {
    text += ":" + std::to_string(line);
    if (column > 0) text += ":" + std::to_string(column);
  }
  return text + ": " + message;
}

ConfigError::ConfigError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(joined_messages(diagnostics)), diagnostics_(std::move(diagnostics)) {}

ExperimentConfig parse_experiment_config(const std::string& yaml_text, const std::string& file,
                                         const std::vector<std::string>& overrides) {
  return read_config(yaml_text, file, overrides, std::filesystem::path());
}

ExperimentConfig load_experiment_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw ConfigError({{path, 0, 0, "is a directory, not a config file"}});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError({{path, 0, 0, "cannot read the config file (does it exist?)"}});
  // Read one byte past the limit at most: the path may name a pipe or a device that never ends.
  std::string text(ConfigLimits::max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw ConfigError({{path, 0, 0, "cannot read the config file"}});
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > ConfigLimits::max_bytes) {
    throw ConfigError({{path, 0, 0, "the file is larger than " + std::to_string(ConfigLimits::max_bytes) +
                                        " bytes, the limit for a config"}});
  }
  return read_config(text, path, overrides, std::filesystem::path(path).parent_path());
}

}  // namespace losslab::runner
