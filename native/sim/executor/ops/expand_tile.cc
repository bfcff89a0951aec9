// Expand (broadcast to a shape, numpy rules in both directions) and Tile (repeat along each dim).
#include <algorithm>
#include <cstring>

#include "sim/executor/ops/broadcast.h"
#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

class ExpandKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    return CheckArity(node, 2, 2, 2, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    const Tensor *shape = ConstantInput(ctx, 1);
    ValueInfo target;
    if (shape != nullptr) {
      std::vector<int64_t> dims;
      EXEC_RETURN_IF_ERROR(ReadInts(*shape, "the shape", &dims));
      target.rank_known = true;
      target.shape.assign(dims.begin(), dims.end());
    } else {
      const ValueInfo &info = ctx.input(1);
      if (info.rank_known && info.shape.size() == 1 && info.shape[0] >= 0) {
        target.rank_known = true;
        // Unknown target dims: a 1 there would let x decide, so they stay unknown.
        target.shape.assign(static_cast<size_t>(info.shape[0]), -1);
      }
    }
    bool rank_known = false;
    Shape out;
    EXEC_RETURN_IF_ERROR(InferBroadcastShape({&x, &target}, &rank_known, &out));
    if (rank_known) {
      SetKnown(ctx, 0, x.dtype, std::move(out));
    } else {
      SetUnknownRank(ctx, 0, x.dtype);
    }
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    std::vector<int64_t> dims;
    EXEC_RETURN_IF_ERROR(ReadInts(*ctx.input(1), "the shape", &dims));
    for (int64_t dim : dims) {
      if (dim < 0) return ShapeError("shape %s has a negative dim", ShapeToString(dims).c_str());
    }
    const Shape target(dims.begin(), dims.end());
    Shape out_shape;
    EXEC_RETURN_IF_ERROR(BroadcastShapes({&x.shape(), &target}, &out_shape));
    if (out_shape == x.shape()) {
      ctx.SetOutput(0, x);
      return Status::Ok();
    }
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), out_shape, &out));
    const BroadcastPlan plan = MakeBroadcastPlan(out_shape, {&x.shape()});
    return DispatchBySize(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      const T *src = x.data<T>();
      T *dst = out->data<T>();
      const bool advance = plan.inner_strides[0] != 0;
      ForEachSpan(plan, ctx.pool(), [&](int64_t at, const int64_t *offsets, int64_t n) {
        if (advance) {
          std::memcpy(dst + at, src + offsets[0], static_cast<size_t>(n) * sizeof(T));
        } else {
          std::fill(dst + at, dst + at + n, src[offsets[0]]);
        }
      });
      return Status::Ok();
    });
  }
};

class TileKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    return CheckArity(node, 2, 2, 2, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    const Tensor *repeats = ConstantInput(ctx, 1);
    if (!x.rank_known) {
      SetUnknownRank(ctx, 0, x.dtype);
      return Status::Ok();
    }
    Shape out(x.shape.size(), -1);
    if (repeats != nullptr) {
      std::vector<int64_t> r;
      EXEC_RETURN_IF_ERROR(ReadInts(*repeats, "repeats", &r));
      EXEC_RETURN_IF_ERROR(CheckRepeats(r, x.shape.size()));
      for (size_t d = 0; d < out.size(); ++d) {
        if (x.shape[d] >= 0 && __builtin_mul_overflow(x.shape[d], r[d], &out[d])) {
          return ShapeError("tiling dim %zu (%lld) %lld times overflows", d, (long long)x.shape[d], (long long)r[d]);
        }
      }
    }
    SetKnown(ctx, 0, x.dtype, std::move(out));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    std::vector<int64_t> repeats;
    EXEC_RETURN_IF_ERROR(ReadInts(*ctx.input(1), "repeats", &repeats));
    EXEC_RETURN_IF_ERROR(CheckRepeats(repeats, x.rank()));
    Shape out_shape = x.shape();
    for (size_t d = 0; d < out_shape.size(); ++d) {
      if (__builtin_mul_overflow(x.dim(d), repeats[d], &out_shape[d])) {
        return ShapeError("tiling dim %zu (%lld) %lld times overflows", d, (long long)x.dim(d), (long long)repeats[d]);
      }
    }
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), out_shape, &out));
    if (out->elements() == 0) return Status::Ok();
    const size_t rank = x.rank();
    if (rank == 0) {
      std::memcpy(out->raw(), x.raw(), x.bytes());
      return Status::Ok();
    }
    return DispatchBySize(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      const T *src = x.data<T>();
      T *dst = out->data<T>();
      const std::vector<int64_t> in_strides = Strides(x.shape());
      const int64_t inner = x.dim(rank - 1);
      const int64_t out_inner = out_shape[rank - 1];
      const int64_t rows = out->elements() / out_inner;
      ctx.pool().ParallelFor(rows, std::max<int64_t>(1, kElementGrain / out_inner), [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
          // The input row this output row repeats.
          int64_t rest = row, offset = 0;
          for (size_t d = rank - 1; d-- > 0;) {
            offset += (rest % out_shape[d]) % x.dim(d) * in_strides[d];
            rest /= out_shape[d];
          }
          T *to = dst + row * out_inner;
          for (int64_t r = 0; r < out_inner / inner; ++r) {
            std::memcpy(to + r * inner, src + offset, static_cast<size_t>(inner) * sizeof(T));
          }
        }
      });
      return Status::Ok();
    });
  }

 private:
  static Status CheckRepeats(const std::vector<int64_t> &repeats, size_t rank) {
    if (repeats.size() != rank) {
      return ShapeError("repeats has %zu entries for an input of rank %zu", repeats.size(), rank);
    }
    for (int64_t r : repeats) {
      if (r < 0) return ShapeError("repeats %s has a negative entry", ShapeToString(repeats).c_str());
    }
    return Status::Ok();
  }
};

}  // namespace

ACLSIM_REGISTER_OP("Expand", 8, kLatestOpset, ExpandKernel);
ACLSIM_REGISTER_OP("Tile", 6, kLatestOpset, TileKernel);

}  // namespace aclsim::exec::ops
