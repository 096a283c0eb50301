// Sweep expansion: counts and order of grid / zip / random / seeds, stable keys, readable names,
// and the mapping of resolved parameters onto the core's TrainerConfig.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "config_internal.hpp"
#include "losslab/runner/config.hpp"
#include "losslab/runner/trials.hpp"

namespace losslab::runner {
namespace {

const std::string kSynthetic = "dataset: {kind: synthetic}\n";

ExperimentConfig parse(const std::string& yaml, const std::vector<std::string>& overrides = {},
                       const std::string& file = "sweep.yaml") {
  try {
    return parse_experiment_config(yaml, file, overrides);
  } catch (const ConfigError& error) {
    ADD_FAILURE() << "unexpected ConfigError:\n" << error.what();
    throw;
  }
}

std::vector<Trial> expand(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  return expand_trials(parse(yaml, overrides));
}

std::set<std::string> keys_of(const std::vector<Trial>& trials) {
  std::set<std::string> keys;
  for (const Trial& trial : trials) keys.insert(trial.key);
  return keys;
}

std::vector<std::string> names_of(const std::vector<Trial>& trials) {
  std::vector<std::string> names;
  for (const Trial& trial : trials) names.push_back(trial.name);
  return names;
}

TEST(Expansion, NoSweepIsOneTrial) {
  const auto trials = expand(kSynthetic);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].name, "softmax/sgd/seed=0");
  EXPECT_TRUE(trials[0].swept.empty());
  EXPECT_EQ(trials[0].params, parse(kSynthetic).base);
}

TEST(Expansion, GridIsTheCartesianProductLastAxisFastest) {
  const auto trials = expand(kSynthetic +
                             "sweep:\n"
                             "  grid:\n"
                             "    optimizer.learning_rate: [1e-4, 1e-3, 1e-2, 1e-1]\n"
                             "    regularization.strength: [0, 1e-4, 1e-3, 1e-2]\n");
  ASSERT_EQ(trials.size(), 16u);
  EXPECT_EQ(keys_of(trials).size(), 16u);
  EXPECT_EQ(trials[0].name, "softmax/sgd/lr=1e-4/reg=0/seed=0");
  EXPECT_EQ(trials[1].name, "softmax/sgd/lr=1e-4/reg=1e-4/seed=0");
  EXPECT_EQ(trials[4].name, "softmax/sgd/lr=1e-3/reg=0/seed=0");
  EXPECT_EQ(trials[15].name, "softmax/sgd/lr=0.1/reg=0.01/seed=0");
  EXPECT_EQ(trials[15].swept, (std::vector<std::string>{"optimizer.learning_rate", "regularization.strength"}));
  EXPECT_EQ(get_number(trials[6].params, "optimizer.learning_rate"), 1e-3);
  EXPECT_EQ(get_number(trials[6].params, "regularization.strength"), 1e-3);
  // Everything not swept keeps the base value.
  EXPECT_EQ(get_integer(trials[6].params, "training.epochs"), 10);
}

TEST(Expansion, ZipPairsTheIthValues) {
  const auto trials = expand(kSynthetic +
                             "sweep:\n"
                             "  zip:\n"
                             "    loss.kind: [svm, softmax, squared_hinge]\n"
                             "    optimizer.learning_rate: [1e-3, 1e-2, 0.5]\n");
  EXPECT_EQ(names_of(trials), (std::vector<std::string>{"svm/sgd/lr=1e-3/seed=0", "softmax/sgd/lr=0.01/seed=0",
                                                        "squared_hinge/sgd/lr=0.5/seed=0"}));
}

