// InstanceNormalization (opsets 1, 6+): each (image, channel) plane is normalised with its own
// mean and variance (double, two passes), then scaled and shifted per channel:
// y = scale[c] · (x − mean) / √(var + ε) + B[c]. X float32, float16 (through float32) or float64.
#include <cmath>
#include <vector>

#include "sim/executor/kernels/normalize.h"
#include "sim/executor/kernels/op_support.h"
#include "sim/executor/op.h"

namespace aclsim::exec {
namespace {

bool IsSupportedType(DType type) {
  return type == DType::kFloat32 || type == DType::kFloat16 || type == DType::kFloat64;
}

class InstanceNormKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    epsilon_ = node.attributes.Float("epsilon", 1e-5f);
    if (node.input_present.size() != 3) {
      return InvalidModel("InstanceNormalization takes input, scale and B");
    }
    for (bool present : node.input_present) {
      if (!present) return InvalidModel("every input of InstanceNormalization is required");
    }
    return Status::Ok();
  }

  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (x.dtype != DType::kUndefined && !IsSupportedType(x.dtype)) {
      return TypeError("input is %s; expected float32, float16 or float64", DTypeName(x.dtype));
    }
    ctx.output(0) = ValueInfo{x.dtype, x.rank_known, x.shape, nullptr};
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    if (!IsSupportedType(x.dtype())) {
      return TypeError("input is %s; expected float32, float16 or float64", DTypeName(x.dtype()));
    }
    if (x.rank() < 2) return ShapeError("input %s needs a channel dim", ShapeToString(x.shape()).c_str());
    const int64_t batch = x.dim(0), channels = x.dim(1);
    const int64_t plane = batch * channels == 0 ? 0 : x.elements() / (batch * channels);
    std::vector<double> params[2];
    const char *names[2] = {"scale", "B"};
    for (int i = 0; i < 2; ++i) {
      const Tensor &t = *ctx.input(i + 1);
      if (!IsSupportedType(t.dtype()) || t.elements() != channels) {
        return ShapeError("%s (%s %s) must be a float vector of %lld values", names[i], DTypeName(t.dtype()),
                          ShapeToString(t.shape()).c_str(), static_cast<long long>(channels));
      }
      params[i] = kernels::ReadAsDouble(t);
    }
    if (x.dtype() == DType::kFloat64) {
      Tensor *y = nullptr;
      EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat64, x.shape(), &y));
      Normalize<double>(ctx, x.data<double>(), batch * channels, channels, plane, params, y->data<double>());
      return Status::Ok();
    }
    Status status;
    Tensor widened;
    const Tensor *xf = kernels::AsFloat32(x, &widened, "input", &status);
    if (xf == nullptr) return status;
    kernels::Float32Output y;
    EXEC_RETURN_IF_ERROR(y.Allocate(ctx, 0, x.dtype(), x.shape()));
    Normalize<float>(ctx, xf->data<float>(), batch * channels, channels, plane, params, y.data());
    y.Finish();
    return Status::Ok();
  }

 private:
  template <typename T>
  void Normalize(RunContext &ctx, const T *x, int64_t planes, int64_t channels, int64_t size,
                 const std::vector<double> (&params)[2], T *y) const {
    const double epsilon = static_cast<double>(epsilon_);
    ctx.pool().ParallelFor(planes, kernels::GrainFor(size * 4), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const int64_t c = p % channels;
        double mean = 0, variance = 0;
        kernels::MeanVariance(x + p * size, size, &mean, &variance);
        const double a = params[0][c] / std::sqrt(variance + epsilon);
        kernels::CenterScaleShift<T>(x + p * size, size, static_cast<T>(mean), static_cast<T>(a),
                                     static_cast<T>(params[1][c]), y + p * size);
      }
    });
  }

  float epsilon_ = 1e-5f;
};

}  // namespace

ACLSIM_REGISTER_OP("InstanceNormalization", 1, 22, InstanceNormKernel);

}  // namespace aclsim::exec
