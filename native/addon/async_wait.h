// Waiting for device work without blocking the event loop (design.md §4).
//
// Promise waits run on native threads owned by each device (DeviceWorkers), never on libuv's
// pool, and come back to the JS thread through the device's thread-safe function. Waits run in
// short slices of the runtime's ...WithTimeout calls so that a timeout, an AbortSignal, or the
// device closing ends them promptly, and each slice's expiry is not an error.
#ifndef ASCENDCL_ADDON_ASYNC_WAIT_H_
#define ASCENDCL_ADDON_ASYNC_WAIT_H_

#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "acl/acl_abi.h"
#include "acl_call.h"

namespace ascendcl {

// Work finished on the JS thread. `env` is null when the environment is being torn down:
// release native resources, call no JS.
class Completion {
 public:
  virtual ~Completion() = default;
  virtual void Deliver(Napi::Env env) = 0;
};

// Set by an AbortSignal (through a CancelToken) to end a wait early.
using CancelFlag = std::shared_ptr<std::atomic<bool>>;

enum class WaitOutcome { kOk, kFailed, kCancelled, kStopped };

struct WaitResult {
  WaitOutcome outcome = WaitOutcome::kOk;
  AclFailure failure;  // kFailed only
};

struct WaitSpec {
  const char *api;        // the runtime function, for errors
  const char *what;       // "stream", "event", "device", for the timeout message
  int timeout_code;       // what the runtime returns when a slice expires (507046 / 507047)
  int64_t timeout_ms;     // -1 = forever
  int device_id;
  const CancelFlag *cancel = nullptr;              // may be null
  const std::atomic<bool> *stopping = nullptr;     // may be null (synchronous waits)
};

// Waits by calling slice(ms) until it returns anything but spec.timeout_code. Ends with
// kFailed/timeout_code when the whole timeout passes, kCancelled or kStopped when asked to.
WaitResult SlicedWait(const WaitSpec &spec, const std::function<int(int32_t)> &slice);

// For runtimes without the ...WithTimeout function: poll `query` (0 = done, 1 = not yet, other
// = error code) with a short backoff, then call `finish` to collect the result.
WaitResult PolledWait(const WaitSpec &spec, const std::function<int()> &query, const std::function<int()> &finish);

// A wait that runs on a device thread and settles on the JS thread.
class WaitJob : public Completion {
 public:
  // On a device thread with the device's context bound. `stopping` is set when the device closes.
  virtual void Run(const std::atomic<bool> &stopping) = 0;
  // The job never ran (the device closed first); Deliver follows.
  virtual void Abandon() = 0;
};

// The native threads of one device that run blocking waits. Grows a thread when a wait arrives
// and every thread is busy (so one long wait never delays another); threads live until the
// device closes or resets.
class DeviceWorkers {
 public:
  using Deliver = std::function<void(WaitJob *)>;  // hands a finished job to the JS thread
  explicit DeviceWorkers(Deliver deliver) : deliver_(std::move(deliver)) {}
  ~DeviceWorkers() { Stop(); }

  void SetContext(aclrtContext context) { context_.store(context); }
  void Post(WaitJob *job);
  // End running waits (they see `stopping`), abandon queued ones, join every thread. Posting
  // may resume afterwards (device reset).
  void Stop();
  size_t thread_count() const;

 private:
  void Loop();

  Deliver deliver_;
  std::atomic<aclrtContext> context_{nullptr};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<WaitJob *> queue_;
  std::vector<std::thread> threads_;
  size_t busy_ = 0;
  bool stop_ = false;
  std::atomic<bool> stopping_{false};
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_ASYNC_WAIT_H_