TEST(Expansion, GridTimesZipTimesSeeds) {
  const auto trials = expand(kSynthetic +
                             "sweep:\n"
                             "  grid:\n"
                             "    optimizer.kind: [sgd, adam]\n"
                             "  zip:\n"
                             "    optimizer.learning_rate: [1e-3, 1e-2]\n"
                             "    optimizer.batch_size: [32, 256]\n"
                             "  seeds: [0, 1, 2]\n");
  ASSERT_EQ(trials.size(), 12u);
  EXPECT_EQ(keys_of(trials).size(), 12u);
  EXPECT_EQ(trials[0].name, "softmax/sgd/lr=1e-3/bs=32/seed=0");
  EXPECT_EQ(trials[1].name, "softmax/sgd/lr=1e-3/bs=32/seed=1");
  EXPECT_EQ(trials[3].name, "softmax/sgd/lr=0.01/bs=256/seed=0");
  EXPECT_EQ(trials[11].name, "softmax/adam/lr=0.01/bs=256/seed=2");
  EXPECT_EQ(get_integer(trials[11].params, "training.seed"), 2);
  EXPECT_EQ(trials[0].swept, (std::vector<std::string>{"optimizer.kind", "optimizer.learning_rate",
                                                       "optimizer.batch_size", "training.seed"}));
}

TEST(Expansion, SeedsRepeatEachTrial) {
  const auto trials = expand(kSynthetic + "sweep:\n  seeds: [7, 3]\n");
  EXPECT_EQ(names_of(trials), (std::vector<std::string>{"softmax/sgd/seed=7", "softmax/sgd/seed=3"}));
  EXPECT_NE(trials[0].key, trials[1].key);
}

TEST(Expansion, SweptTrainingSeedIsKeptWithoutSweepSeeds) {
  const auto trials = expand(kSynthetic + "training: {seed: 9}\nsweep:\n  grid:\n    training.seed: [1, 2]\n");
  EXPECT_EQ(names_of(trials), (std::vector<std::string>{"softmax/sgd/seed=1", "softmax/sgd/seed=2"}));
}

const std::string kRandom = kSynthetic +
                            "sweep:\n"
                            "  random:\n"
                            "    trials: 300\n"
                            "    seed: 11\n"
                            "    space:\n"
                            "      optimizer.learning_rate: {log_uniform: [1e-4, 1e-1]}\n"
                            "      optimizer.momentum: {uniform: [0.5, 0.99]}\n"
                            "      optimizer.batch_size: {log_uniform: [16, 512]}\n"
                            "      optimizer.kind: {choice: [momentum, nesterov]}\n";

TEST(Expansion, RandomSamplesStayInBoundsWithTheirKeysTypes) {
  const auto trials = expand(kRandom);
  ASSERT_EQ(trials.size(), 300u);
  EXPECT_EQ(keys_of(trials).size(), 300u);
  std::set<std::string> optimizers;
  for (const Trial& trial : trials) {
    const double lr = get_number(trial.params, "optimizer.learning_rate");
    EXPECT_GE(lr, 1e-4);
    EXPECT_LE(lr, 1e-1);
    const double momentum = get_number(trial.params, "optimizer.momentum");
    EXPECT_GE(momentum, 0.5);
    EXPECT_LE(momentum, 0.99);
    const std::int64_t batch = get_integer(trial.params, "optimizer.batch_size");  // throws unless int64
    EXPECT_GE(batch, 16);
    EXPECT_LE(batch, 512);
    optimizers.insert(get_string(trial.params, "optimizer.kind"));
  }
  EXPECT_EQ(optimizers, (std::set<std::string>{"momentum", "nesterov"}));
  EXPECT_EQ(trials[0].swept, (std::vector<std::string>{"optimizer.learning_rate", "optimizer.momentum",
                                                       "optimizer.batch_size", "optimizer.kind"}));
}

TEST(Expansion, LogUniformSpreadsEvenlyOverDecades) {
  const auto trials = expand(kRandom);
  int decades[3] = {0, 0, 0};  // [1e-4, 1e-3), [1e-3, 1e-2), [1e-2, 1e-1]
  for (const Trial& trial : trials) {
    const double lr = get_number(trial.params, "optimizer.learning_rate");
    ++decades[std::min(2, static_cast<int>(std::floor(std::log10(lr) + 4)))];
  }
  // 100 expected per decade; uniform sampling on the linear scale would put ~270 in the last one.
  for (int count : decades) {
    EXPECT_GT(count, 70);
    EXPECT_LT(count, 130);
  }
}

