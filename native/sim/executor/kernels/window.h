// Sliding-window geometry shared by Conv, ConvTranspose and the pooling ops: the ONNX attributes
// (kernel_shape, strides, dilations, pads, auto_pad, ceil_mode), their checks, and the output
// size and padding of each spatial axis.
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_WINDOW_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_WINDOW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "sim/executor/op.h"
#include "sim/executor/status.h"

namespace aclsim::exec::kernels {

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// The window attributes as written on the node (lists may be empty when absent).
struct WindowAttributes {
  std::vector<int64_t> kernel_shape;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads;  // [begin_0, ..., begin_n-1, end_0, ..., end_n-1]
  AutoPad auto_pad = AutoPad::kNotSet;
  bool ceil_mode = false;
};

// Reads and checks the attributes that the node's op and opset define (`has_dilations`,
// `has_ceil_mode` say whether this op/opset knows them; a node carrying one it does not know is
// rejected). Values that need the input rank are checked by Resolve.
Status ReadWindowAttributes(const NodeDef &node, bool has_dilations, bool has_ceil_mode, WindowAttributes *out);

// One spatial axis, resolved against an input size.
struct WindowAxis {
  int64_t in = 0;
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t dilation = 1;
  int64_t pad_begin = 0;
  int64_t pad_end = 0;
  int64_t out = 0;
  int64_t span() const { return (kernel - 1) * dilation + 1; }  // the kernel's extent with dilation
};

// Resolves every spatial axis of a convolution or pooling window over `input_spatial` (sizes of
// the spatial dims) with `kernel` (from kernel_shape or the weights). Fails with kShapeInvalid
// naming the axis when the attribute lists have the wrong length or the output would be empty.
Status ResolveWindow(const WindowAttributes &attrs, const std::vector<int64_t> &input_spatial,
                     const std::vector<int64_t> &kernel, std::vector<WindowAxis> *axes);

// Output spatial sizes for inference: `input_spatial` may hold -1 (unknown), which stays -1 in
// `out`; the known axes are resolved as ResolveWindow does.
Status InferWindowOutput(const WindowAttributes &attrs, const std::vector<int64_t> &input_spatial,
                         const std::vector<int64_t> &kernel, std::vector<int64_t> *out);

// Checks list lengths against a spatial rank (for Infer, before sizes are known).
Status CheckWindowRank(const WindowAttributes &attrs, size_t spatial_rank);

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_WINDOW_H_
