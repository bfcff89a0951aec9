// One allocation handed to the user (device memory from aclrtMalloc or pinned host memory from
// aclrtMallocHost), where its bytes live, where it came from, and which queued stream operations
// still use it.
//
// Shared ownership is the lifetime rule: the allocation table holds one reference and every
// queued task that reads or writes the allocation holds another, so the bytes are released when
// the last of them lets go. That is what makes a non-strict free (release deferred until queued
// work finishes) and a copy running outside every lock safe.
#ifndef ASCENDCL_SIM_ALLOCATION_H_
#define ASCENDCL_SIM_ALLOCATION_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace aclsim {

// Process-wide sequence numbers for everything a leak report lists (allocations, contexts,
// streams, events), so reports can be read in creation order.
uint64_t NextSequence();

// Which API created an object, on which thread, in which order.
struct Origin {
  uint64_t seq = 0;
  const char *api = "";
  uint64_t thread = 0;
};
Origin MakeOrigin(const char *api);

class VectorClock;  // hazards.h

// A queued stream operation that still needs an allocation: which range it touches, how, and
// what is ordered before it (for hazard detection).
struct QueuedUse {
  uint64_t task_id = 0;
  const char *api = "";
  uint64_t stream_id = 0;
  uint64_t position = 0;  // in its stream's submission order
  uint64_t offset = 0;
  uint64_t size = 0;
  bool write = false;
  std::shared_ptr<const VectorClock> after;  // other streams' work that happens before it
};

// Host memory for allocation contents: 64-byte aligned; large blocks come from mmap so that a
// free returns them to the OS and untouched pages of a huge allocation cost nothing.
void *AllocateBacking(size_t bytes);
void ReleaseBacking(void *memory, size_t bytes);

class Allocation {
 public:
  enum class Kind { kDevice, kPinnedHost };

  // Takes ownership of `backing` (from AllocateBacking, `backing_bytes` long).
  Allocation(Kind kind, int device, uint64_t address, uint64_t size, uint64_t consumed, void *backing,
             size_t backing_bytes, Origin origin);
  ~Allocation();
  Allocation(const Allocation &) = delete;
  Allocation &operator=(const Allocation &) = delete;

  Kind kind() const { return kind_; }
  bool is_device() const { return kind_ == Kind::kDevice; }
  int device() const { return device_; }  // for pinned host memory: the device current at allocation
  uint64_t address() const { return address_; }
  uint64_t size() const { return size_; }          // requested bytes
  uint64_t consumed() const { return consumed_; }  // capacity charged: align32(size) + 32 on a device
  const Origin &origin() const { return origin_; }
  // The host memory holding byte 0 of the allocation.
  uint8_t *data() const { return static_cast<uint8_t *>(backing_); }

  // "allocation #12 (256 bytes at 0x…, aclrtMalloc on thread 4242)"
  std::string Describe() const;

  void AddUse(const QueuedUse &use);
  void RemoveUse(uint64_t task_id);
  // The oldest queued use, if any.
  bool FirstUse(QueuedUse *out) const;
  // The oldest queued use for which `match` is true, if any.
  bool FindUse(const std::function<bool(const QueuedUse &)> &match, QueuedUse *out) const;

 private:
  const Kind kind_;
  const int device_;
  const uint64_t address_;
  const uint64_t size_;
  const uint64_t consumed_;
  void *const backing_;
  const size_t backing_bytes_;
  const Origin origin_;

  mutable std::mutex uses_mu_;
  std::vector<QueuedUse> uses_;
};

// What is left of an allocation after it was freed, so that later misuse of its addresses can be
// reported as "use after free of allocation #k" instead of "unknown pointer".
struct FreedRecord {
  uint64_t seq = 0;
  uint64_t address = 0;
  uint64_t size = 0;
  uint64_t extent = 0;  // address range it covered
  const char *api = "";
  uint64_t alloc_thread = 0;
  const char *freed_by = "";  // "aclrtFree", "aclrtResetDevice", …
  uint64_t freed_thread = 0;

  std::string Describe() const;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_ALLOCATION_H_
