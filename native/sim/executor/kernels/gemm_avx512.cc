// AVX-512 float32 GEMM micro-kernels: an 8×32 tile of C in 16 zmm accumulators. Per depth step
// two 16-float loads of B and eight broadcasts of A feed 16 FMAs, which keeps both FMA pipes of a
// Zen 4/5 or Skylake-SP core busy while leaving registers for the loads. Compiled for AVX-512
// with a function attribute only; the dispatcher calls it only when the CPU has AVX-512.
#include "sim/executor/kernels/gemm_arch.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define ACLSIM_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))

namespace aclsim::exec::kernels {
namespace {

constexpr int kMr = 8;
constexpr int kNr = 32;

template <int M>
ACLSIM_AVX512 void Kernel(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int64_t n, float alpha,
                          bool accumulate) {
  __m512 lo[M], hi[M];
#pragma GCC unroll 16
  for (int i = 0; i < M; ++i) lo[i] = hi[i] = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_load_ps(b);
    const __m512 b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      lo[i] = _mm512_fmadd_ps(ai, b0, lo[i]);
      hi[i] = _mm512_fmadd_ps(ai, b1, hi[i]);
    }
    a += kMr;
    b += kNr;
  }
  // Columns past n are masked off, so edge tiles need no scratch copy.
  const __mmask16 mask_lo = n >= 16 ? 0xffff : static_cast<__mmask16>((1u << n) - 1u);
  const __mmask16 mask_hi = n >= 32 ? 0xffff : n > 16 ? static_cast<__mmask16>((1u << (n - 16)) - 1u) : 0;
  const __m512 scale = _mm512_set1_ps(alpha);
#pragma GCC unroll 16
  for (int i = 0; i < M; ++i) {
    float *row = c + i * ldc;
    __m512 v0 = lo[i], v1 = hi[i];
    if (accumulate) {
      v0 = _mm512_fmadd_ps(v0, scale, _mm512_maskz_loadu_ps(mask_lo, row));
      v1 = _mm512_fmadd_ps(v1, scale, _mm512_maskz_loadu_ps(mask_hi, row + 16));
    } else if (alpha != 1.0f) {
      v0 = _mm512_mul_ps(v0, scale);
      v1 = _mm512_mul_ps(v1, scale);
    }
    _mm512_mask_storeu_ps(row, mask_lo, v0);
    _mm512_mask_storeu_ps(row + 16, mask_hi, v1);
  }
}

// Lanes [a, b) of a 16-lane mask (a, b clamped to [0, 16]).
ACLSIM_AVX512 inline __mmask16 LaneRange(int64_t a, int64_t b) {
  a = a < 0 ? 0 : a > 16 ? 16 : a;
  b = b < 0 ? 0 : b > 16 ? 16 : b;
  if (b <= a) return 0;
  const uint32_t upper = b == 16 ? 0xffffu : (1u << b) - 1u;
  return static_cast<__mmask16>(upper & ~((1u << a) - 1u));
}

// Masked loads read only the lanes in [lo, hi), so runs that start in the padding or end at the
// input's edge need no scalar fix-up; stride 2 (a strided convolution or pooling) loads 32
// consecutive floats and keeps the even ones with one permute.
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma,bmi2"))) void GatherRunAvx512(float *dst,
                                                                                            const float *src,
                                                                                            int64_t stride, int64_t lo,
                                                                                            int64_t hi, int64_t len) {
  if (stride == 1) {
    const float *base = src - lo;  // element t at base[t] (lanes outside [lo, hi) are never read)
    for (int64_t t = 0; t < len; t += 16) {
      const __mmask16 store = LaneRange(0, len - t);
      const __m512 v = _mm512_maskz_loadu_ps(LaneRange(lo - t, hi - t), base + t);
      _mm512_mask_storeu_ps(dst + t, store, v);
    }
    return;
  }
  if (stride == 2) {
    const float *base = src - 2 * lo;
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    for (int64_t t = 0; t < len; t += 16) {
      const uint32_t valid = LaneRange(lo - t, hi - t);
      // Input lane 2j of the 32 loaded belongs to output lane j: spread the output mask over the
      // even input lanes.
      const __mmask16 first = static_cast<__mmask16>(_pdep_u32(valid & 0xffu, 0x5555u));
      const __mmask16 second = static_cast<__mmask16>(_pdep_u32(valid >> 8, 0x5555u));
      const __m512 a = _mm512_maskz_loadu_ps(first, base + 2 * t);
      const __m512 b = _mm512_maskz_loadu_ps(second, base + 2 * t + 16);
      _mm512_mask_storeu_ps(dst + t, LaneRange(0, len - t), _mm512_permutex2var_ps(a, even, b));
    }
    return;
  }
  GatherRunPortable(dst, src, stride, lo, hi, len);
}

// 32-wide panels as two zmm moves per depth step; the last, partial panel with masked loads.
ACLSIM_AVX512 bool PackRowsAvx512(int width, const float *data, const int64_t *offsets, int64_t stride, int64_t count,
                                  int64_t kc, float *out) {
  if (width != 32) return PackRowsAvx2(width, data, offsets, stride, count, kc, out);
  const int64_t full = count / 32, rest = count % 32;
  const int64_t panel_floats = kc * 32;
  const __mmask16 rest_lo = LaneRange(0, rest), rest_hi = LaneRange(0, rest - 16);
  for (int64_t k = 0; k < kc; ++k) {
    const float *src = data + (offsets != nullptr ? offsets[k] : k * stride);
    float *dst = out + k * 32;
    for (int64_t p = 0; p < full; ++p, src += 32, dst += panel_floats) {
      _mm512_store_ps(dst, _mm512_loadu_ps(src));
      _mm512_store_ps(dst + 16, _mm512_loadu_ps(src + 16));
    }
    if (rest != 0) {
      _mm512_store_ps(dst, _mm512_maskz_loadu_ps(rest_lo, src));
      _mm512_store_ps(dst + 16, _mm512_maskz_loadu_ps(rest_hi, src + 16));
    }
  }
  return true;
}

const GemmArch kArch = {
    Isa::kAvx512,
    kMr,
    kNr,
    /*kc=*/640,
    /*mc=*/kMr * 128,
    /*nc=*/kNr * 16,
    {Kernel<1>, Kernel<2>, Kernel<3>, Kernel<4>, Kernel<5>, Kernel<6>, Kernel<7>, Kernel<8>},
    PackTransposedAvx2,  // AVX-512 CPUs have AVX2; 8×8 blocks match the 8-row A panel
    GatherRunAvx512,
    PackRowsAvx512,
};

}  // namespace

const GemmArch *Avx512GemmArch() { return &kArch; }

}  // namespace aclsim::exec::kernels

#else

namespace aclsim::exec::kernels {
const GemmArch *Avx512GemmArch() { return nullptr; }
}  // namespace aclsim::exec::kernels

#endif
