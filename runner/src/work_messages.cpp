#include "work_messages.hpp"

#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "losslab/splits.hpp"
#include "params_json.hpp"

namespace losslab::runner::messages {
namespace {

using nlohmann::json;

// Raw float arrays are little-endian float32 on both ends (as trial_weights stores them).
static_assert(std::endian::native == std::endian::little, "work messages assume little-endian hosts");

json binary_of(const float* data, std::size_t count) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
  return json::binary(std::vector<std::uint8_t>(bytes, bytes + count * sizeof(float)));
}

std::vector<float> floats_of(const json& value) {
  const auto& bytes = value.get_binary();
  if (bytes.size() % sizeof(float) != 0) throw MessageError("a float array of " + std::to_string(bytes.size()) + " bytes");
  std::vector<float> floats(bytes.size() / sizeof(float));
  // An empty array (a step that only subtracts has no scales) has no buffer to copy from or to.
  if (!bytes.empty()) std::memcpy(floats.data(), bytes.data(), bytes.size());
  return floats;
}

json preprocessing_to_json(const Preprocessing& preprocessing) {
  json steps = json::array();
  for (const FittedPreprocessStep& step : preprocessing.steps)
    steps.push_back({to_string(step.kind), binary_of(step.offset.data(), static_cast<std::size_t>(step.offset.size())),
                     binary_of(step.scale.data(), static_cast<std::size_t>(step.scale.size()))});
  return {{"dataset_kind", preprocessing.dataset_kind}, {"input_shape", preprocessing.layout.shape},
          {"feature_names", preprocessing.layout.names}, {"label_column", preprocessing.label_column},
          {"class_names", preprocessing.class_names}, {"steps", std::move(steps)}};
}

Vector<float> vector_of(const json& value) {
  const std::vector<float> floats = floats_of(value);
  return Eigen::Map<const Vector<float>>(floats.data(), static_cast<Eigen::Index>(floats.size()));
}

Preprocessing preprocessing_from_json(const json& j) {
  Preprocessing preprocessing;
  preprocessing.dataset_kind = j.at("dataset_kind").get<std::string>();
  preprocessing.layout.shape = j.at("input_shape").get<std::vector<std::size_t>>();
  preprocessing.layout.names = j.at("feature_names").get<std::vector<std::string>>();
  preprocessing.label_column = j.at("label_column").get<std::string>();
  preprocessing.class_names = j.at("class_names").get<std::vector<std::string>>();
  for (const auto& step : j.at("steps"))
    preprocessing.steps.push_back(
        {parse_preprocess_step(step.at(0).get<std::string>()), vector_of(step.at(1)), vector_of(step.at(2))});
  return preprocessing;
}

TrainStatus parse_train_status(const std::string& text) {
  for (const TrainStatus status : kTrainStatuses)
    if (to_string(status) == text) return status;
  throw MessageError("unknown training status '" + text + "'");
}

// The update rule's matrices, each W's shape, as raw floats.
json optimizer_state_json(const TrainResult& result) {
  json state = json::array();
  for (const auto& matrix : result.optimizer_state)
    state.push_back(binary_of(matrix.data(), static_cast<std::size_t>(matrix.size())));
  return state;
}

// A confusion matrix as [classes, counts...]; an unscored one (no classes) as null.
json confusion_json(const ConfusionMatrix& matrix) {
  if (matrix.classes == 0) return nullptr;
  return {{"classes", matrix.classes}, {"counts", matrix.counts}};
}

ConfusionMatrix confusion_from_json(const json& j) {
  if (j.is_null()) return {};
  ConfusionMatrix matrix{j.at("classes").get<int>(), j.at("counts").get<std::vector<std::int64_t>>()};
  if (matrix.classes < 1 || matrix.counts.size() != static_cast<std::size_t>(matrix.classes) * matrix.classes)
    throw MessageError("a confusion matrix of " + std::to_string(matrix.counts.size()) + " counts for " +
                       std::to_string(matrix.classes) + " classes");
  return matrix;
}

json result_to_json(const TrainResult& result) {
  json epochs = json::array();
  for (const EpochMetrics& m : result.epochs)
    epochs.push_back({m.epoch, m.mean_loss, m.train_accuracy, m.val_accuracy, m.learning_rate, m.seconds});
  return {{"status", to_string(result.status)},
          {"w_rows", result.W.rows()},
          {"w_cols", result.W.cols()},
          {"w", binary_of(result.W.data(), static_cast<std::size_t>(result.W.size()))},
          {"loss", binary_of(result.loss_history.data(), result.loss_history.size())},
          {"steps_per_epoch", result.steps_per_epoch},
          {"epochs", std::move(epochs)},
          {"diverged_step", result.diverged_step},
          {"message", result.message},
          {"final_loss", result.final_loss},
          {"train_accuracy", result.train_accuracy},
          {"val_accuracy", result.val_accuracy},
          {"test_accuracy", result.test_accuracy},
          {"val_confusion", confusion_json(result.val_confusion)},
          {"test_confusion", confusion_json(result.test_confusion)},
          {"train_seconds", result.train_seconds},
          {"optimizer_state", optimizer_state_json(result)},
          {"optimizer_steps", result.optimizer_steps}};
}

TrainResult result_from_json(const json& j) {
  TrainResult result;
  result.status = parse_train_status(j.at("status").get<std::string>());
  const auto rows = j.at("w_rows").get<Eigen::Index>(), cols = j.at("w_cols").get<Eigen::Index>();
  const std::vector<float> w = floats_of(j.at("w"));
  if (rows < 0 || cols < 0 || static_cast<std::size_t>(rows * cols) != w.size())
    throw MessageError("weights of " + std::to_string(w.size()) + " floats for a " + std::to_string(rows) + "x" +
                       std::to_string(cols) + " matrix");
  result.W = Eigen::Map<const Matrix<float>>(w.data(), rows, cols);
  result.loss_history = floats_of(j.at("loss"));
  result.steps_per_epoch = j.at("steps_per_epoch").get<std::size_t>();
  for (const auto& e : j.at("epochs")) {
    EpochMetrics m;
    m.epoch = e.at(0).get<int>();
    m.mean_loss = e.at(1).get<double>();
    m.train_accuracy = e.at(2).get<double>();
    m.val_accuracy = e.at(3).get<double>();
    m.learning_rate = e.at(4).get<double>();
    m.seconds = e.at(5).get<double>();
    result.epochs.push_back(m);
  }
  result.diverged_step = j.at("diverged_step").get<std::int64_t>();
  result.message = j.at("message").get<std::string>();
  result.final_loss = j.at("final_loss").get<double>();
  result.train_accuracy = j.at("train_accuracy").get<double>();
  result.val_accuracy = j.at("val_accuracy").get<double>();
  result.test_accuracy = j.at("test_accuracy").get<double>();
  result.val_confusion = confusion_from_json(j.at("val_confusion"));
  result.test_confusion = confusion_from_json(j.at("test_confusion"));
  result.train_seconds = j.at("train_seconds").get<double>();
  for (const auto& binary : j.at("optimizer_state")) {
    const std::vector<float> values = floats_of(binary);
    if (values.size() != static_cast<std::size_t>(rows * cols))
      throw MessageError("optimizer state of " + std::to_string(values.size()) + " floats for a " +
                         std::to_string(rows) + "x" + std::to_string(cols) + " matrix");
    result.optimizer_state.push_back(Eigen::Map<const Matrix<float>>(values.data(), rows, cols));
  }
  result.optimizer_steps = j.at("optimizer_steps").get<std::int64_t>();
  return result;
}

Bytes to_bytes(const json& document) { return json::to_cbor(document); }

// Every decode goes through here, so a malformed message is one MessageError whatever went wrong.
template <typename Decode>
auto decoded(const Bytes& bytes, const char* what, Decode&& decode) -> decltype(decode(json())) {
  try {
    return decode(json::from_cbor(bytes));
  } catch (const json::exception& error) {
    throw MessageError(std::string("malformed ") + what + " message: " + error.what());
  } catch (const std::invalid_argument& error) {  // parameters of no parameter type
    throw MessageError(std::string("malformed ") + what + " message: " + error.what());
  }
}

}  // namespace

