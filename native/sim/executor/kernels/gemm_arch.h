// What one instruction set contributes to the float32 GEMM: its register tile (MR rows × NR
// columns of C kept in vector registers), the cache blocking that suits it, and the micro-kernels
// that multiply one packed A panel by one packed B panel.
//
// Packed panels (see gemm_pack.h): an A panel is kc steps of MR values (one per row of the
// panel), a B panel kc steps of NR values (one per column), so the micro-kernel reads both
// sequentially. Lines past the edge of the matrix are zero in the panels; the kernel still
// writes only the rows and columns that exist.
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_ARCH_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_ARCH_H_

#include <cstdint>

#include "sim/executor/cpu.h"

namespace aclsim::exec::kernels {

// C[0..m) x [0..n) (row stride ldc) = alpha * A_panel · B_panel, plus the old C when
// `accumulate`. m is fixed per function (the table below is indexed by it), n <= NR. When
// `accumulate` is false C is only written, never read (it may hold garbage or NaN).
using MicroKernel = void (*)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int64_t n, float alpha,
                             bool accumulate);

// Optional fast path for packing lines whose depth is contiguous (rows of a row-major A,
// columns of a transposed B): writes the panels like PanelSource::Panels and returns true, or
// returns false for a width it does not handle.
using TransposePacker = bool (*)(int width, const float *data, int64_t line_stride, int64_t count, int64_t kc,
                                 float *out);

// Gathers a run of `len` floats for a packed panel (convolution im2col, pooling rows):
// dst[t] = src[(t - lo) * stride] for t in [lo, hi) (src points at element lo), 0 elsewhere in
// [0, len). Never reads outside [lo, hi).
using GatherRunFn = void (*)(float *dst, const float *src, int64_t stride, int64_t lo, int64_t hi, int64_t len);

// Optional fast path for packing lines that are contiguous in memory, one run per depth step:
// depth step k's run starts at data + offsets[k] (data + k * stride when offsets is null), and
// the panels are written like PanelSource::Panels. Returns false for a width it does not handle.
using PackRowsFn = bool (*)(int width, const float *data, const int64_t *offsets, int64_t stride, int64_t count,
                            int64_t kc, float *out);

constexpr int kMaxMr = 16;

struct GemmArch {
  Isa isa;
  int mr;                           // rows of the register tile (broadcast from A)
  int nr;                           // columns of the register tile (vector loads from B)
  int64_t kc;                       // depth of a packed block: A and B micro-panels of this depth stay in L1/L2
  int64_t mc;                       // rows of A packed at once (a multiple of mr): the A block stays in L2
  int64_t nc;                       // columns of B packed at once (a multiple of nr): the B block stays in L2/L3
  MicroKernel kernels[kMaxMr];      // kernels[m - 1] handles a tile of m <= mr rows
  TransposePacker pack_transposed;  // nullptr: the portable packer
  GatherRunFn gather_run;
  PackRowsFn pack_rows;  // nullptr: the portable packer
};

// The GEMM for an instruction set; an ISA this build cannot target falls back to the best one
// below it (the portable path exists everywhere).
const GemmArch &GemmArchFor(Isa isa);

// Per-ISA tables, defined in their own translation units (nullptr when not compiled in).
const GemmArch *PortableGemmArch();
const GemmArch *Avx2GemmArch();
const GemmArch *Avx512GemmArch();

// The portable gather (zero fills and copies).
void GatherRunPortable(float *dst, const float *src, int64_t stride, int64_t lo, int64_t hi, int64_t len);

#if defined(__x86_64__)
// AVX2 8×8-transpose packer, shared by the AVX2 and AVX-512 tables.
bool PackTransposedAvx2(int width, const float *data, int64_t line_stride, int64_t count, int64_t kc, float *out);
// AVX2 row packer (widths that are multiples of 8), shared likewise.
bool PackRowsAvx2(int width, const float *data, const int64_t *offsets, int64_t stride, int64_t count, int64_t kc,
                  float *out);
#endif

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_ARCH_H_
