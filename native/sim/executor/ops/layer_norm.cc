// LayerNormalization (opset 17): each row of X over dims [axis, rank) is normalised with its
// mean and variance (computed in double, two passes), then scaled and shifted by Scale and the
// optional B (broadcast to those dims). Optional outputs Mean and InvStdDev (float32, as
// stash_type 1 specifies). X float32, float16 (through float32) or float64.
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

// `values` (of shape `from`) broadcast to `to`, which it must reach by numpy's rules without
// growing `to`; an empty result when it does not.
template <typename T>
std::vector<T> BroadcastTo(const std::vector<double> &values, const Shape &from, const Shape &to) {
  if (from.size() > to.size()) return {};
  const int64_t total = ElementCount(to);
  if (ElementCount(from) == total) return std::vector<T>(values.begin(), values.end());
  const size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i] != 1 && from[i] != to[i + lead]) return {};
  }
  std::vector<T> out(static_cast<size_t>(total));
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rest = flat, index = 0, stride = 1;
    for (size_t i = to.size(); i-- > 0;) {
      const int64_t coordinate = rest % to[i];
      rest /= to[i];
      if (i >= lead) {
        const int64_t d = from[i - lead];
        index += (d == 1 ? 0 : coordinate) * stride;
        stride *= d;
      }
    }
    out[flat] = static_cast<T>(values[index]);
  }
  return out;
}

class LayerNormKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    axis_ = node.attributes.Int("axis", -1);
    epsilon_ = node.attributes.Float("epsilon", 1e-5f);
    const int64_t stash = node.attributes.Int("stash_type", 1);
    if (stash != 1) {
      return InvalidModel("stash_type %lld is not supported (only 1, float32)", static_cast<long long>(stash));
    }
    if (node.input_present.size() < 2 || !node.input_present[0] || !node.input_present[1]) {
      return InvalidModel("LayerNormalization needs X and Scale");
    }
    return Status::Ok();
  }

  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (x.dtype != DType::kUndefined && !IsSupportedType(x.dtype)) {
      return TypeError("X is %s; expected float32, float16 or float64", DTypeName(x.dtype));
    }
    ValueInfo &y = ctx.output(0);
    y.dtype = x.dtype;
    y.rank_known = x.rank_known;
    y.shape = x.shape;
    int64_t axis = 0;
    if (x.rank_known) EXEC_RETURN_IF_ERROR(ResolveAxis(x.shape.size(), &axis));
    for (size_t i = 1; i < ctx.num_outputs(); ++i) {
      ValueInfo &stat = ctx.output(i);
      stat.dtype = DType::kFloat32;
      stat.rank_known = x.rank_known;
      stat.shape = x.shape;
      for (size_t d = static_cast<size_t>(axis); d < stat.shape.size(); ++d) stat.shape[d] = 1;
    }
    return Status::Ok();
  }

  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    if (!IsSupportedType(x.dtype())) {
      return TypeError("X is %s; expected float32, float16 or float64", DTypeName(x.dtype()));
    }
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(ResolveAxis(x.rank(), &axis));
    const Shape normalized(x.shape().begin() + axis, x.shape().end());
    const int64_t cols = ElementCount(normalized);
    const int64_t rows = cols == 0 ? 0 : x.elements() / cols;
    Shape stat_shape = x.shape();
    for (size_t d = static_cast<size_t>(axis); d < stat_shape.size(); ++d) stat_shape[d] = 1;
    float *mean_out = nullptr, *inv_std_out = nullptr;
    for (size_t i = 1; i < ctx.num_outputs() && i < 3; ++i) {
      if (!ctx.output_wanted(i)) continue;
      Tensor *t = nullptr;
      EXEC_RETURN_IF_ERROR(ctx.Allocate(i, DType::kFloat32, stat_shape, &t));
      (i == 1 ? mean_out : inv_std_out) = t->data<float>();
    }
    if (x.dtype() == DType::kFloat64) {
      Tensor *y = nullptr;
      EXEC_RETURN_IF_ERROR(ctx.Allocate(0, DType::kFloat64, x.shape(), &y));
      return Normalize<double>(ctx, x.data<double>(), rows, normalized, y->data<double>(), mean_out, inv_std_out);
    }
    Status status;
    Tensor widened;
    const Tensor *xf = kernels::AsFloat32(x, &widened, "X", &status);
    if (xf == nullptr) return status;
    kernels::Float32Output y;
    EXEC_RETURN_IF_ERROR(y.Allocate(ctx, 0, x.dtype(), x.shape()));
    EXEC_RETURN_IF_ERROR(Normalize<float>(ctx, xf->data<float>(), rows, normalized, y.data(), mean_out, inv_std_out));
    y.Finish();
    return Status::Ok();
  }

 private:
  Status ResolveAxis(size_t rank, int64_t *axis) const {
    const int64_t r = static_cast<int64_t>(rank);
    if (axis_ < -r || axis_ >= r) {
      return ShapeError("axis %lld is out of range for rank %zu", static_cast<long long>(axis_), rank);
    }
    *axis = axis_ < 0 ? axis_ + r : axis_;
    return Status::Ok();
  }

  template <typename T>
  Status Normalize(RunContext &ctx, const T *x, int64_t rows, const Shape &normalized, T *y, float *mean_out,
                   float *inv_std_out) const {
    const int64_t cols = ElementCount(normalized);
    std::vector<T> scale, bias;
    const char *names[2] = {"Scale", "B"};
    for (int i = 0; i < 2; ++i) {
      const Tensor *t = ctx.input(i + 1);
      if (t == nullptr) continue;
      if (t->dtype() != ctx.input(0)->dtype()) {
        return TypeError("%s is %s but X is %s", names[i], DTypeName(t->dtype()), DTypeName(ctx.input(0)->dtype()));
      }
      std::vector<T> values = BroadcastTo<T>(kernels::ReadAsDouble(*t), t->shape(), normalized);
      if (values.empty() && cols != 0) {
        return ShapeError("%s %s does not broadcast to the normalized dims %s", names[i],
                          ShapeToString(t->shape()).c_str(), ShapeToString(normalized).c_str());
      }
      (i == 0 ? scale : bias) = std::move(values);
    }
    const double epsilon = static_cast<double>(epsilon_);
    ctx.pool().ParallelFor(rows, kernels::GrainFor(cols * 4), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        double mean = 0, variance = 0;
        kernels::MeanVariance(x + r * cols, cols, &mean, &variance);
        const double inv_std = 1.0 / std::sqrt(variance + epsilon);
        kernels::NormalizeRow<T>(x + r * cols, cols, mean, inv_std, scale.data(), bias.empty() ? nullptr : bias.data(),
                                 y + r * cols);
        if (mean_out != nullptr) mean_out[r] = static_cast<float>(mean);
        if (inv_std_out != nullptr) inv_std_out[r] = static_cast<float>(inv_std);
      }
    });
    return Status::Ok();
  }

  int64_t axis_ = -1;
  float epsilon_ = 1e-5f;
};

}  // namespace

ACLSIM_REGISTER_OP("LayerNormalization", 17, 22, LayerNormKernel);

}  // namespace aclsim::exec
