// Load-time rewrites for inference, run on the built graph before kernels are initialised:
//  - a BatchNormalization (inference mode, constant parameters) whose input is a Conv with
//    constant weights, read by nothing else, is folded into the Conv's weights and bias;
//  - a Relu that alone reads a Conv's or an Add's output is applied by that node as it writes
//    (Kernel::FuseRelu: the Conv in its GEMM epilogue, the Add in its loop) instead of as a
//    separate pass over a freshly allocated tensor.
// Both are what exported CNNs are made of (conv → bn → relu), and both save a full read and
// write of an activation per node. A rewrite never changes a graph output's name or value.
#ifndef ASCENDCL_SIM_EXECUTOR_FUSION_H_
#define ASCENDCL_SIM_EXECUTOR_FUSION_H_

#include "sim/executor/graph.h"
#include "sim/executor/status.h"

namespace aclsim::exec {

Status FuseForInference(Graph *graph);

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_FUSION_H_
