#include "losslab/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "losslab/batch_sampler.hpp"
#include "losslab/objective.hpp"
#include "losslab/products.hpp"
#include "losslab/spare_threads.hpp"
#include "losslab/update_rules.hpp"
#include "all_finite.hpp"
#include "parse_names.hpp"
#include "slice_products.hpp"
#include "work_team.hpp"

namespace losslab {
namespace {

// Independent random streams of one run.
enum Stream : std::uint64_t { kInitStream = 0, kBatchStream = 1, kSearchStream = 2 };

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using Clock = std::chrono::steady_clock;

// A step's minibatch is cut into slices of about this many rows (at most kMaxSlices), each
// computed on its own (gather, scores, loss, partial gradient) and summed in slice order. The
// cut depends on the batch size alone and a slice's products have the same shapes on any thread,
// so a run gives the same bits on one thread or several. (Not so if one thread scored the whole
// batch at once: a GEMM library may pick another kernel for another shape, and OpenBLAS's kernels
// for small products round differently from its usual ones.)
constexpr std::size_t kSliceRows = 100;
constexpr std::size_t kMaxSlices = 8;
// Evaluation passes score chunks of at most this many rows, which the threads of a team share.
// The cut depends on the split's size alone, for the same reason as the slices': a row's scores,
// and so which class is its top one, must not depend on how many threads there are.
constexpr std::size_t kEvalChunkRows = 1024;

std::size_t slice_count(std::size_t batch_rows) {
  return std::clamp<std::size_t>(batch_rows / kSliceRows, 1, kMaxSlices);
}

Matrix<float> random_weights(Eigen::Index rows, Eigen::Index cols, double scale, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Matrix<float> W(rows, cols);
  for (Eigen::Index k = 0; k < W.size(); ++k) W.data()[k] = normal(rng) * static_cast<float>(scale);
  return W;
}

void check_config(const Splits& data, const TrainerConfig& config) {
  if (data.train.size() == 0) throw std::invalid_argument("training set is empty");
  if (data.train.num_classes() < 2) throw std::invalid_argument("need at least 2 classes");
  if (config.training.epochs < 1) throw std::invalid_argument("epochs must be >= 1");
  if (!(config.optimizer.learning_rate >= 0)) throw std::invalid_argument("learning_rate must be >= 0");
}

std::size_t effective_batch_size(const TrainerConfig& config) {
  return config.optimizer.kind == OptimizerKind::gd ? 0 : config.training.batch_size;
}

// Whether `resume` (empty, or one result per config) can be continued by a run of `epochs` epochs
// of `steps_per_epoch` steps on rows x classes weights; throws std::invalid_argument if not.
void check_resume(const std::vector<const TrainResult*>& resume, std::size_t configs, int epochs,
                  std::size_t steps_per_epoch, Eigen::Index rows, Eigen::Index classes) {
  if (resume.empty()) return;
  if (resume.size() != configs) throw std::invalid_argument("resume_from: one result per config, or none");
  for (const TrainResult* r : resume)
    if (r == nullptr) throw std::invalid_argument("resume_from: a null result");
  const std::size_t done = resume.front()->epochs.size();
  for (const TrainResult* r : resume) {
    if (r->epochs.size() != done)
      throw std::invalid_argument("resume_from: the results finished different numbers of epochs (" +
                                  std::to_string(done) + " and " + std::to_string(r->epochs.size()) + ")");
    if (r->status == TrainStatus::diverged) throw std::invalid_argument("resume_from: a diverged run cannot go on");
    if (r->steps_per_epoch != steps_per_epoch || r->loss_history.size() != done * steps_per_epoch)
      throw std::invalid_argument("resume_from: a result that did not end at an epoch boundary of this "
                                  "minibatch sequence (" + std::to_string(r->loss_history.size()) + " steps of " +
                                  std::to_string(r->steps_per_epoch) + " per epoch; this run takes " +
                                  std::to_string(steps_per_epoch) + " per epoch)");
    if (r->W.rows() != rows || r->W.cols() != classes)
      throw std::invalid_argument("resume_from: W is " + std::to_string(r->W.rows()) + "x" +
                                  std::to_string(r->W.cols()) + ", the data need " + std::to_string(rows) + "x" +
                                  std::to_string(classes));
  }
  if (done >= static_cast<std::size_t>(epochs))
    throw std::invalid_argument("resume_from: the results finished " + std::to_string(done) +
                                " epochs, the config trains only " + std::to_string(epochs));
}

// One trial of a group: its settings, its optimizer state and the result being built.
struct Member {
  const TrainerConfig* config;
  const TrainCallbacks* callbacks;
  std::unique_ptr<UpdateRule<float>> rule;
  TrainResult result;
  Eigen::Index column = 0;  // its W is columns [column, column + C) of the stack
  bool active = true;
  bool weights_finite = true;  // after its latest step
  double learning_rate = 0;  // of the current epoch
  double seconds_before = 0;  // wall time of the run it continues, up to that run's last epoch
  double loss_sum = 0;       // over the current epoch's steps
  std::size_t steps_in_epoch = 0;
  std::size_t correct_in_epoch = 0, seen_in_epoch = 0;  // the running training accuracy
  ConfusionMatrix val_confusion;  // of the weights at the end of the latest epoch
};

// One slice of a step's minibatch and what its thread computed from it.
struct Slice {
  Labels y;
  Matrix<float> scores, dscores;  // one column per class of each stacked trial (data_loss_by_class)
  Matrix<float> gradient;  // X_slice^T dS_slice for the whole stack
  std::vector<double> data_loss;       // per stack slot: the slice's share of the batch's mean loss
  std::vector<std::size_t> correct;    // per stack slot: rows whose top score is the label
};

// A group of trials trained in lockstep on one minibatch sequence. A group of one is a plain run.
class GroupRun {
 public:
  GroupRun(const Splits& data, const std::vector<TrainerConfig>& configs,
           const std::vector<TrainCallbacks>& callbacks, unsigned threads, SpareThreads* spares = nullptr,
           const std::vector<const TrainResult*>& resume = {})
      : team_(std::max(1u, threads), spares != nullptr ? spares->max_guests() : 0),
        spares_(spares),
        data_(data),
        classes_(static_cast<Eigen::Index>(data.train.num_classes())),
        sampler_(data.train.size(), effective_batch_size(configs.front()), configs.front().training.sampling,
                 derive_seed(configs.front().training.seed, kBatchStream)),
        search_rng_(derive_seed(configs.front().training.seed, kSearchStream)) {
    keep_products_on_calling_thread();  // the team and the worker threads are the parallelism
    rows_.resize(team_.capacity());
    const auto rows = static_cast<Eigen::Index>(data.train.dimension());
    check_resume(resume, configs.size(), configs.front().training.epochs, sampler_.steps_per_epoch(), rows,
                 classes_);
    first_epoch_ = resume.empty() ? 0 : static_cast<int>(resume.front()->epochs.size());
    stack_.resize(rows, classes_ * static_cast<Eigen::Index>(configs.size()));
    for (std::size_t k = 0; k < configs.size(); ++k) {
      Member m;
      m.config = &configs[k];
      m.callbacks = callbacks.empty() ? &kNoCallbacks : &callbacks[k];
      m.column = classes_ * static_cast<Eigen::Index>(k);
      if (uses_gradient(configs[k].optimizer.kind)) {
        m.rule = make_update_rule<float>(configs[k].optimizer);
        m.rule->reset(rows, classes_);
      }
      if (resume.empty()) {
        stack_.middleCols(m.column, classes_) = initial_weights(configs[k], rows, classes_);
      } else {
        continue_from(m, *resume[k]);
      }
      members_.push_back(std::move(m));
    }
    align_stack();
  }

