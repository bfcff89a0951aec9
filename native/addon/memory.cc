#include "memory.h"

#include "context_binding.h"
#include "errors.h"

namespace ascendcl {

std::shared_ptr<DeviceMemory> DeviceMemory::Allocate(Napi::Env env, const std::shared_ptr<DeviceCore> &device,
                                                     size_t bytes, bool pooled) {
  void *ptr = nullptr;
  if (pooled) {
    device->Check(env, device->pool().Acquire(bytes, &ptr), "aclrtMalloc");
  } else {
    device->Check(env, Acl().aclrtMalloc(&ptr, bytes, ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc");
  }
  return std::make_shared<DeviceMemory>(device, ptr, bytes, pooled);
}

DeviceMemory::DeviceMemory(std::shared_ptr<DeviceCore> device, void *ptr, size_t bytes, bool pooled)
    : DeviceChild(std::move(device), Kind::kMemory), ptr_(ptr), bytes_(bytes), pooled_(pooled) {
  LiveStats &stats = this->device().stats();
  stats.device_buffers += 1;
  stats.device_bytes += static_cast<int64_t>(bytes);
}

DeviceMemory::~DeviceMemory() { Release(); }

void DeviceMemory::Close() {
  closed_ = true;
  if (pins_ == 0) Release();
}

void DeviceMemory::Unpin() {
  if (--pins_ == 0 && closed_) Release();
}

void DeviceMemory::CloseForParent() {
  closed_ = true;
  Release();
}

void DeviceMemory::Release() {
  if (released_) return;
  released_ = true;
  closed_ = true;
  // Children are released before their device closes, so the context is still valid here.
  BindContext(device().context());
  // A release never throws (close() is idempotent and runs from finalizers), but a device-fatal
  // failure still faults the device, so the next piece of work says so.
  if (pooled_) {
    device().pool().Release(ptr_, bytes_);
    DiscardRecentMessages();
  } else if (int rc = Acl().aclrtFree(ptr_); rc != 0) {
    device().NoteFailure(CaptureFailure(rc, "aclrtFree", device().id()));
  } else {
    DiscardRecentMessages();
  }
  LiveStats &stats = device().stats();
  stats.device_buffers -= 1;
  stats.device_bytes -= static_cast<int64_t>(bytes_);
  Unregister();
}

std::shared_ptr<HostMemory> HostMemory::Allocate(Napi::Env env, const std::shared_ptr<DeviceCore> &device,
                                                 size_t bytes) {
  void *ptr = nullptr;
  device->Check(env, Acl().aclrtMallocHost(&ptr, bytes), "aclrtMallocHost");
  return std::make_shared<HostMemory>(env, device, ptr, bytes);
}

HostMemory::HostMemory(Napi::Env env, std::shared_ptr<DeviceCore> device, void *ptr, size_t bytes)
    : DeviceChild(std::move(device), Kind::kMemory), env_(env), ptr_(ptr), bytes_(bytes) {
  LiveStats &stats = this->device().stats();
  stats.host_buffers += 1;
  stats.host_bytes += static_cast<int64_t>(bytes);
  // Pinned memory is invisible to V8's heap accounting; tell it, so GC pressure reflects it.
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(bytes));
}

HostMemory::~HostMemory() { Release(); }

Napi::ArrayBuffer HostMemory::Buffer(Napi::Env env) {
  if (!array_buffer_.IsEmpty()) {
    Napi::ArrayBuffer held = array_buffer_.Value();
    if (!held.IsEmpty()) return held;  // else collected, its finalizer not yet run: make another
  }
  // The finalizer's holder is a strong reference: the memory outlives a collected HostBuffer for
  // as long as any JS view of it is alive. Our own reference is weak, or the two would keep each
  // other alive forever. The generation tells a late finalizer of an earlier ArrayBuffer from the
  // current one's.
  struct Holder {
    std::shared_ptr<HostMemory> memory;
    uint64_t generation;
  };
  auto *hold = new Holder{shared_from_this(), ++buffer_generation_};
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
      env, ptr_, bytes_,
      [](Napi::Env, void *, Holder *holder) {
        holder->memory->ArrayBufferCollected(holder->generation);
        delete holder;
      },
      hold);
  array_buffer_ = Napi::Weak(buffer);
  return buffer;
}

void HostMemory::ArrayBufferCollected(uint64_t generation) {
  if (generation == buffer_generation_) array_buffer_.Reset();
}

void HostMemory::Detach() {
  if (array_buffer_.IsEmpty()) return;
  if (env_ != nullptr) {
    Napi::HandleScope scope{Napi::Env(env_)};
    Napi::ArrayBuffer buffer = array_buffer_.Value();
    bool detached = true;
    if (!buffer.IsEmpty() && napi_is_detached_arraybuffer(env_, buffer, &detached) == napi_ok && !detached) {
      napi_detach_arraybuffer(env_, buffer);
    }
  }
  array_buffer_.Reset();
}

void HostMemory::Close() {
  if (closed_) return;
  closed_ = true;
  Detach();
  if (pins_ == 0) Release();
}

void HostMemory::Unpin() {
  if (--pins_ == 0 && closed_) Release();
}

void HostMemory::CloseForParent() {
  closed_ = true;
  Detach();
  Release();
}

void HostMemory::Release() {
  if (released_) return;
  released_ = true;
  closed_ = true;
  BindContext(device().context());
  if (int rc = Acl().aclrtFreeHost(ptr_); rc != 0) {
    device().NoteFailure(CaptureFailure(rc, "aclrtFreeHost", device().id()));
  } else {
    DiscardRecentMessages();
  }
  LiveStats &stats = device().stats();
  stats.host_buffers -= 1;
  stats.host_bytes -= static_cast<int64_t>(bytes_);
  if (env_ != nullptr) Napi::MemoryManagement::AdjustExternalMemory(Napi::Env(env_), -static_cast<int64_t>(bytes_));
  Unregister();
}

}  // namespace ascendcl
