// Per-thread scratch memory for kernels (packed GEMM panels, im2col tiles, row buffers). Each
// thread keeps a few 64-byte aligned buffers that only grow, so the steady state of a model run
// allocates nothing; the sizes asked for are bounded by cache-blocking constants, not by tensor
// sizes, so what a thread keeps is small (a few MiB at most).
#ifndef ASCENDCL_SIM_EXECUTOR_KERNELS_WORKSPACE_H_
#define ASCENDCL_SIM_EXECUTOR_KERNELS_WORKSPACE_H_

#include <cstddef>

namespace aclsim::exec::kernels {

// Buffer slots, so that nested users (a GEMM inside a convolution task) never share one.
enum class ScratchSlot { kPackA = 0, kPackB = 1, kConvTile = 2, kConvInput = 3, kPoolRow = 4, kCount = 5 };

// The calling thread's buffer `slot` with room for at least `floats` floats, or nullptr when the
// memory cannot be had (the caller reports kOutOfMemory). Valid until the same thread asks for
// the same slot again.
float *ThreadScratch(ScratchSlot slot, size_t floats);

}  // namespace aclsim::exec::kernels

#endif  // ASCENDCL_SIM_EXECUTOR_KERNELS_WORKSPACE_H_
