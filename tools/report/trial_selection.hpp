// What the summary and the export share: pick the experiments (--experiment), read their trials in
// one consistent snapshot (a sweep may be writing), and keep those matching --where.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report_data.hpp"
#include "where_filter.hpp"

namespace losslab::report {

struct ExperimentTrials {
  ExperimentInfo experiment;
  std::vector<TrialRecord> trials;  // the ones matching --where, in id order
  std::size_t total = 0;            // trials of the experiment before --where
  std::vector<RungRecord> rungs;    // the halving rungs of the matching trials (none outside a halving search)
  std::string strategy;             // runner::search_strategy of every rung of the experiment, before --where
};

// Every experiment (in id order) or the one named by `name_or_id`; an unknown one is a UsageError
// that lists the experiments there are.
std::vector<ExperimentInfo> select_experiments(ResultsReader& db, const std::optional<std::string>& name_or_id);

// The trial `id_or_key` names (its id or trial_key) and its experiment; a UsageError saying that
// `taker` ("--trial", "compare") takes an id or a key when there is no such trial.
std::pair<ExperimentInfo, TrialRecord> find_named_trial(ResultsReader& db, const std::string& id_or_key,
                                                        const std::string& taker);

// The names a --where expression may use in this database: every trial_params name and key.
WhereNames where_names(ResultsReader& db);

// Throws WhereError for a bad expression (parsed and type-checked before any trial is filtered).
std::vector<ExperimentTrials> load_trials(ResultsReader& db, const std::optional<std::string>& experiment,
                                          const std::optional<std::string>& where);

}  // namespace losslab::report
