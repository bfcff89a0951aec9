#include "sim/executor/ops/elementwise.h"

namespace aclsim::exec::ops {

Status UnaryKernel::Init(const NodeDef &node, const std::vector<const Tensor *> &constants) {
  return CheckArity(node, 1, 1, 1, 1, 1);
}

Status UnaryKernel::Infer(InferContext &ctx) const {
  const DType type = ctx.input(0).dtype;
  if (type != DType::kUndefined && !Supports(type) && !(type == DType::kFloat16 && Supports(DType::kFloat32))) {
    return TypeError("%s: element type %s is not supported", ctx.node().op_type.c_str(), DTypeName(type));
  }
  SameAsInput(ctx, 0, 0);
  return Status::Ok();
}

Status UnaryKernel::Run(RunContext &ctx) const {
  const Tensor &x = *ctx.input(0);
  Tensor *out = nullptr;
  if (x.dtype() == DType::kFloat16 && !Supports(DType::kFloat16) && Supports(DType::kFloat32)) {
    Tensor wide = WidenHalf(x);
    Tensor result;
    EXEC_RETURN_IF_ERROR(Tensor::Allocate(DType::kFloat32, x.shape(), &result));
    EXEC_RETURN_IF_ERROR(Compute(wide, &result, ctx.pool()));
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat16, x.shape(), &out));
    return NarrowToHalf(result, out);
  }
  if (!Supports(x.dtype())) {
    return TypeError("%s: element type %s is not supported", ctx.node().op_type.c_str(), DTypeName(x.dtype()));
  }
  EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), x.shape(), &out));
  return Compute(x, out, ctx.pool());
}

Status BinaryKernel::Init(const NodeDef &node, const std::vector<const Tensor *> &constants) {
  EXEC_RETURN_IF_ERROR(CheckArity(node, 2, 2, 2, 1, 1));
  if (node.opset < 7 && node.domain.empty()) {
    legacy_ = true;
    legacy_broadcast_ = node.attributes.Int("broadcast", 0) != 0;
    legacy_has_axis_ = node.attributes.Has("axis");
    legacy_axis_ = node.attributes.Int("axis", 0);
  }
  return Status::Ok();
}

Status BinaryKernel::EffectiveShapeOfB(const Shape &a, const Shape &b, Shape *out) const {
  *out = b;
  if (!legacy_) return Status::Ok();
  if (!legacy_broadcast_) {
    if (a != b) {
      return ShapeError("shapes %s and %s differ and the node does not set broadcast=1 (opset < 7)",
                        ShapeToString(a).c_str(), ShapeToString(b).c_str());
    }
    return Status::Ok();
  }
  // B's dims line up with A's from `axis` on (default: A's last dims); trailing ones make numpy
  // broadcasting do the same.
  const int64_t rank = static_cast<int64_t>(a.size());
  int64_t axis = legacy_has_axis_ ? legacy_axis_ : rank - static_cast<int64_t>(b.size());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis + static_cast<int64_t>(b.size()) > rank) {
    return ShapeError("B of shape %s cannot be broadcast onto A of shape %s at axis %lld", ShapeToString(b).c_str(),
                      ShapeToString(a).c_str(), static_cast<long long>(legacy_axis_));
  }
  out->resize(static_cast<size_t>(rank - axis), 1);
  return Status::Ok();
}

Status BinaryKernel::Infer(InferContext &ctx) const {
  const ValueInfo &a = ctx.input(0);
  const ValueInfo &b = ctx.input(1);
  const char *op = ctx.node().op_type.c_str();
  for (const ValueInfo *input : {&a, &b}) {
    if (input->dtype == DType::kUndefined) continue;
    if (input == &b && !SameTypes()) continue;
    if (!Supports(input->dtype) && !(input->dtype == DType::kFloat16 && Supports(DType::kFloat32))) {
      return TypeError("%s: element type %s is not supported", op, DTypeName(input->dtype));
    }
  }
  if (SameTypes() && a.dtype != DType::kUndefined && b.dtype != DType::kUndefined && a.dtype != b.dtype) {
    return TypeError("%s: the inputs have different element types (%s and %s)", op, DTypeName(a.dtype),
                     DTypeName(b.dtype));
  }
  const DType in_type = a.dtype != DType::kUndefined ? a.dtype : SameTypes() ? b.dtype : DType::kUndefined;
  const DType out_type = in_type == DType::kUndefined ? DType::kUndefined : OutputType(in_type);
  ValueInfo b_effective = b;
  if (legacy_ && a.rank_known && b.rank_known) {
    EXEC_RETURN_IF_ERROR(EffectiveShapeOfB(a.shape, b.shape, &b_effective.shape));
  }
  bool rank_known = false;
  Shape shape;
  EXEC_RETURN_IF_ERROR(InferBroadcastShape({&a, &b_effective}, &rank_known, &shape));
  if (rank_known) {
    SetKnown(ctx, 0, out_type, std::move(shape));
  } else {
    SetUnknownRank(ctx, 0, out_type);
  }
  return Status::Ok();
}

Status BinaryKernel::Run(RunContext &ctx) const {
  const Tensor &a = *ctx.input(0);
  const Tensor &b = *ctx.input(1);
  const char *op = ctx.node().op_type.c_str();
  if (SameTypes() && a.dtype() != b.dtype()) {
    return TypeError("%s: the inputs have different element types (%s and %s)", op, DTypeName(a.dtype()),
                     DTypeName(b.dtype()));
  }
  const bool widen = a.dtype() == DType::kFloat16 && !Supports(DType::kFloat16);
  if (!widen && !Supports(a.dtype())) {
    return TypeError("%s: element type %s is not supported", op, DTypeName(a.dtype()));
  }
  Shape b_shape;
  EXEC_RETURN_IF_ERROR(EffectiveShapeOfB(a.shape(), b.shape(), &b_shape));
  Shape out_shape;
  EXEC_RETURN_IF_ERROR(BroadcastShapes({&a.shape(), &b_shape}, &out_shape));
  const DType out_type = OutputType(a.dtype());
  Tensor *out = nullptr;
  if (!widen) {
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, out_type, out_shape, &out));
    Tensor b_view = b.Reshaped(b_shape);
    if (b.dtype() == DType::kFloat16 && !SameTypes()) b_view = WidenHalf(b).Reshaped(b_shape);
    return Compute(a, b_view, out, ctx.pool());
  }
  Tensor wide_a = WidenHalf(a);
  Tensor wide_b = (b.dtype() == DType::kFloat16 ? WidenHalf(b) : b).Reshaped(b_shape);
  if (out_type != DType::kFloat16) {  // comparisons: the bool result needs no narrowing
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, out_type, out_shape, &out));
    return Compute(wide_a, wide_b, out, ctx.pool());
  }
  Tensor result;
  EXEC_RETURN_IF_ERROR(Tensor::Allocate(DType::kFloat32, out_shape, &result));
  EXEC_RETURN_IF_ERROR(Compute(wide_a, wide_b, &result, ctx.pool()));
  EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat16, out_shape, &out));
  return NarrowToHalf(result, out);
}

}  // namespace aclsim::exec::ops
