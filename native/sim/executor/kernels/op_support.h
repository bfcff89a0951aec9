// Helpers shared by the compute-heavy op kernels (ops/matmul.cc, conv.cc, pool.cc, ...): float16
// tensors computed in float32, shape inference conveniences, parallel-loop grains.
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_OP_SUPPORT_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_OP_SUPPORT_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "sim/executor/op.h"
#include "sim/executor/status.h"
#include "sim/executor/tensor.h"

namespace aclsim::exec::kernels {

// A float32 version of `in`: `in` itself for float32, a widened copy for float16 (in `*storage`),
// nullptr and a type error naming `what` otherwise.
const Tensor *AsFloat32(const Tensor &in, Tensor *storage, const std::string &what, Status *status);

// Writes float32 values into `out` (float32 or float16) of the same element count, rounding to
// nearest even for float16.
void StoreFloat32(const float *values, Tensor *out);

// Output i of a RunContext computed in float32: points into the output itself when its type is
// float32, else into a float32 scratch tensor that Finish() narrows into the output.
class Float32Output {
 public:
  Status Allocate(RunContext &ctx, size_t index, DType type, Shape shape);
  float *data() { return values_; }
  void Finish();

 private:
  Tensor *output_ = nullptr;
  Tensor scratch_;
  float *values_ = nullptr;
};

// For kernels whose type constraint is float16/float32/float64 but that compute float16 through
// float32: true for the types accepted.
inline bool IsFloatType(DType type) { return type == DType::kFloat32 || type == DType::kFloat16; }

// The element type of input i at inference, or kUndefined when absent.
inline DType InputType(const InferContext &ctx, size_t i) {
  return ctx.has_input(i) ? ctx.input(i).dtype : DType::kUndefined;
}

// A grain for ParallelFor over items of `cost` (roughly: float operations) each, so that a chunk
// does at least ~32K operations of work and thread hand-off stays negligible.
inline int64_t GrainFor(int64_t cost) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(cost, 1)); }

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_OP_SUPPORT_H_
