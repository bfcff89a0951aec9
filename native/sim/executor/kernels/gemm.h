// Blocked, packed float32 GEMM: C = alpha · A·B (+ C), then an epilogue (bias, activation), on
// the calling thread or split into tiles of C over a ThreadPool.
//
// The classic packed design (Goto/BLIS), with the loops ordered for a micro-kernel whose vector
// side is N: the driver walks C in blocks of mc rows and the depth in blocks of KStep, packing
// the A block (mc × kc) into MR-row panels; for each block of nc columns it packs the B block
// (kc × nc, sized to stay in L2); then each A micro-panel (MR × kc, a few KiB that stay in L1)
// meets every NR-column B micro-panel streamed from L2 in the register-blocked micro-kernel of
// the active instruction set (gemm_arch.h). Dot products are accumulated in float32 with fused
// multiply-adds, in depth order.
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_H_

#include <cstdint>
#include <functional>

#include "sim/executor/kernels/gemm_arch.h"
#include "sim/executor/kernels/gemm_pack.h"
#include "sim/executor/status.h"
#include "sim/executor/thread_pool.h"

namespace aclsim::exec::kernels {

enum class Activation { kNone, kRelu };

// Applied to each tile of C once its last depth block is done, while the tile is in L1.
struct Epilogue {
  const float *row_bias = nullptr;  // added to every element of row i (m values)
  const float *col_bias = nullptr;  // added to every element of column j (n values)
  Activation activation = Activation::kNone;
};

struct GemmShape {
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;
  float alpha = 1.0f;
  bool accumulate = false;  // C += alpha·A·B; otherwise C = alpha·A·B and C is not read
};

// Columns of C that wrap into rows of another width: column q (counted from c_col0) is stored at
// (q / period) · pitch + q % period, and columns with q % period >= kept are dropped. A
// convolution computed over rows padded to `period` positions writes its output rows of `kept`
// columns this way, straight into the output tensor. period 0: the plain layout.
struct ColumnWrap {
  int64_t period = 0;
  int64_t kept = 0;
  int64_t pitch = 0;
};

// One product. The sources must outlive the call; C must not overlap A or B. Element (i, j) of C
// is at c[(i - c_row0) * ldc + (j - c_col0)] (or wrapped, see ColumnWrap): the origin lets a
// caller hand GemmBlock a buffer holding just the block it computes.
struct GemmProblem {
  const PanelSource *a = nullptr;  // M×K, lines are rows
  const PanelSource *b = nullptr;  // K×N, lines are columns
  float *c = nullptr;
  int64_t ldc = 0;
  int64_t c_row0 = 0;
  int64_t c_col0 = 0;
  ColumnWrap wrap;
  Epilogue epilogue;
};

// `count` products of one shape (batched MatMul, convolution groups and images): all their
// tiles are spread over the pool at once. `problem(i)` describes the i-th; it is called from
// several threads. kOutOfMemory when a thread cannot get its packing buffers.
Status GemmBatch(const GemmArch &arch, const GemmShape &shape, int64_t count,
                 const std::function<GemmProblem(int64_t index)> &problem, ThreadPool *pool);

Status Gemm(const GemmArch &arch, const GemmShape &shape, const GemmProblem &problem, ThreadPool *pool);

// Rows [m0, m1) × columns [n0, n1) of one product, on the calling thread (for kernels that
// already run inside a pool task). m0 must be a multiple of arch.mr and n0 of arch.nr when the
// sources are PackedPanels. kOutOfMemory when the packing buffers cannot be allocated.
Status GemmBlock(const GemmArch &arch, const GemmShape &shape, const GemmProblem &problem, int64_t m0, int64_t m1,
                 int64_t n0, int64_t n1);

// BLAS-style convenience over row-major matrices: C = alpha·op(A)·op(B) + beta·C, op = optional
// transpose. beta == 0 never reads C.
Status Sgemm(const GemmArch &arch, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
             const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
             ThreadPool *pool);

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_H_