  std::vector<TrainResult> run() {
    start_ = Clock::now();
    // Spare threads may join the team while the group trains (random search computes its steps
    // on the calling thread: nothing to share). They leave before run() returns or throws.
    struct Offer {
      SpareThreads* spares;
      detail::WorkTeam& team;
      ~Offer() {
        if (spares != nullptr) spares->withdraw(team);
      }
    } offer{uses_gradient(members_.front().config->optimizer.kind) ? spares_ : nullptr, team_};
    if (offer.spares != nullptr) offer.spares->offer(team_);
    const std::size_t steps = sampler_.steps_per_epoch();
    const int epochs = members_.front().config->training.epochs;
    for (auto& m : members_) {
      m.result.steps_per_epoch = steps;
      m.result.loss_history.reserve(steps * static_cast<std::size_t>(epochs));
    }
    const std::size_t skipped = steps * static_cast<std::size_t>(first_epoch_);
    skip_steps(skipped);
    auto step = static_cast<std::int64_t>(skipped);
    for (int epoch = first_epoch_; epoch < epochs && any_active(); ++epoch) {
      for (auto& m : members_) {
        m.learning_rate = scheduled_learning_rate(m.config->optimizer.learning_rate, m.config->schedule, epoch);
        m.loss_sum = 0;
        m.steps_in_epoch = 0;
        m.correct_in_epoch = 0;
        m.seen_in_epoch = 0;
      }
      for (std::size_t s = 0; s < steps && any_active(); ++s, ++step) train_step(step, epoch);
      end_epoch(epoch);
    }
    return finish();
  }

