#include "sim/executor/kernels/gemm.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "sim/executor/kernels/workspace.h"

namespace aclsim::exec::kernels {
namespace {

int64_t RoundUp(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }
int64_t CeilDiv(int64_t value, int64_t divisor) { return (value + divisor - 1) / divisor; }

bool HasEpilogue(const Epilogue &e) {
  return e.row_bias != nullptr || e.col_bias != nullptr || e.activation != Activation::kNone;
}

// One row segment of the epilogue, in fixed chunks of 8 so that the compiler vectorises it.
void EpilogueRow(float *row, int64_t n, float row_bias, const float *col_bias, bool relu) {
  constexpr int kChunk = 8;
  int64_t j = 0;
  for (; j + kChunk <= n; j += kChunk) {
    float v[kChunk];
    for (int t = 0; t < kChunk; ++t) v[t] = row[j + t] + row_bias;
    if (col_bias != nullptr) {
      for (int t = 0; t < kChunk; ++t) v[t] += col_bias[j + t];
    }
    if (relu) {
      for (int t = 0; t < kChunk; ++t) v[t] = v[t] > 0.0f ? v[t] : 0.0f;
    }
    for (int t = 0; t < kChunk; ++t) row[j + t] = v[t];
  }
  for (; j < n; ++j) {
    float v = row[j] + row_bias;
    if (col_bias != nullptr) v += col_bias[j];
    if (relu) v = v > 0.0f ? v : 0.0f;
    row[j] = v;
  }
}

void ApplyEpilogue(const Epilogue &e, float *c, int64_t ldc, int64_t row0, int64_t col0, int64_t rows, int64_t cols) {
  const bool relu = e.activation == Activation::kRelu;
  for (int64_t i = 0; i < rows; ++i) {
    const float bias = e.row_bias != nullptr ? e.row_bias[row0 + i] : 0.0f;
    EpilogueRow(c + i * ldc, cols, bias, e.col_bias != nullptr ? e.col_bias + col0 : nullptr, relu);
  }
}

// Tile sizes for spreading `count` products over `threads`. Every tile packs its own A rows
// (unless A is packed already) and its own B columns (likewise), so finer tiles cost packing;
// fewer tiles than threads leave threads idle. The plan minimises an estimate of the busiest
// thread's time: ceil(tiles / threads) tiles, each costing its multiply-adds (at a vector FMA
// rate) plus the elements it packs. Tiles are evened out (n split into equal parts, rounded to
// the register tile) rather than leaving a sliver at the end. One thread: whole cache blocks.
void PlanTiles(const GemmArch &arch, const GemmShape &shape, int64_t count, int threads, bool a_packed, bool b_packed,
               int64_t *tile_m, int64_t *tile_n) {
  const int64_t m = shape.m, n = shape.n, k = std::max<int64_t>(shape.k, 1);
  *tile_m = std::min(RoundUp(m, arch.mr), arch.mc);
  *tile_n = std::min(RoundUp(n, arch.nr), arch.nc);
  // Too little work to be worth handing out (a pool hand-off costs a few microseconds).
  constexpr double kMinParallelMacs = 1 << 18;
  if (threads <= 1 || static_cast<double>(count) * m * n * k < kMinParallelMacs) return;
  constexpr double kMacsPerCycle = 32;  // a vector FMA unit's worth; only ratios matter
  constexpr double kPackCyclesPerFloat = 0.5;
  const int64_t min_splits_m = CeilDiv(m, arch.mc), max_splits_m = CeilDiv(m, arch.mr);
  const int64_t min_splits_n = CeilDiv(n, arch.nc), max_splits_n = CeilDiv(n, std::max<int64_t>(arch.nr, 64));
  double best = -1;
  constexpr int64_t kMaxExtraSplits = 16;  // bounds the search; finer tiles never win by much
  for (int64_t sm = min_splits_m; sm <= std::min(max_splits_m, min_splits_m + kMaxExtraSplits); ++sm) {
    const int64_t tm = RoundUp(CeilDiv(m, sm), arch.mr);
    if (sm > min_splits_m && tm == RoundUp(CeilDiv(m, sm - 1), arch.mr)) continue;  // same tiling
    for (int64_t sn = min_splits_n; sn <= std::min(max_splits_n, min_splits_n + kMaxExtraSplits); ++sn) {
      const int64_t tn = RoundUp(CeilDiv(n, sn), arch.nr);
      if (sn > min_splits_n && tn == RoundUp(CeilDiv(n, sn - 1), arch.nr)) continue;
      const int64_t tiles = count * CeilDiv(m, tm) * CeilDiv(n, tn);
      const double tile_cycles = static_cast<double>(tm) * tn * k / kMacsPerCycle +
                                 kPackCyclesPerFloat * ((a_packed ? 0 : tm * k) + (b_packed ? 0 : tn * k));
      const double busiest = static_cast<double>(CeilDiv(tiles, threads)) * tile_cycles;
      if (best < 0 || busiest < best) {
        best = busiest;
        *tile_m = tm;
        *tile_n = tn;
      }
    }
  }
}

// C = 0 (unless accumulating) for a product of depth 0, then the epilogue.
void EmptyDepth(const GemmShape &shape, const GemmProblem &p, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  float *block = p.c + (m0 - p.c_row0) * p.ldc + (n0 - p.c_col0);
  if (!shape.accumulate) {
    for (int64_t i = 0; i < m1 - m0; ++i) std::fill(block + i * p.ldc, block + i * p.ldc + (n1 - n0), 0.0f);
  }
  if (HasEpilogue(p.epilogue)) ApplyEpilogue(p.epilogue, block, p.ldc, m0, n0, m1 - m0, n1 - n0);
}

// A micro-tile computed into `tile` (rows × cols, row stride kMaxTile) stored through a
// ColumnWrap: each row splits into runs that stay within one period, dropped columns skipped.
constexpr int kMaxTile = 32;  // the widest register tile (nr) of any arch

void StoreWrapped(const GemmProblem &p, float *tile, int64_t rows, int64_t cols, int64_t row0, int64_t col0,
                  bool accumulate, bool epilogue) {
  const ColumnWrap &w = p.wrap;
  for (int64_t i = 0; i < rows; ++i) {
    float *t = tile + i * kMaxTile;
    float *dst_row = p.c + (row0 + i - p.c_row0) * p.ldc;
    // Runs of the row: [at, at + len) of the tile goes to dst_row + offset.
    auto for_each_run = [&](auto fn) {
      int64_t q = col0 - p.c_col0, at = 0;
      while (at < cols) {
        const int64_t r = q % w.period;
        const int64_t len = std::min(cols - at, w.period - r);
        if (r < w.kept) fn(at, (q / w.period) * w.pitch + r, std::min(len, w.kept - r));
        at += len;
        q += len;
      }
    };
    if (accumulate) {
      for_each_run([&](int64_t at, int64_t offset, int64_t len) {
        for (int64_t j = 0; j < len; ++j) t[at + j] += dst_row[offset + j];
      });
    }
    if (epilogue) {
      const float bias = p.epilogue.row_bias != nullptr ? p.epilogue.row_bias[row0 + i] : 0.0f;
      EpilogueRow(t, cols, bias, p.epilogue.col_bias != nullptr ? p.epilogue.col_bias + col0 : nullptr,
                  p.epilogue.activation == Activation::kRelu);
    }
    for_each_run([&](int64_t at, int64_t offset, int64_t len) { std::copy(t + at, t + at + len, dst_row + offset); });
  }
}

// The loop nest of the blocked GEMM for one block of C (see gemm.h).
Status BlockStatus(const GemmArch &arch, const GemmShape &shape, const GemmProblem &p, int64_t m0, int64_t m1,
                   int64_t n0, int64_t n1) {
  if (m0 >= m1 || n0 >= n1) return Status::Ok();
  if (shape.k == 0) {
    if (p.wrap.period != 0) return InternalError("GEMM: a wrapped C needs a depth of at least 1");
    EmptyDepth(shape, p, m0, m1, n0, n1);
    return Status::Ok();
  }
  const int mr = arch.mr;
  const int nr = arch.nr;
  const int64_t k_step = KStep(arch, shape.k);
  const int64_t a_floats = std::min(arch.mc, RoundUp(m1 - m0, mr)) * k_step;
  const int64_t b_floats = std::min(arch.nc, RoundUp(n1 - n0, nr)) * k_step;
  float *a_buffer = ThreadScratch(ScratchSlot::kPackA, static_cast<size_t>(a_floats));
  float *b_buffer = ThreadScratch(ScratchSlot::kPackB, static_cast<size_t>(b_floats));
  if (a_buffer == nullptr || b_buffer == nullptr) {
    return Status::Error(kOutOfMemory, "out of host memory for GEMM packing buffers");
  }
  const bool epilogue = HasEpilogue(p.epilogue);
  for (int64_t ic = m0; ic < m1; ic += arch.mc) {
    const int64_t mc = std::min(arch.mc, m1 - ic);
    for (int64_t pc = 0; pc < shape.k; pc += k_step) {
      const int64_t kc = std::min(k_step, shape.k - pc);
      const bool accumulate = shape.accumulate || pc > 0;
      const bool last = pc + kc >= shape.k;
      const float *a_panels = p.a->Panels(arch, mr, ic, mc, pc, kc, a_buffer);
      if (a_panels == nullptr) return InternalError("GEMM: A panels unavailable for rows %lld", (long long)ic);
      for (int64_t jc = n0; jc < n1; jc += arch.nc) {
        const int64_t nc = std::min(arch.nc, n1 - jc);
        const float *b_panels = p.b->Panels(arch, nr, jc, nc, pc, kc, b_buffer);
        if (b_panels == nullptr) return InternalError("GEMM: B panels unavailable for columns %lld", (long long)jc);
        for (int64_t ir = 0; ir < mc; ir += mr) {
          const int64_t rows = std::min<int64_t>(mr, mc - ir);
          const float *a_panel = a_panels + ir * kc;
          for (int64_t jr = 0; jr < nc; jr += nr) {
            const int64_t cols = std::min<int64_t>(nr, nc - jr);
            if (p.wrap.period != 0) {
              alignas(64) float tile[kMaxMr * kMaxTile];
              arch.kernels[rows - 1](kc, a_panel, b_panels + jr * kc, tile, kMaxTile, cols, shape.alpha, false);
              StoreWrapped(p, tile, rows, cols, ic + ir, jc + jr, accumulate, last && epilogue);
              continue;
            }
            float *c = p.c + (ic + ir - p.c_row0) * p.ldc + (jc + jr - p.c_col0);
            arch.kernels[rows - 1](kc, a_panel, b_panels + jr * kc, c, p.ldc, cols, shape.alpha, accumulate);
            if (last && epilogue) ApplyEpilogue(p.epilogue, c, p.ldc, ic + ir, jc + jr, rows, cols);
          }
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status GemmBlock(const GemmArch &arch, const GemmShape &shape, const GemmProblem &p, int64_t m0, int64_t m1, int64_t n0,
                 int64_t n1) {
  return BlockStatus(arch, shape, p, m0, m1, n0, n1);
}

Status GemmBatch(const GemmArch &arch, const GemmShape &shape, int64_t count,
                 const std::function<GemmProblem(int64_t index)> &problem, ThreadPool *pool) {
  if (count <= 0 || shape.m <= 0 || shape.n <= 0) return Status::Ok();
  const int threads = pool != nullptr ? pool->size() : 1;
  const GemmProblem first = problem(0);
  int64_t tile_m = 0, tile_n = 0;
  PlanTiles(arch, shape, count, threads, first.a->prepacked(), first.b->prepacked(), &tile_m, &tile_n);
  const int64_t tiles_m = CeilDiv(shape.m, tile_m);
  const int64_t tiles_n = CeilDiv(shape.n, tile_n);
  const int64_t tiles_per_problem = tiles_m * tiles_n;
  const int64_t tasks = count * tiles_per_problem;

  std::mutex error_mutex;
  Status error;
  std::atomic<bool> failed{false};
  auto run = [&](int64_t begin, int64_t end) {
    int64_t cached_index = -1;
    GemmProblem p;
    for (int64_t t = begin; t < end && !failed.load(std::memory_order_relaxed); ++t) {
      const int64_t index = t / tiles_per_problem;
      const int64_t tile = t % tiles_per_problem;
      if (index != cached_index) {
        p = problem(index);
        cached_index = index;
      }
      const int64_t m0 = (tile / tiles_n) * tile_m;
      const int64_t n0 = (tile % tiles_n) * tile_n;
      Status status =
          BlockStatus(arch, shape, p, m0, std::min(shape.m, m0 + tile_m), n0, std::min(shape.n, n0 + tile_n));
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!failed.exchange(true)) error = status;
        return;
      }
    }
  };
  if (pool == nullptr || tasks == 1) {
    run(0, tasks);
  } else {
    pool->ParallelFor(tasks, 1, run);
  }
  return error;
}

Status Gemm(const GemmArch &arch, const GemmShape &shape, const GemmProblem &problem, ThreadPool *pool) {
  return GemmBatch(
      arch, shape, 1, [&](int64_t) { return problem; }, pool);
}

Status Sgemm(const GemmArch &arch, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
             const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
             ThreadPool *pool) {
  if (m <= 0 || n <= 0) return Status::Ok();
  if (beta != 0.0f && beta != 1.0f) {
    auto scale = [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float *row = c + i * ldc;
        for (int64_t j = 0; j < n; ++j) row[j] *= beta;
      }
    };
    if (pool != nullptr) {
      pool->ParallelFor(m, std::max<int64_t>(1, 16384 / n), scale);
    } else {
      scale(0, m);
    }
  }
  const StridedSource a_source = trans_a ? StridedSource(a, 1, lda) : StridedSource(a, lda, 1);
  const StridedSource b_source = trans_b ? StridedSource(b, ldb, 1) : StridedSource(b, 1, ldb);
  GemmShape shape;
  shape.m = m;
  shape.n = n;
  shape.k = k;
  shape.alpha = alpha;
  shape.accumulate = beta != 0.0f;
  GemmProblem problem;
  problem.a = &a_source;
  problem.b = &b_source;
  problem.c = c;
  problem.ldc = ldc;
  return Gemm(arch, shape, problem, pool);
}

}  // namespace aclsim::exec::kernels
