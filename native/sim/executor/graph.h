// The graph the engine runs, built from a parsed ModelProto: one entry per value (graph inputs,
// initializers, node outputs), nodes in a verified topological order with their kernels, and
// the declared types of values (graph inputs and outputs, value_info).
#ifndef ASCENDCL_SIM_EXECUTOR_GRAPH_H_
#define ASCENDCL_SIM_EXECUTOR_GRAPH_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/executor/op.h"
#include "sim/executor/status.h"
#include "sim/onnx/model_proto.h"

namespace aclsim::exec {

struct GraphValue {
  std::string name;
  int producer = -1;          // index into Graph::nodes; -1 for graph inputs and initializers
  bool is_input = false;      // a graph input without an initializer: fed by the caller
  bool has_declared = false;  // a type from the graph's inputs, outputs or value_info
  ValueInfo declared;         // (dtype kUndefined / rank unknown where the declaration says nothing)
};

struct GraphNode {
  NodeDef def;
  std::unique_ptr<Kernel> kernel;
  std::vector<int> inputs;   // value index per input slot, -1 for an absent optional input
  std::vector<int> outputs;  // value index per output slot, -1 for an output left unnamed
};

struct Graph {
  int opset = 0;                   // of the default domain
  std::vector<GraphValue> values;
  std::vector<GraphNode> nodes;    // topologically sorted
  std::vector<int> inputs;         // values fed by the caller, in declaration order
  std::vector<int> outputs;        // graph outputs, in declaration order
  std::map<std::string, int> value_index;
  // Initializer values (constants), by value index.
  std::map<int, std::shared_ptr<const Tensor>> initializers;
};

// Builds the graph: the default-domain opset, a kernel for every node (an op outside the
// registry fails naming the node, the op, the opset and the supported ops), values with their
// declarations, and the topological order (undefined inputs, values written twice and cycles
// are errors). Kernels are made but not initialised. Errors are kInvalidModel.
Status BuildGraph(onnx::ModelProto &model, Graph *graph);

// A declared TypeProto as the engine sees it (dtype, rank, dims with -1 for unknown).
ValueInfo DeclaredInfo(const onnx::TypeInfo &type);

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_GRAPH_H_