 private:
  bool any_active() const {
    for (const auto& m : members_)
      if (m.active) return true;
    return false;
  }

  auto block(const Member& m) { return stack_.middleCols(m.column, classes_); }
  auto aligned_weights() const { return aligned_stack_.topRows(stack_.rows()); }
  auto aligned_block(const Member& m) { return aligned_stack_.topRows(stack_.rows()).middleCols(m.column, classes_); }

  // Copies the stack into aligned_stack_, whose columns start on 32-byte boundaries
  // (detail::padded_length), for the score kernel. The updates keep it equal to the stack
  // afterwards, each copying its member's block.
  void align_stack() {
    aligned_stack_.resize(detail::padded_length(stack_.rows()), stack_.cols());
    aligned_stack_.topRows(stack_.rows()) = stack_;
  }

  // A member that goes on from `checkpoint` (checked by check_resume): its weights, its update
  // rule's state and the history so far.
  void continue_from(Member& m, const TrainResult& checkpoint) {
    block(m) = checkpoint.W;
    if (m.rule)
      m.rule->restore(checkpoint.optimizer_state, checkpoint.optimizer_steps);
    else if (!checkpoint.optimizer_state.empty())
      throw std::invalid_argument("resume_from: random search keeps no update rule state");
    m.result.loss_history = checkpoint.loss_history;
    m.result.epochs = checkpoint.epochs;
    m.result.train_seconds = checkpoint.train_seconds;
    m.seconds_before = checkpoint.epochs.empty() ? 0.0 : checkpoint.epochs.back().seconds;
  }

  // Brings the random streams to where a run from the start has them after `steps` steps.
  void skip_steps(std::size_t steps) {
    sampler_.skip(steps);
    // Random search draws one candidate of W's shape a step; the scale does not change the draws.
    if (!uses_gradient(members_.front().config->optimizer.kind))
      for (std::size_t s = 0; s < steps; ++s) candidate_ = random_weights(stack_.rows(), classes_, 1.0, search_rng_);
  }

  void train_step(std::int64_t step, int epoch) {
    const auto indices = sampler_.next();
    if (uses_gradient(members_.front().config->optimizer.kind)) {
      gradient_step(indices);
    } else {
      slices_.resize(1);
      search_step(slice_rows(0, indices, 0, indices.size()),
                  slice_labels(slices_.front(), indices, 0, indices.size()), members_.front());
    }
    for (auto& m : members_)
      if (m.active) after_step(m, step, epoch);
    compact();
  }

