// losslab-report: summaries, SQL queries, exports and the HTML report of a results database.
// Exit codes: 0 done; 1 the database could not be read (missing, not a results database, newer
// schema, I/O); 2 bad arguments, --where / --sort expression, unknown experiment, or a rejected or
// failing query; 3 serve cannot listen on its host and port.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "export.hpp"
#include "export_model.hpp"
#include "losslab/runner/guarded_main.hpp"
#include "html_report.hpp"
#include "report_data.hpp"
#include "report_server.hpp"
#include "sql_query.hpp"
#include "summary_report.hpp"
#include "table_format.hpp"
#include "trial_compare.hpp"
#include "trial_selection.hpp"
#include "usage_error.hpp"

namespace {

using namespace losslab::report;

constexpr const char* kDescription =
    "Summarize, filter, query and export a losslab results database (read-only: nothing here "
    "changes the file, and it can be read while losslab-run is writing to it).";

constexpr const char* kExamples = R"(Examples:
  losslab-report results.db
  losslab-report results.db --experiment fmnist-softmax --top 10 --sort final_loss
  losslab-report results.db --where 'learning_rate < 1e-2 and loss = softmax'
  losslab-report results.db --where "optimizer in (sgd, momentum) and not status = diverged" --format markdown
  losslab-report results.db --importance
  losslab-report query results.db "SELECT name, val_accuracy FROM trials ORDER BY val_accuracy DESC LIMIT 3"
  losslab-report export results.db --format csv > trials.csv
  losslab-report html results.db -o report.html --top 5 --log-scale
  losslab-report serve results.db --port 8050
  losslab-report compare results.db 3 7
  losslab-report export-model results.db --best --experiment fmnist-softmax -o model.npz

--where: conditions over parameters (short names: learning_rate, loss, strength, optimizer, ...)
and metrics (val_accuracy, test_accuracy, train_accuracy, macro_f1, final_loss, train_seconds,
epochs_done, refit_of, status, name, ...) joined with and / or / not and parentheses:
  NAME = | != | < | <= | > | >= VALUE     NAME [not] in (V1, V2, ...)     NAME is [not] null
VALUE is a number (1e-3), a word (softmax) or a quoted string ('sgd', "adam").

Exit codes: 0 success (serve: stopped by Ctrl-C or SIGTERM); 1 database missing, unreadable or of a
newer schema; 2 bad arguments, filter or query; 3 serve cannot listen on its host and port.
)";

