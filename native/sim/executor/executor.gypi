# Executor core, the graph engine and the light operators (paths relative to this file). CMake
# globs the tree; node-gyp reads this list, so keep it complete. The compute-heavy kernels and
# their ops are in kernels.gypi.
{
  "sources": [
    "constant_folding.cc",
    "dtype.cc",
    "executable.cc",
    "fusion.cc",
    "graph.cc",
    "memory_budget.cc",
    "op.cc",
    "shape_inference.cc",
    "status.cc",
    "tensor.cc",
    "ops/activations.cc",
    "ops/arithmetic.cc",
    "ops/broadcast.cc",
    "ops/cast.cc",
    "ops/concat_split.cc",
    "ops/constants.cc",
    "ops/elementwise.cc",
    "ops/expand_tile.cc",
    "ops/gather_scatter.cc",
    "ops/logical.cc",
    "ops/op_util.cc",
    "ops/pad.cc",
    "ops/quantize.cc",
    "ops/reduce.cc",
    "ops/reshape.cc",
    "ops/slice.cc",
    "ops/softmax.cc",
    "ops/topk.cc",
    "ops/transpose.cc",
    "ops/trilu_cumsum.cc",
    "ops/unary_math.cc",
    "ops/variadic.cc"
  ]
}
