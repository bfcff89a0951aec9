// ReduceSum ReduceMean ReduceMax ReduceMin and ArgMax. Axes come from an attribute or (ReduceSum
// from opset 13, the others from 18) an optional input; no axes means all of them, unless
// noop_with_empty_axes makes it the identity. Float sums are accumulated in double, so long
// reductions do not drift; integer sums wrap. Reduced dims that are adjacent are merged: one
// group of them (the usual case) is a [outer, n, inner] loop vectorised over inner.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "sim/executor/ops/convert.h"
#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

enum class Op { kSum, kMean, kMax, kMin };

// The accumulator of each element type: double for floats, 64-bit for integers.
template <typename T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double,
                               std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

template <Op kOp, typename T>
struct Reducer {
  using A = std::conditional_t<kOp == Op::kSum || kOp == Op::kMean, Acc<T>, T>;
  static A Init() {
    if constexpr (kOp == Op::kMax) {
      return std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
    } else if constexpr (kOp == Op::kMin) {
      return std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
    } else {
      return A(0);
    }
  }
  static A Step(A acc, T v) {
    if constexpr (kOp == Op::kMax || kOp == Op::kMin) {
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(v) || std::isnan(acc)) return std::numeric_limits<T>::quiet_NaN();
      }
      return kOp == Op::kMax ? (v > acc ? v : acc) : (v < acc ? v : acc);
    } else if constexpr (std::is_floating_point_v<T>) {
      return acc + static_cast<A>(v);
    } else {
      return WrappingAdd<A>(acc, static_cast<A>(v));
    }
  }
  static T Finish(A acc, int64_t count) {
    if constexpr (kOp == Op::kMean) {
      if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(acc / static_cast<double>(count));
      } else {
        return count == 0 ? T(0) : static_cast<T>(acc / static_cast<A>(count));
      }
    } else {
      return static_cast<T>(acc);
    }
  }
};

// The input seen as alternating groups of kept and reduced dims.
struct ReducePlan {
  std::vector<int64_t> dims;
  std::vector<bool> reduced;
  Shape out_shape;    // with keepdims as asked
  int64_t count = 1;  // elements reduced into each output
};

ReducePlan MakePlan(const Shape &shape, const std::vector<bool> &reduce, bool keepdims) {
  ReducePlan plan;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (reduce[d]) {
      plan.count *= shape[d];
      if (keepdims) plan.out_shape.push_back(1);
    } else {
      plan.out_shape.push_back(shape[d]);
    }
    if (shape[d] == 1) continue;  // size-1 dims move nothing
    if (!plan.dims.empty() && plan.reduced.back() == reduce[d]) {
      plan.dims.back() *= shape[d];
    } else {
      plan.dims.push_back(shape[d]);
      plan.reduced.push_back(reduce[d]);
    }
  }
  return plan;
}

template <Op kOp, typename T>
void ReduceInto(const T *src, T *dst, const ReducePlan &plan, ThreadPool &pool) {
  using R = Reducer<kOp, T>;
  using A = typename R::A;
  int64_t outputs = 1;
  size_t reduced_groups = 0;
  for (size_t g = 0; g < plan.dims.size(); ++g) {
    if (plan.reduced[g]) {
      ++reduced_groups;
    } else {
      outputs *= plan.dims[g];
    }
  }
  if (plan.count == 0) {  // nothing to reduce: the identity of the reduction
    for (int64_t o = 0; o < outputs; ++o) dst[o] = R::Finish(R::Init(), 0);
    return;
  }
  if (reduced_groups <= 1) {
    // [outer, n, inner]
    int64_t outer = 1, n = 1, inner = 1;
    bool after = false;
    for (size_t g = 0; g < plan.dims.size(); ++g) {
      if (plan.reduced[g]) {
        n = plan.dims[g];
        after = true;
      } else if (after) {
        inner *= plan.dims[g];
      } else {
        outer *= plan.dims[g];
      }
    }
    const int64_t grain = std::max<int64_t>(1, kElementGrain / std::max<int64_t>(1, n * inner));
    pool.ParallelFor(outer, grain, [&](int64_t begin, int64_t end) {
      std::vector<A> acc(static_cast<size_t>(inner));
      for (int64_t o = begin; o < end; ++o) {
        const T *in = src + o * n * inner;
        if (inner == 1) {
          A a = R::Init();
          for (int64_t k = 0; k < n; ++k) a = R::Step(a, in[k]);
          dst[o] = R::Finish(a, n);
          continue;
        }
        std::fill(acc.begin(), acc.end(), R::Init());
        for (int64_t k = 0; k < n; ++k) {
          for (int64_t i = 0; i < inner; ++i) acc[i] = R::Step(acc[i], in[k * inner + i]);
        }
        for (int64_t i = 0; i < inner; ++i) dst[o * inner + i] = R::Finish(acc[i], n);
      }
    });
    return;
  }
  // General: each output element walks its reduced sub-space.
  const std::vector<int64_t> strides = Strides(plan.dims);
  std::vector<int64_t> kept_dims, kept_strides, red_dims, red_strides;
  for (size_t g = 0; g < plan.dims.size(); ++g) {
    (plan.reduced[g] ? red_dims : kept_dims).push_back(plan.dims[g]);
    (plan.reduced[g] ? red_strides : kept_strides).push_back(strides[g]);
  }
  pool.ParallelFor(outputs, std::max<int64_t>(1, kElementGrain / plan.count), [&](int64_t begin, int64_t end) {
    std::vector<int64_t> index(red_dims.size());
    for (int64_t o = begin; o < end; ++o) {
      int64_t base = 0, rest = o;
      for (size_t k = kept_dims.size(); k-- > 0;) {
        base += (rest % kept_dims[k]) * kept_strides[k];
        rest /= kept_dims[k];
      }
      std::fill(index.begin(), index.end(), 0);
      A a = R::Init();
      int64_t offset = base;
      for (int64_t r = 0; r < plan.count; ++r) {
        a = R::Step(a, src[offset]);
        for (size_t k = red_dims.size(); k-- > 0;) {
          offset += red_strides[k];
          if (++index[k] < red_dims[k]) break;
          offset -= red_dims[k] * red_strides[k];
          index[k] = 0;
        }
      }
      dst[o] = R::Finish(a, plan.count);
    }
  });
}