TEST(Expansion, RandomSamplesAreDeterministicBySeed) {
  const auto first = expand(kRandom);
  const auto again = expand(kRandom);
  EXPECT_EQ(names_of(first), names_of(again));
  EXPECT_EQ(keys_of(first), keys_of(again));
  const auto other_seed = expand(kRandom, {"sweep.random.seed=12"});
  EXPECT_NE(get_number(first[0].params, "optimizer.learning_rate"),
            get_number(other_seed[0].params, "optimizer.learning_rate"));
}

TEST(Expansion, RandomSamplesArePortable) {
  // Drawn from mt19937_64 bits with our own uniform mapping, so these values hold on every
  // standard library; a change here changes the trials of existing random sweeps.
  const auto trials = expand(kRandom);
  EXPECT_EQ(trials[0].name, "softmax/nesterov/lr=3.142e-4/momentum=0.879/bs=59/seed=0");
  EXPECT_EQ(trials[1].name, "softmax/nesterov/lr=1.5e-4/momentum=0.6392/bs=355/seed=0");
}

TEST(Expansion, RepeatedParameterSetsAreOneTrial) {
  const auto trials = expand(kSynthetic +
                             "sweep:\n"
                             "  random:\n"
                             "    trials: 20\n"
                             "    space: {loss.kind: {choice: [svm, softmax]}}\n");
  EXPECT_EQ(trials.size(), 2u);
  EXPECT_EQ(keys_of(trials).size(), 2u);
}

TEST(Expansion, RandomCrossesGrid) {
  const auto trials = expand(kSynthetic +
                             "sweep:\n"
                             "  grid: {loss.kind: [svm, softmax]}\n"
                             "  random: {trials: 3, space: {optimizer.learning_rate: {uniform: [0.1, 0.2]}}}\n");
  ASSERT_EQ(trials.size(), 6u);
  // The same three samples under each grid value.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(get_number(trials[i].params, "optimizer.learning_rate"),
              get_number(trials[i + 3].params, "optimizer.learning_rate"));
  EXPECT_EQ(get_string(trials[0].params, "loss.kind"), "svm");
  EXPECT_EQ(get_string(trials[3].params, "loss.kind"), "softmax");
}

// How a TPE round is built: its points in place of the draws, crossed with the grid as draws are.
TEST(Expansion, GivenSamplesTakeThePlaceOfTheDraws) {
  const ExperimentConfig config = parse(kSynthetic +
                                        "sweep:\n"
                                        "  grid: {loss.kind: [svm, softmax]}\n"
                                        "  random: {trials: 3, space: {optimizer.learning_rate: {uniform: [0.1, 0.2]}}}\n");
  const auto trials = expand_trials(config, {{0.125}, {0.25}});
  ASSERT_EQ(trials.size(), 4u);
  EXPECT_EQ(names_of(trials), (std::vector<std::string>{"svm/sgd/lr=0.125/seed=0", "svm/sgd/lr=0.25/seed=0",
                                                         "softmax/sgd/lr=0.125/seed=0", "softmax/sgd/lr=0.25/seed=0"}));
  EXPECT_EQ(trials[1].sample, 1u);
  EXPECT_EQ(trials[2].sample, 0u);
  EXPECT_EQ(trials[3].swept, (std::vector<std::string>{"loss.kind", "optimizer.learning_rate"}));
  // The drawn samples give the same trials as expand_trials(config) when passed in.
  const auto drawn = expand_trials(config);
  std::vector<std::vector<ParamValue>> samples;
  for (std::size_t i = 0; i < 3; ++i) samples.push_back({drawn[i].params.at("optimizer.learning_rate")});
  const auto again = expand_trials(config, samples);
  EXPECT_EQ(names_of(again), names_of(drawn));
  EXPECT_EQ(keys_of(again), keys_of(drawn));
  // A TPE sweep's samples come from results: there is nothing to draw them from here.
  EXPECT_THROW(expand_trials(parse(kSynthetic + "sweep:\n  sampler: tpe\n  random:\n"
                                                "    space: {optimizer.learning_rate: {uniform: [0.1, 0.2]}}\n")),
               std::invalid_argument);
}

