#include "sim/device_memory.h"

#include <sys/mman.h>

#include <algorithm>

#include "acl/acl_errors.h"
#include "sim/recent_errors.h"
#include "sim/util.h"

namespace aclsim {
namespace {

// Device addresses are at least this aligned (the runtime guarantees 64).
constexpr uint64_t kAddressAlign = 64;

}  // namespace

DeviceMemory::~DeviceMemory() { Unreserve(); }

bool DeviceMemory::Reserve(int device, uint64_t capacity, std::string *error) {
  std::lock_guard<std::mutex> lock(mu_);
  // Four times the capacity (at least 1 GiB) leaves room for fragmentation and for the rotating
  // cursor; fall back to less address space when the process cannot spare that much.
  uint64_t wanted = std::max<uint64_t>(uint64_t{1} << 30, capacity * 4);
  const uint64_t candidates[] = {wanted, std::max<uint64_t>(uint64_t{1} << 30, capacity * 2),
                                 capacity + (uint64_t{64} << 20)};
  for (uint64_t bytes : candidates) {
    uint64_t rounded = 0;
    if (!AlignUp(bytes, 1 << 21, &rounded)) continue;
    void *p = mmap(nullptr, rounded, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) continue;
    device_ = device;
    reservation_ = p;
    reservation_bytes_ = rounded;
    uint64_t base = reinterpret_cast<uint64_t>(p);
    base_.store(base, std::memory_order_relaxed);
    limit_.store(base + rounded, std::memory_order_relaxed);
    capacity_ = capacity;
    consumed_ = 0;
    cursor_ = base;
    ++generation_;
    table_.TakeAll();
    return true;
  }
  *error = Sprintf("cannot reserve address space for device %d (%s of memory)", device, Bytes(capacity).c_str());
  return false;
}

void DeviceMemory::Unreserve() {
  std::map<uint64_t, std::shared_ptr<Allocation>> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reservation_ != nullptr) munmap(reservation_, reservation_bytes_);
    reservation_ = nullptr;
    reservation_bytes_ = 0;
    base_.store(0, std::memory_order_relaxed);
    limit_.store(0, std::memory_order_relaxed);
    capacity_ = 0;
    consumed_ = 0;
    old = table_.TakeAll();
  }
  // `old` releases the backing of whatever was left, outside the lock.
}

bool DeviceMemory::FindGap(uint64_t from, uint64_t to, uint64_t need, uint64_t *out) const {
  uint64_t candidate = from;
  auto it = table_.live().upper_bound(from);
  if (it != table_.live().begin()) {
    const Allocation &prev = *std::prev(it)->second;
    uint64_t prev_end = prev.address() + prev.consumed();
    if (prev_end > candidate && !AlignUp(prev_end, kAddressAlign, &candidate)) return false;
  }
  for (; it != table_.live().end() && it->first < to; ++it) {
    if (candidate <= it->first && it->first - candidate >= need) break;
    uint64_t end = it->second->address() + it->second->consumed();
    if (!AlignUp(end, kAddressAlign, &candidate)) return false;
  }
  if (candidate >= to || to - candidate < need) return false;
  *out = candidate;
  return true;
}

aclError DeviceMemory::Allocate(uint64_t size, const Origin &origin, std::shared_ptr<Allocation> *out) {
  // Hardware rule (reference §5.3): align up to 32 and pad with 32 more bytes.
  uint64_t consumed = 0;
  bool representable = AlignUp(size, 32, &consumed) && consumed <= UINT64_MAX - 32;
  if (representable) consumed += 32;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t free_bytes = capacity_ - consumed_;
  if (!representable || consumed > free_bytes) {
    return Fail(acl::ACL_ERROR_RT_MEMORY_ALLOCATION,
                "out of device memory on device %d: requested %llu bytes (consumes %llu with alignment and padding), "
                "%llu of %llu bytes consumed, %llu free",
                device_, static_cast<unsigned long long>(size), static_cast<unsigned long long>(consumed),
                static_cast<unsigned long long>(consumed_), static_cast<unsigned long long>(capacity_),
                static_cast<unsigned long long>(free_bytes));
  }
  uint64_t need = 0;
  AlignUp(consumed, kAddressAlign, &need);
  uint64_t base = base_.load(std::memory_order_relaxed), limit = limit_.load(std::memory_order_relaxed);
  uint64_t address = 0;
  if (!FindGap(cursor_, limit, need, &address) && !FindGap(base, cursor_, need, &address)) {
    return Fail(acl::ACL_ERROR_RT_MEMORY_ALLOCATION,
                "device %d address space is too fragmented for %llu bytes (%llu of %llu bytes consumed)", device_,
                static_cast<unsigned long long>(size), static_cast<unsigned long long>(consumed_),
                static_cast<unsigned long long>(capacity_));
  }
  // Getting backing memory is a malloc or an mmap: quick enough to do under the lock, which keeps
  // placement and insertion atomic.
  void *backing = AllocateBacking(consumed);
  if (backing == nullptr) {
    return Fail(acl::ACL_ERROR_RT_MEMORY_ALLOCATION, "the host could not provide %llu bytes of backing memory",
                static_cast<unsigned long long>(consumed));
  }
  std::shared_ptr<Allocation> allocation;
  try {
    allocation = std::make_shared<Allocation>(Allocation::Kind::kDevice, device_, address, size, consumed, backing,
                                              consumed, origin);
  } catch (...) {
    ReleaseBacking(backing, consumed);
    throw;
  }
  table_.Insert(allocation);
  consumed_ += consumed;
  cursor_ = address + need;
  if (cursor_ >= limit) cursor_ = base;
  *out = std::move(allocation);
  return ACL_SUCCESS;
}