template <Op kOp>
class ReduceKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    keepdims_ = node.attributes.Int("keepdims", 1) != 0;
    axes_from_input_ = node.opset >= (kOp == Op::kSum ? 13 : 18);
    noop_with_empty_axes_ = node.attributes.Int("noop_with_empty_axes", 0) != 0;
    if (!axes_from_input_) {
      axes_ = node.attributes.Ints("axes");
      return CheckArity(node, 1, 1, 1, 1, 1);
    }
    return CheckArity(node, 1, 2, 1, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (x.dtype != DType::kUndefined && !Supports(x.dtype)) {
      return TypeError("element type %s is not supported", DTypeName(x.dtype));
    }
    std::vector<int64_t> axes = axes_;
    bool known = true;
    if (axes_from_input_ && ctx.has_input(1)) {
      const Tensor *value = ConstantInput(ctx, 1);
      if (value == nullptr) {
        known = false;
      } else {
        EXEC_RETURN_IF_ERROR(ReadInts(*value, "axes", &axes));
      }
    }
    if (!x.rank_known || !known) {
      if (x.rank_known && keepdims_) {
        SetKnown(ctx, 0, x.dtype, Shape(x.shape.size(), -1));
      } else {
        SetUnknownRank(ctx, 0, x.dtype);
      }
      return Status::Ok();
    }
    std::vector<bool> reduce;
    bool identity = false;
    EXEC_RETURN_IF_ERROR(Axes(axes, x.shape.size(), &reduce, &identity));
    if (identity) {
      SameAsInput(ctx, 0, 0);
      return Status::Ok();
    }
    Shape out;
    for (size_t d = 0; d < x.shape.size(); ++d) {
      if (!reduce[d]) {
        out.push_back(x.shape[d]);
      } else if (keepdims_) {
        out.push_back(1);
      }
    }
    SetKnown(ctx, 0, x.dtype, std::move(out));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    if (!Supports(x.dtype())) return TypeError("element type %s is not supported", DTypeName(x.dtype()));
    std::vector<int64_t> axes = axes_;
    if (axes_from_input_ && ctx.input(1) != nullptr) EXEC_RETURN_IF_ERROR(ReadInts(*ctx.input(1), "axes", &axes));
    std::vector<bool> reduce;
    bool identity = false;
    EXEC_RETURN_IF_ERROR(Axes(axes, x.rank(), &reduce, &identity));
    if (identity) {
      ctx.SetOutput(0, x);
      return Status::Ok();
    }
    const ReducePlan plan = MakePlan(x.shape(), reduce, keepdims_);
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), plan.out_shape, &out));
    if (x.dtype() == DType::kFloat16) {
      Tensor wide = WidenHalf(x);
      Tensor result(DType::kFloat32, plan.out_shape);
      ReduceInto<kOp, float>(wide.data<float>(), result.data<float>(), plan, ctx.pool());
      return NarrowToHalf(result, out);
    }
    const DType storage = x.dtype() == DType::kBool ? DType::kUint8 : x.dtype();
    return DispatchNumeric(storage, "input", [&](auto tag) {
      using T = decltype(tag);
      ReduceInto<kOp, T>(x.data<T>(), out->data<T>(), plan, ctx.pool());
      return Status::Ok();
    });
  }

 private:
  static bool Supports(DType type) {
    if (type == DType::kBool) return kOp == Op::kMax || kOp == Op::kMin;  // opset 20: any / all
    return type == DType::kFloat32 || type == DType::kFloat64 || type == DType::kFloat16 || IsSignedInteger(type) ||
           IsUnsignedInteger(type);
  }
  Status Axes(const std::vector<int64_t> &axes, size_t rank, std::vector<bool> *reduce, bool *identity) const {
    *identity = axes.empty() && noop_with_empty_axes_ && axes_from_input_;
    reduce->assign(rank, axes.empty());
    for (int64_t axis : axes) {
      int64_t a = 0;
      EXEC_RETURN_IF_ERROR(NormalizeAxis(axis, static_cast<int64_t>(rank), "axis", &a));
      (*reduce)[a] = true;
    }
    return Status::Ok();
  }

  bool keepdims_ = true;
  bool axes_from_input_ = false;
  bool noop_with_empty_axes_ = false;
  std::vector<int64_t> axes_;
};

class ArgMaxKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    axis_ = node.attributes.Int("axis", 0);
    keepdims_ = node.attributes.Int("keepdims", 1) != 0;
    select_last_ = node.attributes.Int("select_last_index", 0) != 0;
    return CheckArity(node, 1, 1, 1, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (!x.rank_known) {
      SetUnknownRank(ctx, 0, DType::kInt64);
      return Status::Ok();
    }
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, static_cast<int64_t>(x.shape.size()), "axis", &axis));
    SetKnown(ctx, 0, DType::kInt64, OutShape(x.shape, axis));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, static_cast<int64_t>(x.rank()), "axis", &axis));
    if (x.dim(axis) == 0) return ShapeError("ArgMax over an empty axis");
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kInt64, OutShape(x.shape(), axis), &out));
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < static_cast<int64_t>(x.rank()); ++d) {
      if (d < axis) outer *= x.dim(d);
      if (d > axis) inner *= x.dim(d);
    }
    const int64_t n = x.dim(axis);
    if (x.dtype() == DType::kFloat16) {
      Tensor wide = WidenHalf(x);
      Search<float>(wide.data<float>(), out->data<int64_t>(), outer, n, inner);
      return Status::Ok();
    }
    return DispatchNumeric(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      Search<T>(x.data<T>(), out->data<int64_t>(), outer, n, inner);
      return Status::Ok();
    });
  }

 private:
  Shape OutShape(const Shape &in, int64_t axis) const {
    Shape out;
    for (int64_t d = 0; d < static_cast<int64_t>(in.size()); ++d) {
      if (d != axis) {
        out.push_back(in[d]);
      } else if (keepdims_) {
        out.push_back(1);
      }
    }
    return out;
  }
  template <typename T>
  void Search(const T *src, int64_t *dst, int64_t outer, int64_t n, int64_t inner) const {
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const T *in = src + o * n * inner + i;
        int64_t best = 0;
        T value = in[0];
        for (int64_t k = 1; k < n; ++k) {
          const T v = in[k * inner];
          bool better = select_last_ ? v >= value : v > value;
          if constexpr (std::is_floating_point_v<T>) {
            // A NaN wins (as numpy's argmax), the first one unless select_last_index.
            if (std::isnan(value)) better = select_last_ && std::isnan(v);
            else if (std::isnan(v)) better = true;
          }
          if (better) {
            best = k;
            value = v;
          }
        }
        dst[o * inner + i] = best;
      }
    }
  }

  int64_t axis_ = 0;
  bool keepdims_ = true;
  bool select_last_ = false;
};

}  // namespace

ACLSIM_REGISTER_OP("ReduceSum", 1, kLatestOpset, ReduceKernel<Op::kSum>);
ACLSIM_REGISTER_OP("ReduceMean", 1, kLatestOpset, ReduceKernel<Op::kMean>);
ACLSIM_REGISTER_OP("ReduceMax", 1, kLatestOpset, ReduceKernel<Op::kMax>);
ACLSIM_REGISTER_OP("ReduceMin", 1, kLatestOpset, ReduceKernel<Op::kMin>);
ACLSIM_REGISTER_OP("ArgMax", 1, kLatestOpset, ArgMaxKernel);

}  // namespace aclsim::exec::ops
