// The process-wide simulator state: options in use, devices, contexts, the handle registries, the
// scheduler and the callback hub, plus the teardown routines that device reset and aclFinalize
// share.
//
// The State is heap-allocated once and never destroyed: worker threads, thread-local current
// contexts and late API calls at exit() must never race a static destructor.
#ifndef ASCENDCL_SIM_STATE_H_
#define ASCENDCL_SIM_STATE_H_

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "sim/callbacks.h"
#include "sim/config.h"
#include "sim/device_memory.h"
#include "sim/events.h"
#include "sim/handles.h"
#include "sim/host_memory.h"
#include "sim/scheduler.h"

namespace aclsim {

// A context: the default (primary) context of a device, shared by every thread that called
// aclrtSetDevice, or an explicit one from aclrtCreateContext. Each has its own default stream.
class Context {
 public:
  Context(uint64_t id, int device, bool is_default, Origin origin)
      : id_(id), device_(device), is_default_(is_default), origin_(origin) {}
  uint64_t id() const { return id_; }
  int device() const { return device_; }
  bool is_default() const { return is_default_; }
  const Origin &origin() const { return origin_; }
  // Set once, right after construction, before the context is visible to other threads.
  const std::shared_ptr<Stream> &default_stream() const { return default_stream_; }
  void set_default_stream(std::shared_ptr<Stream> stream) { default_stream_ = std::move(stream); }
  // A thread whose current context was destroyed gets 107002 from then on.
  bool destroyed() const { return destroyed_.load(std::memory_order_acquire); }
  void mark_destroyed() { destroyed_.store(true, std::memory_order_release); }

 private:
  const uint64_t id_;
  const int device_;
  const bool is_default_;
  const Origin origin_;
  std::shared_ptr<Stream> default_stream_;
  std::atomic<bool> destroyed_{false};
};

class Device {
 public:
  explicit Device(int id) : id_(id) {}
  int id() const { return id_; }

  DeviceMemory memory;

  // Guards ref_count, default_context and lost_reason. Never held while waiting for work.
  std::mutex mu;
  int ref_count = 0;  // aclrtSetDevice minus aclrtResetDevice
  std::shared_ptr<Context> default_context;
  std::string lost_reason;
  // Non-zero after a device-fatal injected fault: every use of the device fails with it until the
  // device is reset. Read lock-free on every call that touches the device.
  std::atomic<int> lost_code{0};

  std::atomic<int> user_streams{0};
  std::atomic<int> events{0};
  // Serialises teardowns (reset, finalize) of this device.
  std::mutex teardown_mu;

 private:
  const int id_;
};

class State {
 public:
  static State &Get();

  // --- lifecycle (aclInit / aclFinalize / aclsim options); everything below lifecycle_mu --------
  std::mutex lifecycle_mu;
  OptionStore option_store;
  Options options;             // in use while initialised
  uint64_t init_ref_count = 0;
  std::string faults_applied;  // which `faults` value aclInit last registered (see aclInit)
  std::string final_leak_report;  // the report made by the last aclFinalize

  // --- lock-free copies of what hot paths read --------------------------------------------------
  std::atomic<bool> initialized{false};
  std::atomic<bool> strict{true};
  std::atomic<int> device_count{0};
  std::atomic<int> max_streams{0};
  std::atomic<int> max_events{0};
  // Set in a child process forked (fork(2)) while AscendCL was initialised: the parent's state was
  // copied but not its worker threads, so every call fails instead of hanging (api_common.cc).
  std::atomic<bool> forked{false};
  long init_pid = 0;  // the process that called aclInit

  Device &device(int id) { return *devices_[static_cast<size_t>(id)]; }
  bool ValidDevice(int id) const { return id >= 0 && id < device_count.load(std::memory_order_acquire); }

  Scheduler scheduler;
  CallbackHub callbacks;
  HostMemory host_memory;
  HandleRegistry<Context> contexts;
  HandleRegistry<Stream> streams;
  HandleRegistry<Event> events;

 private:
  State();
  // Fixed slots, created once: a Device is never destroyed, so a reference taken by a concurrent
  // call stays valid across finalize and re-init.
  std::array<std::unique_ptr<Device>, kMaxDevices> devices_;
};

// --- the calling thread's current context ------------------------------------------------------

// nullptr when the thread has none or it was destroyed.
std::shared_ptr<Context> CurrentContext();
void SetCurrentContext(const std::shared_ptr<Context> &context);
void ClearCurrentContext();

// --- object creation and teardown (shared by the API, device reset and finalize) ---------------

// A new context with its default stream, both registered.
std::shared_ptr<Context> CreateContextObject(int device, bool is_default, const char *api);
// Removes the stream from the registry, then waits for its work (forced: drops what has not
// started and waits only for the running task), forgets its callback subscription.
void DestroyStreamObject(const std::shared_ptr<Stream> &stream, bool force);
void DestroyEventObject(const std::shared_ptr<Event> &event);
// Destroys the context's streams (including its default stream) and events.
void DestroyContextObject(const std::shared_ptr<Context> &context, bool force);
// Everything of the device: contexts, streams, events, device memory, pinned host memory made
// under it. Clears the lost state. `released_by` names the API in later use-after-free messages.
void TearDownDevice(Device &device, bool force, const char *released_by);

// After a device-fatal injected fault: marks the device lost and drops its queued work.
void MarkDeviceLost(int device, int code, const char *api);
bool DeviceLost(int device);

}  // namespace aclsim

#endif  // ASCENDCL_SIM_STATE_H_