TEST(Expansion, ThrowsAboveMaxTrials) {
  ExperimentConfig config = parse(kSynthetic + "sweep:\n  grid: {optimizer.learning_rate: [0.1, 0.2, 0.3]}\n");
  config.sweep.max_trials = 2;
  EXPECT_THROW(expand_trials(config), ConfigError);
}

// ---------------------------------------------------------------- keys

TEST(TrialKey, IsSixteenHexDigitsAndPinned) {
  const auto trials = expand(kSynthetic);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].key.size(), 16u);
  EXPECT_EQ(trials[0].key.find_first_not_of("0123456789abcdef"), std::string::npos);
  // FNV-1a 64 of "losslab-trial-v2\nexperiment=sweep\n" + "key=format_value(value)\n" for each active
  // parameter off its baseline, in key order: here "dataset.kind=synthetic\ndataset.test=0.2\n" (the
  // test split synthetic data gets by default); computed by a separate Python implementation. The
  // canonical form is part of the database format: a change here re-runs every finished trial.
  EXPECT_EQ(trials[0].key, "5212b86c2fa1b98a");
}

TEST(TrialKey, DoesNotDependOnTheOrderKeysAreWritten) {
  const std::string a = "dataset: {kind: synthetic}\n"
                        "loss: {kind: svm, margin: 2}\n"
                        "optimizer:\n  kind: adam\n  learning_rate: 1e-3\n";
  const std::string b = "optimizer:\n  learning_rate: 0.001\n  kind: adam\n"
                        "loss: {margin: 2.0, kind: svm}\n"
                        "dataset: {kind: synthetic}\n";
  EXPECT_EQ(expand(a)[0].key, expand(b)[0].key);
}

TEST(TrialKey, IntegerAndDecimalSpellingsOfANumberAreOneValue) {
  EXPECT_EQ(expand(kSynthetic + "optimizer: {learning_rate: 1}\n")[0].key,
            expand(kSynthetic + "optimizer: {learning_rate: 1.0}\n")[0].key);
  EXPECT_EQ(expand(kSynthetic + "training: {epochs: 100}\n")[0].key,
            expand(kSynthetic + "training: {epochs: 1e2}\n")[0].key);
}

TEST(TrialKey, AnyDifferenceChangesIt) {
  const std::string base = expand(kSynthetic)[0].key;
  std::set<std::string> keys{base};
  for (const char* change :
       {"optimizer.learning_rate=0.0100001", "training.epochs=11", "regularization.regularize_bias=true",
        "dataset.preprocess=[standardize]", "dataset.synthetic.seed=1", "loss.kind=svm", "name=other"}) {
    EXPECT_TRUE(keys.insert(expand(kSynthetic, {change})[0].key).second) << change;
  }
}

TEST(TrialKey, DependsOnTheExperimentName) {
  const ResolvedParams params = parse(kSynthetic).base;
  EXPECT_NE(trial_key("a", params), trial_key("b", params));
  EXPECT_EQ(trial_key("a", params), trial_key("a", params));
}

// ---------------------------------------------------------------- conditional parameters

