// libFuzzer target: the experiment config parser (parse_experiment_config) and the sweep
// expansion, on arbitrary text. Lines of the form "#set KEY=VALUE" (YAML comments, so the file
// still parses the same) are also passed as --set overrides, so the override parser is fuzzed too.
// Expected failure: losslab::runner::ConfigError (which must carry at least one diagnostic).
// Anything else thrown, a crash, a sanitizer report or a timeout is a finding.
// The parser checks that dataset paths exist: the seeds use /usr/share/datasets/fashion-mnist
// (the default path), so valid configs get through to the sweep expansion where it is installed.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/runner/trials.hpp"
#include "tpe_rounds.hpp"

namespace {

using losslab::fuzz::finding;

std::vector<std::string> overrides_in(const std::string& text) {
  std::vector<std::string> overrides;
  constexpr std::string_view kPrefix = "#set ";
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    if (line.starts_with(kPrefix)) overrides.emplace_back(line.substr(kPrefix.size()));
    start = end + 1;
  }
  return overrides;
}

// The number of trials the sweep would expand to, saturating.
std::size_t expansion_size(const losslab::runner::SweepSpec& sweep) {
  constexpr std::size_t kSaturated = std::numeric_limits<std::size_t>::max() / 2;
  std::size_t size = 1;
  const auto times = [&](std::size_t factor) {
    if (factor != 0 && size > kSaturated / factor) size = kSaturated;
    else size *= factor;
  };
  for (const auto& axis : sweep.grid) times(axis.values.size());
  if (!sweep.zip.empty()) times(sweep.zip.front().values.size());
  if (sweep.random_trials > 0) times(sweep.random_trials);
  if (!sweep.seeds.empty()) times(sweep.seeds.size());
  return size;
}

// Expanding a valid sweep of up to a million trials is legitimate but slow; the fuzzer only
// expands small ones (the cap check itself runs in the parser for every size).
constexpr std::size_t kMaxExpandedTrials = 2000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> overrides = overrides_in(text);
  try {
    const auto config = losslab::runner::parse_experiment_config(text, "fuzz.yaml", overrides);
    if (config.name.empty()) finding("a valid config without a name");
    if (expansion_size(config.sweep) <= kMaxExpandedTrials) {
      // A TPE sweep's later rounds depend on results: its round 0 is what a config alone expands to.
      const auto trials = config.sweep.sampler == losslab::runner::Sampler::tpe
                              ? losslab::runner::TpeRounds(config).trials()
                              : losslab::runner::expand_trials(config);
      if (trials.empty()) finding("a valid sweep with no trials");
      for (const auto& trial : trials) {
        if (trial.key.size() != 16) finding("trial key is not 16 hex digits");
        (void)losslab::runner::to_trainer_config(trial.params);
      }
    }
  } catch (const losslab::runner::ConfigError& error) {
    if (error.diagnostics().empty()) finding("ConfigError without diagnostics");
  }
  return 0;
}
