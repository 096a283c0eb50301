// The bytes rank 0 and the worker ranks of an MPI sweep exchange: every value comes back exactly
// (floats bit for bit, NaN included, integers stay integers), and garbage is a clear error.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "work_messages.hpp"

namespace losslab::runner::messages {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TrainResult sample_result() {
  TrainResult result;
  result.status = TrainStatus::stopped;
  result.W = Matrix<float>(3, 2);
  result.W << 1.0f, -2.5e-7f, 3.25f, std::nextafter(1.0f, 2.0f), -0.0f, 1e30f;
  result.loss_history = {2.302585f, 1.9f, std::numeric_limits<float>::quiet_NaN(), 0.1f + 0.2f};
  result.steps_per_epoch = 2;
  result.epochs = {{1, 2.1, 0.5, kNaN, 0.01, 0.25}, {2, 1.9, 0.625, 0.6, 0.005, 0.5}};
  result.diverged_step = 3;
  result.message = "loss is NaN at step 2";
  result.final_loss = 0.1 + 0.2;  // 0.30000000000000004: no float32 shortcut may round it
  result.train_accuracy = 2.0 / 3.0;
  result.val_accuracy = kNaN;
  result.test_accuracy = 1e-300;
  result.val_confusion = {2, {5, 1, 3, 7}};  // the test split was not scored: no matrix
  result.train_seconds = 12.5;
  return result;
}

// Bit patterns, so NaN == NaN and -0.0 != 0.0.
template <typename T>
auto bits(T value) {
  if constexpr (sizeof(T) == 4)
    return std::bit_cast<std::uint32_t>(value);
  else
    return std::bit_cast<std::uint64_t>(value);
}

void expect_same_double(double a, double b, const char* what) {
  if (std::isnan(a))
    EXPECT_TRUE(std::isnan(b)) << what;
  else
    EXPECT_EQ(bits(a), bits(b)) << what;
}

TEST(WorkMessages, LoadRequestKeepsEveryParameterTypeExactly) {
  LoadRequest request;
  request.params = {{"dataset.kind", std::string("fashion-mnist")},
                    {"dataset.limit", std::int64_t{3000}},
                    {"dataset.validation", 0.1},
                    {"dataset.test", 1.0},  // a double that happens to be whole stays a double
                    {"regularization.regularize_bias", true},
                    {"dataset.preprocess", std::vector<std::string>{"standardize", "bias"}}};
  request.heartbeat_seconds = 0.75;
  request.load = 2;
  const LoadRequest back = decode_load_request(encode(request));
  EXPECT_EQ(back.load, 2u);
  EXPECT_EQ(back.params, request.params);
  EXPECT_TRUE(std::holds_alternative<double>(back.params.at("dataset.test")));
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(back.params.at("dataset.limit")));
  EXPECT_EQ(back.heartbeat_seconds, 0.75);
}

TEST(WorkMessages, WorkOrderKeepsTrialOrderAndWantedFlags) {
  WorkOrder order;
  order.group_id = 42;
  order.trials = {{{"optimizer.learning_rate", 1e-3}}, {{"optimizer.learning_rate", 0.1 + 0.2}}};
  order.wanted = {0, 1};
  const WorkOrder back = decode_work_order(encode(order));
  EXPECT_EQ(back.group_id, 42u);
  EXPECT_EQ(back.trials, order.trials);
  EXPECT_EQ(back.wanted, order.wanted);
  EXPECT_TRUE(back.resume.empty());
  EXPECT_TRUE(back.score_at_end);
  order.score_at_end = false;  // a rung that pauses its trials
  EXPECT_FALSE(decode_work_order(encode(order)).score_at_end);
}