  // The rows [begin, end) of the step's batch: a view of the training set for a full batch of
  // float data, otherwise gathered (or decoded) into the buffer of the thread computing them.
  Eigen::Ref<const RowMatrix<float>> slice_rows(unsigned thread, std::span<const std::size_t> indices,
                                                std::size_t begin, std::size_t end) const {
    const Dataset& train = data_.train;
    if (sampler_.full_batch() && !train.encoded)
      return train.X.middleRows(static_cast<Eigen::Index>(begin), static_cast<Eigen::Index>(end - begin));
    auto rows = row_buffer(thread, end - begin);
    if (sampler_.full_batch())
      read_rows_into(train, begin, rows);
    else
      read_rows_into(train, indices.subspan(begin, end - begin), rows);
    return rows;
  }

  // The thread's buffer for `count` rows of the data, each starting on a 32-byte boundary
  // (detail::padded_length), for the slice kernels.
  Eigen::Block<RowMatrix<float>> row_buffer(unsigned thread, std::size_t count) const {
    const auto features = static_cast<Eigen::Index>(data_.train.dimension());
    RowMatrix<float>& buffer = rows_[thread];
    buffer.resize(static_cast<Eigen::Index>(count), detail::padded_length(features));
    return buffer.leftCols(features);
  }

  std::span<const std::int32_t> slice_labels(Slice& slice, std::span<const std::size_t> indices, std::size_t begin,
                                             std::size_t end) const {
    if (sampler_.full_batch()) return std::span<const std::int32_t>(data_.train.y).subspan(begin, end - begin);
    slice.y.resize(end - begin);
    for (std::size_t i = begin; i < end; ++i) slice.y[i - begin] = data_.train.y[indices[i]];
    return slice.y;
  }

  // Every member's loss and update from two shared GEMMs per slice: S = X W_stack, dW = X^T dS.
  void gradient_step(std::span<const std::size_t> indices) {
    const std::size_t batch = indices.size();
    const std::size_t count = slice_count(batch);
    slices_.resize(count);
    team_.run(count, [&](std::size_t s, unsigned thread) {
      compute_slice(slices_[s], thread, indices, s * batch / count, (s + 1) * batch / count, batch);
    });
    // The updates are shared too: each member's update touches only its own columns and state, and
    // left to one thread they kept the others waiting for several passes over the whole stack.
    team_.run(members_.size(), [&](std::size_t k, unsigned) {
      if (members_[k].active) update_member(members_[k], batch);
    });
  }

  // A member's loss for the step and its update from the slices' partial gradients.
  void update_member(Member& m, std::size_t batch) {
    const std::size_t slot = slot_of(m);
    double data = 0;
    for (const Slice& slice : slices_) {
      data += slice.data_loss[slot];
      m.correct_in_epoch += slice.correct[slot];
    }
    m.seen_in_epoch += batch;
    m.result.loss_history.push_back(
        static_cast<float>(data + regularization_penalty<float>(m.config->regularization, block(m), has_bias_row())));
    // Summed in slice order, into the first slice's columns, whatever thread computed each slice.
    auto dW = slices_.front().gradient.middleCols(m.column, classes_);
    for (std::size_t s = 1; s < slices_.size(); ++s) dW += slices_[s].gradient.middleCols(m.column, classes_);
    add_regularization_gradient<float>(m.config->regularization, block(m), has_bias_row(), dW);
    m.rule->step(block(m), dW, static_cast<float>(m.learning_rate));
    apply_constraint<float>(m.config->regularization, block(m), has_bias_row());
    m.weights_finite = detail::all_finite(block(m));
    aligned_block(m) = block(m);
  }

