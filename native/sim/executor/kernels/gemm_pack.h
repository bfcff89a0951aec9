// GEMM operands as the micro-kernels read them: packed panels.
//
// The GEMM sees both operands as "lines" over a common depth K: the rows of A (M lines) and the
// columns of B (N lines). A panel covers `width` consecutive lines (MR for A, NR for B) over a
// block of depth kc, stored depth-major: kc groups of `width` floats. A PanelSource produces the
// panels for any block of lines and depth, either by packing from memory (StridedSource, or the
// implicit im2col of a convolution) or by handing out panels packed once ahead of time
// (PackedPanels, for constant weights).
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_PACK_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_PACK_H_

#include <cstdint>
#include <memory>

#include "sim/executor/kernels/gemm_arch.h"
#include "sim/executor/status.h"

namespace aclsim::exec::kernels {

// Which operand of C = A·B a source feeds: A's panels are mr wide, B's nr wide.
enum class GemmSide { kA, kB };
inline int PanelWidth(const GemmArch &arch, GemmSide side) { return side == GemmSide::kA ? arch.mr : arch.nr; }

// The depth blocking: blocks of KStep(arch, k) (the last one shorter), close to arch.kc but
// evened out so that no block is a sliver. The packers and the GEMM driver both use it, so
// panels packed ahead of time line up with the blocks the driver asks for.
int64_t KStep(const GemmArch &arch, int64_t k);

class PanelSource {
 public:
  virtual ~PanelSource() = default;
  // Panels for lines [i0, i0 + count) and depth [k0, k0 + kc): ceil(count / width) panels one
  // after another, each kc groups of `width` floats, lines past `count` zero. Packs into
  // `scratch` (64-byte aligned, room for kc * round_up(count, width) floats) and returns it, or
  // returns panels stored already (64-byte aligned too). `arch` is the GEMM asking (sources
  // may use its ISA's packing helpers).
  virtual const float *Panels(const GemmArch &arch, int width, int64_t i0, int64_t count, int64_t k0, int64_t kc,
                              float *scratch) const = 0;
  // True when Panels only hands out stored panels (no packing work), which the GEMM's tiling
  // takes into account.
  virtual bool prepacked() const { return false; }
};

// A matrix in memory: element (line i, depth k) at data[i * line_stride + k * depth_stride].
// A row-major M×K matrix A is StridedSource(A, lda, 1); a row-major K×N matrix B is
// StridedSource(B, 1, ldb); their transposes swap the strides.
class StridedSource final : public PanelSource {
 public:
  StridedSource(const float *data, int64_t line_stride, int64_t depth_stride)
      : data_(data), line_stride_(line_stride), depth_stride_(depth_stride) {}
  const float *Panels(const GemmArch &arch, int width, int64_t i0, int64_t count, int64_t k0, int64_t kc,
                      float *scratch) const override;

 private:
  const float *data_;
  int64_t line_stride_;
  int64_t depth_stride_;
};

// Rows at arbitrary offsets: element (line i, depth k) at data[offsets[k] + i], lines contiguous.
// The B operand of a convolution over a polyphase copy of its input (conv_bands.h), where each
// (channel, kernel offset) row of im2col is a contiguous slice.
class OffsetRowsSource final : public PanelSource {
 public:
  OffsetRowsSource(const float *data, const int64_t *offsets) : data_(data), offsets_(offsets) {}
  const float *Panels(const GemmArch &arch, int width, int64_t i0, int64_t count, int64_t k0, int64_t kc,
                      float *scratch) const override;

 private:
  const float *data_;
  const int64_t *offsets_;
};

// Panels packed once for one GEMM arch and side: every line and the whole depth, blocked by
// KStep. Serves any request the GEMM driver makes for that arch (lines from a multiple of the
// width, depth blocks from KStep); the caller checks arch() before using it.
class PackedPanels final : public PanelSource {
 public:
  static Status Pack(const GemmArch &arch, GemmSide side, const PanelSource &source, int64_t lines, int64_t depth,
                     std::unique_ptr<PackedPanels> *out);
  const float *Panels(const GemmArch &arch, int width, int64_t i0, int64_t count, int64_t k0, int64_t kc,
                      float *scratch) const override;
  bool prepacked() const override { return true; }
  const GemmArch &arch() const { return *arch_; }
  GemmSide side() const { return side_; }
  int64_t lines() const { return lines_; }
  int64_t depth() const { return depth_; }

 private:
  PackedPanels() = default;
  const GemmArch *arch_ = nullptr;
  GemmSide side_ = GemmSide::kA;
  int width_ = 0;
  int64_t lines_ = 0;
  int64_t padded_lines_ = 0;
  int64_t depth_ = 0;
  int64_t k_step_ = 0;
  std::unique_ptr<float, void (*)(void *)> data_{nullptr, nullptr};
};

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_GEMM_PACK_H_
