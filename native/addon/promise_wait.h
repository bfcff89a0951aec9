// A Promise-returning wait (synchronize on a stream, event or device): runs on a device thread,
// settles on the JS thread. Keeps the JS object it was called on alive until it settles.
#ifndef ASCENDCL_ADDON_PROMISE_WAIT_H_
#define ASCENDCL_ADDON_PROMISE_WAIT_H_

#include <napi.h>

#include <functional>
#include <memory>

#include "async_wait.h"
#include "device_core.h"

namespace ascendcl {

class PromiseWait : public WaitJob {
 public:
  // `wait` runs on the device thread. `settled` runs on the JS thread after a successful wait
  // and may return a value to reject with instead (an error a host function threw).
  using WaitFn = std::function<WaitResult(const std::atomic<bool> &stopping, const CancelFlag &cancel)>;
  using SettledFn = std::function<Napi::Value(Napi::Env env)>;

  // Create the Promise and hand the wait to the device; returns the Promise.
  static Napi::Promise Start(Napi::Env env, const std::shared_ptr<DeviceCore> &device, Napi::Object self,
                             const char *resource, CancelFlag cancel, WaitFn wait, SettledFn settled);

  void Run(const std::atomic<bool> &stopping) override { result_ = wait_(stopping, cancel_); }
  void Abandon() override { result_.outcome = WaitOutcome::kStopped; }
  void Deliver(Napi::Env env) override;

 private:
  PromiseWait(Napi::Env env, std::shared_ptr<DeviceCore> device, Napi::Object self, const char *resource,
              CancelFlag cancel, WaitFn wait, SettledFn settled);

  Napi::Promise::Deferred deferred_;
  std::shared_ptr<DeviceCore> device_;
  Napi::ObjectReference self_;
  const char *resource_;
  CancelFlag cancel_;
  WaitFn wait_;
  SettledFn settled_;
  WaitResult result_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_PROMISE_WAIT_H_
