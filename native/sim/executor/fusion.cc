#include "sim/executor/fusion.h"

#include <cmath>
#include <string>
#include <vector>

namespace aclsim::exec {
namespace {

const Tensor *Float32Initializer(const Graph &graph, int value) {
  if (value < 0) return nullptr;
  auto it = graph.initializers.find(value);
  if (it == graph.initializers.end() || it->second->dtype() != DType::kFloat32) return nullptr;
  return it->second.get();
}

bool Is(const GraphNode &node, const char *op_type) { return node.def.domain.empty() && node.def.op_type == op_type; }

// Only output 0 wanted (optional extra outputs left unnamed).
bool SingleOutput(const GraphNode &node) {
  for (size_t k = 1; k < node.outputs.size(); ++k) {
    if (node.outputs[k] >= 0) return false;
  }
  return !node.outputs.empty() && node.outputs[0] >= 0;
}

int AddInitializer(Graph *graph, const std::string &base, std::shared_ptr<const Tensor> tensor) {
  std::string name = base;
  for (int i = 1; graph->value_index.count(name) != 0; ++i) name = base + "_" + std::to_string(i);
  const int index = static_cast<int>(graph->values.size());
  GraphValue value;
  value.name = name;
  graph->values.push_back(value);
  graph->value_index[name] = index;
  graph->initializers[index] = std::move(tensor);
  return index;
}

// Conv weights W [M, C/g, k...] and bias B [M] scaled by BatchNormalization's parameters.
bool FoldBatchNorm(Graph *graph, GraphNode &conv, const GraphNode &bn) {
  if (bn.inputs.size() != 5 || !SingleOutput(bn)) return false;
  if (bn.def.attributes.Int("training_mode", 0) != 0 || bn.def.attributes.Int("spatial", 1) != 1) return false;
  const Tensor *w = Float32Initializer(*graph, conv.inputs[1]);
  if (w == nullptr || w->rank() < 3) return false;
  const int64_t maps = w->dim(0);
  const Tensor *b = conv.inputs.size() > 2 ? Float32Initializer(*graph, conv.inputs[2]) : nullptr;
  if (conv.inputs.size() > 2 && conv.inputs[2] >= 0 && (b == nullptr || b->elements() != maps)) return false;
  const Tensor *params[4];
  for (int i = 0; i < 4; ++i) {
    params[i] = Float32Initializer(*graph, bn.inputs[i + 1]);
    if (params[i] == nullptr || params[i]->rank() != 1 || params[i]->elements() != maps) return false;
  }
  const double epsilon = bn.def.attributes.Float("epsilon", 1e-5f);
  const float *scale = params[0]->data<float>(), *shift = params[1]->data<float>();
  const float *mean = params[2]->data<float>(), *var = params[3]->data<float>();
  auto folded_w = std::make_shared<Tensor>(DType::kFloat32, w->shape());
  auto folded_b = std::make_shared<Tensor>(DType::kFloat32, Shape{maps});
  const int64_t per_map = w->elements() / maps;
  for (int64_t m = 0; m < maps; ++m) {
    const double factor = scale[m] / std::sqrt(static_cast<double>(var[m]) + epsilon);
    const float *from = w->data<float>() + m * per_map;
    float *to = folded_w->data<float>() + m * per_map;
    for (int64_t i = 0; i < per_map; ++i) to[i] = static_cast<float>(from[i] * factor);
    const double bias = b != nullptr ? b->data<float>()[m] : 0.0;
    folded_b->data<float>()[m] = static_cast<float>((bias - mean[m]) * factor + shift[m]);
  }
  const std::string base = graph->values[conv.outputs[0]].name;
  conv.inputs.resize(3, -1);
  conv.def.input_present.resize(3, false);
  conv.inputs[1] = AddInitializer(graph, base + "/bn_folded_W", std::move(folded_w));
  conv.inputs[2] = AddInitializer(graph, base + "/bn_folded_B", std::move(folded_b));
  conv.def.input_present[1] = conv.def.input_present[2] = true;
  return true;
}

}  // namespace

Status FuseForInference(Graph *graph) {
  std::vector<int> readers(graph->values.size(), 0);
  std::vector<int> reader_node(graph->values.size(), -1);
  for (size_t n = 0; n < graph->nodes.size(); ++n) {
    for (int value : graph->nodes[n].inputs) {
      if (value < 0) continue;
      ++readers[value];
      reader_node[value] = static_cast<int>(n);
    }
  }
  for (int value : graph->outputs) readers[value] += 2;  // a graph output is never fused away
  std::vector<bool> removed(graph->nodes.size(), false);
  // The node that alone reads `conv`'s output, through its first input, if it is `op_type`
  // (`conv` names whichever node is being fused into).
  auto sole_reader = [&](const GraphNode &conv, const char *op_type) -> int {
    const int out = conv.outputs[0];
    if (readers[out] != 1) return -1;
    const int n = reader_node[out];
    const GraphNode &next = graph->nodes[n];
    return Is(next, op_type) && !next.inputs.empty() && next.inputs[0] == out ? n : -1;
  };
  // `conv` takes over `next`'s output; the value between them is left without producer or reader.
  auto absorb = [&](GraphNode &conv, int n) {
    const int between = conv.outputs[0];
    graph->values[between].producer = -1;
    conv.outputs[0] = graph->nodes[n].outputs[0];
    removed[n] = true;
  };
  for (size_t c = 0; c < graph->nodes.size(); ++c) {
    GraphNode &node = graph->nodes[c];
    if (removed[c] || !node.def.domain.empty() || !SingleOutput(node)) continue;
    if (Is(node, "Conv") && node.inputs.size() >= 2) {
      if (int n = sole_reader(node, "BatchNormalization"); n >= 0 && FoldBatchNorm(graph, node, graph->nodes[n])) {
        absorb(node, n);
      }
    }
    // Conv and Add say yes; other kernels keep their Relu.
    if (int n = sole_reader(node, "Relu"); n >= 0 && SingleOutput(graph->nodes[n]) && node.kernel->FuseRelu()) {
      absorb(node, n);
    }
  }
  std::vector<GraphNode> kept;
  kept.reserve(graph->nodes.size());
  for (size_t n = 0; n < graph->nodes.size(); ++n) {
    if (!removed[n]) kept.push_back(std::move(graph->nodes[n]));
  }
  graph->nodes = std::move(kept);
  for (size_t n = 0; n < graph->nodes.size(); ++n) {
    for (int value : graph->nodes[n].outputs) {
      if (value >= 0) graph->values[value].producer = static_cast<int>(n);
    }
  }
  return Status::Ok();
}

}  // namespace aclsim::exec
