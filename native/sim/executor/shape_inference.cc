#include "sim/executor/shape_inference.h"

#include "sim/executor/constant_folding.h"

namespace aclsim::exec {
namespace {

// Fills in what inference left open from the model's declaration of the value: the type when
// unknown, the whole shape when even the rank is unknown, single dims when they are. What the
// kernel inferred wins over the declaration (it computed it from the actual inputs).
void MergeDeclared(const GraphValue &value, ValueInfo *info) {
  if (!value.has_declared) return;
  const ValueInfo &declared = value.declared;
  if (info->dtype == DType::kUndefined) info->dtype = declared.dtype;
  if (!declared.rank_known) return;
  if (!info->rank_known) {
    info->rank_known = true;
    info->shape = declared.shape;
    return;
  }
  if (info->shape.size() != declared.shape.size()) return;
  for (size_t i = 0; i < info->shape.size(); ++i) {
    if (info->shape[i] < 0) info->shape[i] = declared.shape[i];
  }
}

bool AlreadyConstant(const GraphNode &node, const std::vector<ValueInfo> &infos) {
  bool any = false;
  for (int value : node.outputs) {
    if (value < 0) continue;
    if (infos[value].value == nullptr) return false;
    any = true;
  }
  return any;
}

// Infers (and maybe folds) one node. `load` selects load-time behaviour (errors are the
// model's, big constants may be folded).
Status InferNode(const Graph &graph, const GraphNode &node, std::vector<ValueInfo> *infos, bool load) {
  std::vector<const ValueInfo *> inputs;
  inputs.reserve(node.inputs.size());
  for (int value : node.inputs) inputs.push_back(value >= 0 ? &(*infos)[value] : nullptr);
  std::vector<ValueInfo> outputs(node.def.num_outputs);
  InferContext ctx(node.def, std::move(inputs), &outputs);
  Status inferred = node.kernel->Infer(ctx);
  if (ctx.missing_input() >= 0) {
    return Status::Error(kInvalidModel, node.def.Describe() + ": input " + std::to_string(ctx.missing_input()) +
                                            " is required but the node does not have it");
  }
  if (ctx.missing_output() >= 0) {
    return Status::Error(kInvalidModel, node.def.Describe() + ": its op makes output " +
                                            std::to_string(ctx.missing_output()) + " but the node does not have it");
  }
  EXEC_RETURN_IF_ERROR(inferred.Annotate(node.def.Describe()));
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (node.outputs[k] >= 0) MergeDeclared(graph.values[node.outputs[k]], &outputs[k]);
  }
  bool all_constant = true;
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (node.outputs[k] >= 0 && outputs[k].value == nullptr) all_constant = false;
  }
  if (!all_constant &&
      CanFold(node, *infos, outputs, load ? kLoadFoldLimitBytes : kReinferFoldLimitBytes)) {
    EXEC_RETURN_IF_ERROR(FoldNode(node, *infos, &outputs));
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (node.outputs[k] >= 0) (*infos)[node.outputs[k]] = std::move(outputs[k]);
  }
  return Status::Ok();
}

// At load every failure is the model's: the graph is inconsistent with itself.
Status AsModelError(const Status &status) {
  if (status.ok() || status.code() == kInvalidModel || status.code() == kOutOfMemory) return status;
  return Status::Error(kInvalidModel, status.message());
}

}  // namespace

Status InitAndInfer(Graph *graph, std::vector<ValueInfo> *infos) {
  for (GraphNode &node : graph->nodes) {
    std::vector<const Tensor *> constants;
    constants.reserve(node.inputs.size());
    for (int value : node.inputs) constants.push_back(value >= 0 ? (*infos)[value].value.get() : nullptr);
    EXEC_RETURN_IF_ERROR(AsModelError(node.kernel->Init(node.def, constants).Annotate(node.def.Describe())));
    EXEC_RETURN_IF_ERROR(AsModelError(InferNode(*graph, node, infos, /*load=*/true)));
  }
  return Status::Ok();
}

Status Reinfer(const Graph &graph, std::vector<ValueInfo> *infos) {
  for (const GraphNode &node : graph.nodes) {
    if (AlreadyConstant(node, *infos)) continue;
    EXEC_RETURN_IF_ERROR(InferNode(graph, node, infos, /*load=*/false));
  }
  return Status::Ok();
}

}  // namespace aclsim::exec
