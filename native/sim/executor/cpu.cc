#include "sim/executor/cpu.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace aclsim::exec {
namespace {

Isa Detect() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
    return Isa::kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
  return Isa::kScalar;
}

Isa Cap(Isa wanted) { return static_cast<int>(wanted) <= static_cast<int>(BestIsa()) ? wanted : BestIsa(); }

Isa FromEnvironment() {
  const char *value = std::getenv("ASCENDCL_SIM_ISA");
  if (value == nullptr || value[0] == '\0') return BestIsa();
  if (std::strcmp(value, "scalar") == 0) return Isa::kScalar;
  if (std::strcmp(value, "avx2") == 0) return Cap(Isa::kAvx2);
  if (std::strcmp(value, "avx512") == 0) return Cap(Isa::kAvx512);
  return BestIsa();
}

std::atomic<int> &Active() {
  static std::atomic<int> active{static_cast<int>(FromEnvironment())};
  return active;
}

}  // namespace

Isa BestIsa() {
  static const Isa best = Detect();
  return best;
}

Isa ActiveIsa() { return static_cast<Isa>(Active().load(std::memory_order_relaxed)); }

Isa SetActiveIsa(Isa isa) { return static_cast<Isa>(Active().exchange(static_cast<int>(Cap(isa)))); }

const char *IsaName(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    case Isa::kScalar: break;
  }
  return "scalar";
}

}  // namespace aclsim::exec
