// Ops that only change how the same elements are shaped — Reshape Flatten Squeeze Unsqueeze —
// plus Identity and inference-mode Dropout. Their outputs share the input's bytes (no copy).
#include <algorithm>
#include <cstring>
#include <set>

#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

// Reshape's target from the input shape (dims may be -1 = unknown when inferring) and the
// requested shape: 0 copies the input dim (unless allowzero), one -1 takes what is left.
Status ResolveReshape(const Shape &in, const std::vector<int64_t> &spec, bool allowzero, bool exact, Shape *out) {
  out->assign(spec.begin(), spec.end());
  int64_t fill = -1;
  bool has_zero = false;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == 0 && !allowzero) {
      if (i >= in.size()) {
        return ShapeError("shape %s copies dim %zu (0) of an input of rank %zu", ShapeToString(spec).c_str(), i,
                          in.size());
      }
      (*out)[i] = in[i];
    } else if (spec[i] == -1) {
      if (fill >= 0) return ShapeError("shape %s has more than one -1", ShapeToString(spec).c_str());
      fill = static_cast<int64_t>(i);
    } else if (spec[i] < -1) {
      return ShapeError("shape %s has a negative dim", ShapeToString(spec).c_str());
    }
    if (spec[i] == 0 && allowzero) has_zero = true;
  }
  if (fill >= 0 && has_zero) {
    return ShapeError("shape %s has both -1 and 0 while allowzero is set", ShapeToString(spec).c_str());
  }
  const int64_t total = CheckedElementCount(in);
  const bool input_known = total >= 0;
  int64_t known = 1;
  bool output_known = true;
  for (size_t i = 0; i < out->size(); ++i) {
    if (static_cast<int64_t>(i) == fill) continue;
    if ((*out)[i] < 0) {
      output_known = false;
    } else if ((*out)[i] != 0 && known > INT64_MAX / (*out)[i]) {
      return ShapeError("shape %s is too large", ShapeToString(spec).c_str());
    } else {
      known *= (*out)[i];
    }
  }
  if (fill >= 0) {
    if (!input_known || !output_known) {
      (*out)[fill] = -1;
      return Status::Ok();
    }
    if (known == 0 || total % known != 0) {
      return ShapeError("cannot reshape %s (%lld elements) to %s", ShapeToString(in).c_str(),
                        static_cast<long long>(total), ShapeToString(spec).c_str());
    }
    (*out)[fill] = total / known;
    return Status::Ok();
  }
  if ((exact || (input_known && output_known)) && known != total) {
    return ShapeError("cannot reshape %s (%lld elements) to %s (%lld elements)", ShapeToString(in).c_str(),
                      static_cast<long long>(total), ShapeToString(*out).c_str(), static_cast<long long>(known));
  }
  return Status::Ok();
}

class ReshapeKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    allowzero_ = node.attributes.Int("allowzero", 0) != 0;
    if (node.opset < 5) {
      from_attribute_ = true;
      attribute_shape_ = node.attributes.Ints("shape");
      return CheckArity(node, 1, 1, 1, 1, 1);
    }
    return CheckArity(node, 2, 2, 2, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    std::vector<int64_t> spec = attribute_shape_;
    if (!from_attribute_) {
      const Tensor *shape = ConstantInput(ctx, 1);
      if (shape == nullptr) {
        const ValueInfo &info = ctx.input(1);
        if (info.rank_known && info.shape.size() == 1 && info.shape[0] >= 0) {
          SetKnown(ctx, 0, x.dtype, Shape(static_cast<size_t>(info.shape[0]), -1));
        } else {
          SetUnknownRank(ctx, 0, x.dtype);
        }
        return Status::Ok();
      }
      EXEC_RETURN_IF_ERROR(ReadInts(*shape, "the shape", &spec));
    }
    if (!x.rank_known) {
      // Dims given outright are known even so.
      Shape out(spec.begin(), spec.end());
      for (int64_t &dim : out) {
        if (dim == -1 || (dim == 0 && !allowzero_)) dim = -1;
      }
      SetKnown(ctx, 0, x.dtype, std::move(out));
      return Status::Ok();
    }
    Shape out;
    EXEC_RETURN_IF_ERROR(ResolveReshape(x.shape, spec, allowzero_, false, &out));
    SetKnown(ctx, 0, x.dtype, std::move(out));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    std::vector<int64_t> spec = attribute_shape_;
    if (!from_attribute_) EXEC_RETURN_IF_ERROR(ReadInts(*ctx.input(1), "the shape", &spec));
    Shape out;
    EXEC_RETURN_IF_ERROR(ResolveReshape(x.shape(), spec, allowzero_, true, &out));
    ctx.SetOutput(0, x.Reshaped(std::move(out)));
    return Status::Ok();
  }

 private:
  bool allowzero_ = false;
  bool from_attribute_ = false;
  std::vector<int64_t> attribute_shape_;
};

class FlattenKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    axis_ = node.attributes.Int("axis", 1);
    return CheckArity(node, 1, 1, 1, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (!x.rank_known) {
      SetKnown(ctx, 0, x.dtype, {-1, -1});
      return Status::Ok();
    }
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(Axis(static_cast<int64_t>(x.shape.size()), &axis));
    int64_t dims[2] = {1, 1};
    for (size_t d = 0; d < x.shape.size(); ++d) {
      int64_t &target = dims[static_cast<int64_t>(d) < axis ? 0 : 1];
      if (target < 0 || x.shape[d] < 0 || __builtin_mul_overflow(target, x.shape[d], &target)) target = -1;
    }
    SetKnown(ctx, 0, x.dtype, {dims[0], dims[1]});
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(Axis(static_cast<int64_t>(x.rank()), &axis));
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.dim(static_cast<size_t>(d));
    const int64_t inner = outer == 0 ? 0 : x.elements() / outer;
    Shape out = {outer, inner};
    if (outer == 0) {  // keep the true inner product when the outer part is empty
      out[1] = 1;
      for (size_t d = static_cast<size_t>(axis); d < x.rank(); ++d) out[1] *= x.dim(d);
    }
    ctx.SetOutput(0, x.Reshaped(std::move(out)));
    return Status::Ok();
  }

 private:
  // Flatten's axis may also equal the rank (everything in the first dim).
  Status Axis(int64_t rank, int64_t *out) const {
    if (axis_ < -rank || axis_ > rank) {
      return ShapeError("axis %lld is out of range for rank %lld", static_cast<long long>(axis_),
                        static_cast<long long>(rank));
    }
    *out = axis_ < 0 ? axis_ + rank : axis_;
    return Status::Ok();
  }
  int64_t axis_ = 1;
};

// Squeeze and Unsqueeze: axes as an attribute (opset < 13) or an input.
class AxesKernel : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    axes_from_input_ = node.opset >= 13;
    if (!axes_from_input_) {
      has_axes_ = node.attributes.Has("axes");
      axes_ = node.attributes.Ints("axes");
      return CheckArity(node, 1, 1, 1, 1, 1);
    }
    return CheckArity(node, 1, 2, 1, 1, 1);
  }

 protected:
  // The axes when known: false when they come from a non-constant input.
  bool KnownAxes(const InferContext &ctx, bool *has_axes, std::vector<int64_t> *axes, Status *status) const {
    *status = Status::Ok();
    if (!axes_from_input_) {
      *has_axes = has_axes_;
      *axes = axes_;
      return true;
    }
    if (!ctx.has_input(1)) {
      *has_axes = false;
      axes->clear();
      return true;
    }
    const Tensor *value = ConstantInput(ctx, 1);
    if (value == nullptr) return false;
    *has_axes = true;
    *status = ReadInts(*value, "axes", axes);
    return true;
  }
  Status RunAxes(const RunContext &ctx, bool *has_axes, std::vector<int64_t> *axes) const {
    if (!axes_from_input_) {
      *has_axes = has_axes_;
      *axes = axes_;
      return Status::Ok();
    }
    *has_axes = ctx.input(1) != nullptr;
    if (!*has_axes) return Status::Ok();
    return ReadInts(*ctx.input(1), "axes", axes);
  }

 private:
  bool axes_from_input_ = false;
  bool has_axes_ = false;
  std::vector<int64_t> axes_;
};

