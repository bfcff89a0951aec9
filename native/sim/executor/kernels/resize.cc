#include "sim/executor/kernels/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace aclsim::exec::kernels {
namespace {

template <typename E>
void GatherRows(const E *in, const Shape &in_shape, const std::vector<std::vector<int64_t>> &maps, E *out,
                const Shape &out_shape, ThreadPool &pool) {
  const size_t rank = out_shape.size();
  const int64_t out_len = out_shape[rank - 1];
  const int64_t in_len = in_shape[rank - 1];
  const std::vector<int64_t> &last = maps[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; ++d) rows *= out_shape[d];
  // Strides of the input, in elements.
  std::vector<int64_t> in_stride(rank, 1);
  for (size_t d = rank - 1; d-- > 0;) in_stride[d] = in_stride[d + 1] * in_shape[d + 1];
  pool.ParallelFor(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(out_len, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t rest = row, offset = 0;
      for (size_t d = rank - 1; d-- > 0;) {
        const int64_t coordinate = rest % out_shape[d];
        rest /= out_shape[d];
        offset += maps[d][coordinate] * in_stride[d];
      }
      const E *src = in + offset;
      E *dst = out + row * out_len;
      for (int64_t j = 0; j < out_len; ++j) dst[j] = src[last[j]];
    }
  });
  (void)in_len;
}

}  // namespace

float OriginalCoordinate(ResizeCoordinate mode, const ResizeAxis &axis, int64_t o) {
  const float x = static_cast<float>(o);
  const float scale = axis.scale;
  const float length = axis.resized_length;
  switch (mode) {
    case ResizeCoordinate::kHalfPixel:
      return (x + 0.5f) / scale - 0.5f;
    case ResizeCoordinate::kHalfPixelSymmetric: {
      const float adjustment = static_cast<float>(axis.out) / (scale * static_cast<float>(axis.in));
      const float center = static_cast<float>(axis.in) / 2.0f;
      return center * (1.0f - adjustment) + (x + 0.5f) / scale - 0.5f;
    }
    case ResizeCoordinate::kPytorchHalfPixel:
      return length > 1.0f ? (x + 0.5f) / scale - 0.5f : 0.0f;
    case ResizeCoordinate::kAlignCorners:
      return length == 1.0f ? 0.0f : x * static_cast<float>(axis.in - 1) / (length - 1.0f);
    case ResizeCoordinate::kAsymmetric:
      return x / scale;
    case ResizeCoordinate::kTfHalfPixelForNn:
      return (x + 0.5f) / scale;
  }
  return x;
}

std::vector<int64_t> NearestMap(ResizeCoordinate mode, NearestRounding rounding, const ResizeAxis &axis) {
  std::vector<int64_t> map(static_cast<size_t>(axis.out));
  for (int64_t o = 0; o < axis.out; ++o) {
    const float x = OriginalCoordinate(mode, axis, o);
    float index = 0;
    switch (rounding) {
      case NearestRounding::kRoundPreferFloor:
        index = x == std::floor(x) + 0.5f ? std::floor(x) : std::round(x);
        break;
      case NearestRounding::kRoundPreferCeil:
        index = x == std::floor(x) + 0.5f ? std::ceil(x) : std::round(x);
        break;
      case NearestRounding::kFloor:
        index = std::floor(x);
        break;
      case NearestRounding::kCeil:
        index = std::ceil(x);
        break;
      case NearestRounding::kSimple:
        index = axis.scale < 1.0f ? std::ceil(x) : std::trunc(x);
        break;
    }
    // Clamp as a float first: a huge or NaN coordinate must not overflow the integer conversion.
    if (!(index >= 0.0f)) index = 0.0f;
    const float top = static_cast<float>(std::max<int64_t>(axis.in - 1, 0));
    map[o] = index >= top ? axis.in - 1 : static_cast<int64_t>(index);
    if (map[o] < 0) map[o] = 0;
  }
  return map;
}

LinearMap MakeLinearMap(ResizeCoordinate mode, const ResizeAxis &axis) {
  LinearMap map;
  const size_t n = static_cast<size_t>(axis.out);
  map.lo.resize(n);
  map.hi.resize(n);
  map.weight_lo.resize(n);
  map.weight_hi.resize(n);
  const float top = static_cast<float>(std::max<int64_t>(axis.in - 1, 0));
  for (int64_t o = 0; o < axis.out; ++o) {
    float x = OriginalCoordinate(mode, axis, o);
    x = std::clamp(x, 0.0f, top);
    if (!(x == x)) x = 0.0f;  // NaN (from a zero scale) reads the first element
    const int64_t lo = std::min(static_cast<int64_t>(x), axis.in - 1);
    const int64_t hi = std::min(lo + 1, axis.in - 1);
    map.lo[o] = lo;
    map.hi[o] = hi;
    if (lo == hi) {
      map.weight_lo[o] = map.weight_hi[o] = 0.5f;
    } else {
      map.weight_hi[o] = x - static_cast<float>(lo);
      map.weight_lo[o] = static_cast<float>(hi) - x;
    }
  }
  return map;
}

void GatherNearest(const void *in, const Shape &in_shape, const std::vector<std::vector<int64_t>> &maps,
                   size_t element_size, void *out, const Shape &out_shape, ThreadPool &pool) {
  if (ElementCount(out_shape) == 0) return;
  if (out_shape.empty()) {
    std::memcpy(out, in, element_size);
    return;
  }
  switch (element_size) {
    case 1:
      return GatherRows(static_cast<const uint8_t *>(in), in_shape, maps, static_cast<uint8_t *>(out), out_shape, pool);
    case 2:
      return GatherRows(static_cast<const uint16_t *>(in), in_shape, maps, static_cast<uint16_t *>(out), out_shape,
                        pool);
    case 4:
      return GatherRows(static_cast<const uint32_t *>(in), in_shape, maps, static_cast<uint32_t *>(out), out_shape,
                        pool);
    case 8:
      return GatherRows(static_cast<const uint64_t *>(in), in_shape, maps, static_cast<uint64_t *>(out), out_shape,
                        pool);
    default:
      break;
  }
}

template <typename T>
void LinearAxisPass(const T *in, int64_t outer, int64_t in_len, int64_t inner, const LinearMap &map, T *out,
                    ThreadPool &pool) {
  const int64_t out_len = static_cast<int64_t>(map.lo.size());
  pool.ParallelFor(outer * out_len, std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1)),
                   [&](int64_t begin, int64_t end) {
                     for (int64_t row = begin; row < end; ++row) {
                       const int64_t o = row / out_len, j = row % out_len;
                       const T *a = in + (o * in_len + map.lo[j]) * inner;
                       const T *b = in + (o * in_len + map.hi[j]) * inner;
                       const T wa = static_cast<T>(map.weight_lo[j]), wb = static_cast<T>(map.weight_hi[j]);
                       T *dst = out + row * inner;
                       constexpr int kChunk = 8;
                       int64_t i = 0;
                       for (; i + kChunk <= inner; i += kChunk) {
                         for (int u = 0; u < kChunk; ++u) dst[i + u] = wa * a[i + u] + wb * b[i + u];
                       }
                       for (; i < inner; ++i) dst[i] = wa * a[i] + wb * b[i];
                     }
                   });
}

template void LinearAxisPass<float>(const float *, int64_t, int64_t, int64_t, const LinearMap &, float *, ThreadPool &);
template void LinearAxisPass<double>(const double *, int64_t, int64_t, int64_t, const LinearMap &, double *,
                                     ThreadPool &);

}  // namespace aclsim::exec::kernels
