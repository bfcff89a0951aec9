// Running a node whose inputs are all constant while the graph is prepared, so that its outputs
// become constants (and the node leaves the run plan).
#ifndef ASCENDCL_SIM_EXECUTOR_CONSTANT_FOLDING_H_
#define ASCENDCL_SIM_EXECUTOR_CONSTANT_FOLDING_H_

#include <cstddef>
#include <vector>

#include "sim/executor/graph.h"

namespace aclsim::exec {

// Whether `node` may be folded: a foldable kernel, every present input constant, every wanted
// output of known type and shape (from `outputs`, what Infer said), and at most `limit_bytes` of
// outputs in all (or twice the bytes of its inputs, when that is more).
bool CanFold(const GraphNode &node, const std::vector<ValueInfo> &infos, const std::vector<ValueInfo> &outputs,
             size_t limit_bytes);

// Runs `node` on the constants and stores the results in `outputs[k].value` (with their types
// and shapes). Kernel errors are annotated with the node.
Status FoldNode(const GraphNode &node, const std::vector<ValueInfo> &infos, std::vector<ValueInfo> *outputs);

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_CONSTANT_FOLDING_H_