  // One slice of a gradient step: rows [begin, end) of a batch of `batch` rows. Reads only the
  // stack and the members' settings, writes only `slice`, so slices run on any thread.
  void compute_slice(Slice& slice, unsigned thread, std::span<const std::size_t> indices, std::size_t begin,
                     std::size_t end, std::size_t batch) const {
    const auto X = slice_rows(thread, indices, begin, end);
    const auto y = slice_labels(slice, indices, begin, end);
    // data_loss averages over the slice; the batch's mean weighs each slice by its share of rows.
    const double share = static_cast<double>(end - begin) / static_cast<double>(batch);
    detail::slice_scores(X, aligned_weights(), slice.scores);
    slice.dscores.resize(slice.scores.rows(), slice.scores.cols());
    const std::size_t slots = static_cast<std::size_t>(stack_.cols() / classes_);
    slice.data_loss.assign(slots, 0.0);
    slice.correct.assign(slots, 0);
    for (const auto& m : members_) {
      if (!m.active) continue;
      const std::size_t slot = slot_of(m);
      const auto scores = slice.scores.middleCols(m.column, classes_);
      auto dscores = slice.dscores.middleCols(m.column, classes_);
      const float mean = data_loss_by_class<float>(m.config->loss, scores, y, dscores);
      slice.data_loss[slot] = static_cast<double>(mean) * share;
      if (share != 1.0) dscores *= static_cast<float>(share);
      if (running_train_accuracy()) slice.correct[slot] = count_top_is_label<float>(scores, y);
    }
    // dscores carries the 1/B of the mean: this is the model's chain rule, dW = X^T dS / B.
    detail::slice_gradient(X, slice.dscores, slice.gradient);
  }

  std::size_t slot_of(const Member& m) const { return static_cast<std::size_t>(m.column / classes_); }

  bool running_train_accuracy() const {
    return members_.front().config->training.epoch_train_accuracy == TrainAccuracy::running;
  }

  // Random search (a group of one): keep whichever of W and a random candidate has the lower
  // loss on this same batch.
  void search_step(const Eigen::Ref<const RowMatrix<float>>& X, std::span<const std::int32_t> y, Member& m) {
    Objective<float> objective(m.config->loss, m.config->regularization, has_bias_row());
    const auto rows = stack_.rows();
    const float scale = static_cast<float>(m.config->optimizer.kind == OptimizerKind::random_search
                                               ? m.config->optimizer.search_scale
                                               : m.learning_rate);
    candidate_ = random_weights(rows, classes_, scale, search_rng_);
    if (m.config->optimizer.kind == OptimizerKind::random_local_search) candidate_ += stack_;
    const double current = objective.evaluate(X, y, stack_, nullptr);
    const double challenger = objective.evaluate(X, y, candidate_, nullptr);
    if (challenger < current) stack_.swap(candidate_);
    objective.constrain(stack_);
    m.result.loss_history.push_back(static_cast<float>(std::min(current, challenger)));
    m.weights_finite = detail::all_finite(stack_);
    align_stack();
  }

  void after_step(Member& m, std::int64_t step, int epoch) {
    const double loss = m.result.loss_history.back();
    m.loss_sum += loss;
    ++m.steps_in_epoch;
    if (!std::isfinite(loss) || !m.weights_finite) {
      m.result.status = TrainStatus::diverged;
      m.result.diverged_step = step;
      m.result.message = std::isfinite(loss) ? "weights became non-finite at step " + std::to_string(step)
                                             : "loss became " + std::string(std::isnan(loss) ? "nan" : "inf") +
                                                   " at step " + std::to_string(step);
      m.result.final_loss = loss;
      leave(m);
      return;
    }
    if (m.callbacks->on_step && m.callbacks->on_step(StepInfo{step, epoch, loss, m.learning_rate})) {
      m.result.status = TrainStatus::stopped;
      m.result.message = "stopped by on_step at step " + std::to_string(step);
      stopped_in_epoch_.push_back(&m);
      leave(m);
    }
  }

