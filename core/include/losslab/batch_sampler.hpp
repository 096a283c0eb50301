// Which training examples each step sees. Depends only on (N, batch size, sampling, seed), so
// trials that share those see the same minibatch sequence.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "losslab/trainer.hpp"

namespace losslab {

class BatchSampler {
 public:
  BatchSampler(std::size_t examples, std::size_t batch_size, Sampling sampling, std::uint64_t seed);

  std::size_t batch_size() const { return batch_size_; }
  // max(1, N / B) as in the course: an epoch is "about one pass" over the data.
  std::size_t steps_per_epoch() const { return steps_per_epoch_; }
  // True when every batch is the whole training set in order (no copy needed).
  bool full_batch() const { return batch_size_ == examples_; }

  // The example indices of the next step.
  std::span<const std::size_t> next();
  // Draws and drops the batches of `steps` steps, leaving the sampler where as many next() calls
  // leave it: how a resumed run finds its place in the minibatch sequence.
  void skip(std::size_t steps);

 private:
  std::size_t examples_, batch_size_, steps_per_epoch_;
  Sampling sampling_;
  std::mt19937_64 rng_;
  std::vector<std::size_t> order_;  // shuffled_epochs: the current permutation
  std::size_t position_ = 0;        // next unused step of the current permutation
  std::vector<std::size_t> batch_;
};

// Seeds for independent random streams derived from one seed (SplitMix64 finalizer).
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);

}  // namespace losslab