// Dims of `in` with `axes` removed (all dims of size 1 when axes are not given).
Status Squeezed(const Shape &in, bool has_axes, const std::vector<int64_t> &axes, Shape *out) {
  std::vector<bool> drop(in.size(), false);
  if (!has_axes) {
    for (size_t d = 0; d < in.size(); ++d) drop[d] = in[d] == 1;
  } else {
    for (int64_t axis : axes) {
      int64_t a = 0;
      EXEC_RETURN_IF_ERROR(NormalizeAxis(axis, static_cast<int64_t>(in.size()), "axis", &a));
      if (in[a] >= 0 && in[a] != 1) {
        return ShapeError("cannot squeeze dim %lld of shape %s: it is not 1", static_cast<long long>(axis),
                          ShapeToString(in).c_str());
      }
      drop[a] = true;
    }
  }
  out->clear();
  for (size_t d = 0; d < in.size(); ++d) {
    if (!drop[d]) out->push_back(in[d]);
  }
  return Status::Ok();
}

class SqueezeKernel final : public AxesKernel {
 public:
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    bool has_axes = false;
    std::vector<int64_t> axes;
    Status status;
    if (!x.rank_known || !KnownAxes(ctx, &has_axes, &axes, &status) || (!has_axes && !IsKnown(x.shape))) {
      SetUnknownRank(ctx, 0, x.dtype);
      return status;
    }
    EXEC_RETURN_IF_ERROR(status);
    Shape out;
    EXEC_RETURN_IF_ERROR(Squeezed(x.shape, has_axes, axes, &out));
    SetKnown(ctx, 0, x.dtype, std::move(out));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    bool has_axes = false;
    std::vector<int64_t> axes;
    EXEC_RETURN_IF_ERROR(RunAxes(ctx, &has_axes, &axes));
    Shape out;
    EXEC_RETURN_IF_ERROR(Squeezed(x.shape(), has_axes, axes, &out));
    ctx.SetOutput(0, x.Reshaped(std::move(out)));
    return Status::Ok();
  }
};

Status Unsqueezed(const Shape &in, const std::vector<int64_t> &axes, Shape *out) {
  const int64_t rank = static_cast<int64_t>(in.size() + axes.size());
  std::vector<bool> inserted(static_cast<size_t>(rank), false);
  for (int64_t axis : axes) {
    int64_t a = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis, rank, "axis", &a));
    if (inserted[a]) return ShapeError("axis %lld is given twice", static_cast<long long>(axis));
    inserted[a] = true;
  }
  out->clear();
  size_t next = 0;
  for (int64_t d = 0; d < rank; ++d) out->push_back(inserted[d] ? 1 : in[next++]);
  return Status::Ok();
}

class UnsqueezeKernel final : public AxesKernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    EXEC_RETURN_IF_ERROR(AxesKernel::Init(node, constants));
    if (node.opset >= 13 && node.input_present.size() < 2) return InvalidModel("the axes input is required");
    if (node.opset < 13 && !node.attributes.Has("axes")) return InvalidModel("the axes attribute is required");
    return Status::Ok();
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    bool has_axes = false;
    std::vector<int64_t> axes;
    Status status;
    if (!x.rank_known || !KnownAxes(ctx, &has_axes, &axes, &status)) {
      SetUnknownRank(ctx, 0, x.dtype);
      return status;
    }
    EXEC_RETURN_IF_ERROR(status);
    Shape out;
    EXEC_RETURN_IF_ERROR(Unsqueezed(x.shape, axes, &out));
    SetKnown(ctx, 0, x.dtype, std::move(out));
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    bool has_axes = false;
    std::vector<int64_t> axes;
    EXEC_RETURN_IF_ERROR(RunAxes(ctx, &has_axes, &axes));
    Shape out;
    EXEC_RETURN_IF_ERROR(Unsqueezed(x.shape(), axes, &out));
    ctx.SetOutput(0, x.Reshaped(std::move(out)));
    return Status::Ok();
  }
};

class IdentityKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    return CheckArity(node, 1, 1, 1, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    SameAsInput(ctx, 0, 0);
    // An identity of a constant is that constant.
    if (ctx.input(0).value != nullptr) ctx.output(0).value = ctx.input(0).value;
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    ctx.SetOutput(0, *ctx.input(0));
    return Status::Ok();
  }
};