TEST(ConditionalParameters, AnInactiveParameterDoesNotMakeAnotherTrial) {
  // The grid: 2 x 2 combinations, of which the two plain-sgd ones are the same trial.
  const auto trials = expand(kSynthetic + "sweep:\n  grid:\n    optimizer.kind: [sgd, momentum]\n"
                                          "    optimizer.momentum: [0.5, 0.9]\n");
  EXPECT_EQ(names_of(trials), (std::vector<std::string>{"softmax/sgd/seed=0", "softmax/momentum/momentum=0.5/seed=0",
                                                        "softmax/momentum/momentum=0.9/seed=0"}));
  // The merged trial is resolved with the default, whichever value the grid gave first.
  EXPECT_EQ(get_number(trials[0].params, "optimizer.momentum"), 0.9);
  EXPECT_EQ(trials[0].swept, (std::vector<std::string>{"optimizer.kind"}));
  EXPECT_EQ(trials[1].swept, (std::vector<std::string>{"optimizer.kind", "optimizer.momentum"}));
  // ... and its key is that of plain sgd written without any momentum.
  EXPECT_EQ(trials[0].key, expand(kSynthetic)[0].key);
}

TEST(ConditionalParameters, EachRuleOfTheTable) {
  struct Case {
    std::vector<std::string> choice;   // --set overrides that pick the kinds
    std::string parameter;             // a parameter inactive for them: changing it keeps the key
    std::vector<std::string> active;   // overrides under which the same change makes a new key
  };
  const std::vector<Case> cases{
      {{}, "loss.margin=2", {"loss.kind=svm"}},
      {{}, "loss.margin=2", {"loss.kind=squared_hinge"}},
      {{"regularization.kind=none"}, "regularization.strength=0.5", {"regularization.kind=l1"}},
      {{"regularization.kind=max_norm"}, "regularization.strength=0.5", {"regularization.kind=elastic_net"}},
      {{}, "regularization.beta=2", {"regularization.kind=elastic_net"}},
      {{}, "regularization.max_norm=2", {"regularization.kind=max_norm"}},
      {{"regularization.kind=none"}, "regularization.regularize_bias=true", {"regularization.kind=l2"}},
      {{"optimizer.kind=gd"}, "optimizer.batch_size=50", {"optimizer.kind=sgd"}},
      {{}, "optimizer.momentum=0.5", {"optimizer.kind=nesterov"}},
      {{"optimizer.kind=adam"}, "optimizer.decay_rate=0.5", {"optimizer.kind=rmsprop"}},
      {{"optimizer.kind=rmsprop"}, "optimizer.beta1=0.5", {"optimizer.kind=adam"}},
      {{"optimizer.kind=rmsprop"}, "optimizer.beta2=0.5", {"optimizer.kind=adam"}},
      {{}, "optimizer.epsilon=0.5", {"optimizer.kind=adagrad"}},
      {{"optimizer.kind=random_local_search"}, "optimizer.search_scale=0.5", {"optimizer.kind=random_search"}},
      {{"optimizer.schedule.kind=exponential"}, "optimizer.schedule.gamma=0.25", {"optimizer.schedule.kind=step"}},
      {{}, "optimizer.schedule.step_epochs=2", {"optimizer.schedule.kind=step"}},
      {{"optimizer.schedule.kind=step"}, "optimizer.schedule.decay=0.5", {"optimizer.schedule.kind=inverse_time"}},
      {{}, "training.eval_train_limit=5", {"training.epoch_train_accuracy=sample"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> changed = c.choice;
    changed.push_back(c.parameter);
    EXPECT_EQ(expand(kSynthetic, c.choice)[0].key, expand(kSynthetic, changed)[0].key) << c.parameter;
    std::vector<std::string> active = c.active, active_changed = c.active;
    active_changed.push_back(c.parameter);
    EXPECT_NE(expand(kSynthetic, active)[0].key, expand(kSynthetic, active_changed)[0].key) << c.parameter;
  }
}

// ---------------------------------------------------------------- keys across versions

TEST(TrialKey, ANewParameterWithABehaviourPreservingDefaultKeepsEveryKey) {
  const ResolvedParams params = parse(kSynthetic).base;
  std::vector<detail::KeySpec> specs = detail::key_specs();
  detail::KeyBaselines baselines = detail::key_baselines();
  specs.push_back({.key = "optimizer.lookahead", .short_name = "lookahead", .default_value = 0.0});
  baselines["optimizer.lookahead"] = "0";
  ResolvedParams with_new = params;
  with_new["optimizer.lookahead"] = 0.0;
  EXPECT_EQ(detail::trial_key("a", with_new, specs, baselines), trial_key("a", params));
  with_new["optimizer.lookahead"] = 0.5;  // a trial that uses the new parameter is another trial
  EXPECT_NE(detail::trial_key("a", with_new, specs, baselines), trial_key("a", params));
}

TEST(TrialKey, ChangingADefaultGivesTheTrialsThatTakeItNewKeys) {
  // A new version whose default learning rate is 0.05: the trials that take the default train
  // differently, so their keys change; a trial that wrote 0.01 keeps its key.
  std::vector<detail::KeySpec> specs = detail::key_specs();
  for (detail::KeySpec& spec : specs)
    if (spec.key == "optimizer.learning_rate") spec.default_value = 0.05;
  const auto with = [&](const std::string& yaml) {
    ResolvedParams params = parse(yaml).base;
    return std::pair(params, trial_key("a", params));
  };
  const auto [defaulted, old_key] = with(kSynthetic);
  ResolvedParams new_default = defaulted;
  new_default["optimizer.learning_rate"] = 0.05;  // what the new version resolves the same file to
  EXPECT_NE(detail::trial_key("a", new_default, specs, detail::key_baselines()), old_key);
  const auto [written, written_key] = with(kSynthetic + "optimizer: {learning_rate: 0.01}\n");
  EXPECT_EQ(detail::trial_key("a", written, specs, detail::key_baselines()), written_key);
  EXPECT_EQ(written_key, old_key);
}

TEST(TrialKey, EveryParameterHasABaseline) {
  for (const detail::KeySpec& spec : detail::key_specs()) {
    if (spec.param) {
      EXPECT_TRUE(detail::key_baselines().count(spec.key)) << spec.key << " has no key baseline";
    }
  }
  for (const auto& [key, text] : detail::key_baselines()) EXPECT_NE(detail::find_key_spec(key), nullptr) << key;
}

// The values a key's activity depends on are written by hand; one that is not a choice of that key
// (a renamed optimizer, say) would leave the key never, or always, active.
TEST(ActiveWhen, ValuesAreChoicesOfTheirKey) {
  for (const detail::KeySpec& spec : detail::key_specs()) {
    if (spec.active_when.key.empty()) continue;
    const detail::KeySpec* on = detail::find_key_spec(spec.active_when.key);
    ASSERT_NE(on, nullptr) << spec.key;
    for (const std::string& value : spec.active_when.values)
      EXPECT_NE(std::find(on->choices.begin(), on->choices.end(), value), on->choices.end())
          << spec.key << " is active when " << on->key << " is '" << value << "', not one of its choices";
  }
}

// ---------------------------------------------------------------- overrides

TEST(Overrides, ScalarOverrideChangesTheTrial) {
  const auto trials = expand(kSynthetic + "optimizer: {learning_rate: 0.1}\n", {"optimizer.learning_rate=0.2"});
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(get_number(trials[0].params, "optimizer.learning_rate"), 0.2);
  EXPECT_NE(trials[0].key, expand(kSynthetic + "optimizer: {learning_rate: 0.1}\n")[0].key);
}

TEST(Overrides, GridAxisFromTheCommandLine) {
  const std::string yaml = kSynthetic + "sweep:\n  grid:\n    optimizer.learning_rate: [1e-3, 1e-2]\n";
  const auto trials = expand(yaml, {"sweep.grid.loss.kind=[svm,softmax]"});
  EXPECT_EQ(names_of(trials),
            (std::vector<std::string>{"svm/sgd/lr=1e-3/seed=0", "softmax/sgd/lr=1e-3/seed=0", "svm/sgd/lr=0.01/seed=0",
                                      "softmax/sgd/lr=0.01/seed=0"}));
  // Replacing an axis that the file has.
  const auto replaced = expand(yaml, {"sweep.grid.optimizer.learning_rate=[0.5]"});
  EXPECT_EQ(names_of(replaced), (std::vector<std::string>{"softmax/sgd/lr=0.5/seed=0"}));
}

TEST(Overrides, ZipAndRandomAxesFromTheCommandLine) {
  // The margin is a hinge loss's: softmax's trial leaves it out of its name.
  const auto zipped = expand(kSynthetic, {"sweep.zip.loss.kind=[svm, softmax]", "sweep.zip.loss.margin=[1, 2]"});
  EXPECT_EQ(names_of(zipped), (std::vector<std::string>{"svm/sgd/margin=1/seed=0", "softmax/sgd/seed=0"}));
  const auto sampled = expand(kSynthetic, {"optimizer.kind=momentum", "sweep.random.trials=4",
                                           "sweep.random.space.optimizer.momentum={uniform: [0.1, 0.2]}"});
  EXPECT_EQ(sampled.size(), 4u);
}

// ---------------------------------------------------------------- names

TEST(TrialName, CompactNumbersAndShortLabels) {
  ResolvedParams params = parse(kSynthetic).base;
  params["optimizer.learning_rate"] = 1e-3;
  params["regularization.strength"] = 1e-4;
  EXPECT_EQ(trial_name(params, {"optimizer.learning_rate", "regularization.strength"}),
            "softmax/sgd/lr=1e-3/reg=1e-4/seed=0");

  const auto name_of = [&](const std::string& key, ParamValue value) {
    ResolvedParams p = params;
    p[key] = value;
    return trial_name(p, {key});
  };
  EXPECT_EQ(name_of("optimizer.learning_rate", 0.5), "softmax/sgd/lr=0.5/seed=0");
  EXPECT_EQ(name_of("optimizer.learning_rate", 0.01), "softmax/sgd/lr=0.01/seed=0");
  EXPECT_EQ(name_of("optimizer.learning_rate", 3e-3), "softmax/sgd/lr=3e-3/seed=0");
  EXPECT_EQ(name_of("optimizer.learning_rate", 2.5e-4), "softmax/sgd/lr=2.5e-4/seed=0");
  EXPECT_EQ(name_of("optimizer.learning_rate", 0.0034567891234), "softmax/sgd/lr=3.457e-3/seed=0");
  EXPECT_EQ(name_of("optimizer.learning_rate", 1.0), "softmax/sgd/lr=1/seed=0");
  EXPECT_EQ(name_of("optimizer.learning_rate", 2e6), "softmax/sgd/lr=2e6/seed=0");
  EXPECT_EQ(name_of("optimizer.learning_rate", 2.5e7 + 0.5), "softmax/sgd/lr=2.5e7/seed=0");
  EXPECT_EQ(name_of("optimizer.beta2", 0.99999), "softmax/sgd/beta2=0.99999/seed=0");
  EXPECT_EQ(name_of("optimizer.batch_size", std::int64_t{200}), "softmax/sgd/bs=200/seed=0");
  EXPECT_EQ(name_of("regularization.kind", std::string("l1")), "softmax/sgd/regularization=l1/seed=0");
  EXPECT_EQ(name_of("optimizer.schedule.decay", 0.1), "softmax/sgd/schedule_decay=0.1/seed=0");
  EXPECT_EQ(name_of("regularization.regularize_bias", true), "softmax/sgd/regularize_bias=true/seed=0");
  // The loss and optimizer kinds are always the first two parts, never repeated.
  EXPECT_EQ(name_of("loss.kind", std::string("svm")), "svm/sgd/seed=0");
  EXPECT_EQ(name_of("optimizer.kind", std::string("adam")), "softmax/adam/seed=0");
}

// ---------------------------------------------------------------- the core's settings

TEST(TrainerConfigMapping, EveryFieldComesFromItsKey) {
  const ExperimentConfig config = parse(kSynthetic +
                                        "loss: {kind: squared_hinge, margin: 2.5}\n"
                                        "regularization: {kind: elastic_net, strength: 0.03, beta: 0.7, max_norm: 4.5,"
                                        " regularize_bias: true}\n"
                                        "optimizer:\n"
                                        "  kind: adam\n"
                                        "  learning_rate: 0.002\n"
                                        "  batch_size: 64\n"
                                        "  sampling: shuffled_epochs\n"
                                        "  momentum: 0.8\n"
                                        "  decay_rate: 0.95\n"
                                        "  beta1: 0.85\n"
                                        "  beta2: 0.995\n"
                                        "  epsilon: 1e-6\n"
                                        "  search_scale: 0.02\n"
                                        "  schedule: {kind: step, gamma: 0.25, step_epochs: 3, decay: 0.05}\n"
                                        "training: {epochs: 7, seed: 42, init_scale: 0.005, eval_train_limit: 500}\n");
  const TrainerConfig t = to_trainer_config(config.base);
  EXPECT_EQ(t.loss.kind, LossKind::squared_hinge);
  EXPECT_EQ(t.loss.margin, 2.5);
  EXPECT_EQ(t.regularization.kind, RegKind::elastic_net);
  EXPECT_EQ(t.regularization.strength, 0.03);
  EXPECT_EQ(t.regularization.beta, 0.7);
  EXPECT_EQ(t.regularization.max_norm, 4.5);
  EXPECT_TRUE(t.regularization.regularize_bias);
  EXPECT_EQ(t.optimizer.kind, OptimizerKind::adam);
  EXPECT_EQ(t.optimizer.learning_rate, 0.002);
  EXPECT_EQ(t.optimizer.momentum, 0.8);
  EXPECT_EQ(t.optimizer.decay_rate, 0.95);
  EXPECT_EQ(t.optimizer.beta1, 0.85);
  EXPECT_EQ(t.optimizer.beta2, 0.995);
  EXPECT_EQ(t.optimizer.epsilon, 1e-6);
  EXPECT_EQ(t.optimizer.search_scale, 0.02);
  EXPECT_EQ(t.schedule.kind, ScheduleKind::step);
  EXPECT_EQ(t.schedule.gamma, 0.25);
  EXPECT_EQ(t.schedule.step_epochs, 3);
  EXPECT_EQ(t.schedule.decay, 0.05);
  EXPECT_EQ(t.training.epochs, 7);
  EXPECT_EQ(t.training.batch_size, 64u);
  EXPECT_EQ(t.training.sampling, Sampling::shuffled_epochs);
  EXPECT_EQ(t.training.seed, 42u);
  EXPECT_EQ(t.training.init_scale, 0.005);
  EXPECT_EQ(t.training.eval_train_limit, 500u);
}

TEST(TrainerConfigMapping, EveryEnumValueOfTheSchemaParses) {
  // The schema's allowed names and the core's parsers must agree, or a valid config would fail at run time.
  ResolvedParams params = parse(kSynthetic).base;
  for (const char* key : {"loss.kind", "regularization.kind", "optimizer.kind", "optimizer.schedule.kind",
                                 "optimizer.sampling"}) {
    const KeyDoc* doc = find_key_doc(key);
    ASSERT_NE(doc, nullptr);
    std::size_t start = 0;
    int count = 0;
    while (start < doc->allowed.size()) {
      std::size_t end = doc->allowed.find(" | ", start);
      if (end == std::string::npos) end = doc->allowed.size();
      ResolvedParams p = params;
      p[key] = doc->allowed.substr(start, end - start);
      EXPECT_NO_THROW(to_trainer_config(p)) << key << " = " << format_value(p[key]);
      ++count;
      start = end + 3;
    }
    EXPECT_GE(count, 2) << key;
  }
}

}  // namespace
}  // namespace losslab::runner
