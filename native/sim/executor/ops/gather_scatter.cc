// Gather, GatherElements, ScatterND. Every index is checked against its axis before anything is
// copied (negative indices count from the end); an index out of range is an error naming it.
#include <cstring>
#include <type_traits>

#include "sim/executor/ops/convert.h"
#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

// Reads index i of an int32/int64 indices tensor, resolved against an axis of length `dim`.
Status IndexAt(const Tensor &indices, int64_t i, int64_t dim, int64_t *out) {
  int64_t value = indices.dtype() == DType::kInt64 ? indices.data<int64_t>()[i] : indices.data<int32_t>()[i];
  if (value < -dim || value >= dim) {
    return ShapeError("index %lld (element %lld of the indices) is out of range for an axis of %lld",
                      static_cast<long long>(value), static_cast<long long>(i), static_cast<long long>(dim));
  }
  *out = value < 0 ? value + dim : value;
  return Status::Ok();
}

Status CheckIndices(const Tensor &indices) {
  if (!IsIntegerIndexType(indices.dtype())) {
    return TypeError("indices must be int32 or int64, not %s", DTypeName(indices.dtype()));
  }
  return Status::Ok();
}

class GatherKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    axis_ = node.attributes.Int("axis", 0);
    return CheckArity(node, 2, 2, 2, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &data = ctx.input(0);
    const ValueInfo &indices = ctx.input(1);
    if (indices.dtype != DType::kUndefined && !IsIntegerIndexType(indices.dtype)) {
      return TypeError("indices must be int32 or int64, not %s", DTypeName(indices.dtype));
    }
    if (!data.rank_known || !indices.rank_known) {
      SetUnknownRank(ctx, 0, data.dtype);
      return Status::Ok();
    }
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, static_cast<int64_t>(data.shape.size()), "axis", &axis));
    Shape out(data.shape.begin(), data.shape.begin() + axis);
    out.insert(out.end(), indices.shape.begin(), indices.shape.end());
    out.insert(out.end(), data.shape.begin() + axis + 1, data.shape.end());
    SetKnown(ctx, 0, data.dtype, std::move(out));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &data = *ctx.input(0);
    const Tensor &indices = *ctx.input(1);
    EXEC_RETURN_IF_ERROR(CheckIndices(indices));
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, static_cast<int64_t>(data.rank()), "axis", &axis));
    const int64_t dim = data.dim(axis);
    std::vector<int64_t> resolved(static_cast<size_t>(indices.elements()));
    for (int64_t i = 0; i < indices.elements(); ++i) EXEC_RETURN_IF_ERROR(IndexAt(indices, i, dim, &resolved[i]));
    Shape out_shape(data.shape().begin(), data.shape().begin() + axis);
    out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
    out_shape.insert(out_shape.end(), data.shape().begin() + axis + 1, data.shape().end());
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, data.dtype(), std::move(out_shape), &out));
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < static_cast<int64_t>(data.rank()); ++d) {
      if (d < axis) outer *= data.dim(d);
      if (d > axis) inner *= data.dim(d);
    }
    const size_t block = static_cast<size_t>(inner) * DTypeSize(data.dtype());
    const int64_t count = indices.elements();
    const uint8_t *src = static_cast<const uint8_t *>(data.raw());
    uint8_t *dst = static_cast<uint8_t *>(out->raw());
    if (block == 0 || count == 0) return Status::Ok();
    const int64_t rows = outer * count;
    ctx.pool().ParallelFor(rows, std::max<int64_t>(1, kElementGrain * 4 / static_cast<int64_t>(block)),
                           [&](int64_t begin, int64_t end) {
                             for (int64_t r = begin; r < end; ++r) {
                               const int64_t o = r / count, j = r % count;
                               std::memcpy(dst + r * block, src + (o * dim + resolved[j]) * block, block);
                             }
                           });
    return Status::Ok();
  }

 private:
  int64_t axis_ = 0;
};

class GatherElementsKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    axis_ = node.attributes.Int("axis", 0);
    return CheckArity(node, 2, 2, 2, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &indices = ctx.input(1);
    if (indices.rank_known) {
      SetKnown(ctx, 0, ctx.input(0).dtype, indices.shape);
    } else {
      SetUnknownRank(ctx, 0, ctx.input(0).dtype);
    }
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &data = *ctx.input(0);
    const Tensor &indices = *ctx.input(1);
    EXEC_RETURN_IF_ERROR(CheckIndices(indices));
    const size_t rank = data.rank();
    if (indices.rank() != rank) {
      return ShapeError("indices of rank %zu for data of rank %zu", indices.rank(), rank);
    }
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, static_cast<int64_t>(rank), "axis", &axis));
    for (size_t d = 0; d < rank; ++d) {
      if (static_cast<int64_t>(d) != axis && indices.dim(d) > data.dim(d)) {
        return ShapeError("indices of shape %s do not fit data of shape %s", ShapeToString(indices.shape()).c_str(),
                          ShapeToString(data.shape()).c_str());
      }
    }
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, data.dtype(), indices.shape(), &out));
    const std::vector<int64_t> strides = Strides(data.shape());
    return DispatchBySize(data.dtype(), "data", [&](auto tag) -> Status {
      using T = decltype(tag);
      const T *src = data.data<T>();
      T *dst = out->data<T>();
      std::vector<int64_t> index(rank, 0);
      for (int64_t i = 0; i < indices.elements(); ++i) {
        int64_t at = 0;
        EXEC_RETURN_IF_ERROR(IndexAt(indices, i, data.dim(axis), &at));
        int64_t offset = 0;
        for (size_t d = 0; d < rank; ++d) offset += (static_cast<int64_t>(d) == axis ? at : index[d]) * strides[d];
        dst[i] = src[offset];
        for (size_t d = rank; d-- > 0;) {
          if (++index[d] < indices.dim(d)) break;
          index[d] = 0;
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t axis_ = 0;
};

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

class ScatterNDKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    const std::string reduction = node.attributes.String("reduction", "none");
    if (reduction == "none") {
      reduction_ = Reduction::kNone;
    } else if (reduction == "add" && node.opset >= 16) {
      reduction_ = Reduction::kAdd;
    } else if (reduction == "mul" && node.opset >= 16) {
      reduction_ = Reduction::kMul;
    } else if (reduction == "max" && node.opset >= 18) {
      reduction_ = Reduction::kMax;
    } else if (reduction == "min" && node.opset >= 18) {
      reduction_ = Reduction::kMin;
    } else {
      return InvalidModel("reduction '%s' is not defined at opset %d", reduction.c_str(), node.opset);
    }
    return CheckArity(node, 3, 3, 3, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    SameAsInput(ctx, 0, 0);
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &data = *ctx.input(0);
    const Tensor &indices = *ctx.input(1);
    const Tensor &updates = *ctx.input(2);
    if (indices.dtype() != DType::kInt64) return TypeError("indices must be int64, not %s", DTypeName(indices.dtype()));
    if (updates.dtype() != data.dtype()) {
      return TypeError("updates are %s but data is %s", DTypeName(updates.dtype()), DTypeName(data.dtype()));
    }
    if (indices.rank() == 0) return ShapeError("indices must have rank >= 1");
    const int64_t k = indices.dim(indices.rank() - 1);
    if (k < 1 || k > static_cast<int64_t>(data.rank())) {
      return ShapeError("the last dim of indices (%lld) must be between 1 and the data's rank %zu",
                        static_cast<long long>(k), data.rank());
    }
    // updates: indices.shape[:-1] + data.shape[k:]
    Shape expected(indices.shape().begin(), indices.shape().end() - 1);
    expected.insert(expected.end(), data.shape().begin() + k, data.shape().end());
    if (updates.shape() != expected) {
      return ShapeError("updates have shape %s, expected %s", ShapeToString(updates.shape()).c_str(),
                        ShapeToString(expected).c_str());
    }
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, data.dtype(), data.shape(), &out));
    if (data.bytes() != 0) std::memcpy(out->raw(), data.raw(), data.bytes());
    const std::vector<int64_t> strides = Strides(data.shape());
    const int64_t block = k == static_cast<int64_t>(data.rank()) ? 1 : strides[k - 1];
    const int64_t tuples = indices.elements() / k;
    std::vector<int64_t> offsets(static_cast<size_t>(tuples));
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t offset = 0;
      for (int64_t j = 0; j < k; ++j) {
        int64_t at = 0;
        EXEC_RETURN_IF_ERROR(IndexAt(indices, t * k + j, data.dim(static_cast<size_t>(j)), &at));
        offset += at * strides[j];
      }
      offsets[t] = offset;
    }
    if (reduction_ == Reduction::kNone) {
      const size_t bytes = static_cast<size_t>(block) * DTypeSize(data.dtype());
      uint8_t *dst = static_cast<uint8_t *>(out->raw());
      const uint8_t *src = static_cast<const uint8_t *>(updates.raw());
      for (int64_t t = 0; t < tuples; ++t) {
        std::memcpy(dst + offsets[t] * DTypeSize(data.dtype()), src + t * bytes, bytes);
      }
      return Status::Ok();
    }
    if (data.dtype() == DType::kFloat16) {
      Tensor wide_out = WidenHalf(*out);
      Tensor wide_updates = WidenHalf(updates);
      Reduce<float>(wide_updates.data<float>(), wide_out.data<float>(), offsets, block);
      return NarrowToHalf(wide_out, out);
    }
    return DispatchNumeric(data.dtype(), "data", [&](auto tag) {
      using T = decltype(tag);
      Reduce<T>(updates.data<T>(), out->data<T>(), offsets, block);
      return Status::Ok();
    });
  }

 private:
  template <typename T>
  void Reduce(const T *updates, T *out, const std::vector<int64_t> &offsets, int64_t block) const {
    for (size_t t = 0; t < offsets.size(); ++t) {
      T *dst = out + offsets[t];
      const T *src = updates + static_cast<int64_t>(t) * block;
      for (int64_t i = 0; i < block; ++i) {
        switch (reduction_) {
          case Reduction::kAdd: dst[i] = WrappingAdd(dst[i], src[i]); break;
          case Reduction::kMul: dst[i] = WrappingMul(dst[i], src[i]); break;
          case Reduction::kMax: dst[i] = dst[i] > src[i] ? dst[i] : src[i]; break;
          case Reduction::kMin: dst[i] = dst[i] < src[i] ? dst[i] : src[i]; break;
          case Reduction::kNone: dst[i] = src[i]; break;
        }
      }
    }
  }

  Reduction reduction_ = Reduction::kNone;
};

}  // namespace

ACLSIM_REGISTER_OP("Gather", 1, kLatestOpset, GatherKernel);
ACLSIM_REGISTER_OP("GatherElements", 11, kLatestOpset, GatherElementsKernel);
ACLSIM_REGISTER_OP("ScatterND", 11, kLatestOpset, ScatterNDKernel);

}  // namespace aclsim::exec::ops