Bytes encode(const LoadRequest& message) {
  return to_bytes({{"params", detail::params_to_json(message.params)},
                   {"heartbeat_seconds", message.heartbeat_seconds},
                   {"load", message.load}});
}

LoadRequest decode_load_request(const Bytes& bytes) {
  return decoded(bytes, "load request", [](const json& j) {
    return LoadRequest{detail::params_from_json(j.at("params")), j.at("heartbeat_seconds").get<double>(),
                       j.at("load").get<std::uint64_t>()};
  });
}

Bytes encode(const WorkerReady& message) {
  return to_bytes({{"load", message.load},
                   {"error", message.error},
                   {"checksums", message.checksums},
                   {"description", message.description},
                   {"has_bias_row", message.has_bias_row},
                   {"preprocessing", preprocessing_to_json(message.preprocessing)},
                   {"train_examples", message.train_examples},
                   {"load_seconds", message.load_seconds},
                   {"threads", message.threads},
                   {"host", message.host},
                   {"pid", message.pid}});
}

WorkerReady decode_worker_ready(const Bytes& bytes) {
  return decoded(bytes, "worker ready", [](const json& j) {
    WorkerReady message;
    message.load = j.at("load").get<std::uint64_t>();
    message.error = j.at("error").get<std::string>();
    message.checksums = j.at("checksums").get<std::map<std::string, std::string>>();
    message.description = j.at("description").get<std::string>();
    message.has_bias_row = j.at("has_bias_row").get<bool>();
    message.preprocessing = preprocessing_from_json(j.at("preprocessing"));
    message.train_examples = j.at("train_examples").get<std::uint64_t>();
    message.load_seconds = j.at("load_seconds").get<double>();
    message.threads = j.at("threads").get<std::uint32_t>();
    message.host = j.at("host").get<std::string>();
    message.pid = j.at("pid").get<std::int64_t>();
    return message;
  });
}

