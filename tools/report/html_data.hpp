// The data the HTML report embeds: one JSON object per experiment with everything the page's
// script draws (trials, downsampled loss curves, heatmap cells, marginals, templates, regions).
// The page only draws; every aggregation happens here, where it can be tested.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "html_report.hpp"
#include "report_data.hpp"

namespace losslab::report {

// At most `max_points` (step, loss) points: the steps are cut into equal runs and each point is the
// mean step and mean loss of one run (NULL losses left out), so long SGD histories keep their shape
// without their minibatch noise. Shorter histories come back unchanged.
std::vector<std::pair<double, double>> downsample_curve(const std::vector<std::pair<std::int64_t, double>>& history,
                                                        std::size_t max_points);

// The parts of an experiment's object that come from its trial rows alone: "metric", "swept",
// "strategy" ("exhaustive" here: rungs are another table), "trials" (the table's rows, with
// "rung" and "round"), "marginals" (each point with its trial's "id" and "round"), "rounds"
// (per sampler round: "trials", the "best" trial's name and its "metric") and "importance"
// (param_importance.hpp).
nlohmann::json trial_views_json(std::vector<TrialRecord> trials);

// {"database": PATH, "experiments": [...]} for the given experiments.
nlohmann::json build_report_data(ResultsReader& db, const std::vector<ExperimentInfo>& experiments,
                                 const HtmlOptions& options);

// JSON text that can sit inside <script type="application/json">: every '<' is written as \u003c, so
// no string from the database (a trial name such as "</script>") can end the element early.
std::string json_for_script(const nlohmann::json& data);

}  // namespace losslab::report
