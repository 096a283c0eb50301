#include "prediction_report.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

#include "losslab/classification_metrics.hpp"

namespace losslab::predictions {
namespace {

using report::Cell;
using report::OutputFormat;
using report::Table;

const std::string& class_name(const report::TrialModel& model, std::int32_t label) {
  return model.preprocessing.class_names.at(static_cast<std::size_t>(label));
}

constexpr int kDigits = 4;  // of the fractions in text and markdown

Table summary_table(const ConfusionMatrix& matrix) {
  Table table;
  table.header = {"metric", "value"};
  table.rows.push_back({Cell("examples"), Cell(matrix.total())});
  table.rows.push_back({Cell("accuracy"), report::fixed_cell(accuracy(matrix), kDigits)});
  table.rows.push_back({Cell("macro_f1"), report::fixed_cell(macro_f1(matrix), kDigits)});
  return table;
}

Table class_table(const report::TrialModel& model, const ConfusionMatrix& matrix) {
  Table table;
  table.header = {"class", "support", "predicted", "precision", "recall", "f1"};
  const std::vector<ClassMetrics> metrics = per_class_metrics(matrix);
  for (std::size_t c = 0; c < metrics.size(); ++c)
    table.rows.push_back({Cell(class_name(model, static_cast<std::int32_t>(c))), Cell(metrics[c].support),
                          Cell(metrics[c].predicted), report::fixed_cell(metrics[c].precision, kDigits),
                          report::fixed_cell(metrics[c].recall, kDigits), report::fixed_cell(metrics[c].f1, kDigits)});
  return table;
}

Table confusion_table(const report::TrialModel& model, const ConfusionMatrix& matrix) {
  Table table;
  table.header = {"true \\ predicted"};
  for (int c = 0; c < matrix.classes; ++c) table.header.push_back(class_name(model, c));
  for (int truth = 0; truth < matrix.classes; ++truth) {
    auto& row = table.rows.emplace_back();
    row.emplace_back(class_name(model, truth));
    for (int predicted = 0; predicted < matrix.classes; ++predicted) row.emplace_back(matrix.at(truth, predicted));
  }
  return table;
}

// Everything as rows of one long table, for a CSV file pandas reads (pivot it as needed).
Table long_table(const report::TrialModel& model, const ConfusionMatrix& matrix) {
  Table table;
  table.header = {"metric", "class", "predicted_class", "value"};
  const auto add = [&](const std::string& metric, Cell klass, Cell predicted, Cell value) {
    table.rows.push_back({Cell(metric), std::move(klass), std::move(predicted), std::move(value)});
  };
  add("examples", Cell::null(), Cell::null(), Cell(matrix.total()));
  add("accuracy", Cell::null(), Cell::null(), Cell(accuracy(matrix)));
  add("macro_f1", Cell::null(), Cell::null(), Cell(macro_f1(matrix)));
  const std::vector<ClassMetrics> metrics = per_class_metrics(matrix);
  for (int c = 0; c < matrix.classes; ++c) {
    const ClassMetrics& m = metrics[static_cast<std::size_t>(c)];
    add("support", Cell(class_name(model, c)), Cell::null(), Cell(m.support));
    add("predicted", Cell(class_name(model, c)), Cell::null(), Cell(m.predicted));
    add("precision", Cell(class_name(model, c)), Cell::null(), Cell(m.precision));
    add("recall", Cell(class_name(model, c)), Cell::null(), Cell(m.recall));
    add("f1", Cell(class_name(model, c)), Cell::null(), Cell(m.f1));
  }
  for (int truth = 0; truth < matrix.classes; ++truth)
    for (int predicted = 0; predicted < matrix.classes; ++predicted)
      add("confusion", Cell(class_name(model, truth)), Cell(class_name(model, predicted)),
          Cell(matrix.at(truth, predicted)));
  return table;
}

nlohmann::ordered_json evaluation_json(const report::TrialModel& model, const std::string& input,
                                       const ConfusionMatrix& matrix) {
  nlohmann::ordered_json counts = nlohmann::ordered_json::array();
  for (int truth = 0; truth < matrix.classes; ++truth) {
    nlohmann::ordered_json row = nlohmann::ordered_json::array();
    for (int predicted = 0; predicted < matrix.classes; ++predicted) row.push_back(matrix.at(truth, predicted));
    counts.push_back(std::move(row));
  }
  return {{"trial", {{"id", model.trial.id}, {"key", model.trial.key}, {"name", model.trial.name}}},
          {"experiment", model.experiment.name},
          {"input", input},
          {"examples", matrix.total()},
          {"accuracy", report::to_json(Cell(accuracy(matrix)))},
          {"macro_f1", report::to_json(Cell(macro_f1(matrix)))},
          {"classes", report::to_json(class_table(model, matrix))},
          {"confusion_matrix", {{"classes", model.preprocessing.class_names}, {"counts", std::move(counts)}}}};
}

void write_titled(const std::string& title, const Table& table, OutputFormat format, std::ostream& out) {
  out << (format == OutputFormat::markdown ? "**" + title + "**\n\n" : title + ":\n");
  report::write_table(table, format, out);
}

}  // namespace

Table predictions_table(const report::TrialModel& model, const Scores& scores, const Labels& truth) {
  const std::vector<std::string>& classes = model.preprocessing.class_names;
  const bool probabilities = scores.probabilities.size() > 0;
  Table table;
  table.header = {"example"};
  if (!truth.empty()) table.header.push_back("label");
  table.header.push_back("predicted");
  for (const std::string& name : classes) table.header.push_back("score:" + name);
  if (probabilities)
    for (const std::string& name : classes) table.header.push_back("probability:" + name);
  for (Eigen::Index i = 0; i < scores.scores.rows(); ++i) {
    const auto example = static_cast<std::size_t>(i);
    auto& row = table.rows.emplace_back();
    row.emplace_back(static_cast<std::int64_t>(i));
    if (!truth.empty()) row.emplace_back(class_name(model, truth[example]));
    row.emplace_back(class_name(model, scores.predicted[example]));
    for (Eigen::Index c = 0; c < scores.scores.cols(); ++c) row.push_back(report::float_cell(scores.scores(i, c)));
    if (probabilities)
      for (Eigen::Index c = 0; c < scores.probabilities.cols(); ++c)
        row.push_back(report::float_cell(scores.probabilities(i, c)));
  }
  return table;
}

void write_evaluation(const report::TrialModel& model, const std::string& input, const Labels& truth,
                      const Labels& predicted, OutputFormat format, std::ostream& out) {
  const ConfusionMatrix matrix =
      confusion_matrix(truth, predicted, static_cast<int>(model.preprocessing.class_names.size()));
  switch (format) {
    case OutputFormat::csv: report::write_csv(long_table(model, matrix), out); return;
    case OutputFormat::json: out << evaluation_json(model, input, matrix).dump(2) << "\n"; return;
    case OutputFormat::table:
    case OutputFormat::markdown: {
      const std::string title = report::describe(model) + " on " + input;
      out << (format == OutputFormat::markdown ? "### " + title : "== " + title + " ==") << "\n\n";
      report::write_table(summary_table(matrix), format, out);
      out << "\n";
      write_titled("per class", class_table(model, matrix), format, out);
      out << "\n";
      write_titled("confusion matrix (rows: true class, columns: predicted class)", confusion_table(model, matrix),
                   format, out);
      return;
    }
  }
}

}  // namespace losslab::predictions
