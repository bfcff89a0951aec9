#include "event_wrap.h"

#include "acl/acl_errors.h"
#include "addon_data.h"
#include "cancel_token_wrap.h"
#include "fast_method.h"
#include "heap_trim.h"
#include "promise_wait.h"
#include "wrap_util.h"

namespace ascendcl {
namespace {

// aclrtQueryEventStatus, on the JS thread: true when the latest record completed (or none).
bool QueryEvent(Napi::Env env, EventCore &event) {
  if (event.closed()) ThrowClosed(env, "Event");
  event.device().Enter(env, "Event");
  aclrtEventRecordedStatus status = ACL_EVENT_RECORDED_STATUS_NOT_READY;
  event.device().Check(env, Acl().aclrtQueryEventStatus(event.handle(), &status), "aclrtQueryEventStatus");
  bool complete = status == ACL_EVENT_RECORDED_STATUS_COMPLETE;
  if (complete) event.ObserveComplete();
  return complete;
}

napi_value FastQuery(napi_env env, EventCore &event) {
  napi_value result = nullptr;
  napi_get_boolean(env, QueryEvent(Napi::Env(env), event), &result);
  return result;
}

}  // namespace

void EventWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeEvent",
                                   {
                                       InstanceAccessor<&EventWrap::Timing>("timing"),
                                       InstanceAccessor<&EventWrap::IsClosed>("isClosed"),
                                       InstanceMethod<&EventWrap::Query>("query"),
                                       InstanceMethod<&EventWrap::Synchronize>("synchronize"),
                                       InstanceMethod<&EventWrap::SynchronizeSync>("synchronizeSync"),
                                       InstanceMethod<&EventWrap::ElapsedSince>("elapsedSince"),
                                       InstanceMethod<&EventWrap::Close>("close"),
                                   });
  Data(env).event_class = Napi::Persistent(cls);
  exports.Set("NativeEvent", cls);
}

Napi::Object EventWrap::New(Napi::Env env, std::shared_ptr<EventCore> core) {
  return NewWrapped(Data(env).event_class, std::move(core));
}

EventWrap *EventWrap::From(Napi::Env env, Napi::Value value) {
  if (!HasTag(env, value, tags::kEvent)) return nullptr;
  return Unwrap(value.As<Napi::Object>());
}

EventWrap::EventWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<EventWrap>(info) {
  core_ = CoreFromConstructor<EventCore>(info, "Event");
  Tag(info.This().As<Napi::Object>(), tags::kEvent);
}

EventWrap::~EventWrap() {
  if (core_ != nullptr) core_->Close();  // GC backstop; destroying a pending event is allowed
  NoteWrapperFinalized(Env());
}

EventCore &EventWrap::Open(Napi::Env env) const {
  if (core_->closed()) ThrowClosed(env, "Event");
  core_->device().Enter(env, "Event");
  return *core_;
}

Napi::Value EventWrap::Timing(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), core_->timing()); }

Napi::Value EventWrap::IsClosed(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), core_->closed());
}

Napi::Value EventWrap::Query(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bool complete = QueryEvent(env, *core_);
  // The first query installs the per-object fast method (fast_method.h), which shadows this one
  // from then on. Lazily: an event that is never queried (most are only recorded and waited
  // for, or dropped) costs no function object, and no finalizer for one, until the collector
  // reclaims it.
  if (!fast_query_installed_ && info.This().IsObject()) {
    fast_query_installed_ = true;
    DefineFastMethod<EventCore, FastQuery>(info.This().As<Napi::Object>(), "query", core_);
  }
  return Napi::Boolean::New(env, complete);
}

Napi::Value EventWrap::Synchronize(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int64_t timeout = ToTimeout(info, 0);
  CancelFlag cancel = CancelTokenWrap::FlagOf(env, info[1]);
  if (core_->closed()) ThrowClosed(env, "Event");
  core_->device().CheckUsable(env, "Event");
  std::shared_ptr<EventCore> core = core_;
  aclrtEvent handle = core_->handle();
  int device_id = core_->device().id();
  return PromiseWait::Start(
      env, core_->device_ptr(), info.This().As<Napi::Object>(), "Event", cancel,
      [handle, timeout, device_id](const std::atomic<bool> &stopping, const CancelFlag &cancel_flag) {
        WaitSpec spec{"aclrtSynchronizeEventWithTimeout", "event", acl::ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, timeout,
                      device_id};
        spec.stopping = &stopping;
        spec.cancel = &cancel_flag;
        return WaitForEvent(handle, spec);
      },
      [core](Napi::Env env) {
        core->ObserveComplete();
        return env.Undefined();
      });
}

Napi::Value EventWrap::SynchronizeSync(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int64_t timeout = ToTimeout(info, 0);
  EventCore &event = Open(env);
  if (event.WaitsOnPendingHostFunc()) {
    ThrowAclError(env, BindingFailure(acl::ACL_ERROR_RT_PARAM_INVALID, "event.synchronizeSync", event.device().id(),
                                      "the event waits for a host function that needs the JavaScript thread "
                                      "synchronizeSync would block; use await event.synchronize()"));
  }
  WaitSpec spec{"aclrtSynchronizeEventWithTimeout", "event", acl::ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, timeout,
                event.device().id()};
  WaitResult result = WaitForEvent(event.handle(), spec);
  if (result.outcome == WaitOutcome::kFailed) {
    event.device().NoteFailure(result.failure);
    ThrowAclError(env, result.failure);
  }
  event.ObserveComplete();
  return env.Undefined();
}

Napi::Value EventWrap::ElapsedSince(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  EventCore &end = Open(env);
  EventWrap *start = From(env, info[0]);
  if (start == nullptr) ThrowTypeError(env, "expected an Event for start");
  if (start->core_->closed()) ThrowClosed(env, "Event");
  if (&start->core_->device() != &end.device()) {
    ThrowAclError(env, BindingFailure(acl::ACL_ERROR_RT_STREAM_CONTEXT, "aclrtEventElapsedTime", end.device().id(),
                                      "the start event belongs to device " + std::to_string(start->core_->device().id()) +
                                          ", this event to device " + std::to_string(end.device().id())));
  }
  float ms = 0;
  end.device().Check(env, Acl().aclrtEventElapsedTime(&ms, start->core_->handle(), end.handle()),
                     "aclrtEventElapsedTime");
  return Napi::Number::New(env, ms);
}

Napi::Value EventWrap::Close(const Napi::CallbackInfo &info) {
  core_->Close();
  return info.Env().Undefined();
}

}  // namespace ascendcl
