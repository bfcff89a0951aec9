#include "sim/executor/ops/op_util.h"

#include <algorithm>
#include <cstring>

#include "common/float16.h"

namespace aclsim::exec::ops {

Status CheckArity(const NodeDef &node, size_t min_inputs, size_t max_inputs, size_t required, size_t min_outputs,
                  size_t max_outputs) {
  const size_t inputs = node.input_present.size();
  if (inputs < min_inputs || inputs > max_inputs) {
    if (min_inputs == max_inputs) return InvalidModel("expects %zu input(s), has %zu", min_inputs, inputs);
    return InvalidModel("expects %zu to %zu inputs, has %zu", min_inputs, max_inputs, inputs);
  }
  for (size_t i = 0; i < required && i < inputs; ++i) {
    if (!node.input_present[i]) return InvalidModel("input %zu is required but left empty", i);
  }
  if (node.num_outputs < min_outputs || node.num_outputs > max_outputs) {
    if (min_outputs == max_outputs) return InvalidModel("expects %zu output(s), has %zu", min_outputs, node.num_outputs);
    return InvalidModel("expects %zu to %zu outputs, has %zu", min_outputs, max_outputs, node.num_outputs);
  }
  return Status::Ok();
}

Status NormalizeAxis(int64_t axis, int64_t rank, const char *what, int64_t *out) {
  if (axis < -rank || axis >= rank) {
    return ShapeError("%s %lld is out of range for rank %lld", what, static_cast<long long>(axis),
                      static_cast<long long>(rank));
  }
  *out = axis < 0 ? axis + rank : axis;
  return Status::Ok();
}

bool IsIntegerIndexType(DType type) { return type == DType::kInt32 || type == DType::kInt64; }

bool IsFloatType(DType type) {
  return type == DType::kFloat32 || type == DType::kFloat64 || type == DType::kFloat16 || type == DType::kBFloat16;
}

bool IsSignedInteger(DType type) {
  return type == DType::kInt8 || type == DType::kInt16 || type == DType::kInt32 || type == DType::kInt64;
}

bool IsUnsignedInteger(DType type) {
  return type == DType::kUint8 || type == DType::kUint16 || type == DType::kUint32 || type == DType::kUint64;
}

Status ReadInts(const Tensor &tensor, const char *what, std::vector<int64_t> *out) {
  out->clear();
  if (tensor.dtype() == DType::kInt64) {
    out->assign(tensor.data<int64_t>(), tensor.data<int64_t>() + tensor.elements());
  } else if (tensor.dtype() == DType::kInt32) {
    out->assign(tensor.data<int32_t>(), tensor.data<int32_t>() + tensor.elements());
  } else {
    return TypeError("%s must be int64 or int32, not %s", what, DTypeName(tensor.dtype()));
  }
  return Status::Ok();
}

Status ReadScalar(const Tensor &tensor, const char *what, double *out) {
  if (tensor.elements() != 1) {
    return ShapeError("%s must hold one value, has shape %s", what, ShapeToString(tensor.shape()).c_str());
  }
  switch (tensor.dtype()) {
    case DType::kFloat32: *out = tensor.data<float>()[0]; return Status::Ok();
    case DType::kFloat64: *out = tensor.data<double>()[0]; return Status::Ok();
    case DType::kFloat16: *out = ascendcl::HalfToFloat(tensor.data<uint16_t>()[0]); return Status::Ok();
    case DType::kInt8: *out = tensor.data<int8_t>()[0]; return Status::Ok();
    case DType::kUint8: case DType::kBool: *out = tensor.data<uint8_t>()[0]; return Status::Ok();
    case DType::kInt16: *out = tensor.data<int16_t>()[0]; return Status::Ok();
    case DType::kUint16: *out = tensor.data<uint16_t>()[0]; return Status::Ok();
    case DType::kInt32: *out = tensor.data<int32_t>()[0]; return Status::Ok();
    case DType::kUint32: *out = tensor.data<uint32_t>()[0]; return Status::Ok();
    case DType::kInt64: *out = static_cast<double>(tensor.data<int64_t>()[0]); return Status::Ok();
    case DType::kUint64: *out = static_cast<double>(tensor.data<uint64_t>()[0]); return Status::Ok();
    default: break;
  }
  return TypeError("%s: element type %s is not supported", what, DTypeName(tensor.dtype()));
}

Status ReadScalarInt(const Tensor &tensor, const char *what, int64_t *out) {
  if (tensor.elements() != 1) {
    return ShapeError("%s must hold one value, has shape %s", what, ShapeToString(tensor.shape()).c_str());
  }
  std::vector<int64_t> values;
  EXEC_RETURN_IF_ERROR(ReadInts(tensor, what, &values));
  *out = values[0];
  return Status::Ok();
}

int64_t CheckedElementCount(const Shape &shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0 || __builtin_mul_overflow(count, dim, &count)) return -1;
  }
  return count;
}