Bytes encode(const WorkOrder& message) {
  json trials = json::array();
  for (const auto& params : message.trials) trials.push_back(detail::params_to_json(params));
  std::vector<bool> wanted(message.wanted.begin(), message.wanted.end());
  json resume = json::array();
  for (const TrainResult& state : message.resume) resume.push_back(result_to_json(state));
  return to_bytes({{"group_id", message.group_id},
                   {"trials", std::move(trials)},
                   {"wanted", wanted},
                   {"resume", std::move(resume)},
                   {"score_at_end", message.score_at_end}});
}

WorkOrder decode_work_order(const Bytes& bytes) {
  return decoded(bytes, "work order", [](const json& j) {
    WorkOrder message;
    message.group_id = j.at("group_id").get<std::uint64_t>();
    for (const auto& params : j.at("trials")) message.trials.push_back(detail::params_from_json(params));
    for (const bool wanted : j.at("wanted").get<std::vector<bool>>()) message.wanted.push_back(wanted ? 1 : 0);
    for (const auto& state : j.at("resume")) message.resume.push_back(result_from_json(state));
    message.score_at_end = j.at("score_at_end").get<bool>();
    if (!message.resume.empty() && message.resume.size() != message.trials.size())
      throw MessageError("work order with " + std::to_string(message.trials.size()) + " trials and " +
                         std::to_string(message.resume.size()) + " states to resume from");
    if (message.wanted.size() != message.trials.size())
      throw MessageError("work order with " + std::to_string(message.trials.size()) + " trials and " +
                         std::to_string(message.wanted.size()) + " wanted flags");
    return message;
  });
}

Bytes encode(const GroupOutcome& message) {
  json reports = json::array();
  for (const TrialReport& report : message.reports)
    reports.push_back({{"status", to_string(report.status)},
                       {"error", report.error},
                       {"result", report.result ? result_to_json(*report.result) : json(nullptr)}});
  return to_bytes({{"group_id", message.group_id}, {"reports", std::move(reports)}});
}

GroupOutcome decode_group_outcome(const Bytes& bytes) {
  return decoded(bytes, "group outcome", [](const json& j) {
    GroupOutcome message;
    message.group_id = j.at("group_id").get<std::uint64_t>();
    for (const auto& r : j.at("reports")) {
      TrialReport report;
      try {
        report.status = parse_trial_status(r.at("status").get<std::string>());
      } catch (const std::invalid_argument& error) {
        throw MessageError(error.what());
      }
      report.error = r.at("error").get<std::string>();
      if (!r.at("result").is_null()) report.result = std::make_unique<TrainResult>(result_from_json(r.at("result")));
      message.reports.push_back(std::move(report));
    }
    return message;
  });
}

}  // namespace losslab::runner::messages
