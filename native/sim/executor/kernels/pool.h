// Pooling loops over one (image, channel) plane of 1 to 3 spatial axes (as a Window3): max with
// and without the argmax indices, average with either divisor, and the global reductions.
// Windows skip the padding (max ignores it, average counts it only under count_include_pad).
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_POOL_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_POOL_H_

#include <cstdint>

#include "sim/executor/kernels/gemm_arch.h"
#include "sim/executor/kernels/im2col.h"

namespace aclsim::exec::kernels {

// out = max over each window (the lowest value of T when a window holds no input element). NaN
// inputs are skipped, as onnxruntime does. T: float, double, int8_t, uint8_t. `gather` (float
// only, may be null) is the ISA's strided gather: with it, strided windows first gather each
// tap's inputs into a contiguous row, so that the max runs on vectors.
template <typename T>
void MaxPoolPlane(const T *in, const Window3 &w, T *out, GatherRunFn gather = nullptr);

// Same, also writing the index of each maximum (the first one in window order) into `indices`:
// `index_base` plus the element's offset in the plane, row-major, or column-major when
// `column_major` (MaxPool's storage_order 1); -1 for a window without input elements.
template <typename T>
void MaxPoolPlaneWithIndices(const T *in, const Window3 &w, int64_t index_base, bool column_major, T *out,
                             int64_t *indices);

// out = the mean of each window: over its input elements, or over its positions inside the
// padded input when `count_include_pad`. T: float, double.
template <typename T>
void AveragePoolPlane(const T *in, const Window3 &w, bool count_include_pad, T *out, GatherRunFn gather = nullptr);

// The mean and the max of `n` values (mean accumulated in double).
template <typename T>
T PlaneMean(const T *in, int64_t n);
template <typename T>
T PlaneMax(const T *in, int64_t n);

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_POOL_H_