aclError DeviceMemory::Free(uint64_t address, bool strict) {
  std::shared_ptr<Allocation> removed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::shared_ptr<Allocation> allocation = table_.FindExact(address);
    if (allocation == nullptr) {
      return Fail(acl::ACL_ERROR_RT_PARAM_INVALID, "cannot free device pointer %s on device %d: %s", Hex(address).c_str(),
                  device_, table_.DescribeBadFree(address).c_str());
    }
    QueuedUse use;
    if (strict && allocation->FirstUse(&use)) {
      return Fail(acl::ACL_ERROR_RT_PARAM_INVALID,
                  "cannot free %s: queued %s (task #%llu) on stream %s still uses it; synchronize the stream first "
                  "(strict mode)",
                  allocation->Describe().c_str(), use.api, static_cast<unsigned long long>(use.task_id),
                  Hex(use.stream_id).c_str());
    }
    removed = table_.Remove(address, "aclrtFree");
    consumed_ -= removed->consumed();
  }
  // Dropping `removed` here releases the backing unless a queued task still holds it (non-strict),
  // in which case the last task to finish releases it. Either way, not under the lock.
  return ACL_SUCCESS;
}

aclError DeviceMemory::Charge(uint64_t size, const char *what, uint64_t *charged, uint64_t *generation) {
  std::string why;
  if (!TryCharge(size, what, charged, generation, &why)) return Fail(acl::ACL_ERROR_RT_MEMORY_ALLOCATION, "%s", why.c_str());
  return ACL_SUCCESS;
}

bool DeviceMemory::TryCharge(uint64_t size, const char *what, uint64_t *charged, uint64_t *generation,
                             std::string *why) {
  uint64_t consumed = 0;
  bool representable = AlignUp(size, 32, &consumed) && consumed <= UINT64_MAX - 32;
  if (representable) consumed += 32;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t free_bytes = capacity_ - consumed_;
  if (!representable || consumed > free_bytes) {
    *why = Sprintf("out of device memory on device %d for %s: %llu bytes (consumes %llu with alignment and padding), "
                   "%llu of %llu bytes consumed, %llu free",
                   device_, what, static_cast<unsigned long long>(size), static_cast<unsigned long long>(consumed),
                   static_cast<unsigned long long>(consumed_), static_cast<unsigned long long>(capacity_),
                   static_cast<unsigned long long>(free_bytes));
    return false;
  }
  consumed_ += consumed;
  *charged = consumed;
  *generation = generation_;
  return true;
}

uint64_t DeviceMemory::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

void DeviceMemory::Uncharge(uint64_t charged, uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  if (generation != generation_ || reservation_ == nullptr) return;
  consumed_ -= std::min(consumed_, charged);
}

std::shared_ptr<Allocation> DeviceMemory::Find(uint64_t address, std::string *why) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Allocation> allocation = table_.FindContaining(address);
  if (allocation == nullptr && why != nullptr) *why = table_.DescribeNotLive(address);
  return allocation;
}

void DeviceMemory::ReleaseUpTo(uint64_t seq_cut, const char *released_by) {
  std::vector<std::shared_ptr<Allocation>> released;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint64_t> addresses;
  for (const auto &[address, allocation] : table_.live()) {
    if (allocation->origin().seq <= seq_cut) addresses.push_back(address);
  }
  for (uint64_t address : addresses) {
    released.push_back(table_.Remove(address, released_by));
    consumed_ -= released.back()->consumed();
  }
  // `released` is declared before the lock guard, so the backing is freed after the unlock.
}

std::vector<std::shared_ptr<Allocation>> DeviceMemory::Live() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Allocation>> out;
  out.reserve(table_.live_count());
  for (const auto &[address, allocation] : table_.live()) out.push_back(allocation);
  return out;
}

DeviceMemory::Totals DeviceMemory::totals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Totals{table_.live_count(), table_.requested_bytes(), consumed_, capacity_};
}

}  // namespace aclsim
