// Softmax and LogSoftmax. Below opset 13 the input is seen as a 2-D matrix [prod(dims[:axis]),
// prod(dims[axis:])] (axis default 1) and normalised along its rows; from 13 on, along the one
// dim `axis` (default -1). Both become [outer, n, inner] with the reduction over n. The maximum
// is subtracted before exp, and sums are accumulated in double.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "sim/executor/ops/elementwise.h"

namespace aclsim::exec::ops {
namespace {

template <bool kLog>
class SoftmaxKernel final : public UnaryKernel {
 public:
  Status Init(const NodeDef &node, const std::vector<const Tensor *> &constants) override {
    EXEC_RETURN_IF_ERROR(UnaryKernel::Init(node, constants));
    flatten_ = node.opset < 13;
    axis_ = node.attributes.Int("axis", flatten_ ? 1 : -1);
    return Status::Ok();
  }
  Status Infer(InferContext &ctx) const override {
    const ValueInfo &x = ctx.input(0);
    if (x.rank_known && !x.shape.empty()) {
      int64_t axis = 0;
      EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, static_cast<int64_t>(x.shape.size()), "axis", &axis));
    }
    return UnaryKernel::Infer(ctx);
  }

 protected:
  Status Compute(const Tensor &x, Tensor *out, ThreadPool &pool) const override {
    const int64_t rank = static_cast<int64_t>(x.rank());
    int64_t axis = 0;
    if (rank == 0) {
      if (axis_ != 0 && axis_ != -1) return ShapeError("axis %lld is out of range for a scalar", (long long)axis_);
    } else {
      EXEC_RETURN_IF_ERROR(NormalizeAxis(axis_, rank, "axis", &axis));
    }
    int64_t outer = 1, n = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d) {
      if (d < axis) {
        outer *= x.dim(d);
      } else if (d == axis || flatten_) {
        n *= x.dim(d);
      } else {
        inner *= x.dim(d);
      }
    }
    if (x.elements() == 0) return Status::Ok();
    return DispatchFloat(x.dtype(), "input", [&](auto tag) {
      using T = decltype(tag);
      const T *src = x.data<T>();
      T *dst = out->data<T>();
      const int64_t grain = std::max<int64_t>(1, kElementGrain / std::max<int64_t>(1, n * inner));
      pool.ParallelFor(outer, grain, [&](int64_t begin, int64_t end) {
        std::vector<T> max(static_cast<size_t>(inner));
        std::vector<double> sum(static_cast<size_t>(inner));
        for (int64_t o = begin; o < end; ++o) {
          const T *in = src + o * n * inner;
          T *res = dst + o * n * inner;
          std::fill(max.begin(), max.end(), -std::numeric_limits<T>::infinity());
          std::fill(sum.begin(), sum.end(), 0.0);
          for (int64_t k = 0; k < n; ++k) {
            for (int64_t i = 0; i < inner; ++i) max[i] = std::fmax(max[i], in[k * inner + i]);
          }
          for (int64_t k = 0; k < n; ++k) {
            for (int64_t i = 0; i < inner; ++i) {
              const T e = std::exp(in[k * inner + i] - max[i]);
              if (!kLog) res[k * inner + i] = e;
              sum[i] += e;
            }
          }
          if (kLog) {
            for (int64_t i = 0; i < inner; ++i) sum[i] = std::log(sum[i]);
            for (int64_t k = 0; k < n; ++k) {
              for (int64_t i = 0; i < inner; ++i) {
                res[k * inner + i] = static_cast<T>(in[k * inner + i] - max[i] - sum[i]);
              }
            }
          } else {
            for (int64_t i = 0; i < inner; ++i) sum[i] = 1.0 / sum[i];
            for (int64_t k = 0; k < n; ++k) {
              for (int64_t i = 0; i < inner; ++i) res[k * inner + i] = static_cast<T>(res[k * inner + i] * sum[i]);
            }
          }
        }
      });
      return Status::Ok();
    });
  }

 private:
  bool flatten_ = false;
  int64_t axis_ = -1;
};

}  // namespace

ACLSIM_REGISTER_OP("Softmax", 1, kLatestOpset, SoftmaxKernel<false>);
ACLSIM_REGISTER_OP("LogSoftmax", 1, kLatestOpset, SoftmaxKernel<true>);

}  // namespace aclsim::exec::ops
