// Ops that make values from attributes or shapes: Constant, ConstantOfShape, Shape, Size, Range.
// Shape and Size of an input whose shape is fully known are constants at load already, so the
// shape arithmetic models build from them folds to static shapes.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

std::shared_ptr<const Tensor> Int64Vector(const std::vector<int64_t> &values) {
  auto tensor = std::make_shared<Tensor>(DType::kInt64, Shape{static_cast<int64_t>(values.size())});
  if (!values.empty()) std::memcpy(tensor->raw(), values.data(), values.size() * sizeof(int64_t));
  return tensor;
}

class ConstantKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    EXEC_RETURN_IF_ERROR(CheckArity(node, 0, 0, 0, 1, 1));
    const Attributes &a = node.attributes;
    int given = 0;
    for (const char *name : {"value", "sparse_value", "value_float", "value_floats", "value_int", "value_ints",
                             "value_string", "value_strings"}) {
      given += a.Has(name) ? 1 : 0;
    }
    if (given != 1) return InvalidModel("exactly one value attribute must be set, found %d", given);
    if (a.Has("sparse_value")) return InvalidModel("sparse_value is not supported by the simulator");
    if (a.Has("value_string") || a.Has("value_strings")) {
      return InvalidModel("string constants are not supported by the simulator");
    }
    Tensor value;
    if (const Attribute *t = a.Find("value")) {
      if (t->kind != Attribute::Kind::kTensor) return InvalidModel("the value attribute is not a tensor");
      if (!t->t.defined()) {
        return InvalidModel("the value tensor has an element type the simulator does not support (string, complex)");
      }
      value = t->t;
    } else if (const Attribute *f = a.Find("value_float")) {
      value = Tensor(DType::kFloat32, {});
      value.data<float>()[0] = f->f;
    } else if (const Attribute *fs = a.Find("value_floats")) {
      value = Tensor(DType::kFloat32, {static_cast<int64_t>(fs->floats.size())});
      if (!fs->floats.empty()) std::memcpy(value.raw(), fs->floats.data(), fs->floats.size() * sizeof(float));
    } else if (const Attribute *i = a.Find("value_int")) {
      value = Tensor(DType::kInt64, {});
      value.data<int64_t>()[0] = i->i;
    } else if (const Attribute *is = a.Find("value_ints")) {
      value = Tensor(DType::kInt64, {static_cast<int64_t>(is->ints.size())});
      if (!is->ints.empty()) std::memcpy(value.raw(), is->ints.data(), is->ints.size() * sizeof(int64_t));
    }
    value_ = std::make_shared<const Tensor>(std::move(value));
    return Status::Ok();
  }
  Status Infer(InferContext &ctx) const override {
    SetKnown(ctx, 0, value_->dtype(), value_->shape());
    ctx.output(0).value = value_;
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    ctx.SetOutput(0, *value_);
    return Status::Ok();
  }

 private:
  std::shared_ptr<const Tensor> value_;
};

class ConstantOfShapeKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    EXEC_RETURN_IF_ERROR(CheckArity(node, 1, 1, 1, 1, 1));
    if (const Attribute *a = node.attributes.Find("value")) {
      if (a->kind != Attribute::Kind::kTensor || !a->t.defined() || a->t.elements() != 1) {
        return InvalidModel("value must be a one-element tensor of a supported type");
      }
      value_ = a->t;
    } else {
      value_ = Tensor(DType::kFloat32, {1});
      value_.data<float>()[0] = 0.0f;
    }
    return Status::Ok();
  }
  Status Infer(InferContext &ctx) const override {
    const Tensor *shape = ConstantInput(ctx, 0);
    if (shape != nullptr) {
      std::vector<int64_t> dims;
      EXEC_RETURN_IF_ERROR(ReadShape(*shape, &dims));
      SetKnown(ctx, 0, value_.dtype(), Shape(dims.begin(), dims.end()));
      return Status::Ok();
    }
    const ValueInfo &info = ctx.input(0);
    if (info.rank_known && info.shape.size() == 1 && info.shape[0] >= 0) {
      SetKnown(ctx, 0, value_.dtype(), Shape(static_cast<size_t>(info.shape[0]), -1));
    } else {
      SetUnknownRank(ctx, 0, value_.dtype());
    }
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    std::vector<int64_t> dims;
    EXEC_RETURN_IF_ERROR(ReadShape(*ctx.input(0), &dims));
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, value_.dtype(), Shape(dims.begin(), dims.end()), &out));
    return DispatchBySize(value_.dtype(), "value", [&](auto tag) {
      using T = decltype(tag);
      const T fill = value_.data<T>()[0];
      T *dst = out->data<T>();
      ctx.pool().ParallelFor(out->elements(), kElementGrain, [&](int64_t begin, int64_t end) {
        std::fill(dst + begin, dst + end, fill);
      });
      return Status::Ok();
    });
  }

 private:
  static Status ReadShape(const Tensor &shape, std::vector<int64_t> *dims) {
    if (shape.dtype() != DType::kInt64) return TypeError("the shape must be int64, not %s", DTypeName(shape.dtype()));
    EXEC_RETURN_IF_ERROR(ReadInts(shape, "the shape", dims));
    for (int64_t dim : *dims) {
      if (dim < 0) return ShapeError("shape %s has a negative dim", ShapeToString(*dims).c_str());
    }
    return Status::Ok();
  }
  Tensor value_;
};

// Shape: the dims (from opset 15, those in [start, end), with Python slice clamping).
class ShapeKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    start_ = node.attributes.Int("start", 0);
    has_end_ = node.attributes.Has("end");
    end_ = node.attributes.Int("end", 0);
    return CheckArity(node, 1, 1, 1, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (!x.rank_known) {
      SetKnown(ctx, 0, DType::kInt64, {-1});
      return Status::Ok();
    }
    int64_t begin = 0, end = 0;
    Range(static_cast<int64_t>(x.shape.size()), &begin, &end);
    Shape dims(x.shape.begin() + begin, x.shape.begin() + end);
    SetKnown(ctx, 0, DType::kInt64, {end - begin});
    if (IsKnown(dims)) ctx.output(0).value = Int64Vector(std::vector<int64_t>(dims.begin(), dims.end()));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Shape &shape = ctx.input(0)->shape();
    int64_t begin = 0, end = 0;
    Range(static_cast<int64_t>(shape.size()), &begin, &end);
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kInt64, {end - begin}, &out));
    for (int64_t i = begin; i < end; ++i) out->data<int64_t>()[i - begin] = shape[i];
    return Status::Ok();
  }

 private:
  void Range(int64_t rank, int64_t *begin, int64_t *end) const {
    auto clamp = [rank](int64_t v) {
      if (v < 0) v += rank;
      return std::clamp<int64_t>(v, 0, rank);
    };
    *begin = clamp(start_);
    *end = has_end_ ? clamp(end_) : rank;
    if (*end < *begin) *end = *begin;
  }
  int64_t start_ = 0;
  bool has_end_ = false;
  int64_t end_ = 0;
};

class SizeKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    return CheckArity(node, 1, 1, 1, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    SetKnown(ctx, 0, DType::kInt64, {});
    const int64_t count = x.rank_known ? CheckedElementCount(x.shape) : -1;
    if (count >= 0) {
      auto value = std::make_shared<Tensor>(DType::kInt64, Shape{});
      value->data<int64_t>()[0] = count;
      ctx.output(0).value = std::move(value);
    }
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kInt64, {}, &out));
    out->data<int64_t>()[0] = ctx.input(0)->elements();
    return Status::Ok();
  }
};

