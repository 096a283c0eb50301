#include "summary_report.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "losslab/runner/did_you_mean.hpp"
#include "param_importance.hpp"
#include "search_tables.hpp"
#include "trial_cells.hpp"

namespace losslab::report {
namespace {

std::string direction(const SortKey& sort) { return sort.descending ? "highest first" : "lowest first"; }

std::optional<double> numeric_param(const TrialRecord& trial, const std::string& name) {
  const auto it = trial.params.find(name);
  return it == trial.params.end() ? std::nullopt : param_number(it->second);
}

const std::vector<std::string> kMetricColumns = {"train_accuracy", "val_accuracy", "test_accuracy", "final_loss",
                                                 "train_seconds"};

// The metric columns of a table ranked by `sort`: the usual ones, and the sort metric where it is
// not among them (macro_f1, epochs_done), so a ranking always shows what it ranks by.
std::vector<std::string> metric_columns(const SortKey& sort) {
  std::vector<std::string> columns = kMetricColumns;
  if (std::find(columns.begin(), columns.end(), sort.metric) == columns.end()) columns.push_back(sort.metric);
  return columns;
}

void append_metrics(std::vector<Cell>& row, const TrialRecord& trial, const std::vector<std::string>& columns) {
  for (const auto& metric : columns) row.push_back(metric_cell(trial, metric));
}

// One experiment's summary, computed before anything is printed.
struct ExperimentSummary {
  const ExperimentTrials* group = nullptr;
  SortKey sort;
  bool sort_fallback = false;  // no validation set: ranked by train_accuracy
  std::vector<const TrialRecord*> ranked;
  std::vector<std::string> swept;  // union over the considered trials, sorted
  std::vector<std::string> search;  // "rung" and "round" where some trial has one
  std::vector<std::string> warnings;
  std::optional<ImportanceResult> importance;  // with --importance
};

ExperimentSummary summarize(const ExperimentTrials& group, const SummaryOptions& options) {
  ExperimentSummary summary;
  summary.group = &group;
  summary.sort = options.sort ? parse_sort_key(*options.sort) : runner::default_sort_key(group.trials);
  summary.sort_fallback = !options.sort && summary.sort.metric != SortKey{}.metric;
  summary.ranked = runner::rank_trials(group.trials, summary.sort);
  std::set<std::string> swept;
  for (const auto& trial : group.trials) swept.insert(trial.swept.begin(), trial.swept.end());
  summary.swept.assign(swept.begin(), swept.end());
  for (const auto& column : search_column_names())
    if (has_search_value(group.trials, column)) summary.search.push_back(column);
  if (!summary.ranked.empty()) summary.warnings = edge_warnings(group.trials, *summary.ranked.front());
  if (options.importance) summary.importance = parameter_importance(group.trials);
  return summary;
}

Table top_table(const ExperimentSummary& summary, int top, const std::vector<std::string>& swept,
                const std::vector<std::string>& search, bool experiment_column) {
  Table table;
  if (experiment_column) table.header.push_back("experiment");
  table.header.insert(table.header.end(), {"rank", "trial", "status"});
  table.header.insert(table.header.end(), swept.begin(), swept.end());
  const std::vector<std::string> metrics = metric_columns(summary.sort);
  table.header.insert(table.header.end(), metrics.begin(), metrics.end());
  table.header.insert(table.header.end(), search.begin(), search.end());
  const std::size_t count = std::min(summary.ranked.size(), static_cast<std::size_t>(std::max(top, 0)));
  for (std::size_t i = 0; i < count; ++i) {
    const TrialRecord& trial = *summary.ranked[i];
    auto& row = table.rows.emplace_back();
    if (experiment_column) row.emplace_back(summary.group->experiment.name);
    row.emplace_back(static_cast<std::int64_t>(i + 1));
    row.emplace_back(trial.name);
    row.emplace_back(trial.status);
    for (const auto& name : swept) row.push_back(param_cell(trial, name));
    append_metrics(row, trial, metrics);
    for (const auto& column : search) row.push_back(search_cell(trial, column));
  }
  return table;
}

// The best ranked trial for each value of `parameter`, ordered by value; nullopt when no ranked
// trial has the parameter.
std::optional<Table> best_per(const ExperimentSummary& summary, const std::string& parameter) {
  std::vector<std::pair<Cell, const TrialRecord*>> bests;
  std::set<std::string> seen;
  for (const TrialRecord* trial : summary.ranked) {  // best first, so the first of each value wins
    const auto it = trial->params.find(parameter);
    if (it == trial->params.end() || !seen.insert(runner::format_value(it->second)).second) continue;
    bests.emplace_back(param_cell(*trial, parameter), trial);
  }
  if (bests.empty()) return std::nullopt;
  std::sort(bests.begin(), bests.end(), [&](const auto& a, const auto& b) {
    return runner::format_value(a.second->params.at(parameter)) < runner::format_value(b.second->params.at(parameter));
  });
  Table table;
  table.header = {parameter, "trial", "status"};
  const std::vector<std::string> metrics = metric_columns(summary.sort);
  table.header.insert(table.header.end(), metrics.begin(), metrics.end());
  for (const auto& [value, trial] : bests) {
    auto& row = table.rows.emplace_back();
    row.push_back(value);
    row.emplace_back(trial->name);
    row.emplace_back(trial->status);
    append_metrics(row, *trial, metrics);
  }
  return table;
}

// The refits (sweep.refit) apart from the ranked search trials: each retrained a search trial's
// configuration on training + validation data and was scored once, on the test split. nullopt
// when there is none.
std::optional<Table> refit_table(const ExperimentTrials& group) {
  const auto refits = runner::refit_trials(group.trials);
  if (refits.empty()) return std::nullopt;
  Table table;
  table.header = {"trial", "status", "refit_of", "train_examples", "test_accuracy", "test_macro_f1", "train_seconds"};
  for (const TrialRecord* refit : refits) {
    const auto of = std::find_if(group.trials.begin(), group.trials.end(),
                                 [&](const TrialRecord& trial) { return trial.id == refit->refit_of; });
    auto& row = table.rows.emplace_back();
    row.emplace_back(refit->name);
    row.emplace_back(refit->status);
    row.push_back(of != group.trials.end() ? Cell(of->name) : Cell("trial " + std::to_string(refit->refit_of)));
    row.push_back(refit->train_examples < 0 ? Cell::null() : Cell(refit->train_examples));
    for (const auto* metric : {"test_accuracy", "test_macro_f1", "train_seconds"}) row.push_back(metric_cell(*refit, metric));
  }
  return table;
}

std::string counts_text(const ExperimentTrials& group, const std::optional<std::string>& where) {
  std::string text = std::to_string(group.trials.size());
  if (where) text += " of " + std::to_string(group.total) + " match --where";
  std::string counts;
  for (const auto& [status, count] : runner::count_by_status(group.trials))
    counts += (counts.empty() ? "" : ", ") + std::to_string(count) + " " + status;
  return text + (counts.empty() ? "" : " (" + counts + ")");
}

std::string top_heading(const ExperimentSummary& summary, int top) {
  const std::size_t shown = std::min(summary.ranked.size(), static_cast<std::size_t>(std::max(top, 0)));
  return "top " + std::to_string(shown) + " of " + std::to_string(summary.ranked.size()) + " ranked trials by " +
         summary.sort.metric + " (" + direction(summary.sort) + ")" +
         (summary.sort_fallback ? "; no validation accuracy, so ranked by train_accuracy" : "");
}

std::string nothing_ranked(const ExperimentSummary& summary) {
  return "no completed or pruned trial with a " + summary.sort.metric + " to rank";
}

const std::vector<std::string> kBestPer = {"loss", "optimizer"};

// A sub-heading: "heading:" in text, "### heading" in markdown.
void write_heading(const std::string& heading, OutputFormat format, std::ostream& out) {
  const bool markdown = format == OutputFormat::markdown;
  out << '\n' << (markdown ? "### " : "") << heading << (markdown ? "\n\n" : ":\n");
}

// The strategy and rungs of a halving search, the rounds of an adaptive sampler; nothing for an
// exhaustive sweep.
void write_search(const ExperimentSummary& summary, OutputFormat format, std::ostream& out) {
  const auto& group = *summary.group;
  if (group.strategy != "exhaustive") {
    out << (format == OutputFormat::markdown ? "\n**Search:** " : "search: ") << group.strategy << "\n";
    if (!group.rungs.empty()) {  // none when --where kept no trial of the search
      write_heading("rungs", format, out);
      write_table(rungs_table(group.rungs), format, out);
    }
  }
  if (const Table rounds = rounds_table(group.trials, summary.sort); !rounds.rows.empty()) {
    write_heading("rounds (best by " + summary.sort.metric + ")", format, out);
    write_table(rounds, format, out);
  }
}

// The ranked search trials: the top ones, the best per loss and optimizer, the edge warnings.
void write_ranking(const ExperimentSummary& summary, const SummaryOptions& options, std::ostream& out) {
  const bool markdown = options.format == OutputFormat::markdown;
  if (summary.ranked.empty()) {
    out << (markdown ? "\n" : "") << nothing_ranked(summary) << "\n";
    return;
  }
  write_heading(top_heading(summary, options.top), options.format, out);
  write_table(top_table(summary, options.top, summary.swept, summary.search, false), options.format, out);
  for (const auto& parameter : kBestPer)
    if (const auto table = best_per(summary, parameter)) {
      write_heading("best per " + parameter + " (by " + summary.sort.metric + ")", options.format, out);
      write_table(*table, options.format, out);
    }
  if (!summary.warnings.empty()) out << '\n';
  for (const auto& warning : summary.warnings) out << (markdown ? "> " : "") << warning << "\n";
}

std::string importance_heading(const ImportanceResult& importance) {
  return "parameter importance: share of the variance of " + importance.metric + " over " +
         std::to_string(importance.trials) + " completed trials (mean " + format_fixed(importance.mean, 4) +
         ", std " + format_fixed(importance.stddev, 4) + ") explained by each parameter alone";
}

// The importance table, and what the shares leave to interactions and noise; or why there is none.
void write_importance(const ImportanceResult& importance, OutputFormat format, std::ostream& out) {
  write_heading(importance_heading(importance), format, out);
  if (!importance.note.empty()) {
    out << importance.note << "\n";
    return;
  }
  write_table(importance_table(importance), format, out);
  out << (format == OutputFormat::markdown ? "\n" : "") << "rest (interactions and noise): "
      << format_fixed(importance.rest(), 4) << "\n";
}

void write_text(const std::vector<ExperimentSummary>& summaries, const SummaryOptions& options, std::ostream& out) {
  const bool markdown = options.format == OutputFormat::markdown;
  bool first = true;
  for (const auto& summary : summaries) {
    const auto& group = *summary.group;
    if (!first) out << '\n';
    first = false;
    const std::string title = group.experiment.name + " (experiment " + std::to_string(group.experiment.id) + ")";
    if (markdown) out << "## " << title << "\n\n**Trials:** " << counts_text(group, options.where) << "\n";
    else out << "== " << title << " ==\ntrials: " << counts_text(group, options.where) << "\n";
    write_search(summary, options.format, out);
    write_ranking(summary, options, out);
    if (summary.importance) write_importance(*summary.importance, options.format, out);
    if (const auto refits = refit_table(group)) {
      write_heading("refit on training + validation data, scored once on test (not ranked)", options.format, out);
      write_table(*refits, options.format, out);
    }
  }
}

void write_json_summary(const std::vector<ExperimentSummary>& summaries, const SummaryOptions& options,
                        std::ostream& out) {
  auto array = nlohmann::ordered_json::array();
  for (const auto& summary : summaries) {
    const auto& group = *summary.group;
    nlohmann::ordered_json object;
    object["experiment"] = group.experiment.name;
    object["experiment_id"] = group.experiment.id;
    object["trials"] = group.total;
    if (options.where) {
      object["where"] = *options.where;
      object["matching"] = group.trials.size();
    }
    auto counts = nlohmann::ordered_json::object();
    for (const auto& [status, count] : runner::count_by_status(group.trials)) counts[status] = count;
    object["status_counts"] = counts;
    object["sort"] = {{"metric", summary.sort.metric}, {"order", summary.sort.descending ? "desc" : "asc"}};
    object["ranked"] = summary.ranked.size();
    if (group.strategy != "exhaustive") {
      object["strategy"] = group.strategy;
      object["rungs"] = to_json(rungs_table(group.rungs));
    }
    if (const Table rounds = rounds_table(group.trials, summary.sort); !rounds.rows.empty())
      object["rounds"] = to_json(rounds);
    if (const auto refits = refit_table(group)) object["refits"] = to_json(*refits);
    object["top"] = to_json(top_table(summary, options.top, summary.swept, summary.search, false));
    for (const auto& parameter : kBestPer) {
      const auto table = best_per(summary, parameter);
      object["best_per_" + parameter] = table ? to_json(*table) : nlohmann::ordered_json::array();
    }
    object["warnings"] = summary.warnings;
    if (summary.importance) object["importance"] = importance_json(*summary.importance);
    array.push_back(std::move(object));
  }
  out << array.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

// With --importance, csv is every experiment's importance table as one (an `experiment` column first).
void write_csv_importance(const std::vector<ExperimentSummary>& summaries, std::ostream& out, std::ostream& err) {
  Table all = importance_table({});
  all.header.insert(all.header.begin(), "experiment");
  for (const auto& summary : summaries) {
    const std::string& name = summary.group->experiment.name;
    if (!summary.importance->note.empty()) err << name << ": " << summary.importance->note << "\n";
    for (auto& row : importance_table(*summary.importance).rows) {
      row.insert(row.begin(), Cell(name));
      all.rows.push_back(std::move(row));
    }
  }
  write_csv(all, out);
}

void write_csv_summary(const std::vector<ExperimentSummary>& summaries, const SummaryOptions& options,
                       std::ostream& out, std::ostream& err) {
  if (options.importance) return write_csv_importance(summaries, out, err);
  std::set<std::string> swept;
  for (const auto& summary : summaries) swept.insert(summary.swept.begin(), summary.swept.end());
  const std::vector<std::string> columns(swept.begin(), swept.end());
  std::vector<std::string> search;
  for (const auto& column : search_column_names())
    if (std::any_of(summaries.begin(), summaries.end(), [&](const ExperimentSummary& summary) {
          return has_search_value(summary.group->trials, column);
        }))
      search.push_back(column);
  Table all;
  for (const auto& summary : summaries) {
    Table table = top_table(summary, options.top, columns, search, true);
    all.header = table.header;
    for (auto& row : table.rows) all.rows.push_back(std::move(row));
    for (const auto& warning : summary.warnings) err << summary.group->experiment.name << ": " << warning << "\n";
  }
  if (all.header.empty()) all = top_table(ExperimentSummary{}, 0, columns, search, true);
  write_csv(all, out);
}

}  // namespace

const std::vector<std::string>& sort_metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const auto& entry : runner::rank_metrics()) all.push_back(entry.first);
    return all;
  }();
  return names;
}

