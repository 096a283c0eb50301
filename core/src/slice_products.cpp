#include "slice_products.hpp"

#include <algorithm>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define LOSSLAB_OWN_SLICE_KERNELS 1
#endif

namespace losslab::detail {

// OpenBLAS packs both operands of every product it computes; a step's products are thin (a slice
// of about a hundred rows against ten columns per stacked trial), so packing costs as much as a
// good part of the arithmetic. These kernels read the operands where they lie, in register tiles
// of 2 rows x 6 columns (scores) and 16 features x 6 columns (gradient): twelve accumulators, as
// many as the sixteen vector registers allow beside the operands. They beat OpenBLAS on the
// stacks of a few trials that adaptive search trains, and need a slice's rows to stay in the
// core's L2 cache: wider rows (CIFAR-10's 3073 features) go to OpenBLAS, whose packing is what
// keeps those products in cache (experiments/peers/README.md, losslab's own slice kernels).
constexpr Eigen::Index kMaxOwnFeatures = 1024;

bool own_slice_kernels(Eigen::Index features) {
#ifdef LOSSLAB_OWN_SLICE_KERNELS
  return features <= kMaxOwnFeatures;
#else
  (void)features;
  return false;
#endif
}

#ifdef LOSSLAB_OWN_SLICE_KERNELS
namespace {

constexpr int kTileColumns = 6;
// Rows per block: the rows a block's tiles share stay in L2 (about 200 KiB of them at the widest).
constexpr Eigen::Index kBlockRows = 64;

// Lanes [0, count) set: loads and stores of the last, partial vector of a row.
__m256i first_lanes(int count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

float lane_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// v, kept in a register: otherwise the compiler folds each use of a weight vector into its FMA as
// a memory operand, loading it again for every row of the tile, and the loads (two X rows and
// twelve W columns a step, for twelve FMAs) rather than the FMAs bound the loop.
__m256 in_register(__m256 v) {
  asm("" : "+x"(v));
  return v;
}

// S(r, c) for R rows and C columns: eight partial sums a score (lane l takes features
// k = l mod 8, in order), the last partial vector masked, then the lanes added in a fixed order.
template <int R, int C>
void score_tile(const float* X, Eigen::Index ldx, const float* W, Eigen::Index ldw, Eigen::Index depth, float* S,
                Eigen::Index lds) {
  __m256 acc[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) acc[r][c] = _mm256_setzero_ps();
  Eigen::Index k = 0;
  for (; k + 8 <= depth; k += 8) {
    __m256 x[R];
    for (int r = 0; r < R; ++r) x[r] = _mm256_loadu_ps(X + r * ldx + k);
    for (int c = 0; c < C; ++c) {
      const __m256 w = in_register(_mm256_loadu_ps(W + c * ldw + k));
      for (int r = 0; r < R; ++r) acc[r][c] = _mm256_fmadd_ps(x[r], w, acc[r][c]);
    }
  }
  if (k < depth) {
    const __m256i lanes = first_lanes(static_cast<int>(depth - k));
    __m256 x[R];
    for (int r = 0; r < R; ++r) x[r] = _mm256_maskload_ps(X + r * ldx + k, lanes);
    for (int c = 0; c < C; ++c) {
      const __m256 w = in_register(_mm256_maskload_ps(W + c * ldw + k, lanes));
      for (int r = 0; r < R; ++r) acc[r][c] = _mm256_fmadd_ps(x[r], w, acc[r][c]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) S[c * lds + r] = lane_sum(acc[r][c]);
}

template <int C>
void score_columns(const float* X, Eigen::Index ldx, Eigen::Index rows, const float* W, Eigen::Index ldw,
                   Eigen::Index depth, float* S, Eigen::Index lds) {
  Eigen::Index i = 0;
  for (; i + 2 <= rows; i += 2) score_tile<2, C>(X + i * ldx, ldx, W, ldw, depth, S + i, lds);
  if (i < rows) score_tile<1, C>(X + i * ldx, ldx, W, ldw, depth, S + i, lds);
}

void scores(const float* X, Eigen::Index ldx, Eigen::Index rows, Eigen::Index depth, const float* W,
            Eigen::Index ldw, Eigen::Index cols, float* S, Eigen::Index lds) {
  for (Eigen::Index i0 = 0; i0 < rows; i0 += kBlockRows) {
    const Eigen::Index block = std::min(kBlockRows, rows - i0);
    const float* Xb = X + i0 * ldx;
    float* Sb = S + i0;
    Eigen::Index j = 0;
    for (; j + kTileColumns <= cols; j += kTileColumns)
      score_columns<kTileColumns>(Xb, ldx, block, W + j * ldw, ldw, depth, Sb + j * lds, lds);
    const float* Wj = W + j * ldw;
    float* Sj = Sb + j * lds;
    switch (cols - j) {
      case 5: score_columns<5>(Xb, ldx, block, Wj, ldw, depth, Sj, lds); break;
      case 4: score_columns<4>(Xb, ldx, block, Wj, ldw, depth, Sj, lds); break;
      case 3: score_columns<3>(Xb, ldx, block, Wj, ldw, depth, Sj, lds); break;
      case 2: score_columns<2>(Xb, ldx, block, Wj, ldw, depth, Sj, lds); break;
      case 1: score_columns<1>(Xb, ldx, block, Wj, ldw, depth, Sj, lds); break;
      default: break;
    }
  }
}

// G(k .. k + 8V, j .. j + C) += the rows [0, rows) in order, one FMA a row; `first` starts the
// sums at zero, otherwise they go on from what G holds (a later block of rows). With `Partial`
// the last vector holds only the lanes `last` sets.
template <int V, int C, bool Partial>
void gradient_tile(const float* X, Eigen::Index ldx, Eigen::Index rows, const float* dS, Eigen::Index ldd, float* G,
                   Eigen::Index ldg, bool first, __m256i last) {
  const auto load = [&](const float* p, int v) {
    return Partial && v == V - 1 ? _mm256_maskload_ps(p + 8 * v, last) : _mm256_loadu_ps(p + 8 * v);
  };
  __m256 acc[V][C];
  for (int v = 0; v < V; ++v)
    for (int c = 0; c < C; ++c) acc[v][c] = first ? _mm256_setzero_ps() : load(G + c * ldg, v);
  for (Eigen::Index i = 0; i < rows; ++i) {
    __m256 x[V];
    for (int v = 0; v < V; ++v) x[v] = load(X + i * ldx, v);
    for (int c = 0; c < C; ++c) {
      const __m256 d = _mm256_broadcast_ss(dS + c * ldd + i);
      for (int v = 0; v < V; ++v) acc[v][c] = _mm256_fmadd_ps(x[v], d, acc[v][c]);
    }
  }
  for (int v = 0; v < V; ++v)
    for (int c = 0; c < C; ++c) {
      if (Partial && v == V - 1)
        _mm256_maskstore_ps(G + c * ldg + 8 * v, last, acc[v][c]);
      else
        _mm256_storeu_ps(G + c * ldg + 8 * v, acc[v][c]);
    }
}

template <int V, bool Partial>
void gradient_features(const float* X, Eigen::Index ldx, Eigen::Index rows, const float* dS, Eigen::Index ldd,
                       Eigen::Index cols, float* G, Eigen::Index ldg, bool first, __m256i last) {
  Eigen::Index j = 0;
  for (; j + kTileColumns <= cols; j += kTileColumns)
    gradient_tile<V, kTileColumns, Partial>(X, ldx, rows, dS + j * ldd, ldd, G + j * ldg, ldg, first, last);
  const float* dSj = dS + j * ldd;
  float* Gj = G + j * ldg;
  switch (cols - j) {
    case 5: gradient_tile<V, 5, Partial>(X, ldx, rows, dSj, ldd, Gj, ldg, first, last); break;
    case 4: gradient_tile<V, 4, Partial>(X, ldx, rows, dSj, ldd, Gj, ldg, first, last); break;
    case 3: gradient_tile<V, 3, Partial>(X, ldx, rows, dSj, ldd, Gj, ldg, first, last); break;
    case 2: gradient_tile<V, 2, Partial>(X, ldx, rows, dSj, ldd, Gj, ldg, first, last); break;
    case 1: gradient_tile<V, 1, Partial>(X, ldx, rows, dSj, ldd, Gj, ldg, first, last); break;
    default: break;
  }
}

void gradient(const float* X, Eigen::Index ldx, Eigen::Index rows, Eigen::Index depth, const float* dS,
              Eigen::Index ldd, Eigen::Index cols, float* G, Eigen::Index ldg) {
  const __m256i all = first_lanes(8);
  // Blocks of rows keep the strip of X a tile reads in cache; each block goes on from the sums
  // the one before left in G, so every sum still runs over the rows in order.
  for (Eigen::Index i0 = 0; i0 < rows; i0 += 8 * kBlockRows) {
    const Eigen::Index block = std::min(8 * kBlockRows, rows - i0);
    const bool first = i0 == 0;
    const float* Xb = X + i0 * ldx;
    const float* dSb = dS + i0;
    Eigen::Index k = 0;
    for (; k + 16 <= depth; k += 16)
      gradient_features<2, false>(Xb + k, ldx, block, dSb, ldd, cols, G + k, ldg, first, all);
    const Eigen::Index rest = depth - k;
    if (rest > 8)
      gradient_features<2, true>(Xb + k, ldx, block, dSb, ldd, cols, G + k, ldg, first,
                                 first_lanes(static_cast<int>(rest - 8)));
    else if (rest > 0)
      gradient_features<1, true>(Xb + k, ldx, block, dSb, ldd, cols, G + k, ldg, first,
                                 first_lanes(static_cast<int>(rest)));
  }
}

}  // namespace
#endif

void slice_scores(const Eigen::Ref<const RowMatrix<float>>& X, const Eigen::Ref<const Matrix<float>>& W, Matrix<float>& S) {
  S.resize(X.rows(), W.cols());
#ifdef LOSSLAB_OWN_SLICE_KERNELS
  if (own_slice_kernels(X.cols())) {
    scores(X.data(), X.outerStride(), X.rows(), X.cols(), W.data(), W.outerStride(), W.cols(), S.data(),
           S.outerStride());
    return;
  }
#endif
  S.noalias() = X * W;
}

void slice_gradient(const Eigen::Ref<const RowMatrix<float>>& X, const Matrix<float>& dS, Matrix<float>& G) {
  G.resize(X.cols(), dS.cols());
#ifdef LOSSLAB_OWN_SLICE_KERNELS
  if (own_slice_kernels(X.cols())) {
    if (X.rows() == 0) {
      G.setZero();
      return;
    }
    gradient(X.data(), X.outerStride(), X.rows(), X.cols(), dS.data(), dS.outerStride(), dS.cols(), G.data(),
             G.outerStride());
    return;
  }
#endif
  G.noalias() = X.transpose() * dS;
}

}  // namespace losslab::detail
