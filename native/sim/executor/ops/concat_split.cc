// Concat and Split: with the tensor seen as [outer, axis dim, inner], each output (or input) is a
// run of `dim * inner` elements in every one of the `outer` rows, copied with memcpy.
#include <cstring>
#include <numeric>

#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

struct Split3 {
  int64_t outer = 1;
  int64_t inner = 1;
};

Split3 AroundAxis(const Shape &shape, int64_t axis) {
  Split3 s;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < axis) s.outer *= shape[d];
    if (d > axis) s.inner *= shape[d];
  }
  return s;
}

class ConcatKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    if (node.opset >= 4 && !node.attributes.Has("axis")) return InvalidModel("the axis attribute is required");
    axis_ = node.attributes.Int("axis", 1);
    const size_t n = node.input_present.size();
    return CheckArity(node, 1, n == 0 ? 1 : n, n, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    DType type = DType::kUndefined;
    int64_t rank = -1;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const ValueInfo &in = ctx.input(i);
      if (in.dtype != DType::kUndefined) {
        if (type != DType::kUndefined && type != in.dtype) {
          return TypeError("inputs have different element types (%s and %s)", DTypeName(type), DTypeName(in.dtype));
        }
        type = in.dtype;
      }
      if (in.rank_known) {
        if (rank >= 0 && rank != static_cast<int64_t>(in.shape.size())) {
          return ShapeError("inputs have different ranks (%lld and %zu)", static_cast<long long>(rank), in.shape.size());
        }
        rank = static_cast<int64_t>(in.shape.size());
      }
    }
    if (rank < 0) {
      SetUnknownRank(ctx, 0, type);
      return Status::Ok();
    }
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, rank, "axis", &axis));
    Shape out(static_cast<size_t>(rank), -1);
    int64_t total = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const ValueInfo &in = ctx.input(i);
      if (!in.rank_known) {
        total = -1;
        continue;
      }
      for (int64_t d = 0; d < rank; ++d) {
        if (d == axis) continue;
        if (in.shape[d] >= 0 && out[d] >= 0 && in.shape[d] != out[d]) {
          return ShapeError("input %zu has dim %lld = %lld where others have %lld", i, static_cast<long long>(d),
                            static_cast<long long>(in.shape[d]), static_cast<long long>(out[d]));
        }
        if (in.shape[d] >= 0) out[d] = in.shape[d];
      }
      if (total < 0 || in.shape[axis] < 0 || __builtin_add_overflow(total, in.shape[axis], &total)) total = -1;
    }
    out[axis] = total;
    SetKnown(ctx, 0, type, std::move(out));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &first = *ctx.input(0);
    const int64_t rank = static_cast<int64_t>(first.rank());
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, rank, "axis", &axis));
    Shape out_shape = first.shape();
    out_shape[axis] = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor &in = *ctx.input(i);
      if (in.dtype() != first.dtype()) {
        return TypeError("input %zu is %s but input 0 is %s", i, DTypeName(in.dtype()), DTypeName(first.dtype()));
      }
      bool fits = static_cast<int64_t>(in.rank()) == rank;
      for (int64_t d = 0; fits && d < rank; ++d) fits = d == axis || in.dim(d) == first.dim(d);
      if (!fits) {
        return ShapeError("input %zu of shape %s does not fit input 0 of shape %s along axis %lld", i,
                          ShapeToString(in.shape()).c_str(), ShapeToString(first.shape()).c_str(),
                          static_cast<long long>(axis));
      }
      out_shape[axis] += in.dim(axis);
    }
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, first.dtype(), out_shape, &out));
    const Split3 s = AroundAxis(out_shape, axis);
    const size_t element = DTypeSize(first.dtype());
    const size_t row_bytes = static_cast<size_t>(out_shape[axis] * s.inner) * element;
    uint8_t *dst = static_cast<uint8_t *>(out->raw());
    size_t offset = 0;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor &in = *ctx.input(i);
      const size_t bytes = static_cast<size_t>(in.dim(axis) * s.inner) * element;
      const uint8_t *src = static_cast<const uint8_t *>(in.raw());
      if (bytes != 0) {
        const int64_t grain = std::max<int64_t>(1, kElementGrain * 4 / static_cast<int64_t>(bytes));
        ctx.pool().ParallelFor(s.outer, grain, [&](int64_t begin, int64_t end) {
          for (int64_t o = begin; o < end; ++o) std::memcpy(dst + o * row_bytes + offset, src + o * bytes, bytes);
        });
      }
      offset += bytes;
    }
    return Status::Ok();
  }

 private:
  int64_t axis_ = 1;
};

class SplitKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    axis_ = node.attributes.Int("axis", 0);
    // `split` is an attribute from opset 2 to 12, an input before (optionally) and from 13 on.
    split_from_input_ = node.opset == 1 || node.opset >= 13;
    if (!split_from_input_ && node.attributes.Has("split")) {
      has_split_ = true;
      split_ = node.attributes.Ints("split");
    }
    if (node.opset == 1 && node.attributes.Has("split")) {
      split_from_input_ = false;
      has_split_ = true;
      split_ = node.attributes.Ints("split");
    }
    if (node.opset >= 18 && node.attributes.Has("num_outputs")) {
      num_outputs_ = node.attributes.Int("num_outputs", 0);
      if (num_outputs_ != static_cast<int64_t>(node.num_outputs)) {
        return InvalidModel("num_outputs is %lld but the node has %zu outputs", static_cast<long long>(num_outputs_),
                            node.num_outputs);
      }
    }
    if (has_split_ && split_.size() != node.num_outputs) {
      return InvalidModel("split has %zu entries but the node has %zu outputs", split_.size(), node.num_outputs);
    }
    return CheckArity(node, 1, split_from_input_ ? 2 : 1, 1, 1, SIZE_MAX);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    const size_t n = ctx.num_outputs();
    if (!x.rank_known) {
      for (size_t k = 0; k < n; ++k) SetUnknownRank(ctx, k, x.dtype);
      return Status::Ok();
    }
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, static_cast<int64_t>(x.shape.size()), "axis", &axis));
    std::vector<int64_t> sizes;
    bool known = true;
    if (split_from_input_ && ctx.has_input(1)) {
      const Tensor *split = ConstantInput(ctx, 1);
      if (split == nullptr) {
        known = false;
      } else {
        EXEC_RETURN_IF_ERROR(ReadInts(*split, "split", &sizes));
      }
    }
    if (known) {
      if (x.shape[axis] < 0 && sizes.empty() && !has_split_) {
        known = false;
      } else {
        EXEC_RETURN_IF_ERROR(Sizes(x.shape[axis] < 0 ? -1 : x.shape[axis], n, &sizes));
      }
    }
    for (size_t k = 0; k < n; ++k) {
      Shape shape = x.shape;
      shape[axis] = known ? sizes[k] : -1;
      SetKnown(ctx, k, x.dtype, std::move(shape));
    }
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, static_cast<int64_t>(x.rank()), "axis", &axis));
    std::vector<int64_t> sizes;
    if (split_from_input_ && ctx.input(1) != nullptr) EXEC_RETURN_IF_ERROR(ReadInts(*ctx.input(1), "split", &sizes));
    EXEC_RETURN_IF_ERROR(Sizes(x.dim(axis), ctx.num_outputs(), &sizes));
    const Split3 s = AroundAxis(x.shape(), axis);
    const size_t element = DTypeSize(x.dtype());
    const size_t row_bytes = static_cast<size_t>(x.dim(axis) * s.inner) * element;
    const uint8_t *src = static_cast<const uint8_t *>(x.raw());
    size_t offset = 0;
    for (size_t k = 0; k < ctx.num_outputs(); ++k) {
      Shape shape = x.shape();
      shape[axis] = sizes[k];
      const size_t bytes = static_cast<size_t>(sizes[k] * s.inner) * element;
      if (ctx.output_wanted(k)) {
        Tensor *out = nullptr;
        EXEC_RETURN_IF_ERROR(ctx.Allocate(k, x.dtype(), std::move(shape), &out));
        uint8_t *dst = static_cast<uint8_t *>(out->raw());
        if (bytes != 0) {
          const int64_t grain = std::max<int64_t>(1, kElementGrain * 4 / static_cast<int64_t>(bytes));
          ctx.pool().ParallelFor(s.outer, grain, [&](int64_t begin, int64_t end) {
            for (int64_t o = begin; o < end; ++o) std::memcpy(dst + o * bytes, src + o * row_bytes + offset, bytes);
          });
        }
      }
      offset += bytes;
    }
    return Status::Ok();
  }

 private:
  // The size of each output along the axis of length `dim` (-1 when unknown: only checks).
  Status Sizes(int64_t dim, size_t outputs, std::vector<int64_t> *sizes) const {
    if (sizes->empty() && has_split_) *sizes = split_;
    if (!sizes->empty()) {
      if (sizes->size() != outputs) {
        return ShapeError("split has %zu entries for %zu outputs", sizes->size(), outputs);
      }
      int64_t sum = 0;
      for (int64_t size : *sizes) {
        if (size < 0 || __builtin_add_overflow(sum, size, &sum)) {
          return ShapeError("split %s has a negative or too large size", ShapeToString(*sizes).c_str());
        }
      }
      if (dim >= 0 && sum != dim) {
        return ShapeError("split %s adds up to %lld, but the axis has %lld", ShapeToString(*sizes).c_str(),
                          static_cast<long long>(sum), static_cast<long long>(dim));
      }
      return Status::Ok();
    }
    const int64_t n = static_cast<int64_t>(outputs);
    if (num_outputs_ > 0) {  // opset 18: ceil-sized chunks, the last one smaller
      const int64_t chunk = dim / n + (dim % n != 0 ? 1 : 0);
      int64_t remaining = dim;
      for (int64_t k = 0; k < n; ++k) {
        sizes->push_back(std::min(chunk, remaining));
        remaining -= sizes->back();
      }
      return Status::Ok();
    }
    if (dim % n != 0) {
      return ShapeError("an axis of %lld cannot be split into %lld equal parts", static_cast<long long>(dim),
                        static_cast<long long>(n));
    }
    sizes->assign(outputs, dim / n);
    return Status::Ok();
  }

  int64_t axis_ = 0;
  bool split_from_input_ = false;
  bool has_split_ = false;
  std::vector<int64_t> split_;
  int64_t num_outputs_ = 0;
};

}  // namespace

ACLSIM_REGISTER_OP("Concat", 1, kLatestOpset, ConcatKernel);
ACLSIM_REGISTER_OP("Split", 1, kLatestOpset, SplitKernel);

}  // namespace aclsim::exec::ops
