// TopK: the k largest (or smallest) values along an axis and their indices; equal values keep
// the order of their indices (the lower index first), NaN counts as larger than any number.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "sim/executor/ops/op_util.h"

namespace aclsim::exec::ops {
namespace {

class TopKKernel final : public Kernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    axis_ = node.attributes.Int("axis", -1);
    largest_ = node.attributes.Int("largest", 1) != 0;
    k_from_input_ = node.opset >= 10;
    if (!k_from_input_) {
      if (!node.attributes.Has("k")) return InvalidModel("the k attribute is required");
      k_ = node.attributes.Int("k", 0);
      return CheckArity(node, 1, 1, 1, 2, 2);
    }
    return CheckArity(node, 2, 2, 2, 2, 2);
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (!x.rank_known) {
      SetUnknownRank(ctx, 0, x.dtype);
      SetUnknownRank(ctx, 1, DType::kInt64);
      return Status::Ok();
    }
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, static_cast<int64_t>(x.shape.size()), "axis", &axis));
    Shape out = x.shape;
    out[axis] = -1;
    if (!k_from_input_) {
      out[axis] = k_;
    } else if (const Tensor *k = ConstantInput(ctx, 1)) {
      EXEC_RETURN_IF_ERROR(ReadScalarInt(*k, "k", &out[axis]));
    }
    SetKnown(ctx, 0, x.dtype, out);
    SetKnown(ctx, 1, DType::kInt64, out);
    return Status::Ok();
  }
  Status Run(RunContext &ctx) const override {
    const Tensor &x = *ctx.input(0);
    int64_t axis = 0;
    EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, static_cast<int64_t>(x.rank()), "axis", &axis));
    int64_t k = k_;
    if (k_from_input_) EXEC_RETURN_IF_ERROR(ReadScalarInt(*ctx.input(1), "k", &k));
    const int64_t n = x.dim(axis);
    if (k < 0 || k > n) {
      return ShapeError("k = %lld is out of range for an axis of %lld", static_cast<long long>(k),
                        static_cast<long long>(n));
    }
    Shape out_shape = x.shape();
    out_shape[axis] = k;
    Tensor *values = nullptr;
    Tensor *indices = nullptr;
    EXEC_RETURN_IF_ERROR(ctx.Allocate(0, x.dtype(), out_shape, &values));
    EXEC_RETURN_IF_ERROR(ctx.Allocate(1, DType::kInt64, out_shape, &indices));
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < static_cast<int64_t>(x.rank()); ++d) {
      if (d < axis) outer *= x.dim(d);
      if (d > axis) inner *= x.dim(d);
    }
    if (x.dtype() == DType::kFloat16) {
      Tensor wide = WidenHalf(x);
      Tensor wide_values(DType::kFloat32, out_shape);
      Select<float>(wide.data<float>(), wide_values.data<float>(), indices->data<int64_t>(), outer, n, inner, k);
      return NarrowToHalf(wide_values, values);
    }
    return DispatchNumeric(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      Select<T>(x.data<T>(), values->data<T>(), indices->data<int64_t>(), outer, n, inner, k);
      return Status::Ok();
    });
  }

 private:
  template <typename T>
  void Select(const T *src, T *values, int64_t *indices, int64_t outer, int64_t n, int64_t inner, int64_t k) const {
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const T *in = src + o * n * inner + i;
        // a before b: a's value ranks first, or they are equal and a's index is lower.
        auto before = [&](int64_t a, int64_t b) {
          const T va = in[a * inner], vb = in[b * inner];
          if constexpr (std::is_floating_point_v<T>) {
            const bool na = std::isnan(va), nb = std::isnan(vb);
            if (na || nb) {
              if (na && nb) return a < b;
              return largest_ ? na : nb;
            }
          }
          if (va != vb) return largest_ ? va > vb : va < vb;
          return a < b;
        };
        for (int64_t j = 0; j < n; ++j) order[j] = j;
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
        for (int64_t j = 0; j < k; ++j) {
          const int64_t at = (o * k + j) * inner + i;
          values[at] = in[order[j] * inner];
          indices[at] = order[j];
        }
      }
    }
  }

  int64_t axis_ = -1;
  bool largest_ = true;
  bool k_from_input_ = true;
  int64_t k_ = 0;
};

}  // namespace

ACLSIM_REGISTER_OP("TopK", 1, kLatestOpset, TopKKernel);

}  // namespace aclsim::exec::ops
