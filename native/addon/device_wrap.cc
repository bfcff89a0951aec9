#include "device_wrap.h"

#include <vector>

#include "acl/acl_errors.h"
#include "addon_data.h"
#include "cancel_token_wrap.h"
#include "device_buffer_wrap.h"
#include "event_core.h"
#include "event_wrap.h"
#include "host_buffer_wrap.h"
#include "memory.h"
#include "model_wrap.h"
#include "promise_wait.h"
#include "stream_core.h"
#include "stream_wrap.h"
#include "wrap_util.h"

namespace ascendcl {
namespace {

// Streams of the device with how much work each had queued when a device-wide wait began; that
// work is known complete when the wait succeeds.
std::vector<std::pair<std::weak_ptr<StreamCore>, uint64_t>> QueuedWork(const DeviceCore &device) {
  std::vector<std::pair<std::weak_ptr<StreamCore>, uint64_t>> out;
  device.ForEachChild([&out](DeviceChild *child) {
    if (child->kind() != DeviceChild::Kind::kStream) return;
    auto *stream = static_cast<StreamCore *>(child);
    out.emplace_back(stream->weak_from_this(), stream->enqueued());
  });
  return out;
}

bool AnyPendingHostFunc(const DeviceCore &device) {
  bool pending = false;
  device.ForEachChild([&pending](DeviceChild *child) {
    if (child->kind() == DeviceChild::Kind::kStream && static_cast<StreamCore *>(child)->pending_host_funcs() > 0) {
      pending = true;
    }
  });
  return pending;
}

WaitResult WaitForDevice(const WaitSpec &spec) {
  const acl::FunctionTable &fn = Acl();
  if (fn.aclrtSynchronizeDeviceWithTimeout != nullptr) {
    return SlicedWait(spec, [&](int32_t ms) { return fn.aclrtSynchronizeDeviceWithTimeout(ms); });
  }
  // Older CANN has no timed device-wide wait: this one cannot time out or be cancelled.
  WaitResult result;
  int rc = fn.aclrtSynchronizeDevice();
  if (rc != 0) {
    result.outcome = WaitOutcome::kFailed;
    result.failure = CaptureFailure(rc, "aclrtSynchronizeDevice", spec.device_id);
  }
  return result;
}

}  // namespace

void DeviceWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeDevice",
                                   {
                                       InstanceAccessor<&DeviceWrap::Id>("id"),
                                       InstanceAccessor<&DeviceWrap::State>("state"),
                                       InstanceAccessor<&DeviceWrap::IsClosed>("isClosed"),
                                       InstanceMethod<&DeviceWrap::MemoryInfo>("memoryInfo"),
                                       InstanceMethod<&DeviceWrap::Alloc>("alloc"),
                                       InstanceMethod<&DeviceWrap::AllocHost>("allocHost"),
                                       InstanceMethod<&DeviceWrap::CreateStream>("createStream"),
                                       InstanceMethod<&DeviceWrap::CreateEvent>("createEvent"),
                                       InstanceMethod<&DeviceWrap::LoadModel>("loadModel"),
                                       InstanceMethod<&DeviceWrap::LoadModelSync>("loadModelSync"),
                                       InstanceMethod<&DeviceWrap::Synchronize>("synchronize"),
                                       InstanceMethod<&DeviceWrap::SynchronizeSync>("synchronizeSync"),
                                       InstanceMethod<&DeviceWrap::TrimPool>("trimPool"),
                                       InstanceMethod<&DeviceWrap::Reset>("reset"),
                                       InstanceMethod<&DeviceWrap::Close>("close"),
                                   });
  Data(env).device_class = Napi::Persistent(cls);
  exports.Set("NativeDevice", cls);
}

Napi::Object DeviceWrap::New(Napi::Env env, std::shared_ptr<DeviceCore> core) {
  return NewWrapped(Data(env).device_class, std::move(core));
}

DeviceWrap::DeviceWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<DeviceWrap>(info) {
  core_ = CoreFromConstructor<DeviceCore>(info, "Device");
  Tag(info.This().As<Napi::Object>(), tags::kDevice);
}

Napi::Value DeviceWrap::Id(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), core_->id()); }

Napi::Value DeviceWrap::State(const Napi::CallbackInfo &info) {
  switch (core_->state()) {
    case DeviceCore::State::kOk: return Napi::String::New(info.Env(), "ok");
    case DeviceCore::State::kFaulted: return Napi::String::New(info.Env(), "faulted");
    case DeviceCore::State::kClosed: break;
  }
  return Napi::String::New(info.Env(), "closed");
}

