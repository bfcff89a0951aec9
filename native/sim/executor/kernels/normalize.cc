#include "sim/executor/kernels/normalize.h"

#include "common/float16.h"

namespace aclsim::exec::kernels {

std::vector<double> ReadAsDouble(const Tensor &tensor) {
  const int64_t n = tensor.elements();
  std::vector<double> out;
  switch (tensor.dtype()) {
    case DType::kFloat32:
      out.assign(tensor.data<float>(), tensor.data<float>() + n);
      break;
    case DType::kFloat64:
      out.assign(tensor.data<double>(), tensor.data<double>() + n);
      break;
    case DType::kFloat16:
      out.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) out[i] = ascendcl::HalfToFloat(tensor.data<uint16_t>()[i]);
      break;
    default:
      break;
  }
  return out;
}

namespace {
constexpr int kLanes = 8;  // independent partial sums: vectorisable, and pairwise-ish in rounding
}  // namespace

template <typename T>
void AccumulateSum(const T *x, int64_t n, double *sum) {
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int u = 0; u < kLanes; ++u) lanes[u] += static_cast<double>(x[i + u]);
  }
  double total = 0;
  for (; i < n; ++i) total += static_cast<double>(x[i]);
  for (double lane : lanes) total += lane;
  *sum += total;
}

template <typename T>
void AccumulateSquaredDeviation(const T *x, int64_t n, double mean, double *sum) {
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int u = 0; u < kLanes; ++u) {
      const double d = static_cast<double>(x[i + u]) - mean;
      lanes[u] += d * d;
    }
  }
  double total = 0;
  for (; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - mean;
    total += d * d;
  }
  for (double lane : lanes) total += lane;
  *sum += total;
}

template <typename T>
void MeanVariance(const T *x, int64_t n, double *mean, double *variance) {
  if (n <= 0) {
    *mean = *variance = 0;
    return;
  }
  double sum = 0;
  AccumulateSum(x, n, &sum);
  *mean = sum / static_cast<double>(n);
  double squares = 0;
  AccumulateSquaredDeviation(x, n, *mean, &squares);
  *variance = squares / static_cast<double>(n);
}

template <typename T>
void ScaleShift(const T *__restrict x, int64_t n, T a, T b, T *__restrict y) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int u = 0; u < kLanes; ++u) y[i + u] = x[i + u] * a + b;
  }
  for (; i < n; ++i) y[i] = x[i] * a + b;
}

template <typename T>
void CenterScaleShift(const T *__restrict x, int64_t n, T center, T a, T b, T *__restrict y) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int u = 0; u < kLanes; ++u) y[i + u] = (x[i + u] - center) * a + b;
  }
  for (; i < n; ++i) y[i] = (x[i] - center) * a + b;
}

template <typename T>
void NormalizeRow(const T *__restrict x, int64_t n, double mean, double inv_std, const T *__restrict scale,
                  const T *__restrict bias, T *__restrict y) {
  // In T: (x - mean) · inv_std with both rounded to T, as the ONNX reference computes it.
  const T m = static_cast<T>(mean), s = static_cast<T>(inv_std);
  int64_t i = 0;
  if (bias != nullptr) {
    for (; i + kLanes <= n; i += kLanes) {
      for (int u = 0; u < kLanes; ++u) y[i + u] = (x[i + u] - m) * s * scale[i + u] + bias[i + u];
    }
    for (; i < n; ++i) y[i] = (x[i] - m) * s * scale[i] + bias[i];
  } else {
    for (; i + kLanes <= n; i += kLanes) {
      for (int u = 0; u < kLanes; ++u) y[i + u] = (x[i + u] - m) * s * scale[i + u];
    }
    for (; i < n; ++i) y[i] = (x[i] - m) * s * scale[i];
  }
}

template void AccumulateSum<float>(const float *, int64_t, double *);
template void AccumulateSum<double>(const double *, int64_t, double *);
template void AccumulateSquaredDeviation<float>(const float *, int64_t, double, double *);
template void AccumulateSquaredDeviation<double>(const double *, int64_t, double, double *);
template void MeanVariance<float>(const float *, int64_t, double *, double *);
template void MeanVariance<double>(const double *, int64_t, double *, double *);
template void ScaleShift<float>(const float *, int64_t, float, float, float *);
template void ScaleShift<double>(const double *, int64_t, double, double, double *);
template void CenterScaleShift<float>(const float *, int64_t, float, float, float, float *);
template void CenterScaleShift<double>(const double *, int64_t, double, double, double, double *);
template void NormalizeRow<float>(const float *, int64_t, double, double, const float *, const float *, float *);
template void NormalizeRow<double>(const double *, int64_t, double, double, const double *, const double *, double *);

}  // namespace aclsim::exec::kernels
