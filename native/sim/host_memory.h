// Pinned host memory (aclrtMallocHost): real, host-accessible memory, tracked so that
// aclrtFreeHost accepts only what aclrtMallocHost returned, copies can tell pinned from pageable
// memory, and a device reset releases what was allocated under it.
//
// Thread safety: every method locks `mu_`; nothing slow happens under it.
#ifndef ASCENDCL_SIM_HOST_MEMORY_H_
#define ASCENDCL_SIM_HOST_MEMORY_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "acl/acl_abi.h"
#include "sim/allocation_table.h"

namespace aclsim {

class HostMemory {
 public:
  // `device` is the device of the caller's current context: resetting it releases the block.
  aclError Allocate(uint64_t size, int device, const Origin &origin, std::shared_ptr<Allocation> *out);
  // Same rules as DeviceMemory::Free: start of a live block, and in strict mode no queued use.
  aclError Free(uint64_t address, bool strict);
  // The live block containing `address`, or nullptr. (Freed pinned addresses are not reported as
  // "use after free": malloc may have reused them for ordinary host memory.)
  std::shared_ptr<Allocation> Find(uint64_t address) const;

  // Device reset / finalize: forget the blocks made under `device` (all devices: -1) up to
  // sequence number `seq_cut`.
  void Release(int device, uint64_t seq_cut, const char *released_by);

  std::vector<std::shared_ptr<Allocation>> Live() const;
  struct Totals {
    uint64_t allocations = 0;
    uint64_t bytes = 0;
  };
  Totals totals() const;

 private:
  mutable std::mutex mu_;
  AllocationTable table_;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_HOST_MEMORY_H_
