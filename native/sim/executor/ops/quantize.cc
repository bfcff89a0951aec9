// QuantizeLinear and DequantizeLinear, per tensor (scalar scale) or per axis (a 1-D scale along
// `axis`, opset 13), for 8- and 16-bit integers (and int32 for DequantizeLinear):
//   q = saturate(round_half_even(x / scale) + zero_point)
//   x = (q - zero_point) * scale
// The zero point's type chooses the quantized type (uint8 when it is absent). Blocked
// quantization (opset 21 block_size) is not supported.
#include <cmath>
#include <limits>
#include <type_traits>

#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

bool IsQuantizedType(DType type) {
  return type == DType::kUint8 || type == DType::kInt8 || type == DType::kUint16 || type == DType::kInt16;
}

// Checks scale and zero point against x and says how they apply: per tensor (axis_length 1) or
// along `axis`.
Status Layout(const Tensor &x, const Tensor &scale, const Tensor *zero_point, int64_t axis_attribute,
              int64_t *outer, int64_t *axis_length, int64_t *inner) {
  *outer = 1;
  *axis_length = 1;
  *inner = x.elements();
  const bool both_scalar = zero_point != nullptr && zero_point->elements() == 1 && scale.elements() == 1;
  if (zero_point != nullptr && !both_scalar && zero_point->shape() != scale.shape()) {
    return ShapeError("the zero point has shape %s but the scale has %s", ShapeToString(zero_point->shape()).c_str(),
                      ShapeToString(scale.shape()).c_str());
  }
  if (scale.elements() == 1 && scale.rank() <= 1) return Status::Ok();
  if (scale.rank() != 1) return ShapeError("the scale must be a scalar or 1-D, has shape %s", ShapeToString(scale.shape()).c_str());
  int64_t axis = 0;
  EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_attribute, static_cast<int64_t>(x.rank()), "axis", &axis));
  if (x.dim(axis) != scale.dim(0)) {
    return ShapeError("the scale has %lld values but axis %lld of the input has %lld", (long long)scale.dim(0),
                      (long long)axis, (long long)x.dim(axis));
  }
  *outer = 1;
  *inner = 1;
  for (int64_t d = 0; d < static_cast<int64_t>(x.rank()); ++d) {
    if (d < axis) *outer *= x.dim(d);
    if (d > axis) *inner *= x.dim(d);
  }
  *axis_length = x.dim(axis);
  return Status::Ok();
}

// Scale values as float (float16 scales widened).
std::vector<float> ScaleValues(const Tensor &scale) {
  Tensor wide = scale.dtype() == DType::kFloat16 ? WidenHalf(scale) : scale;
  return std::vector<float>(wide.data<float>(), wide.data<float>() + wide.elements());
}

class QuantizeKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    axis_ = node.attributes.Int("axis", 1);
    if (node.attributes.Int("block_size", 0) != 0) return InvalidModel("blocked quantization is not supported");
    output_dtype_ = static_cast<DType>(node.attributes.Int("output_dtype", 0));
    return CheckArity(node, 2, 3, 2, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    DType type = OutputType(ctx.has_input(2) ? ctx.input(2).dtype : DType::kUndefined);
    const ValueInfo &x = ctx.input(0);
    if (x.rank_known) {
      SetKnown(ctx, 0, type, x.shape);
    } else {
      SetUnknownRank(ctx, 0, type);
    }
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    const Tensor &scale = *ctx.input(1);
    const Tensor *zero_point = ctx.input(2);
    const DType type = OutputType(zero_point != nullptr ? zero_point->dtype() : DType::kUndefined);
    if (!IsQuantizedType(type)) return TypeError("quantizing to %s is not supported", DTypeName(type));
    if (scale.dtype() != DType::kFloat32 && scale.dtype() != DType::kFloat16) {
      return TypeError("the scale must be float32 or float16, not %s", DTypeName(scale.dtype()));
    }
    int64_t outer = 0, axis_length = 0, inner = 0;
    EXEC_RETURN_IF_ERROR(Layout(x, scale, zero_point, axis_, &outer, &axis_length, &inner));
    Tensor wide;
    if (x.dtype() == DType::kFloat16) {
      wide = WidenHalf(x);
    } else if (x.dtype() == DType::kFloat32) {
      wide = x;
    } else if (x.dtype() == DType::kInt32) {
      wide = Tensor(DType::kFloat32, x.shape());
      for (int64_t i = 0; i < x.elements(); ++i) wide.data<float>()[i] = static_cast<float>(x.data<int32_t>()[i]);
    } else {
      return TypeError("quantizing %s is not supported", DTypeName(x.dtype()));
    }
    const std::vector<float> scales = ScaleValues(scale);
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, type, x.shape(), &out));
    return DispatchNumeric(type, "output", [&](auto tag) {
      using Q = decltype(tag);
      const float low = static_cast<float>(std::numeric_limits<Q>::lowest());
      const float high = static_cast<float>(std::numeric_limits<Q>::max());
      const float *src = wide.data<float>();
      Q *dst = out->data<Q>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t c = 0; c < axis_length; ++c) {
          const float s = scales[c];
          const float zp = zero_point != nullptr ? static_cast<float>(zero_point->data<Q>()[c]) : 0.0f;
          const int64_t base = (o * axis_length + c) * inner;
          for (int64_t i = 0; i < inner; ++i) {
            float q = std::nearbyint(src[base + i] / s) + zp;
            q = std::isnan(q) ? 0.0f : std::fmin(std::fmax(q, low), high);
            dst[base + i] = static_cast<Q>(q);
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  DType OutputType(DType zero_point_type) const {
    if (zero_point_type != DType::kUndefined) return zero_point_type;
    if (output_dtype_ != DType::kUndefined) return output_dtype_;
    return DType::kUint8;
  }
  int64_t axis_ = 1;
  DType output_dtype_ = DType::kUndefined;
};

class DequantizeKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    axis_ = node.attributes.Int("axis", 1);
    if (node.attributes.Int("block_size", 0) != 0) return InvalidModel("blocked quantization is not supported");
    return CheckArity(node, 2, 3, 2, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    DType type = ctx.input(1).dtype;
    if (type == DType::kUndefined) type = DType::kFloat32;
    const ValueInfo &x = ctx.input(0);
    if (x.rank_known) {
      SetKnown(ctx, 0, type, x.shape);
    } else {
      SetUnknownRank(ctx, 0, type);
    }
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    const Tensor &scale = *ctx.input(1);
    const Tensor *zero_point = ctx.input(2);
    if (!IsQuantizedType(x.dtype()) && x.dtype() != DType::kInt32) {
      return TypeError("dequantizing %s is not supported", DTypeName(x.dtype()));
    }
    if (zero_point != nullptr && zero_point->dtype() != x.dtype()) {
      return TypeError("the zero point is %s but the input is %s", DTypeName(zero_point->dtype()),
                       DTypeName(x.dtype()));
    }
    if (scale.dtype() != DType::kFloat32 && scale.dtype() != DType::kFloat16) {
      return TypeError("the scale must be float32 or float16, not %s", DTypeName(scale.dtype()));
    }
    int64_t outer = 0, axis_length = 0, inner = 0;
    EXEC_RETURN_IF_ERROR(Layout(x, scale, zero_point, axis_, &outer, &axis_length, &inner));
    const std::vector<float> scales = ScaleValues(scale);
    Tensor result(DType::kFloat32, x.shape());
    EXEC_RETURN_IF_ERROR(DispatchNumeric(x.dtype(), "input", [&](auto tag) {
      using Q = decltype(tag);
      const Q *src = x.data<Q>();
      float *dst = result.data<float>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t c = 0; c < axis_length; ++c) {
          const float s = scales[c];
          const int64_t zp = zero_point != nullptr ? static_cast<int64_t>(zero_point->data<Q>()[c]) : 0;
          const int64_t base = (o * axis_length + c) * inner;
          for (int64_t i = 0; i < inner; ++i) {
            dst[base + i] = static_cast<float>(static_cast<int64_t>(src[base + i]) - zp) * s;
          }
        }
      }
      return Status::Ok();
    }));
    Tensor *out = nullptr;
    if (scale.dtype() == DType::kFloat16) {
      EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat16, x.shape(), &out));
      return NarrowToHalf(result, out);
    }
    ctx.SetOutput(0, std::move(result));
    return Status::Ok();
  }

 private:
  int64_t axis_ = 1;
};

}  // namespace

ACLSIM_REGISTER_OP("QuantizeLinear", 10, kLatestOpset, QuantizeKernel);
ACLSIM_REGISTER_OP("DequantizeLinear", 10, kLatestOpset, DequantizeKernel);

}  // namespace aclsim::exec::ops
