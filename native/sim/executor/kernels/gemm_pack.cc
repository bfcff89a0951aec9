#include "sim/executor/kernels/gemm_pack.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>

namespace aclsim::exec::kernels {
namespace {

// Calls fn(std::integral_constant<int, W>{}) for the panel widths the micro-kernels use, so the
// packers below are instantiated with a compile-time width (fixed-size vector moves); returns
// false for any other width, which the callers pack with a plain loop.
template <typename Fn>
bool WithFixedWidth(int width, Fn &&fn) {
  switch (width) {
    case 4: fn(std::integral_constant<int, 4>{}); return true;
    case 6: fn(std::integral_constant<int, 6>{}); return true;
    case 8: fn(std::integral_constant<int, 8>{}); return true;
    case 16: fn(std::integral_constant<int, 16>{}); return true;
    case 32: fn(std::integral_constant<int, 32>{}); return true;
    default: return false;
  }
}

// Lines contiguous in memory (line_stride 1), e.g. the columns of a row-major B: every depth
// step is a run of `count` consecutive floats, dealt out to the panels `width` at a time. Reading
// whole runs keeps the hardware prefetcher streaming (a panel-at-a-time walk would read 128 bytes
// per row and jump a row stride, which defeats it). `row_of(k)` is where depth step k's run
// starts: a fixed stride for a strided operand, a per-step offset for OffsetRowsSource.
template <int W, typename RowOf>
void PackLineRuns(RowOf row_of, int64_t count, int64_t kc, float *__restrict out) {
  const int64_t full = count / W;
  const int64_t rest = count - full * W;
  const int64_t panel_floats = kc * W;
  for (int64_t k = 0; k < kc; ++k) {
    const float *__restrict src = row_of(k);
    float *__restrict dst = out + k * W;
    for (int64_t p = 0; p < full; ++p, src += W, dst += panel_floats) {
      for (int j = 0; j < W; ++j) dst[j] = src[j];
    }
    if (rest != 0) {
      for (int j = 0; j < W; ++j) dst[j] = j < rest ? src[j] : 0.0f;
    }
  }
}

template <typename RowOf>
void PackLineRunsAnyWidth(int width, RowOf row_of, int64_t count, int64_t kc, float *out) {
  if (WithFixedWidth(width, [&](auto w) { PackLineRuns<decltype(w)::value>(row_of, count, kc, out); })) return;
  const int64_t panel_floats = kc * width;
  for (int64_t k = 0; k < kc; ++k) {
    const float *src = row_of(k);
    for (int64_t i = 0; i < count; i += width) {
      float *dst = out + (i / width) * panel_floats + k * width;
      for (int64_t j = 0; j < width; ++j) dst[j] = i + j < count ? src[i + j] : 0.0f;
    }
  }
}

// Depth contiguous in memory (depth_stride 1), e.g. the rows of a row-major A: a transpose.
// Each depth step gathers one value from each of the panel's `width` lines (sequential streams
// that stay in L1) and writes them contiguously; writing down the panel's columns instead would
// touch a new cache line every other store.
template <int W>
void PackContiguousDepth(const float *__restrict data, int64_t line_stride, int64_t count, int64_t kc,
                         float *__restrict out) {
  for (int64_t p = 0; p < count; p += W, data += W * line_stride, out += W * kc) {
    const int64_t lines = std::min<int64_t>(W, count - p);
    const float *rows[W];
    for (int j = 0; j < W; ++j) rows[j] = data + (j < lines ? j : 0) * line_stride;
    if (lines == W) {
      for (int64_t k = 0; k < kc; ++k) {
        for (int j = 0; j < W; ++j) out[k * W + j] = rows[j][k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        for (int j = 0; j < W; ++j) out[k * W + j] = j < lines ? rows[j][k] : 0.0f;
      }
    }
  }
}

void PackContiguousDepthAnyWidth(int width, const float *data, int64_t line_stride, int64_t count, int64_t kc,
                                 float *out) {
  if (WithFixedWidth(width, [&](auto w) { PackContiguousDepth<decltype(w)::value>(data, line_stride, count, kc, out); })) {
    return;
  }
  for (int64_t p = 0; p < count; p += width, out += width * kc) {
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t j = 0; j < width; ++j) {
        out[k * width + j] = p + j < count ? data[(p + j) * line_stride + k] : 0.0f;
      }
    }
  }
}

void PackGeneral(int width, const float *data, int64_t line_stride, int64_t depth_stride, int64_t count, int64_t kc,
                 float *out) {
  for (int64_t p = 0; p < count; p += width, out += width * kc) {
    const int64_t lines = std::min<int64_t>(width, count - p);
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t j = 0; j < width; ++j) {
        out[k * width + j] = j < lines ? data[(p + j) * line_stride + k * depth_stride] : 0.0f;
      }
    }
  }
}

