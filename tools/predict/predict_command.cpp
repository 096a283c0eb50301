#include "predict_command.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>

#include "prediction_report.hpp"
#include "scoring.hpp"
#include "usage_error.hpp"

namespace losslab::predictions {
namespace {

using report::OutputFormat;
using report::UsageError;

OutputFormat chosen_format(const PredictOptions& options) {
  if (options.evaluate) return options.format.value_or(OutputFormat::table);
  const OutputFormat format = options.format.value_or(OutputFormat::csv);
  if (format != OutputFormat::csv && format != OutputFormat::json)
    throw UsageError("predictions are written as csv or json; table and markdown are for --evaluate");
  return format;
}

// Why an input has no labels, and how to give them.
std::string no_labels(const report::TrialModel& model, const InputOptions& input) {
  switch (input_format(model.preprocessing.dataset_kind, input.path)) {
    case InputFormat::idx:
      return input.path + " has no labels file beside it (the MNIST name with labels-idx1 for images-idx3); "
                          "give one with --labels FILE";
    case InputFormat::csv: {
      const std::string& column = model.preprocessing.label_column;
      return input.path + " has no label column '" + (column.empty() ? std::string("label") : column) + "'";
    }
    case InputFormat::cifar10: break;  // a CIFAR-10 record always has its label
  }
  return input.path + " has no labels";
}

}  // namespace

std::string predict(const PredictOptions& options) {
  report::ResultsReader db(options.db);
  if (!db.note().empty()) std::cerr << "losslab-predict: note: " << db.note() << "\n";
  const OutputFormat format = chosen_format(options);
  const report::TrialModel model = report::load_trial_model(db, options.choice);
  if (!options.input.labels_path.empty() &&
      input_format(model.preprocessing.dataset_kind, options.input.path) != InputFormat::idx)
    throw UsageError("--labels is for IDX images; " + options.input.path + " is read as " +
                     to_string(input_format(model.preprocessing.dataset_kind, options.input.path)));
  Dataset examples = read_input(model, options.input);
  const Labels truth = examples.y;
  if (options.evaluate && truth.empty())
    throw UsageError("--evaluate needs the examples' labels: " + no_labels(model, options.input));
  const Scores scores = score_examples(model, std::move(examples), options.input.path);
  std::ostringstream out;
  if (options.evaluate)
    write_evaluation(model, options.input.path, truth, scores.predicted, format, out);
  else
    report::write_table(predictions_table(model, scores, truth), format, out);
  return out.str();
}

void write_output(const std::string& text, const std::string& path) {
  if (path == "-") {
    std::cout << text << std::flush;
    if (!std::cout) throw std::runtime_error("cannot write the output to stdout");
    return;
  }
  std::string temporary = path + ".XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  std::size_t written = 0;
  int error = 0;
  while (written < text.size() && error == 0) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n > 0) written += static_cast<std::size_t>(n);
    else if (n < 0 && errno != EINTR) error = errno;
  }
  // mkstemp makes the file private (0600); the output is an ordinary file, as the umask wants it.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (error == 0 && ::fchmod(fd, 0666 & ~mask) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && std::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
  }
}

}  // namespace losslab::predictions
