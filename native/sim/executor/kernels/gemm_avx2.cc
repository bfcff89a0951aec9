// AVX2+FMA float32 GEMM micro-kernels: a 6×16 tile of C in 12 ymm accumulators, two B loads and
// six broadcasts per depth step (15 of the 16 ymm registers). Compiled for AVX2 with a function
// attribute only; the dispatcher calls it only when the CPU has AVX2 and FMA.
#include "sim/executor/kernels/gemm_arch.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define ACLSIM_AVX2 __attribute__((target("avx2,fma")))

namespace aclsim::exec::kernels {
namespace {

constexpr int kMr = 6;
constexpr int kNr = 16;

template <int M>
ACLSIM_AVX2 void Kernel(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int64_t n, float alpha,
                        bool accumulate) {
  __m256 lo[M], hi[M];
#pragma GCC unroll 8
  for (int i = 0; i < M; ++i) lo[i] = hi[i] = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 8
    for (int i = 0; i < M; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      lo[i] = _mm256_fmadd_ps(ai, b0, lo[i]);
      hi[i] = _mm256_fmadd_ps(ai, b1, hi[i]);
    }
    a += kMr;
    b += kNr;
  }
  // Written here rather than in a helper taking the arrays by reference, which would force the
  // accumulators out of registers.
  const __m256 scale = _mm256_set1_ps(alpha);
  if (n == kNr) {
#pragma GCC unroll 8
    for (int i = 0; i < M; ++i) {
      float *row = c + i * ldc;
      __m256 v0 = lo[i], v1 = hi[i];
      if (accumulate) {
        v0 = _mm256_fmadd_ps(v0, scale, _mm256_loadu_ps(row));
        v1 = _mm256_fmadd_ps(v1, scale, _mm256_loadu_ps(row + 8));
      } else if (alpha != 1.0f) {
        v0 = _mm256_mul_ps(v0, scale);
        v1 = _mm256_mul_ps(v1, scale);
      }
      _mm256_storeu_ps(row, v0);
      _mm256_storeu_ps(row + 8, v1);
    }
    return;
  }
  // A partial last column block (n < 16) goes through a stack copy: AVX2 masked stores are slow
  // on several cores and edge tiles are rare.
  alignas(32) float tile[kNr];
#pragma GCC unroll 8
  for (int i = 0; i < M; ++i) {
    float *row = c + i * ldc;
    _mm256_store_ps(tile, lo[i]);
    _mm256_store_ps(tile + 8, hi[i]);
    for (int64_t j = 0; j < n; ++j) row[j] = accumulate ? __builtin_fmaf(tile[j], alpha, row[j]) : tile[j] * alpha;
  }
}

// Transposes an 8×8 block: out[q] holds element q of each of rows[0..8).
ACLSIM_AVX2 inline void Transpose8x8(const __m256 (&in)[8], __m256 (&out)[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(in[0], in[1]), t1 = _mm256_unpackhi_ps(in[0], in[1]);
  const __m256 t2 = _mm256_unpacklo_ps(in[2], in[3]), t3 = _mm256_unpackhi_ps(in[2], in[3]);
  const __m256 t4 = _mm256_unpacklo_ps(in[4], in[5]), t5 = _mm256_unpackhi_ps(in[4], in[5]);
  const __m256 t6 = _mm256_unpacklo_ps(in[6], in[7]), t7 = _mm256_unpackhi_ps(in[6], in[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
  out[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  out[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  out[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  out[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  out[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  out[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  out[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  out[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

}  // namespace

// Full panels of width 6, 8, 16 or 32 in groups of (up to) 8 lines, 8 depth steps at a time;
// a group of 6 (the AVX2 A panel) reads its last line twice and stores 6 of the 8 lanes.
ACLSIM_AVX2 bool PackTransposedAvx2(int width, const float *data, int64_t line_stride, int64_t count, int64_t kc,
                                    float *out) {
  if ((width != 6 && width % 8 != 0) || width > 32) return false;
  for (int64_t p = 0; p < count; p += width, data += width * line_stride, out += width * kc) {
    const int64_t lines = count - p < width ? count - p : width;
    for (int g = 0; g < width; g += 8) {
      const int group = width - g < 8 ? width - g : 8;
      const float *rows[8];
      bool present[8];
      for (int j = 0; j < 8; ++j) {
        const int64_t line = g + (j < group ? j : group - 1);
        present[j] = line < lines;
        rows[j] = data + (present[j] ? line : 0) * line_stride;
      }
      float *dst = out + g;
      int64_t k = 0;
      for (; k + 8 <= kc; k += 8) {
        __m256 in[8], t[8];
        for (int j = 0; j < 8; ++j) {
          // The lines are often a large matrix coming from L3 or memory: ask for them early.
          _mm_prefetch(reinterpret_cast<const char *>(rows[j] + k + 64), _MM_HINT_T0);
          in[j] = present[j] ? _mm256_loadu_ps(rows[j] + k) : _mm256_setzero_ps();
        }
        Transpose8x8(in, t);
        for (int q = 0; q < 8; ++q) {
          float *o = dst + (k + q) * width;
          if (group == 8) {
            _mm256_storeu_ps(o, t[q]);
          } else {
            _mm_storeu_ps(o, _mm256_castps256_ps128(t[q]));
            _mm_storel_pi(reinterpret_cast<__m64 *>(o + 4), _mm256_extractf128_ps(t[q], 1));
          }
        }
      }
      for (; k < kc; ++k) {
        for (int j = 0; j < group; ++j) dst[k * width + j] = present[j] ? rows[j][k] : 0.0f;
      }
    }
  }
  return true;
}

// Full panels move as 8-float vectors (the compiler would otherwise call memcpy for every
// 64- or 128-byte run); the last, partial panel of a block is copied and zero-filled by lanes.
ACLSIM_AVX2 bool PackRowsAvx2(int width, const float *data, const int64_t *offsets, int64_t stride, int64_t count,
                              int64_t kc, float *out) {
  if (width % 8 != 0 || width > 32) return false;
  const int64_t full = count / width, rest = count % width;
  const int64_t panel_floats = kc * width;
  for (int64_t k = 0; k < kc; ++k) {
    const float *src = data + (offsets != nullptr ? offsets[k] : k * stride);
    float *dst = out + k * width;
    for (int64_t p = 0; p < full; ++p, src += width, dst += panel_floats) {
      for (int j = 0; j < width; j += 8) _mm256_store_ps(dst + j, _mm256_loadu_ps(src + j));
    }
    if (rest != 0) {
      for (int j = 0; j < width; ++j) dst[j] = j < rest ? src[j] : 0.0f;
    }
  }
  return true;
}

namespace {

const GemmArch kArch = {
    Isa::kAvx2,
    kMr,
    kNr,
    /*kc=*/256,
    /*mc=*/kMr * 160,
    /*nc=*/kNr * 32,
    {Kernel<1>, Kernel<2>, Kernel<3>, Kernel<4>, Kernel<5>, Kernel<6>},
    PackTransposedAvx2,
    GatherRunPortable,
    PackRowsAvx2,
};

}  // namespace

const GemmArch *Avx2GemmArch() { return &kArch; }

}  // namespace aclsim::exec::kernels

#else

namespace aclsim::exec::kernels {
const GemmArch *Avx2GemmArch() { return nullptr; }
}  // namespace aclsim::exec::kernels

#endif
