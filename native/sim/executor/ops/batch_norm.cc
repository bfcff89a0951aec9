// BatchNormalization (opsets 1–15+). Inference: y = (x − mean) / √(var + ε) · scale + B per
// channel, folded into one multiply-add per element with the per-channel factors computed in
// double; opset 7's spatial = 0 (parameters per channel and position) included. Training mode
// (training_mode = 1, opset 14 on): the batch's mean and population variance normalise X, and
// the optional outputs are the running statistics updated with `momentum`, as ONNX's reference
// defines them. X float32, float16 (through float32) or float64.
#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/executor/kernels/normalize.h"
#include "sim/executor/kernels/op_support.h"
#include "sim/executor/op.h"

namespace aclsim::exec {
namespace {

bool IsParameterType(DType type) {
  return type == DType::kFloat32 || type == DType::kFloat16 || type == DType::kFloat64;
}

class BatchNormKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    if (node.input_present.size() != 5) {
      return InvalidModel("BatchNormalization takes X, scale, B, input_mean and input_var");
    }
    for (bool present : node.input_present) {
      if (!present) return InvalidModel("every input of BatchNormalization is required");
    }
    epsilon_ = node.attributes.Float("epsilon", 1e-5f);
    momentum_ = node.attributes.Float("momentum", 0.9f);
    training_ = node.opset >= 14 && node.attributes.Int("training_mode", 0) != 0;
    spatial_ = node.opset >= 9 || node.attributes.Int("spatial", 1) != 0;
    if (node.num_outputs > 1 && !training_) {
      return InvalidModel(
          "the running-statistics outputs need training_mode = 1 (opset 14 or later); "
          "training outputs of earlier opsets are not supported");
    }
    if (node.num_outputs > 3) {
      return InvalidModel("BatchNormalization has at most 3 outputs here, got %zu", node.num_outputs);
    }
    return Status::Ok();
  }

  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (x.dtype != DType::kUndefined && !IsParameterType(x.dtype)) {
      return TypeError("X is %s; expected float32, float16 or float64", DTypeName(x.dtype));
    }
    ValueInfo &y = ctx.output(0);
    y.dtype = x.dtype;
    y.rank_known = x.rank_known;
    y.shape = x.shape;
    for (size_t i = 1; i < ctx.num_outputs(); ++i) {
      const ValueInfo &stat = ctx.input(i + 2);  // running mean from input_mean, running var from input_var
      ctx.output(i) = ValueInfo{stat.dtype, stat.rank_known, stat.shape, nullptr};
    }
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    if (x.rank() < 2) return ShapeError("X %s needs a channel dim", ShapeToString(x.shape()).c_str());
    if (!IsParameterType(x.dtype())) {
      return TypeError("X is %s; expected float32, float16 or float64", DTypeName(x.dtype()));
    }
    const int64_t batch = x.dim(0), channels = x.dim(1);
    const int64_t inner = channels == 0 || batch == 0 ? 0 : x.elements() / (batch * channels);
    // Parameters: one per channel, or (spatial = 0) one per channel and position.
    const int64_t groups = spatial_ ? channels : channels * inner;
    const int64_t run = spatial_ ? inner : 1;  // contiguous elements sharing a parameter
    std::vector<double> params[4];
    const char *names[4] = {"scale", "B", "input_mean", "input_var"};
    for (int i = 0; i < 4; ++i) {
      const Tensor &t = *ctx.input(i + 1);
      if (!IsParameterType(t.dtype())) {
        return TypeError("%s is %s; expected a float type", names[i], DTypeName(t.dtype()));
      }
      if (t.elements() != groups) {
        return ShapeError("%s %s must hold %lld values", names[i], ShapeToString(t.shape()).c_str(),
                          static_cast<long long>(groups));
      }
      params[i] = kernels::ReadAsDouble(t);
    }
    std::vector<double> mean = params[2], variance = params[3];
    if (training_) EXEC_RETURN_IF_ERROR(BatchStatistics(x, batch, groups, run, &mean, &variance));
    std::vector<double> a(static_cast<size_t>(groups)), b(static_cast<size_t>(groups));
    for (int64_t g = 0; g < groups; ++g) {
      a[g] = params[0][g] / std::sqrt(variance[g] + static_cast<double>(epsilon_));
      b[g] = params[1][g] - mean[g] * a[g];
    }
    if (x.dtype() == DType::kFloat64) {
      Tensor *y = nullptr;
      EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat64, x.shape(), &y));
      Apply<double>(ctx, x.data<double>(), batch, groups, run, a, b, y->data<double>());
    } else {
      Status status;
      Tensor widened;
      const Tensor *xf = kernels::AsFloat32(x, &widened, "X", &status);
      if (xf == nullptr) return status;
      kernels::Float32Output y;
      EXEC_RETURN_IF_ERROR(y.Allocate(ctx, 0, x.dtype(), x.shape()));
      Apply<float>(ctx, xf->data<float>(), batch, groups, run, a, b, y.data());
      y.Finish();
    }
    if (training_) {
      for (size_t out = 1; out < ctx.num_outputs(); ++out) {
        if (!ctx.output_wanted(out)) continue;
        const Tensor &input = *ctx.input(out + 2);
        const std::vector<double> &batch_stat = out == 1 ? mean : variance;
        const std::vector<double> &running = params[out + 1];
        std::vector<double> updated(static_cast<size_t>(groups));
        for (int64_t g = 0; g < groups; ++g) updated[g] = running[g] * momentum_ + batch_stat[g] * (1.0 - momentum_);
        EXEC_RETURN_IF_ERROR(StoreStatistic(ctx, out, input, updated));
      }
    }
    return Status::Ok();
  }

 private:
  // The batch's mean and population variance per parameter group, over images and positions.
  Status BatchStatistics(const Tensor &x, int64_t batch, int64_t groups, int64_t run, std::vector<double> *mean,
                         std::vector<double> *variance) const {
    Tensor widened;
    Status status;
    const bool is_double = x.dtype() == DType::kFloat64;
    const Tensor *xf = is_double ? &x : kernels::AsFloat32(x, &widened, "X", &status);
    if (xf == nullptr) return status;
    const double count = static_cast<double>(batch * run);
    for (int64_t g = 0; g < groups; ++g) {
      double sum = 0, squares = 0;
      for (int64_t n = 0; n < batch; ++n) {
        const int64_t offset = (n * groups + g) * run;
        if (is_double) {
          kernels::AccumulateSum(xf->data<double>() + offset, run, &sum);
        } else {
          kernels::AccumulateSum(xf->data<float>() + offset, run, &sum);
        }
      }
      const double m = count > 0 ? sum / count : 0;
      for (int64_t n = 0; n < batch; ++n) {
        const int64_t offset = (n * groups + g) * run;
        if (is_double) {
          kernels::AccumulateSquaredDeviation(xf->data<double>() + offset, run, m, &squares);
        } else {
          kernels::AccumulateSquaredDeviation(xf->data<float>() + offset, run, m, &squares);
        }
      }
      (*mean)[g] = m;
      (*variance)[g] = count > 0 ? squares / count : 0;
    }
    return Status::Ok();
  }

  template <typename T>
  void Apply(RunContext &ctx, const T *x, int64_t batch, int64_t groups, int64_t run, const std::vector<double> &a,
             const std::vector<double> &b, T *y) const {
    ctx.pool().ParallelFor(batch * groups, kernels::GrainFor(run), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const int64_t g = i % groups;
        kernels::ScaleShift<T>(x + i * run, run, static_cast<T>(a[g]), static_cast<T>(b[g]), y + i * run);
      }
    });
  }

  Status StoreStatistic(RunContext &ctx, size_t index, const Tensor &like, const std::vector<double> &values) const {
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(index, like.dtype(), like.shape(), &out));
    if (like.dtype() == DType::kFloat64) {
      std::copy(values.begin(), values.end(), out->data<double>());
    } else {
      const std::vector<float> narrowed(values.begin(), values.end());
      kernels::StoreFloat32(narrowed.data(), out);
    }
    return Status::Ok();
  }

  float epsilon_ = 1e-5f;
  float momentum_ = 0.9f;
  bool training_ = false;
  bool spatial_ = true;
};

}  // namespace

ACLSIM_REGISTER_OP("BatchNormalization", 1, 22, BatchNormKernel);

}  // namespace aclsim::exec
