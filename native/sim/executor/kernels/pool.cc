#include "sim/executor/kernels/pool.h"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <vector>

#include "sim/executor/kernels/workspace.h"

namespace aclsim::exec::kernels {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t CeilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// Output positions [lo, hi) along an axis whose input index base + o * stride lies in [0, size).
void ValidOutputs(int64_t base, int64_t stride, int64_t size, int64_t count, int64_t *lo, int64_t *hi) {
  *lo = std::min(count, base >= 0 ? int64_t{0} : CeilDiv(-base, stride));
  *hi = std::clamp(base >= size ? int64_t{0} : FloorDiv(size - 1 - base, stride) + 1, *lo, count);
}

template <typename T>
inline T Larger(T acc, T v) {
  return v > acc ? v : acc;  // a NaN v never wins
}

// acc[t] = max(acc[t], src[t * stride]); unit stride in fixed chunks so that it vectorises.
template <typename T>
void MaxTap(T *__restrict acc, const T *__restrict src, int64_t n, int64_t stride) {
  if (stride == 1) {
    constexpr int kChunk = 16;
    int64_t t = 0;
    for (; t + kChunk <= n; t += kChunk) {
      for (int u = 0; u < kChunk; ++u) acc[t + u] = Larger(acc[t + u], src[t + u]);
    }
    for (; t < n; ++t) acc[t] = Larger(acc[t], src[t]);
  } else {
    for (int64_t t = 0; t < n; ++t) acc[t] = Larger(acc[t], src[t * stride]);
  }
}

template <typename T>
void SumTap(T *__restrict acc, const T *__restrict src, int64_t n, int64_t stride) {
  if (stride == 1) {
    constexpr int kChunk = 8;
    int64_t t = 0;
    for (; t + kChunk <= n; t += kChunk) {
      for (int u = 0; u < kChunk; ++u) acc[t + u] += src[t + u];
    }
    for (; t < n; ++t) acc[t] += src[t];
  } else {
    for (int64_t t = 0; t < n; ++t) acc[t] += src[t * stride];
  }
}

// Visits, for every output row (od, oh), the input rows its windows cover and, within each, the
// contiguous run of outputs whose kw-th tap is inside the row: tap(out_row, in_row + first input,
// output lo, count, stride). Shared by max and average pooling.
template <typename T, typename RowInit, typename Tap, typename RowDone>
void ForEachTap(const T *in, const Window3 &w, T *out, GatherRunFn gather, RowInit init, Tap tap, RowDone done) {
  const int64_t in_plane = w.in[1] * w.in[2];
  // With a strided window and a vector gather, each tap's inputs are first made contiguous.
  float *row_buffer = nullptr;
  if constexpr (std::is_same_v<T, float>) {
    if (gather != nullptr && w.stride[2] > 1) {
      row_buffer = ThreadScratch(ScratchSlot::kPoolRow, static_cast<size_t>(w.out[2]) + 16);
    }
  }
  for (int64_t od = 0; od < w.out[0]; ++od) {
    for (int64_t oh = 0; oh < w.out[1]; ++oh) {
      T *row = out + (od * w.out[1] + oh) * w.out[2];
      init(row);
      for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
        const int64_t id = od * w.stride[0] - w.pad[0] + kd * w.dilation[0];
        if (id < 0 || id >= w.in[0]) continue;
        for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
          const int64_t ih = oh * w.stride[1] - w.pad[1] + kh * w.dilation[1];
          if (ih < 0 || ih >= w.in[1]) continue;
          const T *in_row = in + id * in_plane + ih * w.in[2];
          for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
            const int64_t base = kw * w.dilation[2] - w.pad[2];
            int64_t lo, hi;
            ValidOutputs(base, w.stride[2], w.in[2], w.out[2], &lo, &hi);
            if (hi <= lo) continue;
            const T *src = in_row + base + lo * w.stride[2];
            if constexpr (std::is_same_v<T, float>) {
              if (row_buffer != nullptr) {
                gather(row_buffer, src, w.stride[2], 0, hi - lo, hi - lo);
                tap(row + lo, row_buffer, hi - lo, 1);
                continue;
              }
            }
            tap(row + lo, src, hi - lo, w.stride[2]);
          }
        }
      }
      done(row, od, oh);
    }
  }
}

// Per axis, how many window positions count toward each output's divisor: those inside the input,
// or (count_include_pad) those inside the padded input.
std::vector<int64_t> AxisCounts(const Window3 &w, int axis, bool include_pad) {
  std::vector<int64_t> counts(static_cast<size_t>(w.out[axis]));
  const int64_t lower = include_pad ? -w.pad[axis] : 0;
  const int64_t upper = include_pad ? w.in[axis] + w.pad_end[axis] : w.in[axis];
  for (int64_t o = 0; o < w.out[axis]; ++o) {
    int64_t count = 0;
    for (int64_t k = 0; k < w.kernel[axis]; ++k) {
      const int64_t i = o * w.stride[axis] - w.pad[axis] + k * w.dilation[axis];
      count += i >= lower && i < upper;
    }
    counts[o] = count;
  }
  return counts;
}

}  // namespace

template <typename T>
void MaxPoolPlane(const T *in, const Window3 &w, T *out, GatherRunFn gather) {
  const T lowest = std::numeric_limits<T>::lowest();
  ForEachTap(
      in, w, out, gather, [&](T *row) { std::fill(row, row + w.out[2], lowest); },
      [](T *acc, const T *src, int64_t n, int64_t stride) { MaxTap(acc, src, n, stride); },
      [](T *, int64_t, int64_t) {});
}