  void end_epoch(int epoch) {
    std::vector<Member*> reporting;
    for (auto& m : members_)
      if (m.active) reporting.push_back(&m);
    // Members stopped by on_step during this epoch still report its (partial) metrics.
    for (Member* m : stopped_in_epoch_) reporting.push_back(m);
    stopped_in_epoch_.clear();
    if (reporting.empty()) return;
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    // The stacked members are evaluated together: one GEMM per chunk of the split for all of them.
    const std::size_t train_limit = members_.front().config->training.eval_train_limit;
    const std::vector<ConfusionMatrix> train_hits =
        running_train_accuracy() ? std::vector<ConfusionMatrix>{} : stack_confusions(data_.train, train_limit);
    const std::vector<ConfusionMatrix> val = stack_confusions(data_.val, 0);
    for (Member* m : reporting) {
      EpochMetrics metrics;
      metrics.epoch = epoch + 1;
      metrics.mean_loss = m->steps_in_epoch > 0 ? m->loss_sum / static_cast<double>(m->steps_in_epoch) : kNaN;
      const auto slot = static_cast<std::size_t>(m->column / classes_);
      if (running_train_accuracy())
        metrics.train_accuracy = m->seen_in_epoch > 0 ? static_cast<double>(m->correct_in_epoch) /
                                                             static_cast<double>(m->seen_in_epoch)
                                                       : kNaN;
      else
        metrics.train_accuracy =
            accuracy(m->active ? train_hits[slot] : split_confusion(data_.train, m->result.W, train_limit));
      m->val_confusion = m->active ? val[slot] : split_confusion(data_.val, m->result.W);
      metrics.val_accuracy = accuracy(m->val_confusion);
      metrics.learning_rate = m->learning_rate;
      metrics.seconds = m->seconds_before + seconds;
      m->result.epochs.push_back(metrics);
      m->result.final_loss = metrics.mean_loss;
      if (m->active && m->callbacks->on_epoch_end && m->callbacks->on_epoch_end(metrics)) {
        m->result.status = TrainStatus::stopped;
        m->result.message = "stopped by on_epoch_end after epoch " + std::to_string(epoch + 1);
        leave(*m);
      }
    }
    compact();
  }

  std::vector<TrainResult> finish() {
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    // The members still active finished every epoch, and the last one measured the validation
    // accuracy of these very weights: only train and test need another pass, if any.
    const bool score = members_.front().config->training.score_at_end;
    std::vector<ConfusionMatrix> train, test;
    if (score) train = stack_confusions(data_.train, 0), test = stack_confusions(data_.test, 0);
    std::vector<TrainResult> results;
    for (auto& m : members_) {
      TrainResult& r = m.result;
      r.train_seconds += seconds / static_cast<double>(members_.size());
      if (m.active) {
        const auto slot = static_cast<std::size_t>(m.column / classes_);
        r.val_confusion = std::move(m.val_confusion);
        r.val_accuracy = r.epochs.back().val_accuracy;
        if (score) {
          r.train_accuracy = accuracy(train[slot]);
          r.test_confusion = test[slot];
          r.test_accuracy = accuracy(r.test_confusion);
        } else {
          r.train_accuracy = r.epochs.back().train_accuracy;
          r.test_accuracy = kNaN;
        }
        leave(m);
      } else if (r.status == TrainStatus::diverged) {
        r.train_accuracy = r.val_accuracy = r.test_accuracy = kNaN;
      } else {
        r.train_accuracy = accuracy(split_confusion(data_.train, r.W));
        r.val_confusion = split_confusion(data_.val, r.W);
        r.val_accuracy = accuracy(r.val_confusion);
        r.test_confusion = split_confusion(data_.test, r.W);
        r.test_accuracy = accuracy(r.test_confusion);
      }
      if (m.callbacks->on_end) m.callbacks->on_end(r);
      results.push_back(std::move(r));
    }
    return results;
  }

