// Numpy-style multidirectional broadcasting for elementwise kernels. The output is walked in
// spans along its innermost (collapsed) dimension, where each input either advances with the
// output (stride 1) or repeats one element (stride 0): the loops over a span are simple enough
// for the compiler to vectorise, and spans are spread over the thread pool.
#ifndef ASCENDCL_SIM_EXECUTOR_OPS_BROADCAST_H_
#define ASCENDCL_SIM_EXECUTOR_OPS_BROADCAST_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/executor/ops/op_util.h"
#include "sim/executor/tensor.h"
#include "sim/executor/thread_pool.h"

namespace aclsim::exec::ops {

constexpr size_t kMaxBroadcastInputs = 3;

struct BroadcastPlan {
  size_t num_inputs = 0;
  int64_t rows = 1;                    // product of the outer dims
  int64_t inner = 1;                   // length of the innermost collapsed dim
  std::vector<int64_t> outer;          // outer dims, outermost first
  std::vector<int64_t> outer_strides;  // [input * outer.size() + d]: element stride of input over dim d
  int64_t inner_strides[kMaxBroadcastInputs] = {};  // 0 (repeat) or 1 (advance)
};

// `out` must be the broadcast of the inputs (BroadcastShapes); at most kMaxBroadcastInputs.
BroadcastPlan MakeBroadcastPlan(const Shape &out, const std::vector<const Shape *> &inputs);

// Per-input element offsets of successive rows, from any starting row.
class BroadcastCursor {
 public:
  BroadcastCursor(const BroadcastPlan &plan, int64_t row);
  const int64_t *offsets() const { return offsets_; }
  void Next();

 private:
  const BroadcastPlan &plan_;
  std::vector<int64_t> index_;
  int64_t offsets_[kMaxBroadcastInputs] = {};
};

// Calls fn(out_offset, in_offsets, length) over the whole output, in parallel chunks; within a
// span input k is at in_offsets[k] and advances by plan.inner_strides[k] per element.
template <typename F>
void ForEachSpan(const BroadcastPlan &plan, ThreadPool &pool, F &&fn) {
  const int64_t total = plan.rows * plan.inner;
  if (total == 0) return;
  pool.ParallelFor(total, kElementGrain, [&](int64_t begin, int64_t end) {
    int64_t i = begin % plan.inner;
    BroadcastCursor cursor(plan, begin / plan.inner);
    int64_t offsets[kMaxBroadcastInputs];
    for (int64_t at = begin; at < end;) {
      const int64_t length = std::min(plan.inner - i, end - at);
      for (size_t k = 0; k < plan.num_inputs; ++k) offsets[k] = cursor.offsets()[k] + i * plan.inner_strides[k];
      fn(at, static_cast<const int64_t *>(offsets), length);
      at += length;
      i = 0;
      cursor.Next();
    }
  });
}

// out[i] = op(a[i], b[i]) with broadcasting; `out` is allocated with the broadcast shape.
template <typename TA, typename TB, typename TO, typename Op>
void BinaryBroadcast(const Tensor &a, const Tensor &b, Tensor *out, ThreadPool &pool, Op op) {
  const BroadcastPlan plan = MakeBroadcastPlan(out->shape(), {&a.shape(), &b.shape()});
  const TA *pa = a.data<TA>();
  const TB *pb = b.data<TB>();
  TO *po = out->data<TO>();
  const bool sa = plan.inner_strides[0] != 0;
  const bool sb = plan.inner_strides[1] != 0;
  ForEachSpan(plan, pool, [&](int64_t at, const int64_t *offsets, int64_t n) {
    const TA *x = pa + offsets[0];
    const TB *y = pb + offsets[1];
    TO *z = po + at;
    if (sa && sb) {
      for (int64_t i = 0; i < n; ++i) z[i] = op(x[i], y[i]);
    } else if (sa) {
      const TB v = *y;
      for (int64_t i = 0; i < n; ++i) z[i] = op(x[i], v);
    } else if (sb) {
      const TA v = *x;
      for (int64_t i = 0; i < n; ++i) z[i] = op(v, y[i]);
    } else {
      const TO v = op(*x, *y);
      for (int64_t i = 0; i < n; ++i) z[i] = v;
    }
  });
}

// out[i] = op(a[i]) over a flat tensor.
template <typename TA, typename TO, typename Op>
void UnaryMap(const Tensor &a, Tensor *out, ThreadPool &pool, Op op) {
  const TA *pa = a.data<TA>();
  TO *po = out->data<TO>();
  pool.ParallelFor(a.elements(), kElementGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) po[i] = op(pa[i]);
  });
}

}  // namespace aclsim::exec::ops

#endif  // ASCENDCL_SIM_EXECUTOR_OPS_BROADCAST_H_
