// One device's memory: a reserved address range host code cannot touch, next-fit placement of
// allocations inside it, capacity accounting, and the allocation table.
//
// Device addresses are never host-accessible (the range is mmap'ed PROT_NONE), so a host
// dereference of a device pointer faults as it would on a card. The bytes live in a separate
// backing store owned by each Allocation. Placement is next-fit with a rotating cursor, so an
// address is not handed out again soon after it is freed: a stale pointer then names the freed
// allocation instead of silently landing in a new one.
//
// Thread safety: every method locks `mu_`; nothing slow (no copy, no wait) happens under it.
#ifndef ASCENDCL_SIM_DEVICE_MEMORY_H_
#define ASCENDCL_SIM_DEVICE_MEMORY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "acl/acl_abi.h"
#include "sim/allocation_table.h"

namespace aclsim {

class DeviceMemory {
 public:
  DeviceMemory() = default;
  ~DeviceMemory();
  DeviceMemory(const DeviceMemory &) = delete;
  DeviceMemory &operator=(const DeviceMemory &) = delete;

  // Reserves the address range of device `device` with `capacity` bytes of memory (aclInit).
  bool Reserve(int device, uint64_t capacity, std::string *error);
  // Releases every allocation and the address range (aclFinalize).
  void Unreserve();

  // Whether `address` lies in this device's reserved range. Lock-free: called for every pointer
  // of every copy to find which device (if any) it belongs to.
  bool Contains(uint64_t address) const {
    return address >= base_.load(std::memory_order_relaxed) && address < limit_.load(std::memory_order_relaxed);
  }

  // aclrtMalloc: charges align32(size) + 32 bytes of capacity. Fails (queuing the message) with
  // ACL_ERROR_RT_MEMORY_ALLOCATION past capacity or when the host cannot back it.
  aclError Allocate(uint64_t size, const Origin &origin, std::shared_ptr<Allocation> *out);

  // aclrtFree. `address` must be the start of a live allocation (else 107000 naming the case). In
  // strict mode an allocation that queued stream work still uses cannot be freed (107000);
  // otherwise it is removed at once and its bytes are released when that work finishes.
  aclError Free(uint64_t address, bool strict);

  // The live allocation whose range contains `address`; nullptr with `*why` explaining what the
  // address is (use after free of allocation #k, past the end of #k, never allocated).
  std::shared_ptr<Allocation> Find(uint64_t address, std::string *why) const;

  // Capacity consumed without an allocation (a loaded model's weights): align32(size) + 32 bytes,
  // like an allocation of `size` bytes, counted in the totals and in aclrtGetMemInfo. Fails like
  // Allocate (207001, the message naming `what`). `*generation` identifies the reservation, so a
  // charge returned after aclFinalize and a new aclInit is ignored instead of miscounted.
  aclError Charge(uint64_t size, const char *what, uint64_t *charged, uint64_t *generation);
  // Charge without queuing a message: false with *why (the message Charge would queue) when the
  // capacity is not there. For charges made on executor threads (a model run's values).
  bool TryCharge(uint64_t size, const char *what, uint64_t *charged, uint64_t *generation, std::string *why);
  void Uncharge(uint64_t charged, uint64_t generation);
  // Identifies the current reservation (as Charge's *generation does).
  uint64_t generation() const;

  // Device reset: forgets every allocation made up to sequence number `seq_cut`.
  void ReleaseUpTo(uint64_t seq_cut, const char *released_by);

  std::vector<std::shared_ptr<Allocation>> Live() const;

  struct Totals {
    uint64_t allocations = 0;
    uint64_t requested = 0;
    uint64_t consumed = 0;
    uint64_t capacity = 0;
  };
  Totals totals() const;

 private:
  bool FindGap(uint64_t from, uint64_t to, uint64_t need, uint64_t *out) const;  // mu_ held

  mutable std::mutex mu_;
  int device_ = -1;
  void *reservation_ = nullptr;
  uint64_t reservation_bytes_ = 0;
  std::atomic<uint64_t> base_{0};
  std::atomic<uint64_t> limit_{0};
  uint64_t capacity_ = 0;
  uint64_t consumed_ = 0;
  uint64_t cursor_ = 0;
  uint64_t generation_ = 0;  // bumped by every Reserve
  AllocationTable table_;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_DEVICE_MEMORY_H_
