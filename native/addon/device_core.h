// The native state behind one JS Device: its AscendCL context, the children it must close
// first, its wait threads, and the thread-safe function that brings results to the JS thread.
//
// Thread: JS thread for everything, except Deliver (any thread) and what DeviceWorkers runs.
#ifndef ASCENDCL_ADDON_DEVICE_CORE_H_
#define ASCENDCL_ADDON_DEVICE_CORE_H_

#include <napi.h>

#include <memory>
#include <set>
#include <string>

#include "acl/acl_abi.h"
#include "async_wait.h"
#include "device_pool.h"
#include "runtime_core.h"

namespace ascendcl {

class DeviceCore;

// A resource owned by a device. Registered with the device so that closing or resetting the
// device closes it first, whatever the JS side still holds.
class DeviceChild {
 public:
  // Close order when a device closes: streams first (their work may use the rest), then events,
  // then models, then memory.
  enum class Kind { kStream = 0, kEvent = 1, kModel = 2, kMemory = 3 };

  DeviceChild(std::shared_ptr<DeviceCore> device, Kind kind);
  virtual ~DeviceChild();
  DeviceChild(const DeviceChild &) = delete;
  DeviceChild &operator=(const DeviceChild &) = delete;

  // The device is closing or resetting: release the runtime handle now, abandoning queued work.
  virtual void CloseForParent() = 0;
  // Operations enqueued and not yet seen complete (streams only).
  virtual int64_t PendingOps() const { return 0; }

  DeviceCore &device() const { return *device_; }
  const std::shared_ptr<DeviceCore> &device_ptr() const { return device_; }
  Kind kind() const { return kind_; }

 protected:
  // Call when the handle is released, so the device stops tracking it.
  void Unregister();

 private:
  std::shared_ptr<DeviceCore> device_;
  Kind kind_;
  bool registered_ = true;
};

class DeviceCore {
 public:
  enum class State { kOk, kFaulted, kClosed };

  // aclrtSetDevice(id) and capture the device's context on the calling (JS) thread.
  DeviceCore(Napi::Env env, std::shared_ptr<RuntimeCore> runtime, int id);
  ~DeviceCore();

  int id() const { return id_; }
  aclrtContext context() const { return context_; }
  State state() const { return state_; }
  RuntimeCore &runtime() const { return *runtime_; }
  LiveStats &stats() const { return runtime_->stats(); }
  // The caching pool for memory the binding allocates for users (device_pool.h).
  DevicePool &pool() { return pool_; }
  // aclrtFree what the pool caches (JS thread; binds the context). Returns the bytes freed.
  size_t TrimPool();

  // Throw AclClosedError / the faulted-device AclError unless new work may start.
  void CheckUsable(Napi::Env env, const char *resource) const;
  // CheckUsable, then bind the context on the calling thread.
  void Enter(Napi::Env env, const char *resource) const;
  // After a runtime call on this device: fault the device on a device-fatal code, then throw
  // AclError unless rc is 0.
  void Check(Napi::Env env, int rc, const char *api);
  // Record a failure that came back from async work (device-fatal codes fault the device).
  void NoteFailure(const AclFailure &failure);
  AclFailure FaultedFailure() const;

  void Register(DeviceChild *child) { children_.insert(child); }
  void Unregister(DeviceChild *child) { children_.erase(child); }
  template <typename Fn>
  void ForEachChild(Fn fn) const {
    for (DeviceChild *child : children_) fn(child);
  }

  // Run `job` on one of this device's threads; its Deliver runs later on the JS thread.
  void Post(WaitJob *job);
  // Hand a finished Completion to the JS thread (any thread).
  void Deliver(Completion *completion);
  // Keep the event loop alive while results are due (JS thread; counted).
  void BeginAsync();
  void EndAsync();

  // Close every child, stop the wait threads, aclrtResetDevice. Idempotent.
  void Close();
  // Close every child, reset the device (aclrtResetDeviceForce where present), set it again.
  void Reset(Napi::Env env);

 private:
  void CloseChildren();
  static void CallJs(napi_env env, napi_value js_callback, void *context, void *data);

  napi_env env_;
  std::shared_ptr<RuntimeCore> runtime_;
  int id_;
  aclrtContext context_ = nullptr;
  State state_ = State::kOk;
  int fault_code_ = 0;
  std::string fault_api_;
  std::set<DeviceChild *> children_;
  napi_threadsafe_function tsfn_ = nullptr;
  int async_pending_ = 0;
  DeviceWorkers workers_;
  DevicePool pool_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_DEVICE_CORE_H_
