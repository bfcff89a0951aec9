// Device and pinned host allocations, shared by a buffer, its views and the queued operations
// that use them.
//
// Lifetime (design.md §5): the owner's close() — or its device closing, or GC of the owner — ends
// the allocation for JS at once; the runtime memory is freed when no queued operation still uses
// it (Pin/Unpin), so a stream never touches freed memory. Thread: JS thread only.
#ifndef ASCENDCL_ADDON_MEMORY_H_
#define ASCENDCL_ADDON_MEMORY_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "device_core.h"

namespace ascendcl {

// Memory that queued stream operations can hold on to.
class Pinnable {
 public:
  virtual ~Pinnable() = default;
  virtual void Pin() = 0;
  virtual void Unpin() = 0;
};

class DeviceMemory : public DeviceChild, public Pinnable {
 public:
  // aclrtMalloc, or with `pooled` a block of the device's caching pool (given back to the pool
  // when released); the device must be entered (context bound) by the caller.
  static std::shared_ptr<DeviceMemory> Allocate(Napi::Env env, const std::shared_ptr<DeviceCore> &device, size_t bytes,
                                                bool pooled = false);
  DeviceMemory(std::shared_ptr<DeviceCore> device, void *ptr, size_t bytes, bool pooled = false);
  ~DeviceMemory() override;

  void *ptr() const { return ptr_; }
  size_t bytes() const { return bytes_; }
  bool closed() const { return closed_; }

  void Close();
  void Pin() override { ++pins_; }
  void Unpin() override;
  void CloseForParent() override;

 private:
  void Release();

  void *ptr_;
  size_t bytes_;
  bool pooled_;
  int pins_ = 0;
  bool closed_ = false;
  bool released_ = false;
};

class HostMemory : public DeviceChild, public Pinnable, public std::enable_shared_from_this<HostMemory> {
 public:
  // aclrtMallocHost; the device must be entered by the caller.
  static std::shared_ptr<HostMemory> Allocate(Napi::Env env, const std::shared_ptr<DeviceCore> &device, size_t bytes);
  HostMemory(Napi::Env env, std::shared_ptr<DeviceCore> device, void *ptr, size_t bytes);
  ~HostMemory() override;

  void *ptr() const { return ptr_; }
  size_t bytes() const { return bytes_; }
  bool closed() const { return closed_; }
  // The external ArrayBuffer over the pinned memory (created on demand, held weakly; the caller
  // keeps it). It holds
  // the allocation alive on its own, so a Uint8Array kept after its HostBuffer was collected
  // stays valid.
  Napi::ArrayBuffer Buffer(Napi::Env env);

  // Detach the ArrayBuffer (stale views read as empty), free when no queued work uses it.
  void Close();
  void Pin() override { ++pins_; }
  void Unpin() override;
  void CloseForParent() override;
  // The ArrayBuffer made as `generation` was garbage collected.
  void ArrayBufferCollected(uint64_t generation);

 private:
  void Detach();
  void Release();

  napi_env env_;
  void *ptr_;
  size_t bytes_;
  int pins_ = 0;
  bool closed_ = false;
  bool released_ = false;
  Napi::Reference<Napi::ArrayBuffer> array_buffer_;  // weak
  uint64_t buffer_generation_ = 0;
};

// What a buffer object refers to: a whole allocation, or a window of it (a view, which owns
// nothing and only keeps the allocation's struct alive).
template <typename Memory>
struct MemorySpan {
  std::shared_ptr<Memory> memory;
  size_t offset = 0;
  size_t length = 0;
  bool is_view = false;

  static MemorySpan Whole(std::shared_ptr<Memory> memory) {
    size_t bytes = memory->bytes();
    return MemorySpan{std::move(memory), 0, bytes, false};
  }
  // A view of [offset, offset + length) of this span; false when it does not fit.
  bool Window(uint64_t window_offset, uint64_t window_length, MemorySpan *out) const {
    if (window_offset > length || window_length > length - window_offset) return false;
    *out = MemorySpan{memory, offset + window_offset, window_length, true};
    return true;
  }
  char *data() const { return static_cast<char *>(memory->ptr()) + offset; }
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_MEMORY_H_
