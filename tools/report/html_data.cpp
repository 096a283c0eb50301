#include "html_data.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "chart_number.hpp"
#include "confusion_chart.hpp"
#include "decision_regions.hpp"
#include "epoch_chart.hpp"
#include "epoch_curves.hpp"
#include "losslab/runner/dataset_source.hpp"
#include "param_importance.hpp"
#include "templates.hpp"
#include "usage_error.hpp"

namespace losslab::report {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxCurvePoints = 500;

json number(double value) { return chart_number(value); }

json param_json(const ParamValue& value) {
  if (const auto numeric = param_number(value)) return number(*numeric);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag;
  return runner::format_value(value);
}

// What trials are ranked by (runner::default_sort_key): validation accuracy, or training accuracy
// in an experiment without a validation split (the lecture's toy data).
struct Metric {
  SortKey key;
  double of(const TrialRecord& trial) const { return runner::rank_metrics().at(key.metric).read(trial); }
  const char* name() const { return key.metric.c_str(); }
};

// One experiment's trials, ranked once for every part of the page.
struct ExperimentView {
  ExperimentInfo info;
  std::vector<TrialRecord> trials;
  std::vector<RungRecord> rungs;            // a halving search's; none for other sweeps
  Metric metric;
  std::vector<const TrialRecord*> ranking;  // rank_trials: the ranked trials, best first
  std::vector<std::string> swept;           // short names, alphabetical

  ExperimentView(ExperimentInfo experiment, std::vector<TrialRecord> all, std::vector<RungRecord> rung_rows)
      : info(std::move(experiment)), trials(std::move(all)), rungs(std::move(rung_rows)) {
    metric.key = runner::default_sort_key(trials);
    ranking = rank_trials(trials, metric.key);
    std::set<std::string> names;
    for (const auto& trial : trials) names.insert(trial.swept.begin(), trial.swept.end());
    swept.assign(names.begin(), names.end());
  }

  ExperimentView(const ExperimentView&) = delete;  // `ranking` points into `trials`
  ExperimentView& operator=(const ExperimentView&) = delete;

