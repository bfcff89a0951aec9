// What Conv and ConvTranspose share: the group attribute, the required inputs, and reading X, W
// and the optional bias B as float32 (float16 converted) with their rank checked.
#ifndef ASCENDCL_SIM_EXECUTOR_OPS_CONV_COMMON_H_
#define ASCENDCL_SIM_EXECUTOR_OPS_CONV_COMMON_H_

#include <cstdint>

#include "sim/executor/kernels/op_support.h"
#include "sim/executor/op.h"

namespace aclsim::exec {

// The 'group' attribute (default 1) and the presence of X and W.
inline Status ReadConvGroup(const NodeDef &node, int64_t *group) {
  const Attribute *attribute = node.attributes.Find("group");
  if (attribute != nullptr && attribute->kind != Attribute::Kind::kInt) {
    return InvalidModel("attribute 'group' must be an int");
  }
  *group = node.attributes.Int("group", 1);
  if (*group < 1 || *group > (int64_t{1} << 31)) {
    return InvalidModel("attribute 'group' = %lld must be positive", static_cast<long long>(*group));
  }
  if (node.input_present.size() < 2 || !node.input_present[0] || !node.input_present[1]) {
    return InvalidModel("needs the inputs X and W");
  }
  return Status::Ok();
}

// The start of Infer: X float32 or float16 and W of the same type, Y's type, and their common
// rank (3, 4 or 5). *rank is 0 when neither rank is known yet; Y is then left rank-unknown.
inline Status InferConvRank(InferContext &ctx, const char *op, size_t *rank) {
  const ValueInfo &x = ctx.input(0);
  const ValueInfo &w = ctx.input(1);
  if (x.dtype != DType::kUndefined && !kernels::IsFloatType(x.dtype)) {
    return TypeError("X is %s; %s supports float32 and float16", DTypeName(x.dtype), op);
  }
  if (w.dtype != DType::kUndefined && x.dtype != DType::kUndefined && w.dtype != x.dtype) {
    return TypeError("W is %s but X is %s", DTypeName(w.dtype), DTypeName(x.dtype));
  }
  ValueInfo &y = ctx.output(0);
  y.dtype = x.dtype != DType::kUndefined ? x.dtype : w.dtype;
  *rank = 0;
  if (!x.rank_known && !w.rank_known) {
    y.rank_known = false;
    return Status::Ok();
  }
  *rank = x.rank_known ? x.shape.size() : w.shape.size();
  if (*rank < 3 || *rank > 5 || (x.rank_known && w.rank_known && x.shape.size() != w.shape.size())) {
    return ShapeError("X %s and W %s must both have rank 3, 4 or 5",
                      x.rank_known ? ShapeToString(x.shape).c_str() : "(unknown)",
                      w.rank_known ? ShapeToString(w.shape).c_str() : "(unknown)");
  }
  return Status::Ok();
}

// X, W and B (null when absent) of one run, as float32.
struct ConvOperands {
  const Tensor *x = nullptr;
  const Tensor *w = nullptr;
  const Tensor *b = nullptr;
  Tensor x_storage, w_storage, b_storage;  // float32 copies of float16 operands

  Status Load(RunContext &ctx) {
    Status status;
    x = kernels::AsFloat32(*ctx.input(0), &x_storage, "X", &status);
    if (x == nullptr) return status;
    w = kernels::AsFloat32(*ctx.input(1), &w_storage, "W", &status);
    if (w == nullptr) return status;
    if (ctx.input(2) != nullptr) {
      b = kernels::AsFloat32(*ctx.input(2), &b_storage, "B", &status);
      if (b == nullptr) return status;
    }
    const Shape &xs = x->shape();
    const Shape &ws = w->shape();
    if (xs.size() < 3 || xs.size() > 5 || ws.size() != xs.size()) {
      return ShapeError("X %s and W %s must both have rank 3, 4 or 5", ShapeToString(xs).c_str(),
                        ShapeToString(ws).c_str());
    }
    return Status::Ok();
  }
};

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_OPS_CONV_COMMON_H_