// Dropout at inference: the identity, with a mask of all ones (bool from opset 10 on, the
// input's type before). Training mode with a ratio above 0 is random and not supported.
class DropoutKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    opset_ = node.opset;
    EXEC_RETURN_IF_ERROR(CheckArity(node, 1, node.opset >= 12 ? 3 : 1, 1, 1, 2));
    if (opset_ < 12) return Status::Ok();
    bool training = false;
    double ratio = 0.5;
    const Tensor *ratio_value = constants.size() > 1 ? constants[1] : nullptr;
    const Tensor *training_value = constants.size() > 2 ? constants[2] : nullptr;
    const bool ratio_known = node.input_present.size() < 2 || !node.input_present[1] || ratio_value != nullptr;
    if (ratio_value != nullptr) EXEC_RETURN_IF_ERROR(ReadScalar(*ratio_value, "ratio", &ratio));
    if (training_value != nullptr) {
      double flag = 0;
      EXEC_RETURN_IF_ERROR(ReadScalar(*training_value, "training_mode", &flag));
      training = flag != 0;
    }
    if (training && ratio_known && ratio > 0) {
      return InvalidModel("training-mode Dropout (ratio %g) is random and not supported by the simulator", ratio);
    }
    return Status::Ok();
  }
  Status Infer(InferContext &ctx) const override {
    SameAsInput(ctx, 0, 0);
    if (ctx.num_outputs() > 1) {
      const ValueInfo &x = ctx.input(0);
      const DType mask = opset_ >= 10 ? DType::kBool : x.dtype;
      if (x.rank_known) {
        SetKnown(ctx, 1, mask, x.shape);
      } else {
        SetUnknownRank(ctx, 1, mask);
      }
    }
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    if (ctx.input(2) != nullptr) {
      double training = 0, ratio = 0.5;
      EXEC_RETURN_IF_ERROR(ReadScalar(*ctx.input(2), "training_mode", &training));
      if (ctx.input(1) != nullptr) EXEC_RETURN_IF_ERROR(ReadScalar(*ctx.input(1), "ratio", &ratio));
      if (training != 0 && ratio > 0) {
        return InvalidModel("training-mode Dropout (ratio %g) is random and not supported by the simulator", ratio);
      }
    }
    ctx.SetOutput(0, x);
    if (ctx.num_outputs() > 1 && ctx.output_wanted(1)) {
      const DType mask_type = opset_ >= 10 ? DType::kBool : x.dtype();
      Tensor *mask = nullptr;
      EXEC_RETURN_IF_ERROR(ctx.Allocate(1, mask_type, x.shape(), &mask));
      EXEC_RETURN_IF_ERROR(FillOnes(mask));
    }
    return Status::Ok();
  }

 private:
  static Status FillOnes(Tensor *mask) {
    switch (mask->dtype()) {
      case DType::kBool: std::memset(mask->raw(), 1, mask->bytes()); return Status::Ok();
      case DType::kFloat32: std::fill_n(mask->data<float>(), mask->elements(), 1.0f); return Status::Ok();
      case DType::kFloat64: std::fill_n(mask->data<double>(), mask->elements(), 1.0); return Status::Ok();
      case DType::kFloat16: std::fill_n(mask->data<uint16_t>(), mask->elements(), uint16_t{0x3c00}); return Status::Ok();
      default: break;
    }
    return TypeError("a Dropout mask of type %s is not supported", DTypeName(mask->dtype()));
  }

  int opset_ = 13;
};

}  // namespace

ACLSIM_REGISTER_OP("Reshape", 1, kLatestOpset, ReshapeKernel);
ACLSIM_REGISTER_OP("Flatten", 1, kLatestOpset, FlattenKernel);
ACLSIM_REGISTER_OP("Squeeze", 1, kLatestOpset, SqueezeKernel);
ACLSIM_REGISTER_OP("Unsqueeze", 1, kLatestOpset, UnsqueezeKernel);
ACLSIM_REGISTER_OP("Identity", 1, kLatestOpset, IdentityKernel);
ACLSIM_REGISTER_OP("Dropout", 1, kLatestOpset, DropoutKernel);

}  // namespace aclsim::exec::ops
