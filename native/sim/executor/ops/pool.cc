// MaxPool (1–12+), AveragePool (1–11+, dilations from 19), GlobalAveragePool, GlobalMaxPool over 1
// to 3 spatial axes: kernel_shape, pads and auto_pad, strides, dilations, ceil_mode,
// count_include_pad, storage_order and MaxPool's optional Indices output. float32, float16
// (through float32), float64, and int8/uint8 for MaxPool. Planes (image × channel) are spread
// over the pool.
#include "sim/executor/kernels/pool.h"

#include <string>
#include <type_traits>
#include <vector>

#include "sim/executor/kernels/im2col.h"
#include "sim/executor/kernels/op_support.h"
#include "sim/executor/kernels/window.h"
#include "sim/executor/op.h"

namespace aclsim::exec {
namespace {

using kernels::Window3;
using kernels::WindowAxis;

Status CheckPoolInput(const Shape &x) {
  if (x.size() < 3 || x.size() > 5) {
    return ShapeError("X %s must have rank 3, 4 or 5 (batch, channels, 1 to 3 spatial dims)", ShapeToString(x).c_str());
  }
  return Status::Ok();
}

enum class PoolKind { kMax, kAverage };

class PoolKernel : public Kernel {
 public:
  explicit PoolKernel(PoolKind kind) : kind_(kind) {}

  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    const bool is_max = kind_ == PoolKind::kMax;
    const bool has_dilations = is_max ? node.opset >= 10 : node.opset >= 19;
    EXEC_RETURN_IF_ERROR(kernels::ReadWindowAttributes(node, has_dilations, node.opset >= 10, &window_));
    if (window_.kernel_shape.empty()) {
      return InvalidModel("attribute 'kernel_shape' is required");
    }
    if (is_max) {
      const int64_t order = node.attributes.Int("storage_order", 0);
      if (order != 0 && order != 1) {
        return InvalidModel("attribute 'storage_order' = %lld must be 0 or 1", static_cast<long long>(order));
      }
      column_major_ = order == 1;
      with_indices_ = node.num_outputs >= 2 && (node.output_present.size() < 2 || node.output_present[1]);
      if (with_indices_ && node.opset < 8) {
        return InvalidModel("MaxPool has the Indices output from opset 8");
      }
    } else {
      const int64_t include = node.attributes.Int("count_include_pad", 0);
      if (include != 0 && include != 1) {
        return InvalidModel("attribute 'count_include_pad' = %lld must be 0 or 1", static_cast<long long>(include));
      }
      count_include_pad_ = include == 1;
    }
    return Status::Ok();
  }

  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (x.dtype != DType::kUndefined && !SupportsType(x.dtype)) {
      return TypeError("X is %s, not supported", DTypeName(x.dtype));
    }
    ValueInfo &y = ctx.output(0);
    y.dtype = x.dtype;
    y.rank_known = x.rank_known;
    if (x.rank_known) {
      EXEC_RETURN_IF_ERROR(CheckPoolInput(x.shape));
      std::vector<int64_t> in(x.shape.begin() + 2, x.shape.end()), out;
      EXEC_RETURN_IF_ERROR(kernels::InferWindowOutput(window_, in, window_.kernel_shape, &out));
      y.shape = {x.shape[0], x.shape[1]};
      y.shape.insert(y.shape.end(), out.begin(), out.end());
    }
    if (ctx.num_outputs() >= 2) {
      ValueInfo &indices = ctx.output(1);
      indices.dtype = DType::kInt64;
      indices.rank_known = y.rank_known;
      indices.shape = y.shape;
    }
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    const Tensor &input = *ctx.input(0);
    EXEC_RETURN_IF_ERROR(CheckPoolInput(input.shape()));
    if (!SupportsType(input.dtype())) {
      return TypeError("X is %s, not supported", DTypeName(input.dtype()));
    }
    const std::vector<int64_t> in(input.shape().begin() + 2, input.shape().end());
    std::vector<WindowAxis> axes;
    EXEC_RETURN_IF_ERROR(kernels::ResolveWindow(window_, in, window_.kernel_shape, &axes));
    Shape ys = {input.dim(0), input.dim(1)};
    for (const WindowAxis &axis : axes) ys.push_back(axis.out);
    const Window3 window = kernels::ToWindow3(axes);
    switch (input.dtype()) {
      case DType::kFloat32:
        return Pool<float>(ctx, input, ys, window);
      case DType::kFloat64:
        return Pool<double>(ctx, input, ys, window);
      case DType::kInt8:
        return Pool<int8_t>(ctx, input, ys, window);
      case DType::kUint8:
        return Pool<uint8_t>(ctx, input, ys, window);
      case DType::kFloat16: {
        // Through float32: exact for max (every float16 is a float32 and comes back unchanged).
        Status status;
        Tensor widened;
        const Tensor *x = kernels::AsFloat32(input, &widened, "X", &status);
        if (x == nullptr) return status;
        Tensor result;
        EXEC_RETURN_IF_ERROR(Tensor::Allocate(DType::kFloat32, ys, &result));
        Tensor *indices = nullptr;
        if (with_indices_ && ctx.output_wanted(1)) EXEC_RETURN_IF_ERROR(ctx.Allocate(1, DType::kInt64, ys, &indices));
        PoolPlanes<float>(ctx, x->data<float>(), ys, window, result.data<float>(),
                          indices != nullptr ? indices->data<int64_t>() : nullptr);
        Tensor *y = nullptr;
        EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat16, ys, &y));
        kernels::StoreFloat32(result.data<float>(), y);
        return Status::Ok();
      }
      default:
        return TypeError("X is %s, not supported", DTypeName(input.dtype()));
    }
  }

 private:
  bool SupportsType(DType type) const {
    if (type == DType::kFloat32 || type == DType::kFloat16 || type == DType::kFloat64) return true;
    return kind_ == PoolKind::kMax && (type == DType::kInt8 || type == DType::kUint8);
  }

  template <typename T>
  Status Pool(RunContext &ctx, const Tensor &input, const Shape &ys, const Window3 &window) const {
    Tensor *y = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, input.dtype(), ys, &y));
    Tensor *indices = nullptr;
    if (with_indices_ && ctx.output_wanted(1)) EXEC_RETURN_IF_ERROR(ctx.Allocate(1, DType::kInt64, ys, &indices));
    PoolPlanes<T>(ctx, input.data<T>(), ys, window, y->data<T>(),
                  indices != nullptr ? indices->data<int64_t>() : nullptr);
    return Status::Ok();
  }

  template <typename T>
  void PoolPlanes(RunContext &ctx, const T *x, const Shape &ys, const Window3 &window, T *y, int64_t *indices) const {
    const int64_t planes = ys[0] * ys[1];
    const int64_t in_size = window.in_size(), out_size = window.out_size();
    if (planes == 0 || out_size == 0) return;
    const kernels::GatherRunFn gather = kernels::GemmArchFor(ctx.isa()).gather_run;
    ctx.pool().ParallelFor(planes, kernels::GrainFor(out_size * window.kernel_size()), [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const T *in = x + plane * in_size;
        T *out = y + plane * out_size;
        if constexpr (std::is_floating_point_v<T>) {
          if (kind_ == PoolKind::kAverage) {
            kernels::AveragePoolPlane<T>(in, window, count_include_pad_, out, gather);
            continue;
          }
        }
        if (indices != nullptr) {
          kernels::MaxPoolPlaneWithIndices<T>(in, window, plane * in_size, column_major_, out,
                                              indices + plane * out_size);
        } else {
          kernels::MaxPoolPlane<T>(in, window, out, gather);
        }
      }
    });
  }

  PoolKind kind_;
  kernels::WindowAttributes window_;
  bool column_major_ = false;
  bool with_indices_ = false;
  bool count_include_pad_ = false;
};