// A halving rung's order carries each trial's state, the update rule's included, bit for bit.
TEST(WorkMessages, WorkOrderCarriesTheStatesTrialsGoOnFrom) {
  WorkOrder order;
  order.trials = {{{"optimizer.learning_rate", 1e-3}}, {{"optimizer.learning_rate", 1e-2}}};
  order.wanted = {1, 1};
  for (int k = 0; k < 2; ++k) {
    TrainResult state = sample_result();
    state.optimizer_state = {state.W * 0.5f, state.W.cwiseAbs() + Matrix<float>::Constant(state.W.rows(), state.W.cols(), 1e-7f)};
    state.optimizer_steps = 300 + k;
    order.resume.push_back(std::move(state));
  }
  const WorkOrder back = decode_work_order(encode(order));
  ASSERT_EQ(back.resume.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const TrainResult& a = order.resume[k];
    const TrainResult& b = back.resume[k];
    EXPECT_EQ(b.optimizer_steps, a.optimizer_steps);
    ASSERT_EQ(b.optimizer_state.size(), 2u);
    for (std::size_t m = 0; m < 2; ++m) {
      ASSERT_EQ(b.optimizer_state[m].rows(), a.W.rows());
      ASSERT_EQ(b.optimizer_state[m].cols(), a.W.cols());
      for (Eigen::Index i = 0; i < a.W.size(); ++i)
        EXPECT_EQ(bits(b.optimizer_state[m].data()[i]), bits(a.optimizer_state[m].data()[i])) << m << ":" << i;
    }
    EXPECT_EQ(b.loss_history.size(), a.loss_history.size());
  }
  order.resume.pop_back();  // one state for two trials
  EXPECT_THROW(decode_work_order(encode(order)), MessageError);
}

TEST(WorkMessages, GroupOutcomeCarriesResultsBitForBit) {
  GroupOutcome outcome;
  outcome.group_id = 7;
  outcome.reports.push_back(TrialReport{TrialStatus::interrupted, "stopped by rank 0",
                                        std::make_unique<TrainResult>(sample_result())});
  outcome.reports.push_back(TrialReport{TrialStatus::failed, "epochs must be >= 1", nullptr});
  outcome.reports.emplace_back();  // a partner of the group whose outcome is not wanted

  const GroupOutcome back = decode_group_outcome(encode(outcome));
  ASSERT_EQ(back.reports.size(), 3u);
  EXPECT_EQ(back.group_id, 7u);
  const TrialReport& sent = outcome.reports[0];
  const TrialReport& got = back.reports[0];
  EXPECT_EQ(got.status, TrialStatus::interrupted);
  EXPECT_EQ(got.error, sent.error);
  ASSERT_TRUE(got.result);
  const TrainResult& a = *sent.result;
  const TrainResult& b = *got.result;
  EXPECT_EQ(b.status, a.status);
  ASSERT_EQ(b.W.rows(), a.W.rows());
  ASSERT_EQ(b.W.cols(), a.W.cols());
  for (Eigen::Index i = 0; i < a.W.size(); ++i) EXPECT_EQ(bits(b.W.data()[i]), bits(a.W.data()[i])) << i;
  ASSERT_EQ(b.loss_history.size(), a.loss_history.size());
  for (std::size_t i = 0; i < a.loss_history.size(); ++i)
    EXPECT_EQ(bits(b.loss_history[i]), bits(a.loss_history[i])) << i;
  EXPECT_EQ(b.steps_per_epoch, a.steps_per_epoch);
  ASSERT_EQ(b.epochs.size(), a.epochs.size());
  for (std::size_t e = 0; e < a.epochs.size(); ++e) {
    EXPECT_EQ(b.epochs[e].epoch, a.epochs[e].epoch);
    expect_same_double(b.epochs[e].mean_loss, a.epochs[e].mean_loss, "mean_loss");
    expect_same_double(b.epochs[e].train_accuracy, a.epochs[e].train_accuracy, "train_accuracy");
    expect_same_double(b.epochs[e].val_accuracy, a.epochs[e].val_accuracy, "val_accuracy");
    expect_same_double(b.epochs[e].learning_rate, a.epochs[e].learning_rate, "learning_rate");
    expect_same_double(b.epochs[e].seconds, a.epochs[e].seconds, "seconds");
  }
  EXPECT_EQ(b.diverged_step, a.diverged_step);
  EXPECT_EQ(b.message, a.message);
  expect_same_double(b.final_loss, a.final_loss, "final_loss");
  expect_same_double(b.train_accuracy, a.train_accuracy, "train_accuracy");
  expect_same_double(b.val_accuracy, a.val_accuracy, "val_accuracy");
  expect_same_double(b.test_accuracy, a.test_accuracy, "test_accuracy");
  expect_same_double(b.train_seconds, a.train_seconds, "train_seconds");
  EXPECT_EQ(b.val_confusion.classes, 2);
  EXPECT_EQ(b.val_confusion.counts, (std::vector<std::int64_t>{5, 1, 3, 7}));
  EXPECT_EQ(b.test_confusion.classes, 0);
  EXPECT_TRUE(b.test_confusion.counts.empty());

  EXPECT_EQ(back.reports[1].status, TrialStatus::failed);
  EXPECT_EQ(back.reports[1].error, "epochs must be >= 1");
  EXPECT_FALSE(back.reports[1].result);
  EXPECT_FALSE(back.reports[2].result);
}

