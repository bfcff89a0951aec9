// Base classes of the elementwise kernels. They do the common work — arity, type checks,
// broadcasting (numpy-style; the legacy `broadcast`/`axis` attributes below opset 7), float16
// computed in float32 — so that each op only supplies its arithmetic.
#ifndef ASCENDCL_SIM_EXECUTOR_OPS_ELEMENTWISE_H_
#define ASCENDCL_SIM_EXECUTOR_OPS_ELEMENTWISE_H_

#include "sim/executor/op.h"
#include "sim/executor/ops/broadcast.h"
#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {

class UnaryKernel : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override;
  Status Infer(InferContext &ctx) const override;
  Status Run(RunContext &ctx) const override;

 protected:
  // Whether the op takes `type` (float16 is widened to float32 before Compute when the op takes
  // float32).
  virtual bool Supports(DType type) const { return type == DType::kFloat32 || type == DType::kFloat64; }
  // `out` is allocated like `x`.
  virtual Status Compute(const Tensor &x, Tensor *out, ThreadPool &pool) const = 0;
};

class BinaryKernel : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override;
  Status Infer(InferContext &ctx) const override;
  Status Run(RunContext &ctx) const override;

 protected:
  virtual bool Supports(DType type) const = 0;
  // Pow alone lets the second input have another type.
  virtual bool SameTypes() const { return true; }
  // bool for comparisons.
  virtual DType OutputType(DType input) const { return input; }
  // `out` is allocated with the broadcast shape and OutputType; float16 inputs arrive widened.
  virtual Status Compute(const Tensor &a, const Tensor &b, Tensor *out, ThreadPool &pool) const = 0;

 private:
  Status EffectiveShapeOfB(const Shape &a, const Shape &b, Shape *out) const;

  // Below opset 7: broadcasting only when `broadcast` is 1, B aligned at `axis` of A.
  bool legacy_ = false;
  bool legacy_broadcast_ = false;
  bool legacy_has_axis_ = false;
  int64_t legacy_axis_ = 0;
};

}  // namespace aclsim::exec::ops

#endif  // ASCENDCL_SIM_EXECUTOR_OPS_ELEMENTWISE_H_
