#include "sim/executor/kernels/workspace.h"

#include <cstdlib>

namespace aclsim::exec::kernels {
namespace {

constexpr size_t kAlignment = 64;
constexpr int kSlots = static_cast<int>(ScratchSlot::kCount);

struct ThreadBuffers {
  float *data[kSlots] = {};
  size_t capacity[kSlots] = {};
  ~ThreadBuffers() {
    for (float *p : data) std::free(p);
  }
};

thread_local ThreadBuffers t_buffers;

}  // namespace

float *ThreadScratch(ScratchSlot slot, size_t floats) {
  const int index = static_cast<int>(slot);
  if (floats <= t_buffers.capacity[index]) return t_buffers.data[index];
  // Grow by half again so that a slowly rising demand does not reallocate every time.
  size_t want = floats + floats / 2;
  want = (want + 15) / 16 * 16;  // whole cache lines
  if (want > (static_cast<size_t>(-1) / 2) / sizeof(float)) return nullptr;
  void *fresh = std::aligned_alloc(kAlignment, want * sizeof(float));
  if (fresh == nullptr) return nullptr;
  std::free(t_buffers.data[index]);
  t_buffers.data[index] = static_cast<float *>(fresh);
  t_buffers.capacity[index] = want;
  return t_buffers.data[index];
}

}  // namespace aclsim::exec::kernels
