#include "promise_wait.h"

#include "errors.h"

namespace ascendcl {

PromiseWait::PromiseWait(Napi::Env env, std::shared_ptr<DeviceCore> device, Napi::Object self, const char *resource,
                         CancelFlag cancel, WaitFn wait, SettledFn settled)
    : deferred_(Napi::Promise::Deferred::New(env)),
      device_(std::move(device)),
      self_(Napi::Persistent(self)),
      resource_(resource),
      cancel_(std::move(cancel)),
      wait_(std::move(wait)),
      settled_(std::move(settled)) {}

Napi::Promise PromiseWait::Start(Napi::Env env, const std::shared_ptr<DeviceCore> &device, Napi::Object self,
                                 const char *resource, CancelFlag cancel, WaitFn wait, SettledFn settled) {
  auto *job = new PromiseWait(env, device, self, resource, std::move(cancel), std::move(wait), std::move(settled));
  Napi::Promise promise = job->deferred_.Promise();
  device->BeginAsync();
  device->Post(job);
  return promise;
}

void PromiseWait::Deliver(Napi::Env env) {
  device_->EndAsync();
  if (env == nullptr) {
    self_.SuppressDestruct();  // no env to release into
    return;
  }
  switch (result_.outcome) {
    case WaitOutcome::kCancelled:
      // lib/ already rejected its own Promise with the AbortSignal's reason.
      deferred_.Resolve(env.Undefined());
      return;
    case WaitOutcome::kStopped:
      deferred_.Reject(ClosedErrorValue(env, resource_));
      return;
    case WaitOutcome::kFailed:
      device_->NoteFailure(result_.failure);
      deferred_.Reject(AclErrorValue(env, result_.failure));
      return;
    case WaitOutcome::kOk: {
      Napi::Value error = settled_ ? settled_(env) : env.Undefined();
      if (!error.IsUndefined()) {
        deferred_.Reject(error);
      } else {
        deferred_.Resolve(env.Undefined());
      }
      return;
    }
  }
}

}  // namespace ascendcl
