// How many trial results per second rank 0 of an MPI sweep can record: the work rank 0 does for
// every result a worker sends, without the training. Per group of trials: claim each trial through
// the ResultWriter (one transaction each), decode the worker's outcome message, and hand every
// outcome to the writer (one transaction each with its loss history, epoch metrics and weights),
// logging one line per trial as the sweep does. The rate is measured from the first claim until
// the writer has committed the last outcome.
//   build/bin/losslab-bench-record [--trials N] [--steps S] [--features D] [--classes C] [--epochs E]
//                                  [--group G] [--db PATH] 2>/dev/null
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "losslab/runner/command_line.hpp"
#include "losslab/runner/guarded_main.hpp"
#include "losslab/runner/results/store.hpp"
#include "progress.hpp"
#include "result_writer.hpp"
#include "sweep_round.hpp"
#include "work_messages.hpp"

namespace {

using namespace losslab;
using namespace losslab::runner;
using Clock = std::chrono::steady_clock;

struct Shape {
  std::size_t trials = 800, steps = 2500, features = 785, classes = 10, epochs = 10, group = 8;
};

// A result the size a worker sends for a Fashion-MNIST trial: `steps` losses, `epochs` epoch
// rows, a features x classes weight matrix.
TrainResult sample_result(const Shape& shape, std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(0.0f, 2.0f);
  TrainResult result;
  result.W = Matrix<float>(static_cast<Eigen::Index>(shape.features), static_cast<Eigen::Index>(shape.classes));
  for (Eigen::Index i = 0; i < result.W.size(); ++i) result.W.data()[i] = uniform(rng);
  result.loss_history.resize(shape.steps);
  for (float& loss : result.loss_history) loss = uniform(rng);
  result.steps_per_epoch = std::max<std::size_t>(1, shape.steps / shape.epochs);
  for (std::size_t e = 1; e <= shape.epochs; ++e)
    result.epochs.push_back({static_cast<int>(e), 0.5, 0.8, 0.8, 0.01, static_cast<double>(e)});
  result.final_loss = 0.5;
  result.train_accuracy = result.val_accuracy = result.test_accuracy = 0.8;
  // Confusion matrices as a trainer records them: every cell of C x C for each scored split.
  const auto classes = static_cast<int>(shape.classes);
  result.val_confusion = {classes, std::vector<std::int64_t>(shape.classes * shape.classes, 10)};
  result.test_confusion = result.val_confusion;
  result.train_seconds = 1;
  return result;
}

}  // namespace

static int run(int argc, char** argv) {
  CLI::App app{"losslab-bench-record: trial results per second that rank 0 of an MPI sweep can record"};
  app.footer("Exit codes: 0 measured; 1 the database could not be written (or memory ran out); 2 bad arguments.");
  Shape shape;
  std::string db_path = "record-bench.db";
  app.add_option("--trials", shape.trials, "Trials to record")->capture_default_str();
  app.add_option("--steps", shape.steps, "Loss history length per trial")->capture_default_str();
  app.add_option("--features", shape.features, "Rows of each trial's weights")->check(CLI::Range(std::size_t{1}, std::size_t{1000000000}))->capture_default_str();
  app.add_option("--classes", shape.classes, "Columns of each trial's weights")->check(CLI::Range(std::size_t{1}, std::size_t{1000000000}))->capture_default_str();
  app.add_option("--epochs", shape.epochs, "Epoch metric rows per trial")->check(CLI::Range(std::size_t{1}, std::size_t{1000000000}))->capture_default_str();
  app.add_option("--group", shape.group, "Trials per worker message (a fused group)")->check(CLI::Range(std::size_t{1}, std::size_t{1000000000}))->capture_default_str();
  app.add_option("--db", db_path, "Database to create (replaced)")->capture_default_str();
  if (const auto exit_code = losslab::runner::parse_command_line(app, argc, argv)) return *exit_code;
  spdlog::set_default_logger(spdlog::null_logger_mt("bench"));  // rank 0 logs each trial; the cost of
  spdlog::set_level(spdlog::level::info);                        // formatting stays, the terminal's does not

  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  ResultsStore store(db_path);
  const std::int64_t experiment = store.ensure_experiment({"record-bench", "", ""});
  std::vector<Trial> trials(shape.trials);
  std::vector<TrialSpec> specs;
  for (std::size_t i = 0; i < shape.trials; ++i) {
    trials[i].key = "bench" + std::to_string(i);
    trials[i].name = "bench/trial=" + std::to_string(i);
    trials[i].params = {{"optimizer.learning_rate", 1e-3 * static_cast<double>(i + 1)}};
    TrialSpec spec;
    spec.key = trials[i].key;
    spec.name = trials[i].name;
    spec.params = trials[i].params;
    spec.short_names = {{"optimizer.learning_rate", "learning_rate"}};
    spec.params_json = "{}";
    specs.push_back(spec);
  }
  store.register_trials(experiment, specs);
  const std::int64_t run = store.begin_run(experiment, RunRecord{});
  std::vector<WorkItem> items;
  for (const Trial& trial : trials) items.push_back({&trial, store.trial_id(trial.key), TrainerConfig{}, true});

  // What a worker sends for one group, encoded once: rank 0 decodes a fresh copy per group.
  std::mt19937 rng(0);
  messages::GroupOutcome outcome;
  for (std::size_t k = 0; k < shape.group; ++k)
    outcome.reports.push_back(
        TrialReport{TrialStatus::completed, "", std::make_unique<TrainResult>(sample_result(shape, rng))});
  const messages::Bytes message = messages::encode(outcome);

  ProgressLine progress(shape.trials, false);
  double decode_seconds = 0;
  const auto start = Clock::now();
  {
    ResultWriter writer(store, run, {true, -1}, 0);
    SweepRound round{writer, progress, false};
    for (std::size_t first = 0; first < items.size(); first += shape.group) {
      WorkGroup group;
      for (std::size_t i = first; i < std::min(items.size(), first + shape.group); ++i) group.push_back(&items[i]);
      const std::vector<char> claimed = claim_group(round, group);
      const auto decode_start = Clock::now();
      messages::GroupOutcome received = messages::decode_group_outcome(message);
      decode_seconds += std::chrono::duration<double>(Clock::now() - decode_start).count();
      for (std::size_t k = 0; k < group.size(); ++k)
        if (claimed[k]) record(round, *group[k], std::move(received.reports[k]));
    }
    writer.close();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  store.finish_run(run, "completed");
  std::printf("recorded %zu trials (%zu losses, %zux%zu weights, %zu epochs each; groups of %zu; message %.0f KiB) "
              "in %.2f s: %.0f trials/s (decoding %.1f%% of the time)\n",
              shape.trials, shape.steps, shape.features, shape.classes, shape.epochs, shape.group,
              static_cast<double>(message.size()) / 1024.0, seconds, static_cast<double>(shape.trials) / seconds,
              100.0 * decode_seconds / seconds);
  return 0;
}

int main(int argc, char** argv) {
  return losslab::runner::guarded_main("losslab-bench-record", 1, [&] { return run(argc, argv); });
}
