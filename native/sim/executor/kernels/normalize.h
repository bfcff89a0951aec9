// Numeric cores of the normalisation ops (BatchNormalization, LayerNormalization,
// InstanceNormalization): statistics accumulated in double over two passes (mean, then the
// squared deviations from it), so that large offsets or long rows do not lose the variance, and
// the affine steps as vectorisable loops. T is float or double. Also parameter vectors read as
// double whatever their float type.
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_NORMALIZE_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_NORMALIZE_H_

#include <cstdint>
#include <vector>

#include "sim/executor/tensor.h"

namespace aclsim::exec::kernels {

// The values of a float32, float16 or float64 tensor as doubles (empty for other types).
std::vector<double> ReadAsDouble(const Tensor &tensor);

// Mean and population variance of x[0..n).
template <typename T>
void MeanVariance(const T *x, int64_t n, double *mean, double *variance);

// Sum and sum of squared deviations from `mean` of a contiguous run, added to the accumulators
// (for statistics gathered over several runs, as BatchNormalization's over the batch).
template <typename T>
void AccumulateSum(const T *x, int64_t n, double *sum);
template <typename T>
void AccumulateSquaredDeviation(const T *x, int64_t n, double mean, double *sum);

// y[i] = x[i] * a + b.
template <typename T>
void ScaleShift(const T *x, int64_t n, T a, T b, T *y);

// y[i] = (x[i] - center) * a + b: centring first keeps the precision when the values sit far
// from zero.
template <typename T>
void CenterScaleShift(const T *x, int64_t n, T center, T a, T b, T *y);

// y[i] = T((x[i] - mean) * inv_std) * scale[i] + bias[i] (bias may be null).
template <typename T>
void NormalizeRow(const T *x, int64_t n, double mean, double inv_std, const T *scale, const T *bias, T *y);

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_NORMALIZE_H_
