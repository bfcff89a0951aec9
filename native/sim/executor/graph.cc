#include "sim/executor/graph.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <set>

#include "sim/onnx/onnx_reader.h"

namespace aclsim::exec {
namespace {

bool IsDefaultDomain(const std::string &domain) { return domain.empty() || domain == "ai.onnx"; }

std::string SupportedOpsList() {
  std::set<std::string> names;
  for (const OpDef *op : RegisteredOps()) names.insert(op->op_type);
  std::string out;
  for (const std::string &name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out.empty() ? "(none registered)" : out;
}

NodeDef MakeNodeDef(onnx::NodeProto &proto, int opset, size_t index) {
  NodeDef def;
  def.name = proto.name;
  if (def.name.empty()) {
    // Messages name a node by its first output when it has no name of its own.
    for (const std::string &output : proto.outputs) {
      if (!output.empty()) {
        def.name = output;
        break;
      }
    }
  }
  if (def.name.empty()) def.name = "#" + std::to_string(index);
  def.op_type = proto.op_type;
  def.domain = IsDefaultDomain(proto.domain) ? std::string() : proto.domain;
  def.opset = opset;
  for (onnx::AttributeProto &attribute : proto.attributes) {
    def.attributes.Set(attribute.name, std::move(attribute.value));
  }
  for (const std::string &input : proto.inputs) def.input_present.push_back(!input.empty());
  def.num_outputs = proto.outputs.size();
  for (const std::string &output : proto.outputs) def.output_present.push_back(!output.empty());
  return def;
}

Status FindDefaultOpset(const onnx::ModelProto &model, int *opset) {
  bool found = false;
  for (const onnx::OperatorSetId &id : model.opset_import) {
    if (!IsDefaultDomain(id.domain)) continue;
    if (id.version < 1 || id.version > 1000) {
      return InvalidModel("the model imports opset %lld of the default ONNX domain, which does not exist",
                          static_cast<long long>(id.version));
    }
    *opset = static_cast<int>(id.version);
    found = true;
  }
  if (!found) return InvalidModel("the model imports no opset for the default ONNX domain ('' or 'ai.onnx')");
  return Status::Ok();
}

// Every node's op must have a kernel at the model's opset.
Status CheckSupported(const onnx::GraphProto &proto, int opset) {
  for (const onnx::NodeProto &node : proto.nodes) {
    if (IsDefaultDomain(node.domain) && FindOp(node.op_type, opset) != nullptr) continue;
    std::string name = node.name;
    if (name.empty() && !node.outputs.empty()) name = node.outputs[0];
    std::string op = IsDefaultDomain(node.domain) ? node.op_type : node.domain + "." + node.op_type;
    return InvalidModel("node '%s' (%s, opset %d) is not supported by the simulator; supported ops: %s", name.c_str(),
                        op.c_str(), opset, SupportedOpsList().c_str());
  }
  return Status::Ok();
}

Status AddValue(Graph *graph, const std::string &name, int *index) {
  auto inserted = graph->value_index.emplace(name, static_cast<int>(graph->values.size()));
  if (!inserted.second) {
    *index = inserted.first->second;
    return InvalidModel("value '%s' is defined twice", name.c_str());
  }
  graph->values.emplace_back();
  graph->values.back().name = name;
  *index = inserted.first->second;
  return Status::Ok();
}

void Declare(Graph *graph, const onnx::ValueInfoProto &info) {
  auto found = graph->value_index.find(info.name);
  if (found == graph->value_index.end() || info.type.kind != onnx::TypeInfo::Kind::kTensor) return;
  GraphValue &value = graph->values[found->second];
  value.has_declared = true;
  value.declared = DeclaredInfo(info.type);
}

// Kahn's algorithm, taking the ready node that came first in the file: a model that is already
// sorted (as ONNX requires) keeps its order.
Status SortNodes(Graph *graph, const std::vector<std::vector<int>> &consumers) {
  const size_t n = graph->nodes.size();
  std::vector<int> waiting(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (int value : graph->nodes[i].inputs) {
      if (value >= 0 && graph->values[value].producer >= 0) ++waiting[i];
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push(static_cast<int>(i));
  }
  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    int node = ready.top();
    ready.pop();
    order.push_back(node);
    for (int value : graph->nodes[node].outputs) {
      if (value < 0) continue;
      for (int consumer : consumers[value]) {
        if (--waiting[consumer] == 0) ready.push(consumer);
      }
    }
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i) {
      if (waiting[i] == 0) continue;
      return InvalidModel("the graph has a cycle: %s and %zu other node(s) wait on each other's outputs",
                          graph->nodes[i].def.Describe().c_str(), n - order.size() - 1);
    }
  }
  std::vector<int> position(n);
  for (size_t i = 0; i < n; ++i) position[order[i]] = static_cast<int>(i);
  std::vector<GraphNode> sorted(n);
  for (size_t i = 0; i < n; ++i) sorted[position[i]] = std::move(graph->nodes[i]);
  graph->nodes = std::move(sorted);
  for (GraphValue &value : graph->values) {
    if (value.producer >= 0) value.producer = position[value.producer];
  }
  return Status::Ok();
}

}  // namespace

ValueInfo DeclaredInfo(const onnx::TypeInfo &type) {
  ValueInfo info;
  info.dtype = onnx::DTypeFromOnnx(type.elem_type);
  info.rank_known = type.has_shape;
  for (const onnx::Dimension &dim : type.dims) info.shape.push_back(dim.value);
  return info;
}

Status BuildGraph(onnx::ModelProto &model, Graph *graph) {
  if (!model.has_graph) return InvalidModel("the model has no graph");
  EXEC_RETURN_IF_ERROR(FindDefaultOpset(model, &graph->opset));
  onnx::GraphProto &proto = model.graph;
  EXEC_RETURN_IF_ERROR(CheckSupported(proto, graph->opset));

  // Initializers: constants. A graph input with the same name is a constant too (the default
  // ONNX lets a caller override; we do not).
  for (onnx::TensorProto &initializer : proto.initializers) {
    if (initializer.name.empty()) return InvalidModel("the graph has an initializer without a name");
    if (!initializer.value.defined()) {
      return InvalidModel("initializer '%s' has element type %d (%s), which the simulator does not support",
                          initializer.name.c_str(), initializer.data_type,
                          DTypeName(onnx::DTypeFromOnnx(initializer.data_type)));
    }
    int index = 0;
    Status status = AddValue(graph, initializer.name, &index);
    if (!status.ok()) return InvalidModel("the graph has two initializers named '%s'", initializer.name.c_str());
    graph->initializers[index] = std::make_shared<const Tensor>(std::move(initializer.value));
  }
  for (const onnx::ValueInfoProto &input : proto.inputs) {
    if (input.name.empty()) return InvalidModel("the graph has an input without a name");
    auto existing = graph->value_index.find(input.name);
    if (existing != graph->value_index.end()) {
      if (graph->initializers.count(existing->second) != 0) continue;  // an initializer: a constant
      return InvalidModel("the graph declares input '%s' twice", input.name.c_str());
    }
    if (input.type.kind != onnx::TypeInfo::Kind::kTensor) {
      return InvalidModel("graph input '%s' is a %s, but the simulator only takes tensors", input.name.c_str(),
                          onnx::TypeKindName(input.type.kind));
    }
    DType dtype = onnx::DTypeFromOnnx(input.type.elem_type);
    if (!IsRunnable(dtype)) {
      return InvalidModel("graph input '%s' has element type %d (%s), which the simulator does not support",
                          input.name.c_str(), input.type.elem_type, DTypeName(dtype));
    }
    int index = 0;
    EXEC_RETURN_IF_ERROR(AddValue(graph, input.name, &index));
    graph->values[index].is_input = true;
    graph->inputs.push_back(index);
  }

  // Nodes and the values they write.
  graph->nodes.resize(proto.nodes.size());
  for (size_t i = 0; i < proto.nodes.size(); ++i) {
    onnx::NodeProto &node_proto = proto.nodes[i];
    GraphNode &node = graph->nodes[i];
    node.def = MakeNodeDef(node_proto, graph->opset, i);
    node.kernel = FindOp(node_proto.op_type, graph->opset)->make();
    for (const std::string &output : node_proto.outputs) {
      if (output.empty()) {
        node.outputs.push_back(-1);
        continue;
      }
      auto existing = graph->value_index.find(output);
      if (existing != graph->value_index.end()) {
        const GraphValue &value = graph->values[existing->second];
        if (value.producer >= 0) {
          return InvalidModel("value '%s' is written twice: by %s and by %s", output.c_str(),
                              graph->nodes[value.producer].def.Describe().c_str(), node.def.Describe().c_str());
        }
        return InvalidModel("%s writes '%s', which is a graph input or initializer", node.def.Describe().c_str(),
                            output.c_str());
      }
      int index = 0;
      EXEC_RETURN_IF_ERROR(AddValue(graph, output, &index));
      graph->values[index].producer = static_cast<int>(i);
      node.outputs.push_back(index);
    }
  }
  std::vector<std::vector<int>> consumers(graph->values.size());
  for (size_t i = 0; i < proto.nodes.size(); ++i) {
    GraphNode &node = graph->nodes[i];
    for (const std::string &input : proto.nodes[i].inputs) {
      if (input.empty()) {
        node.inputs.push_back(-1);
        continue;
      }
      auto found = graph->value_index.find(input);
      if (found == graph->value_index.end()) {
        return InvalidModel("%s reads '%s', which is not a graph input, an initializer or any node's output",
                            node.def.Describe().c_str(), input.c_str());
      }
      node.inputs.push_back(found->second);
      // One entry per input slot (a node may read a value twice): SortNodes counts slots.
      consumers[found->second].push_back(static_cast<int>(i));
    }
  }

  for (const onnx::ValueInfoProto &output : proto.outputs) {
    auto found = graph->value_index.find(output.name);
    if (output.name.empty() || found == graph->value_index.end()) {
      return InvalidModel("graph output '%s' is not a graph input, an initializer or any node's output",
                          output.name.c_str());
    }
    if (output.type.kind != onnx::TypeInfo::Kind::kTensor && output.type.kind != onnx::TypeInfo::Kind::kUnset) {
      return InvalidModel("graph output '%s' is a %s, but the simulator only produces tensors", output.name.c_str(),
                          onnx::TypeKindName(output.type.kind));
    }
    graph->outputs.push_back(found->second);
  }
  if (graph->outputs.empty()) return InvalidModel("the graph has no outputs");

  // Declarations: value_info first, so that the graph's own inputs and outputs win.
  for (const onnx::ValueInfoProto &info : proto.value_info) Declare(graph, info);
  for (const onnx::ValueInfoProto &info : proto.outputs) Declare(graph, info);
  for (const onnx::ValueInfoProto &info : proto.inputs) Declare(graph, info);

  return SortNodes(graph, consumers);
}

}  // namespace aclsim::exec