int64_t RoundUp(int64_t value, int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

int64_t KStep(const GemmArch &arch, int64_t k) {
  if (k <= arch.kc) return std::max<int64_t>(k, 1);
  const int64_t blocks = (k + arch.kc - 1) / arch.kc;
  return RoundUp((k + blocks - 1) / blocks, 8);
}

const float *StridedSource::Panels(const GemmArch &arch, int width, int64_t i0, int64_t count, int64_t k0, int64_t kc,
                                   float *scratch) const {
  const float *origin = data_ + i0 * line_stride_ + k0 * depth_stride_;
  if (line_stride_ == 1) {
    if (arch.pack_rows == nullptr || !arch.pack_rows(width, origin, nullptr, depth_stride_, count, kc, scratch)) {
      const int64_t stride = depth_stride_;
      PackLineRunsAnyWidth(width, [origin, stride](int64_t k) { return origin + k * stride; }, count, kc, scratch);
    }
  } else if (depth_stride_ == 1) {
    if (arch.pack_transposed == nullptr || !arch.pack_transposed(width, origin, line_stride_, count, kc, scratch)) {
      PackContiguousDepthAnyWidth(width, origin, line_stride_, count, kc, scratch);
    }
  } else {
    PackGeneral(width, origin, line_stride_, depth_stride_, count, kc, scratch);
  }
  return scratch;
}

const float *OffsetRowsSource::Panels(const GemmArch &arch, int width, int64_t i0, int64_t count, int64_t k0,
                                      int64_t kc, float *scratch) const {
  const float *origin = data_ + i0;
  const int64_t *offsets = offsets_ + k0;
  if (arch.pack_rows != nullptr && arch.pack_rows(width, origin, offsets, 0, count, kc, scratch)) return scratch;
  PackLineRunsAnyWidth(width, [origin, offsets](int64_t k) { return origin + offsets[k]; }, count, kc, scratch);
  return scratch;
}

Status PackedPanels::Pack(const GemmArch &arch, GemmSide side, const PanelSource &source, int64_t lines, int64_t depth,
                          std::unique_ptr<PackedPanels> *out) {
  auto packed = std::unique_ptr<PackedPanels>(new PackedPanels());
  packed->arch_ = &arch;
  packed->side_ = side;
  packed->width_ = PanelWidth(arch, side);
  packed->lines_ = lines;
  packed->padded_lines_ = RoundUp(std::max<int64_t>(lines, 1), packed->width_);
  packed->depth_ = depth;
  packed->k_step_ = KStep(arch, depth);
  const int64_t floats = std::max<int64_t>(depth, 1);
  if (packed->padded_lines_ > std::numeric_limits<int64_t>::max() / 4 / floats) {
    return Status::Error(kOutOfMemory, "packed GEMM operand of " + std::to_string(lines) + " x " +
                                           std::to_string(depth) + " is too large");
  }
  const size_t bytes = static_cast<size_t>(packed->padded_lines_ * floats) * sizeof(float);
  void *memory = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (memory == nullptr) {
    return Status::Error(kOutOfMemory, "out of host memory packing a GEMM operand of " + std::to_string(lines) + " x " +
                                           std::to_string(depth));
  }
  packed->data_ = std::unique_ptr<float, void (*)(void *)>(static_cast<float *>(memory), std::free);
  float *base = packed->data_.get();
  for (int64_t k0 = 0; k0 < depth; k0 += packed->k_step_) {
    const int64_t kc = std::min(packed->k_step_, depth - k0);
    float *block = base + k0 * packed->padded_lines_;
    const float *panels = source.Panels(arch, packed->width_, 0, lines, k0, kc, block);
    if (panels != block) std::memcpy(block, panels, static_cast<size_t>(kc * packed->padded_lines_) * sizeof(float));
  }
  *out = std::move(packed);
  return Status::Ok();
}

const float *PackedPanels::Panels(const GemmArch &arch, int width, int64_t i0, int64_t count, int64_t k0, int64_t kc,
                                  float *scratch) const {
  // The driver asks only for what the layout holds (see the class comment); anything else is a
  // bug in the caller, answered with nullptr rather than wrong numbers.
  if (&arch != arch_ || width != width_ || i0 % width_ != 0 || i0 + count > lines_ || k0 % k_step_ != 0 ||
      kc != std::min(k_step_, depth_ - k0)) {
    return nullptr;
  }
  return data_.get() + k0 * padded_lines_ + i0 * kc;
}

}  // namespace aclsim::exec::kernels
