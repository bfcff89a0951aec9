#include "sim/host_memory.h"

#include "acl/acl_errors.h"
#include "sim/recent_errors.h"
#include "sim/util.h"

namespace aclsim {

aclError HostMemory::Allocate(uint64_t size, int device, const Origin &origin, std::shared_ptr<Allocation> *out) {
  uint64_t consumed = 0;  // the runtime rounds pinned sizes to 32
  if (!AlignUp(size, 32, &consumed)) {
    return Fail(acl::ACL_ERROR_RT_MEMORY_ALLOCATION, "cannot allocate %llu bytes of pinned host memory",
                static_cast<unsigned long long>(size));
  }
  void *memory = AllocateBacking(consumed);
  if (memory == nullptr) {
    return Fail(acl::ACL_ERROR_RT_MEMORY_ALLOCATION, "the host could not provide %llu bytes of pinned memory",
                static_cast<unsigned long long>(size));
  }
  std::shared_ptr<Allocation> allocation;
  try {
    allocation = std::make_shared<Allocation>(Allocation::Kind::kPinnedHost, device, reinterpret_cast<uint64_t>(memory),
                                              size, consumed, memory, consumed, origin);
  } catch (...) {
    ReleaseBacking(memory, consumed);
    throw;
  }
  std::lock_guard<std::mutex> lock(mu_);
  table_.Insert(allocation);
  *out = std::move(allocation);
  return ACL_SUCCESS;
}

aclError HostMemory::Free(uint64_t address, bool strict) {
  std::shared_ptr<Allocation> removed;
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Allocation> allocation = table_.FindExact(address);
  if (allocation == nullptr) {
    return Fail(acl::ACL_ERROR_RT_PARAM_INVALID, "cannot free host pointer %s: %s (aclrtFreeHost accepts only "
                "memory from aclrtMallocHost)", Hex(address).c_str(), table_.DescribeBadFree(address).c_str());
  }
  QueuedUse use;
  if (strict && allocation->FirstUse(&use)) {
    return Fail(acl::ACL_ERROR_RT_PARAM_INVALID,
                "cannot free pinned host %s: queued %s (task #%llu) on stream %s still uses it; synchronize the "
                "stream first (strict mode)",
                allocation->Describe().c_str(), use.api, static_cast<unsigned long long>(use.task_id),
                Hex(use.stream_id).c_str());
  }
  // `removed` is declared before the lock guard, so the block is released after the unlock (or
  // later, by the last queued task that still holds it).
  removed = table_.Remove(address, "aclrtFreeHost");
  return ACL_SUCCESS;
}

std::shared_ptr<Allocation> HostMemory::Find(uint64_t address) const {
  std::lock_guard<std::mutex> lock(mu_);
  return table_.FindContaining(address);
}

void HostMemory::Release(int device, uint64_t seq_cut, const char *released_by) {
  std::vector<std::shared_ptr<Allocation>> released;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint64_t> addresses;
  for (const auto &[address, allocation] : table_.live()) {
    if ((device < 0 || allocation->device() == device) && allocation->origin().seq <= seq_cut) {
      addresses.push_back(address);
    }
  }
  for (uint64_t address : addresses) released.push_back(table_.Remove(address, released_by));
}

std::vector<std::shared_ptr<Allocation>> HostMemory::Live() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Allocation>> out;
  for (const auto &[address, allocation] : table_.live()) out.push_back(allocation);
  return out;
}

HostMemory::Totals HostMemory::totals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Totals{table_.live_count(), table_.requested_bytes()};
}

}  // namespace aclsim
