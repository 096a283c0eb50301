#include "trial_selection.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <set>

#include "usage_error.hpp"

namespace losslab::report {
namespace {

template <typename Read>
auto reading(ResultsReader& db, const std::string& what, Read read) {
  try {
    return read();
  } catch (const SQLite::Exception& error) {
    throw ReportError("cannot read " + what + " from " + db.path() + ": " + error.what());
  }
}

}  // namespace

std::vector<ExperimentInfo> select_experiments(ResultsReader& db, const std::optional<std::string>& name_or_id) {
  if (!name_or_id) return reading(db, "the experiments", [&] { return db.experiments(); });
  if (auto found = reading(db, "the experiments", [&] { return db.find_experiment(*name_or_id); }))
    return {*found};
  std::string available;
  for (const auto& experiment : db.experiments())
    available += (available.empty() ? "" : ", ") + experiment.name + " (id " + std::to_string(experiment.id) + ")";
  throw UsageError("no experiment '" + *name_or_id + "' in " + db.path() + "; there " +
                   (available.empty() ? std::string("are none") : "are: " + available));
}

std::pair<ExperimentInfo, TrialRecord> find_named_trial(ResultsReader& db, const std::string& id_or_key,
                                                        const std::string& taker) {
  std::optional<runner::FoundTrial> found = reading(db, "the trials", [&] { return db.find_trial(id_or_key); });
  if (!found)
    throw UsageError("no trial '" + id_or_key + "' in " + db.path() + " (" + taker +
                     " takes a trial id or trial_key; `losslab-report export " + db.path() + "` lists them)");
  ExperimentInfo experiment;
  for (auto& info : reading(db, "the experiments", [&] { return db.experiments(); }))
    if (info.id == found->experiment_id) experiment = std::move(info);
  return {std::move(experiment), std::move(found->trial)};
}

WhereNames where_names(ResultsReader& db) {
  return reading(db, "the parameter names", [&] {
    WhereNames names;
    for (auto& [name, key] : db.parameter_names()) {
      if (key != name) names.aliases.emplace(key, name);
      if (names.parameters.empty() || names.parameters.back() != name) names.parameters.push_back(std::move(name));
    }
    return names;
  });
}

std::vector<ExperimentTrials> load_trials(ResultsReader& db, const std::optional<std::string>& experiment,
                                          const std::optional<std::string>& where) {
  std::vector<ExperimentTrials> selected;
  std::optional<WhereFilter> filter;
  reading(db, "the trials", [&] {
    ResultsReader::Snapshot snapshot(db);
    if (where) filter = WhereFilter::parse(*where, where_names(db));
    for (auto& info : select_experiments(db, experiment)) {
      auto trials = db.trials(info.id);
      const std::size_t total = trials.size();
      auto rungs = db.rungs(info.id);
      std::string strategy = runner::search_strategy(rungs);
      selected.push_back({std::move(info), std::move(trials), total, std::move(rungs), std::move(strategy)});
    }
    return 0;
  });
  if (!filter) return selected;
  std::map<std::string, ValueKind> kinds;
  for (const auto& group : selected) collect_parameter_kinds(group.trials, kinds);
  filter->check_types(kinds);
  for (auto& group : selected) {
    std::erase_if(group.trials, [&](const TrialRecord& trial) { return !filter->matches(trial); });
    std::set<std::int64_t> kept;
    for (const auto& trial : group.trials) kept.insert(trial.id);
    std::erase_if(group.rungs, [&](const RungRecord& row) { return kept.count(row.trial_id) == 0; });
  }
  return selected;
}

}  // namespace losslab::report
