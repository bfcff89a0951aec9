// Resize's numeric core: per-axis coordinate maps (output index → input coordinate, as ONNX's
// coordinate_transformation_mode defines it, in float arithmetic as onnxruntime computes it),
// nearest-neighbour gathers for any element size, and N-linear interpolation done as one 1-D
// pass per resized axis (the tensor-product weights of N-linear interpolation factor by axis).
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_RESIZE_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_RESIZE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/executor/tensor.h"
#include "sim/executor/thread_pool.h"

namespace aclsim::exec::kernels {

enum class ResizeCoordinate {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,
};

enum class NearestRounding {
  kRoundPreferFloor,
  kRoundPreferCeil,
  kFloor,
  kCeil,
  kSimple,  // Resize-10: ceil when downsampling, truncation otherwise
};

// One axis of a resize: sizes and the scale (output / input, as given or derived from sizes).
// `resized_length` is the output length the coordinate formulas use: the integer output size
// when sizes were given, input × scale (possibly fractional) when scales were, as ONNX's
// reference does.
struct ResizeAxis {
  int64_t in = 0;
  int64_t out = 0;
  float scale = 1.0f;
  float resized_length = 0.0f;
};

// The input coordinate that output index `o` maps to.
float OriginalCoordinate(ResizeCoordinate mode, const ResizeAxis &axis, int64_t o);

// Nearest input index along each output index of an axis, clamped to the input.
std::vector<int64_t> NearestMap(ResizeCoordinate mode, NearestRounding rounding, const ResizeAxis &axis);

// Linear interpolation along one axis: output o = weight_lo[o]·in[lo[o]] + weight_hi[o]·in[hi[o]],
// the coordinate clamped to the input (edge values repeat).
struct LinearMap {
  std::vector<int64_t> lo, hi;
  std::vector<float> weight_lo, weight_hi;
};
LinearMap MakeLinearMap(ResizeCoordinate mode, const ResizeAxis &axis);

// Gathers `out` (dims `out_shape`) from `in` (dims `in_shape`) through one index map per axis,
// for elements of `element_size` bytes (1, 2, 4 or 8).
void GatherNearest(const void *in, const Shape &in_shape, const std::vector<std::vector<int64_t>> &maps,
                   size_t element_size, void *out, const Shape &out_shape, ThreadPool &pool);

// One linear pass: `in` viewed as [outer, in_len, inner] becomes `out` [outer, out_len, inner].
// T is float or double.
template <typename T>
void LinearAxisPass(const T *in, int64_t outer, int64_t in_len, int64_t inner, const LinearMap &map, T *out,
                    ThreadPool &pool);

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_RESIZE_H_