std::optional<std::string> optional_text(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

OutputFormat format_of(const std::string& name) { return parse_output_format(name).value(); }

int run_html(ResultsReader& db, const HtmlOptions& options, const std::string& output) {
  select_experiments(db, options.experiment);  // an unknown experiment is an argument error, found first
  if (output == "-") {
    write_html_report(db, options, std::cout);
    return 0;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  if (!file) throw ReportError("cannot write " + output);
  write_html_report(db, options, file);
  file.close();
  if (!file) throw ReportError("cannot write " + output);
  std::cerr << "wrote " << output << "\n";
  return 0;
}

}  // namespace

static int run(int argc, char** argv) {
  CLI::App app(kDescription, "losslab-report");
  app.footer(kExamples);
  app.require_subcommand(0, 1);
  const std::vector<std::string> formats = {"table", "csv", "json", "markdown"};

  // The summary: losslab-report DB [options]
  std::string db_path, experiment, sort, where, format = "table";
  int top = 5;
  app.add_option("DB", db_path, "Results database written by losslab-run");
  app.add_option("--experiment,-e", experiment, "Only this experiment (name or id); default: every experiment");
  app.add_option("--top,-k", top, "How many trials to list per experiment")->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  app.add_option("--sort,-s", sort,
                 "Rank by METRIC[:asc|:desc]: val_accuracy (default; train_accuracy without a validation set), "
                 "test_accuracy, train_accuracy, val_macro_f1, test_macro_f1, macro_f1 (= val_macro_f1), "
                 "epochs_done (highest first), final_loss, train_seconds (lowest first)");
  app.add_option("--where,-w", where, "Only trials matching this filter (see --where below)");
  app.add_option("--format,-f", format, "Output format of the tables")->check(CLI::IsMember(formats))
      ->capture_default_str();
  bool importance = false;
  app.add_flag("--importance", importance,
               "Add each experiment's parameter importance: the share of the variance of validation accuracy "
               "over the completed trials that each swept parameter explains alone (csv: only this table)");

  auto* query = app.add_subcommand("query", "Run one read-only SQL statement and print its result");
  std::string query_db, sql, query_format = "table";
  query->add_option("DB", query_db, "Results database")->required();
  query->add_option("SQL", sql, "One SELECT (or WITH / read-only PRAGMA) statement")->required();
  query->add_option("--format,-f", query_format, "Output format")->check(CLI::IsMember(formats))->capture_default_str();
  query->footer(
      "The connection is read-only; statements that would write (INSERT, UPDATE, DELETE, CREATE, DROP, ALTER,\n"
      "ATTACH, PRAGMA x = y, ...) and more than one statement are rejected with exit code 2.\n"
      "The schema is documented in runner/results/README.md.\n\n"
      "Example:\n"
      "  losslab-report query results.db \"SELECT t.name, p.value AS lr FROM trials t JOIN trial_params p\n"
      "      ON p.trial_id = t.id AND p.name = 'learning_rate' WHERE t.status = 'completed'\" --format csv");

  auto* export_command = app.add_subcommand("export", "Print every trial as one row, its parameters as columns");
  std::string export_db, export_experiment, export_where, export_format = "csv";
  export_command->add_option("DB", export_db, "Results database")->required();
  export_command->add_option("--format,-f", export_format, "csv or json")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  export_command->add_option("--experiment,-e", export_experiment, "Only this experiment (name or id)");
  export_command->add_option("--where,-w", export_where, "Only trials matching this filter");
  export_command->footer("Example:\n  losslab-report export results.db --format json --experiment fmnist-softmax");

  auto* html = app.add_subcommand("html", "Write a self-contained HTML report (charts, sortable trial table)");
  std::string html_db, html_output, html_experiment;
  HtmlOptions html_options;
  html->add_option("DB", html_db, "Results database")->required();
  html->add_option("-o,--output", html_output, "HTML file to write ('-' for stdout)")->required();
  html->add_option("--experiment,-e", html_experiment, "Only this experiment (name or id)");
  html->add_option("--top,-k", html_options.top, "Trials whose loss curves are drawn")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  html->add_flag("--log-scale", html_options.log_scale, "Start the loss chart on a log scale");
  html->footer("Example:\n  losslab-report html results.db -o report.html --experiment fmnist-softmax --top 5");

  auto* serve = app.add_subcommand("serve", "Serve the HTML report on a local web server; it updates itself as trials finish");
  std::string serve_db, serve_experiment;
  ServeOptions serve_options;
  serve->add_option("DB", serve_db, "Results database (a sweep may be writing it)")->required();
  serve->add_option("--host", serve_options.host, "Address to listen on; anything but loopback warns")
      ->capture_default_str();
  serve->add_option("--port,-p", serve_options.port, "Port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve->add_option("--experiment,-e", serve_experiment, "Only this experiment (name or id)");
  serve->add_option("--top,-k", serve_options.page.top, "Trials whose loss curves are drawn")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  serve->add_flag("--log-scale", serve_options.page.log_scale, "Start the loss chart on a log scale");
  serve->footer(
      "The page is the html command's; while it is open it asks the server every few seconds for\n"
      "what changed (GET /api/updates) and redraws. The database is opened read-only. Stop with Ctrl-C.\n\n"
      "Example:\n  losslab-report serve results.db --experiment fmnist-softmax   # then open the printed URL");

  auto* compare = app.add_subcommand("compare", "Show 2 to 4 trials side by side: parameters (differences marked) and metrics");
  std::string compare_db, compare_format = "table";
  CompareOptions compare_options;
  compare->add_option("DB", compare_db, "Results database")->required();
  compare->add_option("TRIAL", compare_options.trials, "2 to 4 trials: their ids (or trial_keys)");
  compare->add_option("--format,-f", compare_format, "Output format")->check(CLI::IsMember(formats))->capture_default_str();
  compare->footer(
      "One row per parameter of any of the trials (swept ones first), marked * where the trials differ,\n"
      "then their status, accuracies, final loss, epochs and, in a halving search, rung. Trials of\n"
      "different experiments may be compared. The HTML report compares trials ticked in its table.\n\n"
      "Example:\n  losslab-report compare results.db 3 7 11");

  auto* export_model = app.add_subcommand(
      "export-model", "Write one trial's weights, preprocessing and class names as a NumPy .npz file");
  std::string model_db, model_output, model_trial, model_experiment;
  bool model_best = false;
  export_model->add_option("DB", model_db, "Results database")->required();
  auto* model_trial_option = export_model->add_option("--trial,-t", model_trial, "The trial: its id or trial_key");
  auto* model_best_flag = export_model->add_flag(
      "--best", model_best, "The experiment's best trial (highest validation accuracy, as the summary ranks them)");
  model_trial_option->excludes(model_best_flag);
  export_model->add_option("--experiment,-e", model_experiment,
                           "With --best: the experiment (name or id); needed when the database holds several");
  export_model->add_option("-o,--output", model_output, "The .npz file to write")->required();
  export_model->footer(
      "Arrays: W (D x C float32), offsets and scales (one row per preprocessing step), bias, class_names,\n"
      "input_shape, steps, loss, dataset_kind, trial_key, and for CSV data feature_names and label_column.\n"
      "tools/predict/README.md shows the NumPy lines that score a raw example with them.\n\n"
      "Example:\n  losslab-report export-model results.db --trial 7 -o model.npz");

  try {
    app.parse(argc, argv);
    if (app.got_subcommand(query) || app.got_subcommand(export_command) || app.got_subcommand(html) ||
        app.got_subcommand(serve) || app.got_subcommand(export_model) || app.got_subcommand(compare)) {
      if (!db_path.empty()) throw CLI::ExtrasError({db_path});
      if (app.got_subcommand(export_model) && !model_best && model_trial_option->count() == 0)
        throw CLI::RequiredError("--trial or --best");
    } else if (db_path.empty()) {
      throw CLI::RequiredError("DB");
    }
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }

  try {
    const std::string& path = app.got_subcommand(query)            ? query_db
                              : app.got_subcommand(export_command) ? export_db
                              : app.got_subcommand(html)           ? html_db
                              : app.got_subcommand(serve)          ? serve_db
                              : app.got_subcommand(export_model)   ? model_db
                              : app.got_subcommand(compare)        ? compare_db
                                                                   : db_path;
    ResultsReader db(path);
    if (!db.note().empty()) std::cerr << "losslab-report: note: " << db.note() << "\n";
    if (app.got_subcommand(query)) {
      write_query(db, sql, format_of(query_format), std::cout);
    } else if (app.got_subcommand(export_command)) {
      const bool filtered = export_command->count("--where") > 0;
      write_export(db,
                   {optional_text(export_experiment), filtered ? std::optional(export_where) : std::nullopt,
                    format_of(export_format)},
                   std::cout);
    } else if (app.got_subcommand(html)) {
      html_options.experiment = optional_text(html_experiment);
      return run_html(db, html_options, html_output);
    } else if (app.got_subcommand(serve)) {
      serve_options.page.experiment = optional_text(serve_experiment);
      return serve_report(db, serve_options, std::cout, std::cerr);
    } else if (app.got_subcommand(compare)) {
      compare_options.format = format_of(compare_format);
      write_compare(db, compare_options, std::cout);
    } else if (app.got_subcommand(export_model)) {
      const ModelChoice choice{model_best ? std::nullopt : std::optional(model_trial), model_best,
                               optional_text(model_experiment)};
      write_model_npz(db, choice, model_output);
      std::cerr << "wrote " << model_output << "\n";
    } else {
      SummaryOptions options;
      options.experiment = optional_text(experiment);
      options.top = top;
      options.sort = optional_text(sort);
      options.where = app.count("--where") > 0 ? std::optional(where) : std::nullopt;
      options.format = format_of(format);
      options.importance = importance;
      write_summary(db, options, std::cout, std::cerr);
    }
    std::cout.flush();
    return 0;
  } catch (const UsageError& error) {
    std::cerr << "losslab-report: " << error.what() << "\n";
    return 2;
  } catch (const ListenError& error) {
    std::cerr << "losslab-report: " << error.what() << "\n";
    return 3;
  } catch (const std::exception& error) {
    std::cerr << "losslab-report: " << error.what() << "\n";
    return 1;
  }
}

int main(int argc, char** argv) {
  return losslab::runner::guarded_main("losslab-report", 1, [&] { return run(argc, argv); });
}