TEST(WorkMessages, WorkerReadyRoundTrips) {
  WorkerReady ready;
  ready.checksums = {{"/data/train-images-idx3-ubyte.gz", "crc32:89abcdef size:26421880"}};
  ready.description = "fashion-mnist: 2000 train / 1000 val / 10000 test";
  ready.has_bias_row = true;
  ready.train_examples = 2000;
  ready.load_seconds = 0.5;
  ready.threads = 8;
  ready.host = "node17";
  ready.pid = 4242;
  ready.load = 3;
  ready.preprocessing.dataset_kind = "csv";
  ready.preprocessing.layout = {{2}, {"petal", "sepal"}};
  ready.preprocessing.label_column = "species";
  ready.preprocessing.class_names = {"setosa", "virginica"};
  Vector<float> mean(2), std_dev(2);
  mean << 0.1f, -3.5f;
  std_dev << 1.0f / 3.0f, 7.0f;
  ready.preprocessing.steps = {{PreprocessStep::standardize, mean, std_dev}, {PreprocessStep::bias, {}, {}}};
  const WorkerReady back = decode_worker_ready(encode(ready));
  // The recorded preprocessing arrives whole, its fitted values bit for bit.
  EXPECT_EQ(back.preprocessing.dataset_kind, "csv");
  EXPECT_EQ(back.preprocessing.layout.shape, (std::vector<std::size_t>{2}));
  EXPECT_EQ(back.preprocessing.layout.names, ready.preprocessing.layout.names);
  EXPECT_EQ(back.preprocessing.label_column, "species");
  EXPECT_EQ(back.preprocessing.class_names, ready.preprocessing.class_names);
  ASSERT_EQ(back.preprocessing.steps.size(), 2u);
  EXPECT_EQ(back.preprocessing.steps[0].kind, PreprocessStep::standardize);
  EXPECT_TRUE(back.preprocessing.steps[0].offset == mean);
  EXPECT_TRUE(back.preprocessing.steps[0].scale == std_dev);
  EXPECT_EQ(back.preprocessing.steps[1].kind, PreprocessStep::bias);
  EXPECT_EQ(back.preprocessing.steps[1].offset.size(), 0);
  EXPECT_EQ(back.load, 3u);
  EXPECT_EQ(back.checksums, ready.checksums);
  EXPECT_EQ(back.description, ready.description);
  EXPECT_TRUE(back.has_bias_row);
  EXPECT_EQ(back.train_examples, 2000u);
  EXPECT_EQ(back.host, "node17");
  EXPECT_EQ(back.threads, 8u);
  EXPECT_EQ(back.pid, 4242);
  EXPECT_TRUE(back.error.empty());
}

TEST(WorkMessages, MalformedBytesAreAClearError) {
  EXPECT_THROW(decode_work_order(Bytes{0xff, 0x00, 0x13}), MessageError);
  GroupOutcome outcome;
  outcome.reports.push_back(TrialReport{TrialStatus::completed, "", std::make_unique<TrainResult>(sample_result())});
  outcome.reports[0].result->val_confusion.counts.pop_back();  // 3 counts for 2 x 2 classes
  try {
    decode_group_outcome(encode(outcome));
    FAIL() << "no error";
  } catch (const MessageError& error) {
    EXPECT_NE(std::string(error.what()).find("a confusion matrix of 3 counts for 2 classes"), std::string::npos)
        << error.what();
  }
  // A valid document of the wrong kind is malformed too.
  try {
    decode_group_outcome(encode(LoadRequest{}));
    FAIL() << "no error";
  } catch (const MessageError& error) {
    EXPECT_NE(std::string(error.what()).find("malformed group outcome message"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace losslab::runner::messages