  bool is_swept(const std::string& name) const { return std::find(swept.begin(), swept.end(), name) != swept.end(); }
};

std::string describe_dataset(const runner::ResolvedParams& params) {
  auto text = [&](const std::string& key) { return runner::format_value(params.at(key)); };
  const std::string kind = text("dataset.kind");
  std::string description = kind;
  if (kind == "synthetic") {
    const std::string shape = text("dataset.synthetic.shape");
    description += " " + shape;
    if (shape == "blobs")
      description += " (" + text("dataset.synthetic.classes") + " classes, dimension " +
                     text("dataset.synthetic.dimension") + ", " + text("dataset.synthetic.per_class") + " per class)";
    else if (shape == "spiral")
      description += " (" + text("dataset.synthetic.classes") + " classes, " + text("dataset.synthetic.per_class") +
                     " per class)";
  } else {
    description += " from " + text("dataset.path");
  }
  if (text("dataset.limit") != "0") description += "; first " + text("dataset.limit") + " training examples";
  description += "; validation " + text("dataset.validation") + ", test " + text("dataset.test");
  description += "; preprocess: " + text("dataset.preprocess");
  return description;
}

// The non-swept settings a reader wants next to the results (the full list is in params_json).
std::string fixed_settings(const ExperimentView& view) {
  static const char* const shown[] = {"loss", "regularization", "strength", "optimizer", "learning_rate",
                                      "batch_size", "epochs", "seed"};
  std::string settings;
  const auto& params = view.trials.front().params;
  for (const char* name : shown) {
    const auto it = params.find(name);
    if (it == params.end() || view.is_swept(name)) continue;
    settings += (settings.empty() ? "" : ", ") + std::string(name) + " " + runner::format_value(it->second);
  }
  return settings;
}

json status_counts(const ExperimentView& view) {
  std::map<std::string, int> counts;
  for (const auto& trial : view.trials) ++counts[trial.status];
  return counts;
}

// A halving rung or a sampler round; null for a trial without one.
json index_json(int value) { return value < 0 ? json(nullptr) : json(value); }

json trials_json(const ExperimentView& view) {
  json rows = json::array();
  for (const auto& trial : view.trials) {
    json params = json::object();
    for (const auto& name : view.swept)
      if (const auto it = trial.params.find(name); it != trial.params.end()) params[name] = param_json(it->second);
    rows.push_back({{"id", trial.id},
                    {"name", trial.name},
                    {"status", trial.status},
                    {"params", params},
                    {"val_accuracy", number(trial.val_accuracy)},
                    {"train_accuracy", number(trial.train_accuracy)},
                    {"test_accuracy", number(trial.test_accuracy)},
                    {"final_loss", number(trial.final_loss)},
                    {"train_seconds", number(trial.train_seconds)},
                    {"epochs_done", trial.epochs_done},
                    {"rung", index_json(trial.rung)},
                    {"round", index_json(trial.round)},
                    {"refit_of", trial.is_refit() ? json(trial.refit_of) : json(nullptr)},
                    {"error", trial.error}});
  }
  return rows;
}

json loss_curves_json(ResultsReader& db, const ExperimentView& view, const HtmlOptions& options) {
  json curves = json::array();
  for (const TrialRecord* trial : view.ranking) {
    if (static_cast<int>(curves.size()) >= options.top) break;
    const auto history = db.loss_history(trial->id);
    if (history.empty()) continue;
    json points = json::array();
    for (const auto& [step, loss] : downsample_curve(history, kMaxCurvePoints))
      points.push_back({number(step), number(loss)});
    curves.push_back({{"trial_id", trial->id},
                      {"name", trial->name},
                      {"metric", number(view.metric.of(*trial))},
                      {"steps", history.size()},
                      {"points", points}});
  }
  return {{"top", options.top}, {"log_scale", options.log_scale}, {"curves", curves}};
}

// The metric over learning rate x regularization strength, best trial per pair (over the other
// swept parameters). A full grid is drawn as cells, anything sparser (random search) as points.
json heatmap_json(const ExperimentView& view) {
  if (!view.is_swept("learning_rate") || !view.is_swept("strength")) return nullptr;
  struct Cell {
    const TrialRecord* best = nullptr;
    int trials = 0;
  };
  std::map<std::pair<double, double>, Cell> cells;
  std::set<double> xs, ys;
  for (const auto& trial : view.trials) {
    if (trial.is_refit()) continue;  // not a point of the search: it trained on the validation data
    const auto lr = trial.params.find("learning_rate"), reg = trial.params.find("strength");
    if (lr == trial.params.end() || reg == trial.params.end()) continue;
    const auto lr_number = param_number(lr->second), reg_number = param_number(reg->second);
    if (!lr_number || !reg_number) continue;
    const double x = *lr_number, y = *reg_number;
    xs.insert(x);
    ys.insert(y);
    Cell& cell = cells[{x, y}];
    ++cell.trials;
    const double value = view.metric.of(trial);
    if (std::isfinite(value) && (cell.best == nullptr || value > view.metric.of(*cell.best))) cell.best = &trial;
  }
  if (cells.empty()) return nullptr;
  json rows = json::array();
  for (const auto& [at, cell] : cells)
    rows.push_back({{"x", number(at.first)},
                    {"y", number(at.second)},
                    {"value", cell.best ? number(view.metric.of(*cell.best)) : json(nullptr)},
                    {"trial", cell.best ? cell.best->name : ""},
                    {"trials", cell.trials}});
  const bool grid = xs.size() <= 15 && ys.size() <= 15 && xs.size() * ys.size() <= 2 * cells.size();
  // A strength of 0 has no place on a log axis: such a sweep is drawn on a linear one.
  const auto scale_of = [](const std::set<double>& values) { return *values.begin() > 0 ? "log" : "linear"; };
  // A grid's values are its axes' bands; points (random search) need none, and a sweep of
  // thousands of trials would otherwise send every value again with each live update.
  json x_values = json::array(), y_values = json::array();
  if (grid) {
    for (double x : xs) x_values.push_back(number(x));
    for (double y : ys) y_values.push_back(number(y));
  }
  const std::vector<std::string> others = [&] {
    std::vector<std::string> names;
    for (const auto& name : view.swept)
      if (name != "learning_rate" && name != "strength") names.push_back(name);
    return names;
  }();
  return {{"x", "learning_rate"},   {"y", "strength"},     {"xs", x_values},        {"ys", y_values},
          {"x_scale", scale_of(xs)}, {"y_scale", scale_of(ys)}, {"grid", grid}, {"cells", rows},
          {"best_over", others}};
}

// "log" for positive numbers spanning more than a decade, "linear" for other numbers, "category"
// for strings and booleans.
std::string axis_scale(const std::vector<ParamValue>& values) {
  double low = INFINITY, high = -INFINITY;
  for (const auto& value : values) {
    const auto numeric = param_number(value);
    if (!numeric) return "category";
    low = std::min(low, *numeric);
    high = std::max(high, *numeric);
  }
  return low > 0 && high > 10 * low ? "log" : "linear";
}

json marginals_json(const ExperimentView& view) {
  json marginals = json::array();
  for (const auto& name : view.swept) {
    std::vector<ParamValue> values;
    json points = json::array();
    for (const auto& trial : view.trials) {
      const auto it = trial.params.find(name);
      if (it == trial.params.end() || trial.is_refit()) continue;
      values.push_back(it->second);
      points.push_back({{"id", trial.id},
                        {"x", param_json(it->second)},
                        {"y", number(view.metric.of(trial))},
                        {"trial", trial.name},
                        {"status", trial.status},
                        {"round", index_json(trial.round)}});
    }
    json categories = json::array();
    const std::string scale = axis_scale(values);
    if (scale == "category") {
      std::set<std::string> distinct;
      for (const auto& value : values) distinct.insert(runner::format_value(value));
      for (const auto& category : distinct) categories.push_back(category);
    }
    marginals.push_back({{"param", name}, {"scale", scale}, {"categories", categories}, {"points", points}});
  }
  return marginals;
}

// The rounds of an adaptive sampler: trials chosen and the best of them; empty for other sweeps.
json rounds_json(const ExperimentView& view) {
  json rounds = json::array();
  for (const RoundSummary& round : runner::summarize_rounds(view.trials, view.metric.key))
    rounds.push_back({{"round", round.round},
                      {"trials", round.trials},
                      {"best", round.best ? json(round.best->name) : json(nullptr)},
                      {"metric", round.best ? number(view.metric.of(*round.best)) : json(nullptr)}});
  return rounds;
}

// What comes from the trial rows alone (and the rungs' strategy), shared by the page and its test.
void add_trial_views(const ExperimentView& view, json& out) {
  out["metric"] = view.metric.name();
  out["swept"] = view.swept;
  out["strategy"] = runner::search_strategy(view.rungs);
  out["trials"] = trials_json(view);
  out["marginals"] = marginals_json(view);
  out["rounds"] = rounds_json(view);
  out["importance"] = importance_json(parameter_importance(view.trials));
}

json templates_json(const ClassTemplates& templates) {
  return {{"width", templates.shape.width},
          {"height", templates.shape.height},
          {"channels", templates.shape.channels},
          {"class_names", templates.shape.class_names},
          {"pixels", templates.pixels}};
}

json regions_json(const DecisionRegions& regions) {
  json points = json::array();
  for (const auto& point : regions.points)
    points.push_back({number(point.x), number(point.y), point.label, point.split});
  json lines = json::array();
  for (const auto& line : regions.score_lines) lines.push_back({number(line[0]), number(line[1]), number(line[2])});
  return {{"x_min", number(regions.x_min)}, {"x_max", number(regions.x_max)}, {"y_min", number(regions.y_min)},
          {"y_max", number(regions.y_max)}, {"nx", regions.nx},                 {"ny", regions.ny},
          {"labels", regions.labels},       {"score_lines", lines},             {"points", points},
          {"class_names", regions.class_names}};
}

// The best trial that kept its weights, drawn as class templates (image data) or decision regions
// (2-D data); otherwise a note saying why there is no picture.
void add_weights_view(ResultsReader& db, const ExperimentView& view, json& out) {
  out["best"] = nullptr;
  out["templates"] = nullptr;
  out["decision_regions"] = nullptr;
  out["weights_note"] = nullptr;
  const TrialRecord* best = nullptr;
  std::optional<Weights> weights;
  for (const TrialRecord* trial : view.ranking)
    if ((weights = db.weights(trial->id))) {
      best = trial;
      break;
    }
  if (!best) {
    out["weights_note"] = "No trial has stored weights: only completed and pruned trials keep them.";
    return;
  }
  out["best"] = {{"id", best->id}, {"name", best->name}, {"metric", number(view.metric.of(*best))}};
  const std::string size = std::to_string(weights->rows) + " x " + std::to_string(weights->cols);
  try {
    const auto params = runner::params_from_json_text(best->params_json);
    if (const auto shape = image_shape_of(runner::get_string(params, "dataset.kind"))) {
      out["templates"] = templates_json(make_class_templates(*weights, *shape));
    } else if (is_two_dimensional(*weights)) {
      const auto loaded = runner::load_dataset(params);
      out["decision_regions"] = regions_json(make_decision_regions(*weights, *loaded.splits));
    } else {
      out["weights_note"] = "The best trial's weights (" + size +
                            ") are neither images nor 2-D points; read them from the trial_weights table.";
    }
  } catch (const std::exception& error) {
    out["weights_note"] = "Cannot draw the best trial's weights (" + size + "): " + error.what();
  }
}

// The best trial's confusion matrix (validation, else test), with the dataset's class names where it
// has them; a note instead when the trial has none recorded.
void add_confusion_view(ResultsReader& db, const ExperimentView& view, json& out) {
  out["confusion"] = nullptr;
  out["confusion_note"] = nullptr;
  if (view.ranking.empty()) return;
  const TrialRecord& best = *view.ranking.front();
  std::vector<std::string> class_names;
  try {
    if (const auto shape = image_shape_of(runner::get_string(runner::params_from_json_text(best.params_json), "dataset.kind")))
      class_names = shape->class_names;
  } catch (const std::exception&) {  // no usable params_json: the classes are numbered
  }
  out["confusion"] = confusion_chart_json(db, best, class_names);
  // Without a validation or test split there is nothing to count; with one, a missing matrix is an old record.
  const bool scored = std::isfinite(best.val_accuracy) || std::isfinite(best.test_accuracy);
  if (out["confusion"].is_null() && scored)
    out["confusion_note"] = "The best trial (" + best.name + ") has no confusion matrix: it was recorded before "
                            "losslab recorded them (results schema version 4).";
}

json experiment_json(ResultsReader& db, ExperimentInfo info, const HtmlOptions& options) {
  auto trials = db.trials(info.id);
  auto rungs = db.rungs(info.id);
  const ExperimentView view(std::move(info), std::move(trials), std::move(rungs));
  json out = {{"id", view.info.id},
              {"name", view.info.name},
              {"created_at", view.info.created_at},
              {"trial_count", view.trials.size()},
              {"status_counts", status_counts(view)},
              {"dataset", nullptr},
              {"settings", ""}};
  if (!view.trials.empty()) {
    try {
      out["dataset"] = describe_dataset(runner::params_from_json_text(view.trials.front().params_json));
    } catch (const std::exception& error) {
      out["dataset"] = std::string("unknown (") + error.what() + ")";
    }
    out["settings"] = fixed_settings(view);
  }
  add_trial_views(view, out);
  out["loss_curves"] = loss_curves_json(db, view, options);
  out["epoch_chart"] = epoch_chart_json(db, view.trials, view.ranking, view.rungs, view.metric.key.metric);
  out["heatmap"] = heatmap_json(view);
  out["epoch_curves"] = epoch_curves_json(db, view.trials);
  add_confusion_view(db, view, out);
  add_weights_view(db, view, out);
  return out;
}

}  // namespace

