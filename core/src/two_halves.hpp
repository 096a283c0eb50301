// Filling or transforming a large matrix on both cores (private to core/src).
#pragma once

#include <cstddef>
#include <future>

namespace losslab::detail {

// Below this many rows one thread does the work: a second would cost more to start than it saves.
constexpr std::size_t kParallelRows = 4096;

// Calls fn(begin, end) on the rows [0, rows): in two halves on two cores when there are enough.
// fn must only touch its own rows. Used where fresh memory is filled (mostly the kernel clearing
// its pages) and for element-by-element transforms, whose results no cut of the rows changes.
template <typename Fn>
void in_two_halves(std::size_t rows, const Fn& fn) {
  const std::size_t half = rows >= kParallelRows ? rows / 2 : rows;
  auto second = std::async(half < rows ? std::launch::async : std::launch::deferred, fn, half, rows);
  fn(0, half);
  second.get();
}

}  // namespace losslab::detail
