// IEEE 754 binary16 <-> binary32 conversion, shared by the simulator (float16 model I/O) and
// the addon (acl.float16 helpers).
//
// Written by hand because the JS library we tried (@petamoriken/float16) converts at ~1 µs per
// element through its Proxy-based Float16Array, too slow for tensors; here it is about 1 ns,
// with F16C instructions where the CPU has them (chosen at run time, never by -march) and a
// portable path that rounds to nearest even exactly like them.
#ifndef ASCENDCL_COMMON_FLOAT16_H_
#define ASCENDCL_COMMON_FLOAT16_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace ascendcl {

inline uint16_t FloatToHalf(float value) {
  uint32_t x;
  std::memcpy(&x, &value, sizeof x);
  const uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t mantissa = x & 0x007fffffu;
  const int32_t exponent = static_cast<int32_t>((x >> 23) & 0xffu);
  if (exponent == 0xff) {  // Inf, or NaN kept quiet with its top payload bits
    return static_cast<uint16_t>(sign | 0x7c00u | (mantissa != 0 ? 0x200u | (mantissa >> 13) : 0u));
  }
  const int32_t half_exponent = exponent - 127 + 15;
  if (half_exponent >= 0x1f) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow to Inf
  if (half_exponent <= 0) {                                                 // subnormal or zero
    if (half_exponent < -10) return static_cast<uint16_t>(sign);
    mantissa |= 0x00800000u;
    const uint32_t shift = static_cast<uint32_t>(14 - half_exponent);
    uint32_t half = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1u);
    const uint32_t halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (half & 1u) != 0)) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = (static_cast<uint32_t>(half_exponent) << 10) | (mantissa >> 13);
  const uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u) != 0)) ++half;  // a carry may round up to Inf: correct
  return static_cast<uint16_t>(sign | half);
}

inline float HalfToFloat(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  uint32_t exponent = (half >> 10) & 0x1fu;
  uint32_t mantissa = half & 0x3ffu;
  uint32_t x;
  if (exponent == 0) {
    if (mantissa == 0) {
      x = sign;
    } else {  // subnormal: normalise
      exponent = 127 - 15 + 1;
      while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        --exponent;
      }
      x = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
    }
  } else if (exponent == 0x1f) {
    x = sign | 0x7f800000u | (mantissa << 13);
  } else {
    x = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float value;
  std::memcpy(&value, &x, sizeof value);
  return value;
}

namespace float16_detail {
#if defined(__x86_64__)
__attribute__((target("avx,f16c"))) inline void ToHalfF16c(const float *src, uint16_t *dst, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i), h);
  }
  for (; i < n; ++i) dst[i] = FloatToHalf(src[i]);
}
__attribute__((target("avx,f16c"))) inline void ToFloatF16c(const uint16_t *src, float *dst, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i))));
  }
  for (; i < n; ++i) dst[i] = HalfToFloat(src[i]);
}
// F16C is read from CPUID (leaf 1, ECX bit 29) because clang's __builtin_cpu_supports does not
// know "f16c"; "avx" also covers the OS saving the YMM state.
inline bool HasF16c() {
  static const bool has = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
    return __builtin_cpu_supports("avx") && (ecx & (1u << 29)) != 0;
  }();
  return has;
}
#endif
}  // namespace float16_detail

inline void FloatsToHalves(const float *src, uint16_t *dst, size_t n) {
#if defined(__x86_64__)
  if (float16_detail::HasF16c()) return float16_detail::ToHalfF16c(src, dst, n);
#endif
  for (size_t i = 0; i < n; ++i) dst[i] = FloatToHalf(src[i]);
}

inline void HalvesToFloats(const uint16_t *src, float *dst, size_t n) {
#if defined(__x86_64__)
  if (float16_detail::HasF16c()) return float16_detail::ToFloatF16c(src, dst, n);
#endif
  for (size_t i = 0; i < n; ++i) dst[i] = HalfToFloat(src[i]);
}

}  // namespace ascendcl

#endif  // ASCENDCL_COMMON_FLOAT16_H_