std::vector<std::pair<double, double>> downsample_curve(const std::vector<std::pair<std::int64_t, double>>& history,
                                                        std::size_t max_points) {
  std::vector<std::pair<double, double>> points;
  if (max_points == 0) return points;
  const std::size_t run = (history.size() + max_points - 1) / max_points;
  for (std::size_t begin = 0; begin < history.size(); begin += run) {
    const std::size_t end = std::min(history.size(), begin + run);
    double steps = 0, losses = 0;
    std::size_t counted = 0;
    for (std::size_t i = begin; i < end; ++i) {
      if (!std::isfinite(history[i].second)) continue;
      steps += static_cast<double>(history[i].first);
      losses += history[i].second;
      ++counted;
    }
    if (counted > 0) points.emplace_back(steps / static_cast<double>(counted), losses / static_cast<double>(counted));
  }
  return points;
}

json trial_views_json(std::vector<TrialRecord> trials) {
  const ExperimentView view({}, std::move(trials), {});
  json out = json::object();
  add_trial_views(view, out);
  return out;
}

json build_report_data(ResultsReader& db, const std::vector<ExperimentInfo>& experiments,
                       const HtmlOptions& options) {
  if (options.top < 1) throw UsageError("--top must be at least 1, got " + std::to_string(options.top));
  json list = json::array();
  for (const auto& experiment : experiments) list.push_back(experiment_json(db, experiment, options));
  return {{"database", db.path()}, {"experiments", list}};
}

std::string json_for_script(const json& data) {
  const std::string text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    if (c == '<') escaped += "\\u003c";
    else escaped += c;
  }
  return escaped;
}

}  // namespace losslab::report
