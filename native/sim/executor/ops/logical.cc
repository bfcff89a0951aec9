// Equal Less Greater (numbers in, bool out), And Or Not (bool), Where (select with a bool
// condition; three-way broadcasting).
#include <cstring>

#include "sim/executor/ops/broadcast.h"
#include "sim/executor/ops/elementwise.h"

namespace aclsim::exec::ops {
namespace {

bool IsNumber(DType type) {
  return type == DType::kFloat32 || type == DType::kFloat64 || IsSignedInteger(type) || IsUnsignedInteger(type);
}

enum class Cmp { kEqual, kLess, kGreater };

template <Cmp kCmp>
class CompareKernel final : public BinaryKernel {
 protected:
  bool Supports(DType type) const override { return IsNumber(type) || (kCmp == Cmp::kEqual && type == DType::kBool); }
  DType OutputType(DType) const override { return DType::kBool; }
  Status Compute(const Tensor &a, const Tensor &b, Tensor *out, ThreadPool &pool) const override {
    const DType type = a.dtype() == DType::kBool ? DType::kUint8 : a.dtype();
    return DispatchNumeric(type, "input", [&](auto tag) {
      using T = decltype(tag);
      BinaryBroadcast<T, T, uint8_t>(a, b, out, pool, [](T x, T y) -> uint8_t {
        if constexpr (kCmp == Cmp::kEqual) return x == y;
        if constexpr (kCmp == Cmp::kLess) return x < y;
        if constexpr (kCmp == Cmp::kGreater) return x > y;
      });
      return Status::Ok();
    });
  }
};

template <bool kAnd>
class BoolBinaryKernel final : public BinaryKernel {
 protected:
  bool Supports(DType type) const override { return type == DType::kBool; }
  Status Compute(const Tensor &a, const Tensor &b, Tensor *out, ThreadPool &pool) const override {
    if constexpr (kAnd) {
      BinaryBroadcast<uint8_t, uint8_t, uint8_t>(a, b, out, pool, [](uint8_t x, uint8_t y) -> uint8_t { return x & y; });
    } else {
      BinaryBroadcast<uint8_t, uint8_t, uint8_t>(a, b, out, pool, [](uint8_t x, uint8_t y) -> uint8_t { return x | y; });
    }
    return Status::Ok();
  }
};

class NotKernel final : public UnaryKernel {
 protected:
  bool Supports(DType type) const override { return type == DType::kBool; }
  Status Compute(const Tensor &x, Tensor *out, ThreadPool &pool) const override {
    UnaryMap<uint8_t, uint8_t>(x, out, pool, [](uint8_t v) -> uint8_t { return v ^ 1; });
    return Status::Ok();
  }
};

class WhereKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    return CheckArity(node, 3, 3, 3, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &cond = ctx.input(0);
    if (cond.dtype != DType::kUndefined && cond.dtype != DType::kBool) {
      return TypeError("the condition must be bool, not %s", DTypeName(cond.dtype));
    }
    const DType x = ctx.input(1).dtype;
    const DType y = ctx.input(2).dtype;
    if (x != DType::kUndefined && y != DType::kUndefined && x != y) {
      return TypeError("X and Y have different element types (%s and %s)", DTypeName(x), DTypeName(y));
    }
    bool rank_known = false;
    Shape shape;
    EXEC_RETURN_IF_ERROR(InferBroadcastShape({&cond, &ctx.input(1), &ctx.input(2)}, &rank_known, &shape));
    const DType type = x != DType::kUndefined ? x : y;
    if (rank_known) {
      SetKnown(ctx, 0, type, std::move(shape));
    } else {
      SetUnknownRank(ctx, 0, type);
    }
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &cond = *ctx.input(0);
    const Tensor &x = *ctx.input(1);
    const Tensor &y = *ctx.input(2);
    if (cond.dtype() != DType::kBool) return TypeError("the condition must be bool, not %s", DTypeName(cond.dtype()));
    if (x.dtype() != y.dtype()) {
      return TypeError("X and Y have different element types (%s and %s)", DTypeName(x.dtype()),
                       DTypeName(y.dtype()));
    }
    Shape shape;
    EXEC_RETURN_IF_ERROR(BroadcastShapes({&cond.shape(), &x.shape(), &y.shape()}, &shape));
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), shape, &out));
    const BroadcastPlan plan = MakeBroadcastPlan(shape, {&cond.shape(), &x.shape(), &y.shape()});
    return DispatchBySize(x.dtype(), "X", [&](auto tag) {
      using T = decltype(tag);
      const uint8_t *c = cond.data<uint8_t>();
      const T *px = x.data<T>();
      const T *py = y.data<T>();
      T *po = out->data<T>();
      const int64_t sc = plan.inner_strides[0], sx = plan.inner_strides[1], sy = plan.inner_strides[2];
      ForEachSpan(plan, ctx.pool(), [&](int64_t at, const int64_t *offsets, int64_t n) {
        const uint8_t *cc = c + offsets[0];
        const T *xx = px + offsets[1];
        const T *yy = py + offsets[2];
        T *z = po + at;
        for (int64_t i = 0; i < n; ++i) z[i] = cc[i * sc] ? xx[i * sx] : yy[i * sy];
      });
      return Status::Ok();
    });
  }
};

}  // namespace

ACLSIM_REGISTER_OP("Equal", 1, kLatestOpset, CompareKernel<Cmp::kEqual>);
ACLSIM_REGISTER_OP("Less", 1, kLatestOpset, CompareKernel<Cmp::kLess>);
ACLSIM_REGISTER_OP("Greater", 1, kLatestOpset, CompareKernel<Cmp::kGreater>);
ACLSIM_REGISTER_OP("And", 1, kLatestOpset, BoolBinaryKernel<true>);
ACLSIM_REGISTER_OP("Or", 1, kLatestOpset, BoolBinaryKernel<false>);
ACLSIM_REGISTER_OP("Not", 1, kLatestOpset, NotKernel);
ACLSIM_REGISTER_OP("Where", 9, kLatestOpset, WhereKernel);

}  // namespace aclsim::exec::ops
