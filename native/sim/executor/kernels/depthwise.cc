#include "sim/executor/kernels/depthwise.h"

#include <algorithm>

#include "sim/executor/kernels/workspace.h"

namespace aclsim::exec::kernels {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t CeilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// acc[t] += weight * src[t * stride] for t in [0, n). The unit-stride case runs in fixed chunks
// so that the compiler vectorises it.
void AccumulateTap(float *__restrict acc, const float *__restrict src, int64_t n, int64_t stride, float weight) {
  if (stride == 1) {
    constexpr int kChunk = 8;
    int64_t t = 0;
    for (; t + kChunk <= n; t += kChunk) {
      for (int u = 0; u < kChunk; ++u) acc[t + u] += weight * src[t + u];
    }
    for (; t < n; ++t) acc[t] += weight * src[t];
  } else {
    for (int64_t t = 0; t < n; ++t) acc[t] += weight * src[t * stride];
  }
}

}  // namespace

void DepthwisePlane(const float *plane, const float *weights, float bias, const Window3 &w, float *out,
                    GatherRunFn gather) {
  const int64_t in_h = w.in[1], in_w = w.in[2];
  const int64_t out_h = w.out[1], out_w = w.out[2];
  float *row_buffer = w.stride[2] > 1 ? ThreadScratch(ScratchSlot::kPoolRow, static_cast<size_t>(out_w) + 16) : nullptr;
  for (int64_t oy = 0; oy < out_h; ++oy) {
    float *row = out + oy * out_w;
    std::fill(row, row + out_w, bias);
    for (int64_t ky = 0; ky < w.kernel[1]; ++ky) {
      const int64_t iy = oy * w.stride[1] - w.pad[1] + ky * w.dilation[1];
      if (iy < 0 || iy >= in_h) continue;
      const float *in_row = plane + iy * in_w;
      for (int64_t kx = 0; kx < w.kernel[2]; ++kx) {
        const int64_t base = kx * w.dilation[2] - w.pad[2];  // input x of output column 0
        // Output columns whose input column base + ox * stride lies inside the row.
        const int64_t lo = std::min(out_w, base >= 0 ? int64_t{0} : CeilDiv(-base, w.stride[2]));
        const int64_t hi =
            std::clamp(base >= in_w ? int64_t{0} : FloorDiv(in_w - 1 - base, w.stride[2]) + 1, lo, out_w);
        if (hi <= lo) continue;
        const float *src = in_row + base + lo * w.stride[2];
        const float weight = weights[ky * w.kernel[2] + kx];
        if (row_buffer != nullptr) {
          gather(row_buffer, src, w.stride[2], 0, hi - lo, hi - lo);
          AccumulateTap(row + lo, row_buffer, hi - lo, 1, weight);
        } else {
          AccumulateTap(row + lo, src, hi - lo, w.stride[2], weight);
        }
      }
    }
  }
}

}  // namespace aclsim::exec::kernels
