// Micro-benchmarks of the training kernels, and the machine's float32 GEMM peak they are judged
// against. Run: build/bin/losslab-bench-kernels [--benchmark_filter=...]
// FLOP counts: a GEMM of (m x k) * (k x n) is 2mkn flops; a training step of one trial is
// 4 B D C flops (forward X W and backward X^T dS).
#include <benchmark/benchmark.h>

#include <random>

#include "losslab/dataset.hpp"
#include "losslab/loaders.hpp"
#include "losslab/loss.hpp"
#include "losslab/objective.hpp"
#include "losslab/products.hpp"
#include "losslab/runner/guarded_main.hpp"
#include "losslab/types.hpp"
#include "slice_products.hpp"

namespace losslab {
namespace {

template <typename M>
M random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  M m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = normal(rng);
  return m;
}

std::vector<std::int32_t> random_labels(std::size_t n, int classes) {
  std::vector<std::int32_t> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<std::int32_t>(i * 7 % static_cast<std::size_t>(classes));
  return y;
}

// The physical limit: a large square float32 GEMM, single-threaded (as each trial runs), by the
// kernels losslab is built with (see the "products" line of the context).
void BM_GemmPeak(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const auto A = random_matrix<Matrix<float>>(n, n, 1), B = random_matrix<Matrix<float>>(n, n, 2);
  Matrix<float> C(n, n);
  for (auto _ : state) {
    C.noalias() = A * B;
    benchmark::DoNotOptimize(C.data());
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_GemmPeak)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

// The forward GEMM of a training step: (B x D, row-major) * (D x K C) for K stacked trials.
void BM_StepForward(benchmark::State& state) {
  const Eigen::Index B = 200, D = 785, columns = 10 * state.range(0);
  const auto X = random_matrix<RowMatrix<float>>(B, D, 3);
  const auto W = random_matrix<Matrix<float>>(D, columns, 4);
  RowMatrix<float> S(B, columns);
  for (auto _ : state) {
    S.noalias() = X * W;
    benchmark::DoNotOptimize(S.data());
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * B * D * columns, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_StepForward)->ArgName("trials")->Arg(1)->Arg(8)->Arg(16);

// The backward GEMM: X^T (D x B) * dS (B x K C).
void BM_StepBackward(benchmark::State& state) {
  const Eigen::Index B = 200, D = 785, columns = 10 * state.range(0);
  const auto X = random_matrix<RowMatrix<float>>(B, D, 3);
  const auto dS = random_matrix<RowMatrix<float>>(B, columns, 5);
  Matrix<float> dW(D, columns);
  for (auto _ : state) {
    dW.noalias() = X.transpose() * dS;
    benchmark::DoNotOptimize(dW.data());
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * B * D * columns, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_StepBackward)->ArgName("trials")->Arg(1)->Arg(8)->Arg(16);

// Both products of one slice of a step (100 rows, as training cuts a batch of 200), for K
// stacked trials: losslab's own kernels on the trainer's padded buffers (own = 1) beside the
// same products through Eigen (own = 0: OpenBLAS when built with it). Per CPU-second: run with
// --benchmark_filter=BM_SliceProducts while the machine is otherwise idle.
void BM_SliceProducts(benchmark::State& state) {
  const Eigen::Index B = 100, D = 785, columns = 10 * state.range(0);
  const bool own = state.range(1) != 0;
  RowMatrix<float> padded_X = random_matrix<RowMatrix<float>>(B, detail::padded_length(D), 3);
  Matrix<float> padded_W = random_matrix<Matrix<float>>(detail::padded_length(D), columns, 4);
  const auto X = padded_X.leftCols(D);
  const auto W = padded_W.topRows(D);
  const auto dS = random_matrix<Matrix<float>>(B, columns, 5);
  Matrix<float> S, dW;
  for (auto _ : state) {
    if (own) {
      detail::slice_scores(X, W, S);
      detail::slice_gradient(X, dS, dW);
    } else {
      S.noalias() = X * W;
      dW.noalias() = X.transpose() * dS;
    }
    benchmark::DoNotOptimize(S.data());
    benchmark::DoNotOptimize(dW.data());
  }
  state.counters["FLOPS"] = benchmark::Counter(4.0 * B * D * columns, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SliceProducts)->ArgNames({"trials", "own"})->ArgsProduct({{1, 3, 4, 8, 16}, {0, 1}});

// The data loss and its gradient w.r.t. the scores, for a batch of 200 and 10 classes, in the
// trainer's layout (one column per class).
void BM_DataLoss(benchmark::State& state) {
  const LossSpec spec{static_cast<LossKind>(state.range(0)), 1.0};
  const auto S = random_matrix<Matrix<float>>(200, 10, 6);
  const auto y = random_labels(200, 10);
  Matrix<float> dS(200, 10);
  for (auto _ : state) benchmark::DoNotOptimize(data_loss_by_class<float>(spec, S, y, dS));
  state.SetLabel(to_string(spec.kind));
}
BENCHMARK(BM_DataLoss)->Arg(static_cast<int>(LossKind::svm))->Arg(static_cast<int>(LossKind::softmax));

// One full loss + gradient of a trial (scores, loss, dW = X^T dS, L2): the unit of training work.
void BM_LossAndGradient(benchmark::State& state) {
  const auto X = random_matrix<RowMatrix<float>>(200, 785, 7);
  const auto W = random_matrix<Matrix<float>>(785, 10, 8);
  const auto y = random_labels(200, 10);
  Objective<float> objective({static_cast<LossKind>(state.range(0)), 1.0}, {RegKind::l2, 1e-4}, true);
  Matrix<float> dW;
  for (auto _ : state) benchmark::DoNotOptimize(objective.evaluate(X, y, W, &dW));
  state.counters["FLOPS"] = benchmark::Counter(4.0 * 200 * 785 * 10, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(to_string(static_cast<LossKind>(state.range(0))));
}
BENCHMARK(BM_LossAndGradient)->Arg(static_cast<int>(LossKind::svm))->Arg(static_cast<int>(LossKind::softmax));

// A step slice's gather: 100 random rows of 50000 byte images decoded to floats, as the trainer
// reads a minibatch (Fashion-MNIST's 784 pixels standardized, CIFAR-10's 3072 mean-subtracted;
// bias column added). The rows come from a matrix larger than the caches, as in training.
void BM_GatherEncodedRows(benchmark::State& state) {
  const auto features = static_cast<Eigen::Index>(state.range(0));
  const bool standardize = state.range(1) != 0;
  constexpr Eigen::Index kRows = 50000;
  constexpr std::size_t kSlice = 100, kSlices = 1024;
  Dataset data;
  EncodedFeatures& encoded = data.encoded.emplace();
  encoded.bytes.resize(kRows, features);
  std::mt19937_64 rng(9);
  for (Eigen::Index i = 0; i < encoded.bytes.size(); ++i) encoded.bytes.data()[i] = static_cast<std::uint8_t>(rng());
  encoded.rows.resize(kRows);
  for (std::size_t k = 0; k < encoded.rows.size(); ++k) encoded.rows[k] = k;
  EncodedFeatures::Step step;
  step.offset = Vector<float>::Constant(features, 120.5f);
  if (standardize) step.scale = Vector<float>::Constant(features, 63.25f);
  encoded.steps.push_back(step);
  encoded.bias = true;
  data.y.assign(kRows, 0);
  std::vector<std::size_t> indices(kSlice * kSlices);
  for (auto& index : indices) index = static_cast<std::size_t>(rng() % kRows);
  RowMatrix<float> out;
  std::size_t slice = 0;
  for (auto _ : state) {
    read_rows(data, std::span<const std::size_t>(indices).subspan(slice * kSlice, kSlice), out);
    benchmark::DoNotOptimize(out.data());
    slice = (slice + 1) % kSlices;
  }
  state.counters["bytes"] =
      benchmark::Counter(static_cast<double>(kSlice * static_cast<std::size_t>(features)),
                         benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1024);
  state.SetLabel(standardize ? "standardize" : "mean_subtract");
}
BENCHMARK(BM_GatherEncodedRows)->Args({784, 1})->Args({3072, 0});

// Synthetic blobs at CIFAR-10's size (70000 x 3072, 10 classes) by each generator, generator 2 on
// every core: the generation alone, without the splits and preprocessing a sweep adds.
void BM_SyntheticBlobsCifarSize(benchmark::State& state) {
  const BlobsOptions options{
      .classes = 10, .dimension = 3072, .per_class = 7000, .generator = static_cast<int>(state.range(0))};
  for (auto _ : state) benchmark::DoNotOptimize(make_blobs(options).X.data());
  state.SetLabel("generator " + std::to_string(options.generator));
}
BENCHMARK(BM_SyntheticBlobsCifarSize)
    ->ArgName("generator")
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace losslab

static int run(int argc, char** argv) {
  // One thread per product, as in training.
  losslab::keep_products_on_calling_thread();
  benchmark::AddCustomContext("products", losslab::product_backend() + ", " +
                                              std::to_string(losslab::product_threads()) + " thread");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

int main(int argc, char** argv) {
  return losslab::runner::guarded_main("losslab-bench-kernels", 1, [&] { return run(argc, argv); });
}