std::vector<int64_t> Strides(const Shape &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

Tensor WidenHalf(const Tensor &half) {
  Tensor single(DType::kFloat32, half.shape());
  ascendcl::HalvesToFloats(half.data<uint16_t>(), single.data<float>(), static_cast<size_t>(half.elements()));
  return single;
}

Status NarrowToHalf(const Tensor &single, Tensor *half) {
  EXEC_RETURN_IF_ERROR(Tensor::Allocate(DType::kFloat16, single.shape(), half));
  ascendcl::FloatsToHalves(single.data<float>(), half->data<uint16_t>(), static_cast<size_t>(single.elements()));
  return Status::Ok();
}

Tensor WidenBFloat16(const Tensor &bf16) {
  Tensor single(DType::kFloat32, bf16.shape());
  const uint16_t *src = bf16.data<uint16_t>();
  float *dst = single.data<float>();
  for (int64_t i = 0; i < bf16.elements(); ++i) {
    uint32_t bits = static_cast<uint32_t>(src[i]) << 16;
    std::memcpy(dst + i, &bits, 4);
  }
  return single;
}

const Tensor *ConstantInput(const InferContext &ctx, size_t i) {
  return ctx.has_input(i) ? ctx.input(i).value.get() : nullptr;
}

void SetKnown(InferContext &ctx, size_t out, DType type, Shape shape) {
  if (out >= ctx.num_outputs()) return;
  ValueInfo &info = ctx.output(out);
  info.dtype = type;
  info.rank_known = true;
  info.shape = std::move(shape);
}

void SetUnknownRank(InferContext &ctx, size_t out, DType type) {
  if (out >= ctx.num_outputs()) return;
  ValueInfo &info = ctx.output(out);
  info.dtype = type;
  info.rank_known = false;
  info.shape.clear();
}

void SameAsInput(InferContext &ctx, size_t in, size_t out) {
  if (out >= ctx.num_outputs() || !ctx.has_input(in)) return;
  const ValueInfo &input = ctx.input(in);
  ValueInfo &info = ctx.output(out);
  info.dtype = input.dtype;
  info.rank_known = input.rank_known;
  info.shape = input.shape;
}

Status InferBroadcastShape(const std::vector<const ValueInfo *> &inputs, bool *rank_known, Shape *out) {
  size_t rank = 0;
  for (const ValueInfo *input : inputs) {
    if (input == nullptr) continue;
    if (!input->rank_known) {
      *rank_known = false;
      out->clear();
      return Status::Ok();
    }
    rank = std::max(rank, input->shape.size());
  }
  *rank_known = true;
  out->assign(rank, 1);
  std::vector<bool> unknown(rank, false);
  for (const ValueInfo *input : inputs) {
    if (input == nullptr) continue;
    const Shape &shape = input->shape;
    const size_t offset = rank - shape.size();
    for (size_t i = 0; i < shape.size(); ++i) {
      int64_t dim = shape[i];
      int64_t &merged = (*out)[offset + i];
      if (dim == 1) continue;
      if (dim < 0) {
        unknown[offset + i] = true;
        continue;
      }
      if (merged != 1 && merged != dim) {
        return ShapeError("shapes cannot be broadcast: dim %zu is %lld in one input and %lld in another", offset + i,
                          static_cast<long long>(merged), static_cast<long long>(dim));
      }
      merged = dim;
    }
  }
  // A dim that is unknown somewhere is known only if another input fixes it above 1.
  for (size_t i = 0; i < rank; ++i) {
    if (unknown[i] && (*out)[i] == 1) (*out)[i] = -1;
  }
  return Status::Ok();
}

Status BroadcastShapes(const std::vector<const Shape *> &inputs, Shape *out) {
  size_t rank = 0;
  for (const Shape *shape : inputs) rank = std::max(rank, shape->size());
  out->assign(rank, 1);
  for (const Shape *shape : inputs) {
    const size_t offset = rank - shape->size();
    for (size_t i = 0; i < shape->size(); ++i) {
      int64_t dim = (*shape)[i];
      int64_t &merged = (*out)[offset + i];
      if (dim == 1) continue;
      if (merged != 1 && merged != dim) {
        std::string shapes;
        for (const Shape *s : inputs) shapes += (shapes.empty() ? "" : " and ") + ShapeToString(*s);
        return ShapeError("shapes %s cannot be broadcast together", shapes.c_str());
      }
      merged = dim;
    }
  }
  return Status::Ok();
}

std::string InputName(size_t index, const char *name) {
  return "input " + std::to_string(index) + " (" + name + ")";
}

}  // namespace aclsim::exec::ops
