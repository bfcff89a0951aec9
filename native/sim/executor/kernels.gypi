# Thread pool, CPU feature dispatch, and the compute-heavy kernels (paths relative to this file):
# the numeric cores in kernels/ and the ops that use them. CMake globs the tree; node-gyp reads
# this list, so keep it complete. No ISA flags here: the AVX2 and AVX-512 code selects its
# instructions with function attributes and is chosen at run time (cpu.h).
{
  "sources": [
    "cpu.cc",
    "thread_pool.cc",
    "kernels/conv_bands.cc",
    "kernels/depthwise.cc",
    "kernels/gemm.cc",
    "kernels/gemm_avx2.cc",
    "kernels/gemm_avx512.cc",
    "kernels/gemm_pack.cc",
    "kernels/gemm_portable.cc",
    "kernels/im2col.cc",
    "kernels/normalize.cc",
    "kernels/op_support.cc",
    "kernels/pool.cc",
    "kernels/resize.cc",
    "kernels/window.cc",
    "kernels/workspace.cc",
    "ops/batch_norm.cc",
    "ops/conv.cc",
    "ops/conv_transpose.cc",
    "ops/gemm.cc",
    "ops/instance_norm.cc",
    "ops/layer_norm.cc",
    "ops/matmul.cc",
    "ops/pool.cc",
    "ops/resize.cc"
  ]
}