// Range: max(ceil((limit - start) / delta), 0) values start, start + delta, ...
class RangeKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    return CheckArity(node, 3, 3, 3, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const DType type = ctx.input(0).dtype;
    const Tensor *start = ConstantInput(ctx, 0);
    const Tensor *limit = ConstantInput(ctx, 1);
    const Tensor *delta = ConstantInput(ctx, 2);
    if (start != nullptr && limit != nullptr && delta != nullptr) {
      int64_t count = 0;
      EXEC_RETURN_IF_ERROR(Count(*start, *limit, *delta, &count));
      SetKnown(ctx, 0, type, {count});
    } else {
      SetKnown(ctx, 0, type, {-1});
    }
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &start = *ctx.input(0);
    const Tensor &limit = *ctx.input(1);
    const Tensor &delta = *ctx.input(2);
    int64_t count = 0;
    EXEC_RETURN_IF_ERROR(Count(start, limit, delta, &count));
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, start.dtype(), {count}, &out));
    return DispatchNumeric(start.dtype(), "Range", [&](auto tag) {
      using T = decltype(tag);
      const T s = start.data<T>()[0];
      const T d = delta.data<T>()[0];
      T *dst = out->data<T>();
      // Each value from its index (not by repeated addition), as the ONNX reference does.
      for (int64_t i = 0; i < count; ++i) {
        if constexpr (std::is_integral_v<T>) {  // wraps like the int64 arithmetic it stands for
          dst[i] = static_cast<T>(static_cast<uint64_t>(static_cast<int64_t>(s)) +
                                  static_cast<uint64_t>(i) * static_cast<uint64_t>(static_cast<int64_t>(d)));
        } else {
          dst[i] = static_cast<T>(s + static_cast<T>(i) * d);
        }
      }
      return Status::Ok();
    });
  }

 private:
  static Status Count(const Tensor &start, const Tensor &limit, const Tensor &delta, int64_t *count) {
    if (start.dtype() != limit.dtype() || start.dtype() != delta.dtype()) {
      return TypeError("start, limit and delta have different element types (%s, %s, %s)", DTypeName(start.dtype()),
                       DTypeName(limit.dtype()), DTypeName(delta.dtype()));
    }
    switch (start.dtype()) {
      case DType::kFloat32: case DType::kFloat64: case DType::kInt16: case DType::kInt32: case DType::kInt64: break;
      default: return TypeError("element type %s is not supported", DTypeName(start.dtype()));
    }
    for (const Tensor *t : {&start, &limit, &delta}) {
      if (t->elements() != 1) return ShapeError("start, limit and delta must be scalars");
    }
    if (start.dtype() == DType::kInt64) {
      const int64_t s = start.data<int64_t>()[0], l = limit.data<int64_t>()[0], d = delta.data<int64_t>()[0];
      if (d == 0) return ShapeError("delta is 0");
      // In 128 bits: (l - s) can overflow int64.
      const __int128 span = static_cast<__int128>(l) - s;
      __int128 n = span / d + ((span % d != 0 && ((span > 0) == (d > 0))) ? 1 : 0);
      *count = n > 0 ? static_cast<int64_t>(std::min<__int128>(n, INT64_MAX)) : 0;
      return Status::Ok();
    }
    double s = 0, l = 0, d = 0;
    EXEC_RETURN_IF_ERROR(ReadScalar(start, "start", &s));
    EXEC_RETURN_IF_ERROR(ReadScalar(limit, "limit", &l));
    EXEC_RETURN_IF_ERROR(ReadScalar(delta, "delta", &d));
    if (d == 0) return ShapeError("delta is 0");
    const double n = std::ceil((l - s) / d);
    if (!(n < 9.2e18)) return ShapeError("Range from %g to %g by %g has too many values", s, l, d);
    *count = n > 0 ? static_cast<int64_t>(n) : 0;
    return Status::Ok();
  }
};

}  // namespace

ACLSIM_REGISTER_OP("Constant", 1, kLatestOpset, ConstantKernel);
ACLSIM_REGISTER_OP("ConstantOfShape", 9, kLatestOpset, ConstantOfShapeKernel);
ACLSIM_REGISTER_OP("Shape", 1, kLatestOpset, ShapeKernel);
ACLSIM_REGISTER_OP("Size", 1, kLatestOpset, SizeKernel);
ACLSIM_REGISTER_OP("Range", 11, kLatestOpset, RangeKernel);

}  // namespace aclsim::exec::ops
