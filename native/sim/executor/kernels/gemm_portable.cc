// Portable float32 GEMM micro-kernels: plain C++ with fixed-size loops that the compiler turns
// into vector code for the build's baseline (SSE2 on x86-64, NEON on arm64) and keeps in
// registers. The path for CPUs without AVX2 and for other architectures, and the reference the
// tests hold the x86 paths to.
#include <cstring>

#include "sim/executor/kernels/gemm_arch.h"

namespace aclsim::exec::kernels {
namespace {

#if defined(__aarch64__)
constexpr int kMr = 8;  // 32 vector registers: an 8×8 tile is 16 accumulators
#else
constexpr int kMr = 4;  // 16 vector registers on SSE2: a 4×8 tile is 8 accumulators
#endif
constexpr int kNr = 8;

template <int M>
void Kernel(int64_t kc, const float *__restrict a, const float *__restrict b, float *__restrict c, int64_t ldc,
            int64_t n, float alpha, bool accumulate) {
  float acc[M][kNr] = {};
  for (int64_t k = 0; k < kc; ++k) {
#pragma GCC unroll 8
    for (int i = 0; i < M; ++i) {
      const float ai = a[i];
#pragma GCC unroll 8
      for (int j = 0; j < kNr; ++j) acc[i][j] += ai * b[j];
    }
    a += kMr;
    b += kNr;
  }
  for (int i = 0; i < M; ++i) {
    float *row = c + i * ldc;
    if (n == kNr) {
      if (accumulate) {
#pragma GCC unroll 8
        for (int j = 0; j < kNr; ++j) row[j] += alpha * acc[i][j];
      } else {
#pragma GCC unroll 8
        for (int j = 0; j < kNr; ++j) row[j] = alpha * acc[i][j];
      }
    } else {
      for (int64_t j = 0; j < n; ++j) row[j] = accumulate ? row[j] + alpha * acc[i][j] : alpha * acc[i][j];
    }
  }
}

const GemmArch kArch = {
    Isa::kScalar,
    kMr,
    kNr,
    /*kc=*/256,
    /*mc=*/512,
    /*nc=*/kNr * 64,
#if defined(__aarch64__)
    {Kernel<1>, Kernel<2>, Kernel<3>, Kernel<4>, Kernel<5>, Kernel<6>, Kernel<7>, Kernel<8>},
#else
    {Kernel<1>, Kernel<2>, Kernel<3>, Kernel<4>},
#endif
    nullptr,
    GatherRunPortable,
    nullptr,
};

}  // namespace

void GatherRunPortable(float *dst, const float *src, int64_t stride, int64_t lo, int64_t hi, int64_t len) {
  if (lo > 0) std::memset(dst, 0, static_cast<size_t>(lo) * sizeof(float));
  if (stride == 1) {
    if (hi > lo) std::memcpy(dst + lo, src, static_cast<size_t>(hi - lo) * sizeof(float));
  } else {
    for (int64_t t = lo; t < hi; ++t) dst[t] = src[(t - lo) * stride];
  }
  if (hi < len) std::memset(dst + hi, 0, static_cast<size_t>(len - hi) * sizeof(float));
}

const GemmArch *PortableGemmArch() { return &kArch; }

const GemmArch &GemmArchFor(Isa isa) {
  if (isa == Isa::kAvx512 && Avx512GemmArch() != nullptr) return *Avx512GemmArch();
  if ((isa == Isa::kAvx512 || isa == Isa::kAvx2) && Avx2GemmArch() != nullptr) return *Avx2GemmArch();
  return kArch;
}

}  // namespace aclsim::exec::kernels
