// Type and shape inference over the whole graph, with constant folding: node by node in
// topological order, each kernel describes its outputs from what is known of its inputs; what it
// cannot decide comes from the model's declarations (value_info, graph outputs); and a node whose
// inputs are all constant is run there and then so its outputs become constants too (which is
// how Reshape/Expand/Slice fed by shape arithmetic get static shapes).
#ifndef ASCENDCL_SIM_EXECUTOR_SHAPE_INFERENCE_H_
#define ASCENDCL_SIM_EXECUTOR_SHAPE_INFERENCE_H_

#include <cstddef>
#include <vector>

#include "sim/executor/graph.h"

namespace aclsim::exec {

// Folding limits: at load, outputs up to this size (or twice the node's inputs, if more) are
// computed once and kept; when re-inferring for given input shapes, only small values (shape
// arithmetic) are folded, in a scratch copy.
//
// The libFuzzer build (CMake ASCENDCL_FUZZ) folds at load only what re-inference would: a perf
// profile of the model-loader target had half its time in kernels folding megabyte constants of
// mutated models, which exercises no code that small constants do not. A bigger value is then
// computed when the model runs, which the fuzzer covers as well.
#ifdef ASCENDCL_FUZZ_BUILD
constexpr size_t kLoadFoldLimitBytes = size_t{64} << 10;
#else
constexpr size_t kLoadFoldLimitBytes = size_t{16} << 20;
#endif
constexpr size_t kReinferFoldLimitBytes = size_t{64} << 10;

// At load: Kernel::Init for every node (with the constants known by then), inference and
// folding. `infos` is indexed like graph->values, with graph inputs and initializers set.
// Errors name the node; every error is kInvalidModel (or kOutOfMemory).
Status InitAndInfer(Graph *graph, std::vector<ValueInfo> *infos);

// For InferOutputs: inference again from `infos` as left by InitAndInfer with the graph inputs
// replaced. Nodes whose outputs were folded at load are skipped. Errors keep the kernel's code
// (kShapeInvalid for input shapes the graph rejects).
Status Reinfer(const Graph &graph, std::vector<ValueInfo> *infos);

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_SHAPE_INFERENCE_H_
