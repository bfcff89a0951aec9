// Depthwise convolution (one input channel per group, as in MobileNet-style blocks): a direct
// loop per output plane, since its GEMM would have a depth of only kernel-size and gain nothing
// from packing. 1-D and 2-D windows (as a Window3 with a leading axis of 1).
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_DEPTHWISE_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_DEPTHWISE_H_

#include "sim/executor/kernels/gemm_arch.h"
#include "sim/executor/kernels/im2col.h"

namespace aclsim::exec::kernels {

// One output plane: out = bias + Σ weights[offset] · plane[window position], zero padding.
// `w.in[0]`, `w.out[0]` and `w.kernel[0]` must be 1. `gather` is the ISA's strided gather: a
// strided window first gathers each tap's inputs into a contiguous row, so that the
// multiply-adds run on vectors.
void DepthwisePlane(const float *plane, const float *weights, float bias, const Window3 &w, float *out,
                    GatherRunFn gather);

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_DEPTHWISE_H_
