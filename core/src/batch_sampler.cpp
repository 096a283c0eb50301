#include "losslab/batch_sampler.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace losslab {

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

BatchSampler::BatchSampler(std::size_t examples, std::size_t batch_size, Sampling sampling,
                           std::uint64_t seed)
    : examples_(examples),
      batch_size_(batch_size == 0 ? examples : std::min(batch_size, examples)),
      steps_per_epoch_(std::max<std::size_t>(1, examples / std::max<std::size_t>(1, batch_size_))),
      sampling_(sampling),
      rng_(seed) {
  if (examples == 0) throw std::invalid_argument("no training examples");
  batch_.resize(batch_size_);
  if (sampling_ == Sampling::shuffled_epochs) {
    order_.resize(examples_);
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    position_ = steps_per_epoch_;  // forces a shuffle before the first batch
  }
}

std::span<const std::size_t> BatchSampler::next() {
  if (full_batch()) {
    std::iota(batch_.begin(), batch_.end(), std::size_t{0});
    return batch_;
  }
  if (sampling_ == Sampling::with_replacement) {
    for (auto& index : batch_) index = static_cast<std::size_t>(rng_() % examples_);
    return batch_;
  }
  if (position_ == steps_per_epoch_) {
    // Fisher-Yates with our own index draw, so the order is the same with every standard library.
    for (std::size_t i = examples_ - 1; i > 0; --i) std::swap(order_[i], order_[rng_() % (i + 1)]);
    position_ = 0;
  }
  const auto begin = order_.begin() + static_cast<std::ptrdiff_t>(position_ * batch_size_);
  std::copy(begin, begin + static_cast<std::ptrdiff_t>(batch_size_), batch_.begin());
  ++position_;
  return batch_;
}

void BatchSampler::skip(std::size_t steps) {
  for (; steps > 0; --steps) next();
}

}  // namespace losslab