class MaxPoolKernel final : public PoolKernel {
 public:
  MaxPoolKernel() : PoolKernel(PoolKind::kMax) {}
};

class AveragePoolKernel final : public PoolKernel {
 public:
  AveragePoolKernel() : PoolKernel(PoolKind::kAverage) {}
};

// GlobalAveragePool / GlobalMaxPool: one value per (image, channel) plane.
class GlobalPoolKernel : public Kernel {
 public:
  explicit GlobalPoolKernel(PoolKind kind) : kind_(kind) {}

  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (x.dtype != DType::kUndefined && x.dtype != DType::kFloat32 && x.dtype != DType::kFloat16 &&
        x.dtype != DType::kFloat64) {
      return TypeError("X is %s, not supported", DTypeName(x.dtype));
    }
    ValueInfo &y = ctx.output(0);
    y.dtype = x.dtype;
    y.rank_known = x.rank_known;
    if (x.rank_known) {
      if (x.shape.size() < 2) return ShapeError("X must have rank >= 2");
      y.shape = x.shape;
      for (size_t i = 2; i < y.shape.size(); ++i) y.shape[i] = 1;
    }
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    const Tensor &input = *ctx.input(0);
    if (input.rank() < 2) return ShapeError("X must have rank >= 2");
    Shape ys = input.shape();
    for (size_t i = 2; i < ys.size(); ++i) ys[i] = 1;
    if (input.dtype() == DType::kFloat64) {
      Tensor *y = nullptr;
      EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat64, ys, &y));
      Reduce<double>(ctx, input.data<double>(), input.shape(), y->data<double>());
      return Status::Ok();
    }
    Status status;
    Tensor widened;
    const Tensor *x = kernels::AsFloat32(input, &widened, "X", &status);
    if (x == nullptr) return status;
    kernels::Float32Output y;
    EXEC_RETURN_IF_ERROR(y.Allocate(ctx, 0, input.dtype(), ys));
    Reduce<float>(ctx, x->data<float>(), input.shape(), y.data());
    y.Finish();
    return Status::Ok();
  }

 private:
  template <typename T>
  void Reduce(RunContext &ctx, const T *x, const Shape &xs, T *y) const {
    const int64_t planes = xs[0] * xs[1];
    int64_t size = 1;
    for (size_t i = 2; i < xs.size(); ++i) size *= xs[i];
    ctx.pool().ParallelFor(planes, kernels::GrainFor(size), [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        y[plane] = kind_ == PoolKind::kAverage ? kernels::PlaneMean<T>(x + plane * size, size)
                                               : kernels::PlaneMax<T>(x + plane * size, size);
      }
    });
  }

  PoolKind kind_;
};

class GlobalAveragePoolKernel final : public GlobalPoolKernel {
 public:
  GlobalAveragePoolKernel() : GlobalPoolKernel(PoolKind::kAverage) {}
};

class GlobalMaxPoolKernel final : public GlobalPoolKernel {
 public:
  GlobalMaxPoolKernel() : GlobalPoolKernel(PoolKind::kMax) {}
};

}  // namespace

ACLSIM_REGISTER_OP("MaxPool", 1, 22, MaxPoolKernel);
ACLSIM_REGISTER_OP("AveragePool", 1, 22, AveragePoolKernel);
ACLSIM_REGISTER_OP("GlobalAveragePool", 1, 22, GlobalAveragePoolKernel);
ACLSIM_REGISTER_OP("GlobalMaxPool", 1, 22, GlobalMaxPoolKernel);

}  // namespace aclsim::exec
