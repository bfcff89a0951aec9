// Trilu (keep the upper or lower triangle of the last two dims) and CumSum.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "sim/executor/ops/convert.h"
#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

class TriluKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    upper_ = node.attributes.Int("upper", 1) != 0;
    return CheckArity(node, 1, 2, 1, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (x.rank_known && x.shape.size() < 2) return ShapeError("the input must have rank >= 2, has %zu", x.shape.size());
    SameAsInput(ctx, 0, 0);
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    if (x.rank() < 2) return ShapeError("the input must have rank >= 2, has %zu", x.rank());
    int64_t k = 0;
    if (ctx.input(1) != nullptr) EXEC_RETURN_IF_ERROR(ReadScalarInt(*ctx.input(1), "k", &k));
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), x.shape(), &out));
    const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
    const int64_t matrices = rows * cols == 0 ? 0 : x.elements() / (rows * cols);
    // Clamp k so that j - i compares without overflow (|j - i| < rows + cols).
    k = std::clamp<int64_t>(k, -(rows + 1), cols + 1);
    return DispatchBySize(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      const T *src = x.data<T>();
      T *dst = out->data<T>();
      for (int64_t m = 0; m < matrices * rows; ++m) {
        const int64_t i = m % rows;
        const T *in = src + m * cols;
        T *to = dst + m * cols;
        for (int64_t j = 0; j < cols; ++j) {
          const bool keep = upper_ ? j - i >= k : j - i <= k;
          to[j] = keep ? in[j] : T(0);  // zero bits are zero in every type
        }
      }
      return Status::Ok();
    });
  }

 private:
  bool upper_ = true;
};

// CumSum accumulates in the element type, left to right, as numpy and onnxruntime do.
class CumSumKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    exclusive_ = node.attributes.Int("exclusive", 0) != 0;
    reverse_ = node.attributes.Int("reverse", 0) != 0;
    return CheckArity(node, 2, 2, 2, 1, 1);
  }
  Status Infer(InferContext &ctx) const override {
    SameAsInput(ctx, 0, 0);
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(ReadScalarInt(*ctx.input(1), "axis", &axis));
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis, static_cast<int64_t>(x.rank()), "axis", &axis));
    Tensor *out = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), x.shape(), &out));
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < static_cast<int64_t>(x.rank()); ++d) {
      if (d < axis) outer *= x.dim(d);
      if (d > axis) inner *= x.dim(d);
    }
    const int64_t n = x.dim(axis);
    if (x.dtype() == DType::kFloat16) {
      Tensor wide = WidenHalf(x);
      Tensor result(DType::kFloat32, x.shape());
      Scan<float>(wide.data<float>(), result.data<float>(), outer, n, inner);
      return NarrowToHalf(result, out);
    }
    return DispatchNumeric(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      Scan<T>(x.data<T>(), out->data<T>(), outer, n, inner);
      return Status::Ok();
    });
  }

 private:
  template <typename T>
  void Scan(const T *src, T *dst, int64_t outer, int64_t n, int64_t inner) const {
    std::vector<T> sum(static_cast<size_t>(inner));
    for (int64_t o = 0; o < outer; ++o) {
      std::fill(sum.begin(), sum.end(), T(0));
      for (int64_t step = 0; step < n; ++step) {
        const int64_t k = reverse_ ? n - 1 - step : step;
        const T *in = src + (o * n + k) * inner;
        T *to = dst + (o * n + k) * inner;
        for (int64_t i = 0; i < inner; ++i) {
          if (exclusive_) {
            to[i] = sum[i];
            sum[i] = WrappingAdd(sum[i], in[i]);
          } else {
            sum[i] = WrappingAdd(sum[i], in[i]);
            to[i] = sum[i];
          }
        }
      }
    }
  }

  bool exclusive_ = false;
  bool reverse_ = false;
};

}  // namespace

ACLSIM_REGISTER_OP("Trilu", 14, kLatestOpset, TriluKernel);
ACLSIM_REGISTER_OP("CumSum", 11, kLatestOpset, CumSumKernel);

}  // namespace aclsim::exec::ops
