// Helpers shared by the operator kernels: arity and type checks with messages that name the
// input, axis normalisation, integer-list inputs, type dispatch, float16 widening, and small
// inference helpers.
#ifndef ASCENDCL_SIM_EXECUTOR_OPS_OP_UTIL_H_
#define ASCENDCL_SIM_EXECUTOR_OPS_OP_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "sim/executor/op.h"

namespace aclsim::exec::ops {

// The newest default-domain opset the kernels implement: later opsets only extended the types
// of these ops (float8, int4, bfloat16) or added what the kernels check for.
constexpr int kLatestOpset = 22;

// Elements per parallel chunk for cheap elementwise work: large enough to amortise handing a
// chunk to another thread (a few microseconds), small enough to spread a 1 M-element tensor.
constexpr int64_t kElementGrain = 16384;

// Init-time: the node has between min and max inputs as written, the first `required` of them
// present, and between min and max outputs.
Status CheckArity(const NodeDef &node, size_t min_inputs, size_t max_inputs, size_t required, size_t min_outputs,
                  size_t max_outputs);

// An axis in [-rank, rank) as an index in [0, rank); `what` names it in the error.
Status NormalizeAxis(int64_t axis, int64_t rank, const char *what, int64_t *out);

bool IsIntegerIndexType(DType type);  // int32 or int64
bool IsFloatType(DType type);         // float16, float32, float64 (and bfloat16)
bool IsSignedInteger(DType type);
bool IsUnsignedInteger(DType type);

// The values of an int32 or int64 tensor (a shape, axes, pads...); `what` names it in errors.
Status ReadInts(const Tensor &tensor, const char *what, std::vector<int64_t> *out);
// A scalar (or one-element) tensor of any numeric type as double / int64.
Status ReadScalar(const Tensor &tensor, const char *what, double *out);
Status ReadScalarInt(const Tensor &tensor, const char *what, int64_t *out);

// The product of known dims, or -1 when a dim is unknown or the product overflows int64 (shapes
// declared in a model can be anything; the product must not be undefined behaviour).
int64_t CheckedElementCount(const Shape &shape);

// Row-major element strides.
std::vector<int64_t> Strides(const Shape &shape);

// float16 tensors are computed in float32: widen, compute, narrow (round to nearest even).
Tensor WidenHalf(const Tensor &half);
Status NarrowToHalf(const Tensor &single, Tensor *half);
// Same for bfloat16 (truncation-free: round to nearest even).
Tensor WidenBFloat16(const Tensor &bf16);

// Calls fn(T{}) with T the C++ element type of `type`, for the types each family covers; an
// unsupported type fails with a TypeError naming `what`.
#define ACLSIM_DISPATCH_CASE(dtype, ctype) \
  case DType::dtype: return fn(ctype{});

template <typename F>
Status DispatchNumeric(DType type, const char *what, F &&fn) {  // every real number type but float16
  switch (type) {
    ACLSIM_DISPATCH_CASE(kFloat32, float)
    ACLSIM_DISPATCH_CASE(kFloat64, double)
    ACLSIM_DISPATCH_CASE(kInt8, int8_t)
    ACLSIM_DISPATCH_CASE(kUint8, uint8_t)
    ACLSIM_DISPATCH_CASE(kInt16, int16_t)
    ACLSIM_DISPATCH_CASE(kUint16, uint16_t)
    ACLSIM_DISPATCH_CASE(kInt32, int32_t)
    ACLSIM_DISPATCH_CASE(kUint32, uint32_t)
    ACLSIM_DISPATCH_CASE(kInt64, int64_t)
    ACLSIM_DISPATCH_CASE(kUint64, uint64_t)
    default: break;
  }
  return TypeError("%s: element type %s is not supported", what, DTypeName(type));
}

template <typename F>
Status DispatchFloat(DType type, const char *what, F &&fn) {  // float32, float64
  switch (type) {
    ACLSIM_DISPATCH_CASE(kFloat32, float)
    ACLSIM_DISPATCH_CASE(kFloat64, double)
    default: break;
  }
  return TypeError("%s: element type %s is not supported", what, DTypeName(type));
}

// By element size, for kernels that only move elements (any type, bool and float16 included).
template <typename F>
Status DispatchBySize(DType type, const char *what, F &&fn) {
  switch (DTypeSize(type)) {
    case 1: return fn(uint8_t{});
    case 2: return fn(uint16_t{});
    case 4: return fn(uint32_t{});
    case 8: return fn(uint64_t{});
    default: break;
  }
  return TypeError("%s: element type %s is not supported", what, DTypeName(type));
}
#undef ACLSIM_DISPATCH_CASE

// Inference helpers.
const Tensor *ConstantInput(const InferContext &ctx, size_t i);  // its value, when constant
void SetKnown(InferContext &ctx, size_t out, DType type, Shape shape);  // rank known (dims may be -1)
void SetUnknownRank(InferContext &ctx, size_t out, DType type);
// Output `out` like input `in` (type and shape).
void SameAsInput(InferContext &ctx, size_t in, size_t out);
// The numpy broadcast of the inputs' shapes; unknown dims stay -1 unless the other side decides.
Status InferBroadcastShape(const std::vector<const ValueInfo *> &inputs, bool *rank_known, Shape *out);
// The numpy broadcast of known shapes.
Status BroadcastShapes(const std::vector<const Shape *> &inputs, Shape *out);

// "node 'x' (Op, opset n)" is added by the engine; kernels name the input: "input 1 (B)".
std::string InputName(size_t index, const char *name);

}  // namespace aclsim::exec::ops

#endif  // ASCENDCL_SIM_EXECUTOR_OPS_OP_UTIL_H_
