#include "sim/executor/kernels/conv_bands.h"

#include <algorithm>
#include <cstring>

#include "sim/executor/kernels/workspace.h"

namespace aclsim::exec::kernels {
namespace {

constexpr int64_t kBufferFloats = 1 << 17;  // 512 KiB of band input: half of a typical L2
// A band holds its output rows' input plus the kernel's span, which a large dilation or padding
// makes as long as it likes while the output stays small (the model-loader fuzzer: a band of
// 755 MB for a few output values). Past this the im2col GEMM, whose buffers are fixed blocks,
// does the work instead.
constexpr int64_t kMaxBufferFloats = 16 * kBufferFloats;

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t CeilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// Fills the phase planes of one band: for every channel and phase (qh, qw), rows r of the plane
// are padded input row (oh0 + r)·sh + qh and columns x are padded input column x·sw + qw.
void FillBand(const GemmArch &arch, const BandPlan &plan, int64_t oh0, int64_t rows, const float *image,
              float *buffer) {
  const Window3 &w = plan.window;
  const int64_t sh = w.stride[1], sw = w.stride[2];
  const int64_t in_h = w.in[1], in_w = w.in[2], in_plane = in_h * in_w;
  const int64_t width = plan.phase_width;
  for (int64_t c = 0; c < plan.channels; ++c) {
    for (int64_t qh = 0; qh < sh; ++qh) {
      for (int64_t qw = 0; qw < sw; ++qw) {
        float *phase = buffer + ((c * sh + qh) * sw + qw) * plan.plane;
        // Input columns of this phase: x·sw + qw − pad, inside [0, in_w) for x in [lo, hi).
        const int64_t base = qw - w.pad[2];
        const int64_t lo = std::min(width, base >= 0 ? int64_t{0} : CeilDiv(-base, sw));
        const int64_t hi = std::clamp(base >= in_w ? int64_t{0} : FloorDiv(in_w - 1 - base, sw) + 1, lo, width);
        for (int64_t r = 0; r < rows; ++r) {
          float *dst = phase + r * width;
          const int64_t ih = (oh0 + r) * sh + qh - w.pad[1];
          if (ih < 0 || ih >= in_h || hi <= lo) {
            std::memset(dst, 0, static_cast<size_t>(width) * sizeof(float));
          } else {
            arch.gather_run(dst, image + c * in_plane + ih * in_w + base + lo * sw, sw, lo, hi, width);
          }
        }
      }
    }
  }
}

}  // namespace

bool PlanBands(const Window3 &w, int64_t channels, int64_t tasks_outside, int threads, BandPlan *plan) {
  if (w.in[0] != 1 || w.out[0] != 1 || w.kernel[0] != 1 || channels <= 0) return false;
  const int64_t sh = w.stride[1], sw = w.stride[2];
  const int64_t extra_cols = (w.kernel[2] - 1) * w.dilation[2] / sw;
  const int64_t extra_rows = (w.kernel[1] - 1) * w.dilation[1] / sh;
  const int64_t width = w.out[2] + extra_cols;
  if (4 * extra_cols > width) return false;  // the dropped columns would cost over a quarter
  const int64_t phases = sh * sw;
  // Rows per band: as many as the buffer budget allows, then fewer if the threads need tasks.
  int64_t rows = kBufferFloats / std::max<int64_t>(1, channels * phases * width) - extra_rows;
  rows = std::clamp<int64_t>(rows, 1, w.out[1]);
  // In double: with a hostile dilation the product can pass int64.
  const double smallest_buffer = static_cast<double>(channels) * static_cast<double>(phases) *
                                 (1.0 + static_cast<double>(extra_rows)) * static_cast<double>(width);
  if (smallest_buffer > static_cast<double>(kMaxBufferFloats)) return false;
  const int64_t wanted = static_cast<int64_t>(threads) * 3;
  if (threads > 1 && tasks_outside * CeilDiv(w.out[1], rows) < wanted) {
    const int64_t bands = std::min(w.out[1], CeilDiv(wanted, std::max<int64_t>(tasks_outside, 1)));
    rows = std::max<int64_t>(1, CeilDiv(w.out[1], bands));
    // Keep enough output positions per band for the GEMM to amortise its packing.
    rows = std::max(rows, std::min(w.out[1], CeilDiv(256, width)));
  }
  plan->window = w;
  plan->channels = channels;
  plan->band_rows = rows;
  plan->bands = CeilDiv(w.out[1], rows);
  plan->phase_width = width;
  plan->phase_rows = rows + extra_rows;
  plan->plane = plan->phase_rows * width;
  // Dropped columns of the last rows read up to extra_cols past the last plane.
  plan->buffer_floats = channels * phases * plan->plane + extra_cols + 16;
  const int64_t kernel_size = w.kernel[1] * w.kernel[2];
  plan->depth_offsets.resize(static_cast<size_t>(channels * kernel_size));
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
      for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
        const int64_t dh = kh * w.dilation[1], dw = kw * w.dilation[2];
        const int64_t phase = (c * sh + dh % sh) * sw + dw % sw;
        plan->depth_offsets[(c * w.kernel[1] + kh) * w.kernel[2] + kw] =
            phase * plan->plane + (dh / sh) * width + dw / sw;
      }
    }
  }
  return true;
}

Status RunBand(const GemmArch &arch, const BandPlan &plan, int64_t band, const float *image, const PanelSource &weights,
               int64_t maps, const float *bias, float *out, Activation activation) {
  const Window3 &w = plan.window;
  const int64_t oh0 = band * plan.band_rows;
  const int64_t rows = std::min(plan.band_rows, w.out[1] - oh0);
  const int64_t extra_rows = plan.phase_rows - plan.band_rows;
  const int64_t positions = rows * plan.phase_width;
  float *buffer = ThreadScratch(ScratchSlot::kConvInput, static_cast<size_t>(plan.buffer_floats));
  if (buffer == nullptr) {
    return Status::Error(kOutOfMemory, "out of host memory for convolution work buffers");
  }
  FillBand(arch, plan, oh0, rows + extra_rows, image, buffer);
  // The slack past the last plane is read only for dropped columns; keep it finite.
  const int64_t planes_end = plan.channels * w.stride[1] * w.stride[2] * plan.plane;
  std::memset(buffer + planes_end, 0, static_cast<size_t>(plan.buffer_floats - planes_end) * sizeof(float));
  const OffsetRowsSource input(buffer, plan.depth_offsets.data());
  GemmShape shape;
  shape.m = maps;
  shape.n = positions;
  shape.k = static_cast<int64_t>(plan.depth_offsets.size());
  // The GEMM's rows of phase_width positions wrap straight into the output rows of OW columns.
  GemmProblem problem;
  problem.a = &weights;
  problem.b = &input;
  problem.c = out + oh0 * w.out[2];
  problem.ldc = w.out[1] * w.out[2];
  problem.wrap.period = plan.phase_width;
  problem.wrap.kept = w.out[2];
  problem.wrap.pitch = w.out[2];
  problem.epilogue.row_bias = bias;
  problem.epilogue.activation = activation;
  return GemmBlock(arch, shape, problem, 0, maps, 0, positions);
}

}  // namespace aclsim::exec::kernels
