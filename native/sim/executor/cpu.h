// Which vector instructions the kernels use: chosen at run time from the CPU's features
// (never with -march at build time), and forced with ASCENDCL_SIM_ISA=scalar|avx2|avx512 so
// that every path can be tested on a machine that has them all.
#ifndef ASCENDCL_SIM_EXECUTOR_CPU_H_
#define ASCENDCL_SIM_EXECUTOR_CPU_H_

namespace aclsim::exec {

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// The best the CPU and OS support (AVX2 means AVX2+FMA; AVX-512 means F+BW+DQ+VL).
Isa BestIsa();
// What kernels use now: ASCENDCL_SIM_ISA when set (capped to BestIsa()), else BestIsa().
Isa ActiveIsa();
// For tests: force a path (capped to BestIsa()); returns the previous one.
Isa SetActiveIsa(Isa isa);
const char *IsaName(Isa isa);

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_CPU_H_
