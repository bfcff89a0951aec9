// Live allocations by address plus a bounded memory of freed ones: the part of the device and
// host tables that answers "what is this pointer?" precisely enough for a useful message.
// Not thread-safe: its owner (DeviceMemory, HostMemory) locks around it.
#ifndef ASCENDCL_SIM_ALLOCATION_TABLE_H_
#define ASCENDCL_SIM_ALLOCATION_TABLE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <memory_resource>
#include <string>
#include <vector>

#include "sim/allocation.h"

namespace aclsim {

class AllocationTable {
 public:
  // Adds a live allocation; forgets freed records its range overlaps (the addresses are reused).
  void Insert(std::shared_ptr<Allocation> allocation);

  // The live allocation starting exactly at `address`, or whose range [address, address +
  // consumed) contains it.
  std::shared_ptr<Allocation> FindExact(uint64_t address) const;
  std::shared_ptr<Allocation> FindContaining(uint64_t address) const;

  // Removes a live allocation (which must be present) and remembers it as freed by `freed_by`.
  std::shared_ptr<Allocation> Remove(uint64_t address, const char *freed_by);

  // Why `address` is not in a live allocation: use after free of allocation #k, past the end of
  // allocation #k, or never allocated.
  std::string DescribeNotLive(uint64_t address) const;
  // Why `address` cannot be freed: inside allocation #k at offset o, double free of allocation
  // #k, inside freed allocation #k, or never allocated.
  std::string DescribeBadFree(uint64_t address) const;

  // Hands over the live allocations (the caller releases them, e.g. outside a lock) and forgets
  // everything, freed records too.
  std::map<uint64_t, std::shared_ptr<Allocation>> TakeAll();

  const std::map<uint64_t, std::shared_ptr<Allocation>> &live() const { return live_; }
  size_t live_count() const { return live_.size(); }
  uint64_t requested_bytes() const { return requested_; }

 private:
  const FreedRecord *FindFreed(uint64_t address) const;
  const Allocation *LiveBelow(uint64_t address) const;

  // Enough history to name the allocation behind a stale pointer in any realistic test, bounded so
  // that a long-running process does not grow without limit.
  static constexpr size_t kMaxFreedRecords = 16384;

  std::map<uint64_t, std::shared_ptr<Allocation>> live_;
  uint64_t requested_ = 0;
  // The freed records' nodes come from a pool of their own. Their number is bounded, but they are
  // made one per free: from the general heap, a burst of frees (the collector finalizing thousands
  // of dropped buffers) would scatter them among the blocks just freed, and those pages could then
  // never go back to the system. The pool keeps them together and reuses them.
  std::pmr::unsynchronized_pool_resource freed_pool_{std::pmr::pool_options{0, 4096}};
  std::pmr::map<uint64_t, FreedRecord> freed_{&freed_pool_};
  std::pmr::deque<std::pair<uint64_t, uint64_t>> freed_order_{&freed_pool_};  // (address, seq), oldest first
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_ALLOCATION_TABLE_H_