  // A member that stops keeps its final W; compact() later drops its columns from the stack.
  void leave(Member& m) {
    m.result.W = block(m);
    if (m.rule) {
      m.result.optimizer_state = m.rule->state();
      m.result.optimizer_steps = m.rule->steps();
    }
    m.active = false;
  }

  // The confusion matrix of every stacked member on the first `limit` examples of `split` (0 = all),
  // in stack order; all zero (accuracy NaN) for an empty split.
  std::vector<ConfusionMatrix> stack_confusions(const Dataset& split, std::size_t limit) {
    return confusions(split, limit, aligned_weights());
  }

  // The confusion matrix of each block of `classes_` columns of W (one member's weights each).
  std::vector<ConfusionMatrix> confusions(const Dataset& split, std::size_t limit,
                                         const Eigen::Ref<const Matrix<float>>& W) {
    const std::size_t members = static_cast<std::size_t>(W.cols() / classes_);
    const std::size_t n = limit == 0 ? split.size() : std::min(limit, split.size());
    const auto classes = static_cast<int>(classes_);
    const auto truth = std::span<const std::int32_t>(split.y).first(n);
    if (n == 0) return std::vector<ConfusionMatrix>(members, confusion_matrix(truth, truth, classes));
    // Each chunk writes the predictions of its own rows: the same whichever thread took it.
    const std::size_t chunks = (n + kEvalChunkRows - 1) / kEvalChunkRows;
    const std::size_t chunk_rows = (n + chunks - 1) / chunks;
    std::vector<Labels> predicted(members, Labels(n));
    eval_scores_.resize(team_.capacity());
    team_.run(chunks, [&](std::size_t chunk, unsigned thread) {
      const std::size_t start = std::min(n, chunk * chunk_rows);
      const auto count = static_cast<Eigen::Index>(std::min(n, start + chunk_rows) - start);
      if (count == 0) return;
      Matrix<float>& scores = eval_scores_[thread];
      if (split.encoded) {
        auto rows = row_buffer(thread, static_cast<std::size_t>(count));
        read_rows_into(split, start, rows);
        detail::slice_scores(rows, W, scores);
      } else {
        detail::slice_scores(split.X.middleRows(static_cast<Eigen::Index>(start), count), W, scores);
      }
      for (std::size_t k = 0; k < members; ++k)
        top_classes<float>(scores.middleCols(static_cast<Eigen::Index>(k) * classes_, classes_),
                           std::span<std::int32_t>(predicted[k]).subspan(start, static_cast<std::size_t>(count)));
    });
    std::vector<ConfusionMatrix> matrices;
    for (std::size_t k = 0; k < members; ++k) matrices.push_back(confusion_matrix(truth, predicted[k], classes));
    return matrices;
  }

  // Rebuilds the stack from the active members, so finished trials cost nothing more.
  void compact() {
    Eigen::Index active = 0;
    for (const auto& m : members_) active += m.active;
    if (active * classes_ == stack_.cols()) return;
    Matrix<float> stack(stack_.rows(), active * classes_);
    Eigen::Index column = 0;
    for (auto& m : members_) {
      if (!m.active) continue;
      stack.middleCols(column, classes_) = block(m);
      m.column = column;
      column += classes_;
    }
    stack_.swap(stack);
    align_stack();
  }

  ConfusionMatrix split_confusion(const Dataset& split, const Matrix<float>& W, std::size_t limit = 0) {
    return confusions(split, limit, W).front();
  }

  bool has_bias_row() const { return data_.train.has_bias_column; }

  static inline const TrainCallbacks kNoCallbacks{};

