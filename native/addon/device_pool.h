// A caching pool of device memory, one per device, for the buffers the binding allocates on a
// user's behalf: session outputs kept on the device, the staging memory models keep for uploaded
// inputs and downloaded outputs, and `device.alloc(bytes, { pooled: true })`.
//
// Why: aclrtMalloc/aclrtFree are slow on hardware (a driver call, often a device-side
// synchronisation), and a serving loop allocates the same few sizes again and again. Freed
// blocks go back to a free list per size class instead of to the runtime; `device.trimPool()`
// (and device close/reset, and an out-of-memory failure) hands them back with aclrtFree.
//
// Size classes are powers of two from 512 bytes, so a block fits every request in its class and
// reuse does not depend on exact sizes; requests above kLargestClass are not cached (they are
// rare, and caching them would pin large amounts of memory). The pool holds at most kMaxHeld
// bytes; a block freed beyond that goes back to the runtime at once.
//
// Thread: any thread (models execute on device threads); a mutex guards the free lists. Acquire
// and Release call the runtime with whatever context the calling thread has bound: callers bind
// the device's context first, as for any runtime call.
#ifndef ASCENDCL_ADDON_DEVICE_POOL_H_
#define ASCENDCL_ADDON_DEVICE_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace ascendcl {

class DevicePool {
 public:
  static constexpr size_t kSmallestClass = 512;
  static constexpr size_t kLargestClass = size_t(256) << 20;
  static constexpr size_t kMaxHeld = size_t(1) << 30;

  DevicePool() = default;
  ~DevicePool() = default;  // the owner trims before its context goes away
  DevicePool(const DevicePool &) = delete;
  DevicePool &operator=(const DevicePool &) = delete;

  // A block of at least `bytes` (a cached one when the class has one, else aclrtMalloc; on an
  // out-of-memory failure the cache is trimmed and the allocation retried once). Returns the
  // runtime's code (0 on success); *ptr is null on failure.
  int Acquire(size_t bytes, void **ptr);
  // Give back a block Acquire returned for `bytes`: cached, or freed when the pool is full or the
  // size is not cached.
  void Release(void *ptr, size_t bytes);
  // aclrtFree every cached block. Returns the bytes freed.
  size_t Trim();
  // Bytes of the cached blocks (what stats().poolBytes reports).
  size_t held() const { return held_.load(std::memory_order_relaxed); }

  // The size class `bytes` is served from, or 0 when such blocks are not cached.
  static size_t ClassOf(size_t bytes);

 private:
  static int IndexOf(size_t size_class);

  std::mutex mutex_;
  // free_[i]: blocks of kSmallestClass << i bytes.
  std::vector<std::vector<void *>> free_ = std::vector<std::vector<void *>>(20);
  std::atomic<size_t> held_{0};
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_DEVICE_POOL_H_
