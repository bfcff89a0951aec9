#include "sim/executor/constant_folding.h"

#include <algorithm>

#include "sim/executor/thread_pool.h"

namespace aclsim::exec {
namespace {

bool Wanted(const GraphNode &node, size_t k) { return k < node.outputs.size() && node.outputs[k] >= 0; }

// Bytes of a fully known value; SIZE_MAX when unknown or absurd.
size_t KnownBytes(const ValueInfo &info) {
  if (!info.rank_known || !IsKnown(info.shape) || DTypeSize(info.dtype) == 0) return SIZE_MAX;
  size_t bytes = DTypeSize(info.dtype);
  for (int64_t dim : info.shape) {
    if (dim != 0 && bytes > SIZE_MAX / static_cast<size_t>(dim)) return SIZE_MAX;
    bytes *= static_cast<size_t>(dim);
  }
  return bytes;
}

}  // namespace

bool CanFold(const GraphNode &node, const std::vector<ValueInfo> &infos, const std::vector<ValueInfo> &outputs,
             size_t limit_bytes) {
  if (limit_bytes == 0 || !node.kernel->Foldable()) return false;
  size_t input_bytes = 0;
  for (int value : node.inputs) {
    if (value < 0) continue;
    if (infos[value].value == nullptr) return false;
    input_bytes += infos[value].value->bytes();
  }
  size_t output_bytes = 0;
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (!Wanted(node, k)) continue;
    size_t bytes = KnownBytes(outputs[k]);
    if (bytes == SIZE_MAX) return false;
    output_bytes += bytes;
  }
  return output_bytes <= std::max(limit_bytes, 2 * input_bytes);
}

Status FoldNode(const GraphNode &node, const std::vector<ValueInfo> &infos, std::vector<ValueInfo> *outputs) {
  std::vector<const Tensor *> inputs;
  for (int value : node.inputs) inputs.push_back(value >= 0 ? infos[value].value.get() : nullptr);
  std::vector<Tensor> results(node.def.num_outputs);
  ThreadPool pool(1);  // folding happens once, on the loading thread
  RunContext ctx(node.def, std::move(inputs), &results, pool);
  EXEC_RETURN_IF_ERROR(node.kernel->Run(ctx).Annotate(node.def.Describe() + " (folding constants)"));
  for (size_t k = 0; k < results.size() && k < outputs->size(); ++k) {
    if (!Wanted(node, k)) continue;
    if (!results[k].defined()) {
      return InternalError("%s produced no output %zu while folding constants", node.def.Describe().c_str(), k);
    }
    ValueInfo &out = (*outputs)[k];
    out.dtype = results[k].dtype();
    out.rank_known = true;
    out.shape = results[k].shape();
    // A result that shares bytes with an input (Identity, Reshape) shares them with a constant
    // that is immutable too, so no copy is needed.
    out.value = std::make_shared<const Tensor>(std::move(results[k]));
  }
  return Status::Ok();
}

}  // namespace aclsim::exec