  detail::WorkTeam team_;
  SpareThreads* spares_;
  const Splits& data_;
  Eigen::Index classes_;
  BatchSampler sampler_;
  std::mt19937_64 search_rng_;
  std::vector<Member> members_;  // never resized after construction: callbacks keep pointers
  std::vector<Member*> stopped_in_epoch_;
  int first_epoch_ = 0;  // epochs that the runs this one continues had finished
  Clock::time_point start_;
  Matrix<float> stack_, candidate_;
  Matrix<float> aligned_stack_;  // stack_ in padded columns, for the score kernel (align_stack)
  std::vector<Slice> slices_;
  std::vector<Matrix<float>> eval_scores_;  // one buffer per thread of the team (one column per class)
  mutable std::vector<RowMatrix<float>> rows_;  // per thread: the rows it gathers or decodes
};

}  // namespace

Sampling parse_sampling(const std::string& name) { return detail::parse_name(kSamplings, name, "sampling"); }
std::string to_string(Sampling sampling) {
  switch (sampling) {
    case Sampling::with_replacement: return "with_replacement";
    case Sampling::shuffled_epochs: return "shuffled_epochs";
  }
  return "?";  // not a Sampling
}
TrainAccuracy parse_train_accuracy(const std::string& name) {
  return detail::parse_name(kTrainAccuracies, name, "epoch_train_accuracy");
}
std::string to_string(TrainAccuracy mode) {
  switch (mode) {
    case TrainAccuracy::running: return "running";
    case TrainAccuracy::sample: return "sample";
  }
  return "?";  // not a TrainAccuracy
}
std::string to_string(TrainStatus status) {
  switch (status) {
    case TrainStatus::completed: return "completed";
    case TrainStatus::diverged: return "diverged";
    case TrainStatus::stopped: return "stopped";
  }
  return "?";  // not a TrainStatus
}

Matrix<float> initial_weights(const TrainerConfig& config, Eigen::Index rows, Eigen::Index classes) {
  std::mt19937_64 init_rng(derive_seed(config.training.seed, kInitStream));
  const bool search = config.optimizer.kind == OptimizerKind::random_search;
  const double scale = search ? config.optimizer.search_scale : config.training.init_scale;
  return random_weights(rows, classes, scale, init_rng);
}

bool can_fuse(const TrainerConfig& a, const TrainerConfig& b) {
  return uses_gradient(a.optimizer.kind) && uses_gradient(b.optimizer.kind) &&
         effective_batch_size(a) == effective_batch_size(b) && a.training.sampling == b.training.sampling &&
         a.training.seed == b.training.seed && a.training.epochs == b.training.epochs &&
         a.training.eval_train_limit == b.training.eval_train_limit &&
         a.training.epoch_train_accuracy == b.training.epoch_train_accuracy &&
         a.training.score_at_end == b.training.score_at_end;
}

TrainResult train(const Splits& data, const TrainerConfig& config, const TrainCallbacks& callbacks,
                  unsigned threads, const TrainResult* resume_from) {
  check_config(data, config);
  std::vector<const TrainResult*> resume;
  if (resume_from != nullptr) resume.push_back(resume_from);
  return std::move(GroupRun(data, {config}, {callbacks}, threads, nullptr, resume).run().front());
}

std::vector<TrainResult> train_fused(const Splits& data, const std::vector<TrainerConfig>& configs,
                                     const std::vector<TrainCallbacks>& callbacks, unsigned threads,
                                     SpareThreads* spares, const std::vector<const TrainResult*>& resume_from) {
  if (configs.empty()) return {};
  if (!callbacks.empty() && callbacks.size() != configs.size())
    throw std::invalid_argument("train_fused: one set of callbacks per config, or none");
  for (const auto& config : configs) {
    check_config(data, config);
    if (configs.size() > 1 && !can_fuse(configs.front(), config))
      throw std::invalid_argument("train_fused: configs do not share the minibatch sequence or use no gradient");
  }
  return GroupRun(data, configs, callbacks, threads, spares, resume_from).run();
}

}  // namespace losslab
