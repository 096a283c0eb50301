#include "refit.hpp"

#include "config_schema.hpp"
#include "losslab/runner/results/ranking.hpp"
#include "losslab/stable_hash.hpp"

namespace losslab::runner {

std::string refit_key(const std::string& experiment_name, const ResolvedParams& params) {
  return stable_hash_hex("losslab-refit-v1\n" + trial_key(experiment_name, params));
}

std::optional<Refit> plan_refit(const std::vector<TrialRecord>& trials, const std::string& experiment_name,
                                const ResolvedParams& base) {
  const auto ranked = rank_trials(trials);
  if (ranked.empty()) return std::nullopt;
  const TrialRecord& best = *ranked.front();
  Refit refit;
  refit.refit_of = best.id;
  refit.trial.params = base;
  for (auto& [key, value] : params_from_json_text(best.params_json)) refit.trial.params[key] = std::move(value);
  refit.trial.params["dataset.validation"] = 0.0;
  refit.trial.key = refit_key(experiment_name, refit.trial.params);
  refit.trial.name = best.name + "/refit";
  // trial_params names the swept parameters by short name; the trial lists their dotted keys.
  for (const detail::KeySpec& spec : detail::key_specs())
    if (best.swept.count(spec.short_name)) refit.trial.swept.push_back(spec.key);
  return refit;
}

}  // namespace losslab::runner
