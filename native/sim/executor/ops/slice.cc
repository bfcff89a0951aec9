// Slice: starts/ends/axes as attributes (opset < 10) or inputs (with steps), negative indices
// counted from the end and clamped as ONNX specifies (INT64_MAX/MIN mean "to the end").
#include <algorithm>
#include <cstring>
#include <limits>

#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

struct AxisRange {
  int64_t start = 0;
  int64_t step = 1;
  int64_t count = 0;
};

// One axis of length `dim` sliced [start, end) by `step`.
AxisRange Clamp(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (start < 0) start += dim;  // dim >= 0: INT64_MIN + dim cannot overflow
  if (end < 0) end += dim;
  if (step == std::numeric_limits<int64_t>::min()) step = -std::numeric_limits<int64_t>::max();  // same slice
  AxisRange r;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    r.count = end > start ? 1 + (end - start - 1) / step : 0;
  } else {
    start = std::clamp<int64_t>(start, -1, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    r.count = start > end ? 1 + (start - end - 1) / -step : 0;
  }
  r.start = r.count > 0 ? start : 0;
  // With one element (or none) the step is irrelevant; 1 keeps offset arithmetic small.
  r.step = r.count > 1 ? step : 1;
  return r;
}

struct SliceSpec {
  std::vector<int64_t> starts, ends, axes, steps;
};

// Per dim of `shape`, the range taken (all of it for dims not named by axes).
Status Resolve(const Shape &shape, const SliceSpec &spec, std::vector<AxisRange> *ranges) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (spec.starts.size() != spec.ends.size()) {
    return ShapeError("starts has %zu entries but ends has %zu", spec.starts.size(), spec.ends.size());
  }
  if (!spec.axes.empty() && spec.axes.size() != spec.starts.size()) {
    return ShapeError("axes has %zu entries but starts has %zu", spec.axes.size(), spec.starts.size());
  }
  if (!spec.steps.empty() && spec.steps.size() != spec.starts.size()) {
    return ShapeError("steps has %zu entries but starts has %zu", spec.steps.size(), spec.starts.size());
  }
  ranges->assign(shape.size(), AxisRange());
  std::vector<bool> seen(shape.size(), false);
  for (size_t d = 0; d < shape.size(); ++d) (*ranges)[d].count = shape[d];
  for (size_t i = 0; i < spec.starts.size(); ++i) {
    int64_t axis = spec.axes.empty() ? static_cast<int64_t>(i) : spec.axes[i];
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis, rank, "axis", &axis));
    if (seen[axis]) return ShapeError("axis %lld is sliced twice", static_cast<long long>(axis));
    seen[axis] = true;
    const int64_t step = spec.steps.empty() ? 1 : spec.steps[i];
    if (step == 0) return ShapeError("step 0 on axis %lld", static_cast<long long>(axis));
    if (shape[axis] < 0) {
      (*ranges)[axis].count = -1;  // inference with an unknown dim
      continue;
    }
    (*ranges)[axis] = Clamp(shape[axis], spec.starts[i], spec.ends[i], step);
  }
  return Status::Ok();
}

class SliceKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    from_attributes_ = node.opset < 10;
    if (from_attributes_) {
      if (!node.attributes.Has("starts") || !node.attributes.Has("ends")) {
        return InvalidModel("the starts and ends attributes are required");
      }
      attributes_.starts = node.attributes.Ints("starts");
      attributes_.ends = node.attributes.Ints("ends");
      attributes_.axes = node.attributes.Ints("axes");
      return CheckArity(node, 1, 1, 1, 1, 1);
    }
    return CheckArity(node, 3, 5, 3, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    SliceSpec spec = attributes_;
    bool known = true;
    if (!from_attributes_) {
      std::vector<int64_t> *fields[] = {&spec.starts, &spec.ends, &spec.axes, &spec.steps};
      for (size_t i = 1; i < 5 && i < ctx.num_inputs(); ++i) {
        if (!ctx.has_input(i)) continue;
        const Tensor *value = ConstantInput(ctx, i);
        if (value == nullptr) {
          known = false;
          break;
        }
        EXEC_RETURN_IF_ERROR(ReadInts(*value, "a slice parameter", fields[i - 1]));
      }
    }
    if (!x.rank_known) {
      SetUnknownRank(ctx, 0, x.dtype);
      return Status::Ok();
    }
    if (!known) {
      // Only the axes we cannot see are unknown; without axes, any may be sliced.
      SetKnown(ctx, 0, x.dtype, Shape(x.shape.size(), -1));
      return Status::Ok();
    }
    std::vector<AxisRange> ranges;
    EXEC_RETURN_IF_ERROR(Resolve(x.shape, spec, &ranges));
    Shape out;
    for (const AxisRange &r : ranges) out.push_back(r.count);
    SetKnown(ctx, 0, x.dtype, std::move(out));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    SliceSpec spec = attributes_;
    if (!from_attributes_) {
      std::vector<int64_t> *fields[] = {&spec.starts, &spec.ends, &spec.axes, &spec.steps};
      for (size_t i = 1; i < 5; ++i) {
        if (ctx.input(i) != nullptr) EXEC_RETURN_IF_ERROR(ReadInts(*ctx.input(i), "a slice parameter", fields[i - 1]));
      }
    }
    std::vector<AxisRange> ranges;
    EXEC_RETURN_IF_ERROR(Resolve(x.shape(), spec, &ranges));
    Shape out_shape;
    for (const AxisRange &r : ranges) out_shape.push_back(r.count);
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), out_shape, &out));
    if (out->elements() == 0) return Status::Ok();
    return DispatchBySize(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      Copy<T>(x, ranges, out, ctx.pool());
      return Status::Ok();
    });
  }

 private:
  template <typename T>
  static void Copy(const Tensor &x, const std::vector<AxisRange> &ranges, Tensor *out, ThreadPool &pool) {
    const size_t rank = x.rank();
    const T *src = x.data<T>();
    T *dst = out->data<T>();
    if (rank == 0) {
      dst[0] = src[0];
      return;
    }
    const std::vector<int64_t> strides = Strides(x.shape());
    const Shape &out_shape = out->shape();
    const int64_t inner = out_shape[rank - 1];
    const int64_t inner_step = ranges[rank - 1].step;
    int64_t base = 0;
    for (size_t d = 0; d < rank; ++d) base += ranges[d].start * strides[d];
    const int64_t rows = out->elements() / inner;
    pool.ParallelFor(rows, std::max<int64_t>(1, kElementGrain / inner), [&](int64_t begin, int64_t end) {
      std::vector<int64_t> index(rank, 0);
      int64_t rest = begin;
      int64_t offset = base;
      for (size_t d = rank - 1; d-- > 0;) {
        index[d] = rest % out_shape[d];
        rest /= out_shape[d];
        offset += index[d] * ranges[d].step * strides[d];
      }
      for (int64_t row = begin; row < end; ++row) {
        T *to = dst + row * inner;
        const T *from = src + offset;
        if (inner_step == 1) {
          std::memcpy(to, from, static_cast<size_t>(inner) * sizeof(T));
        } else {
          for (int64_t i = 0; i < inner; ++i) to[i] = from[i * inner_step];
        }
        for (size_t d = rank - 1; d-- > 0;) {
          offset += ranges[d].step * strides[d];
          if (++index[d] < out_shape[d]) break;
          offset -= out_shape[d] * ranges[d].step * strides[d];
          index[d] = 0;
        }
      }
    });
  }

  bool from_attributes_ = false;
  SliceSpec attributes_;
};

}  // namespace

ACLSIM_REGISTER_OP("Slice", 1, kLatestOpset, SliceKernel);

}  // namespace aclsim::exec::ops