template <typename T>
void MaxPoolPlaneWithIndices(const T *in, const Window3 &w, int64_t index_base, bool column_major, T *out,
                             int64_t *indices) {
  const T lowest = std::numeric_limits<T>::lowest();
  for (int64_t od = 0; od < w.out[0]; ++od) {
    for (int64_t oh = 0; oh < w.out[1]; ++oh) {
      for (int64_t ow = 0; ow < w.out[2]; ++ow) {
        T best = lowest;
        int64_t best_d = -1, best_h = -1, best_w = -1;
        for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
          const int64_t id = od * w.stride[0] - w.pad[0] + kd * w.dilation[0];
          if (id < 0 || id >= w.in[0]) continue;
          for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
            const int64_t ih = oh * w.stride[1] - w.pad[1] + kh * w.dilation[1];
            if (ih < 0 || ih >= w.in[1]) continue;
            for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
              const int64_t iw = ow * w.stride[2] - w.pad[2] + kw * w.dilation[2];
              if (iw < 0 || iw >= w.in[2]) continue;
              const T v = in[(id * w.in[1] + ih) * w.in[2] + iw];
              if (best_d < 0 || v > best) {
                best = best_d < 0 && !(v == v) ? lowest : v;
                best_d = id;
                best_h = ih;
                best_w = iw;
              }
            }
          }
        }
        const int64_t o = (od * w.out[1] + oh) * w.out[2] + ow;
        out[o] = best;
        if (best_d < 0) {
          indices[o] = -1;
        } else if (column_major) {
          indices[o] = index_base + best_d + w.in[0] * (best_h + w.in[1] * best_w);
        } else {
          indices[o] = index_base + (best_d * w.in[1] + best_h) * w.in[2] + best_w;
        }
      }
    }
  }
}

template <typename T>
void AveragePoolPlane(const T *in, const Window3 &w, bool count_include_pad, T *out, GatherRunFn gather) {
  const std::vector<int64_t> count_d = AxisCounts(w, 0, count_include_pad);
  const std::vector<int64_t> count_h = AxisCounts(w, 1, count_include_pad);
  const std::vector<int64_t> count_w = AxisCounts(w, 2, count_include_pad);
  ForEachTap(
      in, w, out, gather, [&](T *row) { std::fill(row, row + w.out[2], T(0)); },
      [](T *acc, const T *src, int64_t n, int64_t stride) { SumTap(acc, src, n, stride); },
      [&](T *row, int64_t od, int64_t oh) {
        const int64_t dh = count_d[od] * count_h[oh];
        for (int64_t ow = 0; ow < w.out[2]; ++ow) {
          const int64_t count = dh * count_w[ow];
          row[ow] = count > 0 ? row[ow] / static_cast<T>(count) : T(0);
        }
      });
}

template <typename T>
T PlaneMean(const T *in, int64_t n) {
  if (n <= 0) return T(0);
  constexpr int kLanes = 8;
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int u = 0; u < kLanes; ++u) lanes[u] += static_cast<double>(in[i + u]);
  }
  double sum = 0;
  for (; i < n; ++i) sum += static_cast<double>(in[i]);
  for (double lane : lanes) sum += lane;
  return static_cast<T>(sum / static_cast<double>(n));
}

template <typename T>
T PlaneMax(const T *in, int64_t n) {
  constexpr int kLanes = 16;
  T lanes[kLanes];
  std::fill(lanes, lanes + kLanes, std::numeric_limits<T>::lowest());
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int u = 0; u < kLanes; ++u) lanes[u] = Larger(lanes[u], in[i + u]);
  }
  T best = std::numeric_limits<T>::lowest();
  for (; i < n; ++i) best = Larger(best, in[i]);
  for (T lane : lanes) best = Larger(best, lane);
  return best;
}

template void MaxPoolPlane<float>(const float *, const Window3 &, float *, GatherRunFn);
template void MaxPoolPlane<double>(const double *, const Window3 &, double *, GatherRunFn);
template void MaxPoolPlane<int8_t>(const int8_t *, const Window3 &, int8_t *, GatherRunFn);
template void MaxPoolPlane<uint8_t>(const uint8_t *, const Window3 &, uint8_t *, GatherRunFn);
template void MaxPoolPlaneWithIndices<float>(const float *, const Window3 &, int64_t, bool, float *, int64_t *);
template void MaxPoolPlaneWithIndices<double>(const double *, const Window3 &, int64_t, bool, double *, int64_t *);
template void MaxPoolPlaneWithIndices<int8_t>(const int8_t *, const Window3 &, int64_t, bool, int8_t *, int64_t *);
template void MaxPoolPlaneWithIndices<uint8_t>(const uint8_t *, const Window3 &, int64_t, bool, uint8_t *, int64_t *);
template void AveragePoolPlane<float>(const float *, const Window3 &, bool, float *, GatherRunFn);
template void AveragePoolPlane<double>(const double *, const Window3 &, bool, double *, GatherRunFn);
template float PlaneMean<float>(const float *, int64_t);
template double PlaneMean<double>(const double *, int64_t);
template float PlaneMax<float>(const float *, int64_t);
template double PlaneMax<double>(const double *, int64_t);

}  // namespace aclsim::exec::kernels