Napi::Value DeviceWrap::IsClosed(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), core_->state() == DeviceCore::State::kClosed);
}

Napi::Value DeviceWrap::MemoryInfo(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  core_->Enter(env, "Device");
  size_t free = 0, total = 0;
  core_->Check(env, Acl().aclrtGetMemInfo(ACL_HBM_MEM, &free, &total), "aclrtGetMemInfo");
  Napi::Object out = Napi::Object::New(env);
  out.Set("free", double(free));
  out.Set("total", double(total));
  return out;
}

Napi::Value DeviceWrap::Alloc(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint64_t bytes = ToUint(info, 0, "bytes");
  bool pooled = info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value();
  core_->Enter(env, "Device");
  return DeviceBufferWrap::New(env,
                               MemorySpan<DeviceMemory>::Whole(DeviceMemory::Allocate(env, core_, bytes, pooled)));
}

Napi::Value DeviceWrap::AllocHost(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  uint64_t bytes = ToUint(info, 0, "bytes");
  core_->Enter(env, "Device");
  return HostBufferWrap::New(env, MemorySpan<HostMemory>::Whole(HostMemory::Allocate(env, core_, bytes)));
}

Napi::Value DeviceWrap::CreateStream(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  core_->Enter(env, "Device");
  return StreamWrap::New(env, StreamCore::Create(env, core_));
}

Napi::Value DeviceWrap::CreateEvent(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  bool timing = info.Length() == 0 || info[0].IsUndefined() || info[0].ToBoolean().Value();
  core_->Enter(env, "Device");
  return EventWrap::New(env, EventCore::Create(env, core_, timing));
}

Napi::Value DeviceWrap::LoadModel(const Napi::CallbackInfo &info) { return ModelWrap::Load(info, core_, false); }

Napi::Value DeviceWrap::LoadModelSync(const Napi::CallbackInfo &info) { return ModelWrap::Load(info, core_, true); }

Napi::Value DeviceWrap::Synchronize(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int64_t timeout = ToTimeout(info, 0);
  CancelFlag cancel = CancelTokenWrap::FlagOf(env, info[1]);
  core_->CheckUsable(env, "Device");
  auto queued = QueuedWork(*core_);
  int device_id = core_->id();
  return PromiseWait::Start(
      env, core_, info.This().As<Napi::Object>(), "Device", cancel,
      [timeout, device_id](const std::atomic<bool> &stopping, const CancelFlag &cancel_flag) {
        WaitSpec spec{"aclrtSynchronizeDeviceWithTimeout", "device", acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, timeout,
                      device_id};
        spec.stopping = &stopping;
        spec.cancel = &cancel_flag;
        return WaitForDevice(spec);
      },
      [queued](Napi::Env env) {
        for (const auto &entry : queued) {
          if (std::shared_ptr<StreamCore> stream = entry.first.lock()) stream->ObserveCompleted(entry.second);
        }
        return env.Undefined();
      });
}

Napi::Value DeviceWrap::SynchronizeSync(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int64_t timeout = ToTimeout(info, 0);
  core_->Enter(env, "Device");
  if (AnyPendingHostFunc(*core_)) {
    ThrowAclError(env, BindingFailure(acl::ACL_ERROR_RT_PARAM_INVALID, "device.synchronizeSync", core_->id(),
                                      "a host function is queued on a stream of this device and needs the JavaScript "
                                      "thread that synchronizeSync would block; use await device.synchronize()"));
  }
  auto queued = QueuedWork(*core_);
  WaitSpec spec{"aclrtSynchronizeDeviceWithTimeout", "device", acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, timeout,
                core_->id()};
  WaitResult result = WaitForDevice(spec);
  if (result.outcome == WaitOutcome::kFailed) {
    core_->NoteFailure(result.failure);
    ThrowAclError(env, result.failure);
  }
  for (const auto &entry : queued) {
    if (std::shared_ptr<StreamCore> stream = entry.first.lock()) stream->ObserveCompleted(entry.second);
  }
  return env.Undefined();
}

Napi::Value DeviceWrap::TrimPool(const Napi::CallbackInfo &info) {
  core_->CheckUsable(info.Env(), "Device");
  core_->TrimPool();
  return info.Env().Undefined();
}

Napi::Value DeviceWrap::Reset(const Napi::CallbackInfo &info) {
  core_->Reset(info.Env());
  return info.Env().Undefined();
}

Napi::Value DeviceWrap::Close(const Napi::CallbackInfo &info) {
  core_->Close();
  return info.Env().Undefined();
}

}  // namespace ascendcl