SortKey parse_sort_key(const std::string& text) {
  std::string metric = text;
  std::optional<bool> descending;
  if (const auto colon = text.find(':'); colon != std::string::npos) {
    metric = text.substr(0, colon);
    const std::string order = text.substr(colon + 1);
    if (order == "desc") descending = true;
    else if (order == "asc") descending = false;
    else throw UsageError("--sort: unknown order '" + order + "' in '" + text + "' (use :asc or :desc)");
  }
  const auto it = runner::rank_metrics().find(metric);
  if (it == runner::rank_metrics().end()) {
    std::string names;
    for (const auto& name : sort_metric_names()) names += (names.empty() ? "" : ", ") + name;
    throw UsageError("--sort: unknown metric '" + metric + "'" + runner::detail::did_you_mean(metric, sort_metric_names()) +
                     " (one of " + names + ")");
  }
  return {metric, descending.value_or(it->second.higher_is_better)};
}

std::vector<std::string> edge_warnings(const std::vector<TrialRecord>& trials, const TrialRecord& best) {
  std::set<std::string> swept;
  for (const auto& trial : trials) swept.insert(trial.swept.begin(), trial.swept.end());
  std::vector<std::string> warnings;
  for (const auto& name : swept) {
    const auto value = numeric_param(best, name);
    if (!value) continue;
    std::set<double> tried;
    for (const auto& trial : trials)
      if (const auto v = numeric_param(trial, name)) tried.insert(*v);
    if (tried.size() < 3) continue;
    const double low = *tried.begin(), high = *tried.rbegin();
    if (*value != low && *value != high) continue;
    warnings.push_back("warning: the best " + name + " (" + format_number(*value) + ") is at the " +
                       (*value == high ? "upper" : "lower") + " edge of the values tried [" + format_number(low) +
                       " .. " + format_number(high) + "]; widen the range");
  }
  return warnings;
}

void write_summary(ResultsReader& db, const SummaryOptions& options, std::ostream& out, std::ostream& err) {
  if (options.top < 0) throw UsageError("--top must be >= 0");
  if (options.sort) parse_sort_key(*options.sort);  // a bad --sort fails before any output
  const auto groups = load_trials(db, options.experiment, options.where);
  std::vector<ExperimentSummary> summaries;
  for (const auto& group : groups) summaries.push_back(summarize(group, options));
  if (groups.empty() && options.format != OutputFormat::json && options.format != OutputFormat::csv)
    out << "no experiments in " << db.path() << "\n";
  switch (options.format) {
    case OutputFormat::json: return write_json_summary(summaries, options, out);
    case OutputFormat::csv: return write_csv_summary(summaries, options, out, err);
    case OutputFormat::table:
    case OutputFormat::markdown: return write_text(summaries, options, out);
  }
}

}  // namespace losslab::report
