// 1-D and 2-D convolution as GEMMs over bands of output rows, without an im2col matrix and
// without per-element bounds checks in the packing.
//
// A task takes a band of output rows of one image and group and copies the input rows that band
// reads into a small buffer, zero-padded and split into stride phases: phase (qh, qw) of a
// channel holds the padded input at rows r·sh + qh and columns x·sw + qw. In that layout the
// im2col row of every (channel, kernel row, kernel column) is one contiguous slice if the
// output rows are given the phase width PWq = OW + ⌊(KW−1)·dw / sw⌋ — so packing the GEMM's B
// operand is plain copying (OffsetRowsSource). The extra columns OW..PWq of each output row are
// computed and dropped when the band is copied out of the GEMM's result. Buffers are per thread
// and sized to stay in L2.
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_CONV_BANDS_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_CONV_BANDS_H_

#include <cstdint>
#include <vector>

#include "sim/executor/kernels/gemm.h"
#include "sim/executor/kernels/im2col.h"

namespace aclsim::exec::kernels {

struct BandPlan {
  Window3 window;         // w.in[0] == w.out[0] == w.kernel[0] == 1
  int64_t channels = 0;   // input channels per group
  int64_t band_rows = 0;  // output rows per band (the last band may have fewer)
  int64_t bands = 0;
  int64_t phase_width = 0;             // PWq: the width of output rows in the GEMM's result
  int64_t phase_rows = 0;              // rows of a phase plane for a full band
  int64_t plane = 0;                   // floats per phase plane
  int64_t buffer_floats = 0;           // the band buffer, with slack for the dropped columns
  std::vector<int64_t> depth_offsets;  // per depth index (channel, kh, kw): its slice in the buffer
};

// Plans bands for a window of 1 or 2 spatial axes and `channels` input channels per group, so
// that `tasks_outside` (images × groups) × bands gives `threads` enough tasks. False when the
// window does not suit (3 spatial axes, or dropped columns would waste over a quarter of the work).
bool PlanBands(const Window3 &window, int64_t channels, int64_t tasks_outside, int threads, BandPlan *plan);

// Band `band` of one image and group: `image` points at the group's first input channel,
// `weights` is the group's M×K operand, `out` the group's first output channel (maps planes of
// OH×OW); `bias` (maps values, may be null) and `activation` are applied in the GEMM's epilogue.
// Runs on the calling thread; kOutOfMemory when its buffers cannot be had.
Status RunBand(const GemmArch &arch, const BandPlan &plan, int64_t band, const float *image, const PanelSource &weights,
               int64_t maps, const float *bias, float *out, Activation activation = Activation::kNone);

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_CONV_BANDS_H_
