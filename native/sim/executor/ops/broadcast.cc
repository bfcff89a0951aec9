#include "sim/executor/ops/broadcast.h"

namespace aclsim::exec::ops {

BroadcastPlan MakeBroadcastPlan(const Shape &out, const std::vector<const Shape *> &inputs) {
  BroadcastPlan plan;
  plan.num_inputs = inputs.size();
  // An empty result has no element to visit. Its other dims are unbounded (an empty tensor of
  // [0, 2^60, 98] is legal and costs nothing), so their stride products could overflow (found by
  // the model-loader fuzzer: UBSan, signed overflow). Nothing below is needed.
  for (int64_t dim : out) {
    if (dim == 0) {
      plan.rows = 0;
      plan.inner = 0;
      return plan;
    }
  }
  const size_t rank = out.size();
  // Per input, per output dim: the element stride (0 where the input repeats along it).
  std::vector<std::vector<int64_t>> strides(inputs.size(), std::vector<int64_t>(rank, 0));
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Shape &shape = *inputs[k];
    const size_t offset = rank - shape.size();
    int64_t stride = 1;
    for (size_t i = shape.size(); i-- > 0;) {
      strides[k][offset + i] = shape[i] == 1 ? 0 : stride;
      stride *= shape[i];
    }
  }
  // Collapse: drop dims of size 1, merge a dim into the next (inner) one when every input walks
  // both as one contiguous (or equally repeated) range.
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> merged(inputs.size());
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    bool can_merge = !dims.empty();
    for (size_t k = 0; can_merge && k < inputs.size(); ++k) {
      if (merged[k].back() != strides[k][d] * out[d]) can_merge = false;
    }
    if (can_merge) {
      dims.back() *= out[d];
      for (size_t k = 0; k < inputs.size(); ++k) merged[k].back() = strides[k][d];
    } else {
      dims.push_back(out[d]);
      for (size_t k = 0; k < inputs.size(); ++k) merged[k].push_back(strides[k][d]);
    }
  }
  if (dims.empty()) {  // a scalar, or all dims 1
    dims.push_back(1);
    for (size_t k = 0; k < inputs.size(); ++k) merged[k].push_back(0);
  }
  plan.inner = dims.back();
  for (size_t k = 0; k < inputs.size(); ++k) plan.inner_strides[k] = merged[k].back();
  plan.outer.assign(dims.begin(), dims.end() - 1);
  for (int64_t dim : plan.outer) plan.rows *= dim;
  plan.outer_strides.resize(inputs.size() * plan.outer.size());
  for (size_t k = 0; k < inputs.size(); ++k) {
    for (size_t d = 0; d < plan.outer.size(); ++d) plan.outer_strides[k * plan.outer.size() + d] = merged[k][d];
  }
  return plan;
}

BroadcastCursor::BroadcastCursor(const BroadcastPlan &plan, int64_t row) : plan_(plan), index_(plan.outer.size(), 0) {
  const size_t rank = plan.outer.size();
  for (size_t d = rank; d-- > 0;) {
    index_[d] = row % plan.outer[d];
    row /= plan.outer[d];
  }
  for (size_t k = 0; k < plan.num_inputs; ++k) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d) offset += index_[d] * plan.outer_strides[k * rank + d];
    offsets_[k] = offset;
  }
}

void BroadcastCursor::Next() {
  const size_t rank = plan_.outer.size();
  for (size_t d = rank; d-- > 0;) {
    if (++index_[d] < plan_.outer[d]) {
      for (size_t k = 0; k < plan_.num_inputs; ++k) offsets_[k] += plan_.outer_strides[k * rank + d];
      return;
    }
    index_[d] = 0;
    for (size_t k = 0; k < plan_.num_inputs; ++k) {
      offsets_[k] -= (plan_.outer[d] - 1) * plan_.outer_strides[k * rank + d];
    }
  }
}

}  // namespace aclsim::exec::ops
