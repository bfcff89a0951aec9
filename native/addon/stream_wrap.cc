#include "stream_wrap.h"

#include <string>

#include "acl/acl_errors.h"
#include "context_binding.h"
#include "addon_data.h"
#include "cancel_token_wrap.h"
#include "device_buffer_wrap.h"
#include "event_wrap.h"
#include "heap_trim.h"
#include "host_buffer_wrap.h"
#include "model_wrap.h"
#include "promise_wait.h"
#include "wrap_util.h"

namespace ascendcl {
namespace {

// One side of a copy or fill, resolved to a pointer and what must stay alive until it runs.
struct Operand {
  char *ptr = nullptr;
  size_t size = 0;
  bool on_device = false;
  std::shared_ptr<Pinnable> pin;  // DeviceBuffer / HostBuffer memory
  bool keep_value = false;        // a plain ArrayBufferView
};

Operand Resolve(Napi::Env env, Napi::Value value, const char *name, DeviceCore &stream_device, const char *api,
                bool allow_plain) {
  Operand operand;
  if (DeviceBufferWrap *buffer = DeviceBufferWrap::From(env, value)) {
    if (buffer->closed()) ThrowClosed(env, "DeviceBuffer");
    if (&buffer->memory()->device() != &stream_device) {
      ThrowAclError(env, BindingFailure(acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT, api, stream_device.id(),
                                        std::string(name) + " is memory of device " +
                                            std::to_string(buffer->memory()->device().id()) + " but the stream is on device " +
                                            std::to_string(stream_device.id()) +
                                            "; copies between devices are not supported yet"));
    }
    operand.ptr = buffer->data();
    operand.size = buffer->length();
    operand.on_device = true;
    operand.pin = buffer->memory();
    return operand;
  }
  if (HostBufferWrap *buffer = HostBufferWrap::From(env, value)) {
    if (buffer->closed()) ThrowClosed(env, "HostBuffer");
    operand.ptr = buffer->data();
    operand.size = buffer->length();
    operand.pin = buffer->memory();
    return operand;
  }
  void *data = nullptr;
  if (allow_plain && HostBytes(env, value, &data, &operand.size)) {
    operand.ptr = static_cast<char *>(data);
    operand.keep_value = true;
    return operand;
  }
  ThrowTypeError(env, std::string("expected a DeviceBuffer, HostBuffer") + (allow_plain ? " or ArrayBufferView" : "") +
                          " for " + name);
}

// The datasets of a stream-ordered execution: AscendCL reads them when the execution runs, so
// they live until the stream is seen past it.
class DatasetHold : public Pinnable {
 public:
  explicit DatasetHold(aclrtContext context) : context_(context) {}
  ~DatasetHold() override { Destroy(); }
  aclmdlDataset *in = nullptr;
  aclmdlDataset *out = nullptr;
  std::vector<aclDataBuffer *> buffers;
  void Pin() override { ++pins_; }
  void Unpin() override {
    if (--pins_ == 0) Destroy();
  }
  bool Add(aclmdlDataset *dataset, void *data, size_t size) {
    aclDataBuffer *buffer = Acl().aclCreateDataBuffer(data, size);
    if (buffer == nullptr) return false;
    buffers.push_back(buffer);
    return Acl().aclmdlAddDatasetBuffer(dataset, buffer) == 0;
  }

 private:
  void Destroy() {
    if (in == nullptr && out == nullptr && buffers.empty()) return;
    BindContext(context_);
    for (aclDataBuffer *buffer : buffers) Acl().aclDestroyDataBuffer(buffer);
    buffers.clear();
    if (in != nullptr) Acl().aclmdlDestroyDataset(in);
    if (out != nullptr) Acl().aclmdlDestroyDataset(out);
    in = out = nullptr;
  }
  aclrtContext context_;
  int pins_ = 0;
};

aclrtMemcpyKind KindOf(const Operand &dst, const Operand &src) {
  if (src.on_device) return dst.on_device ? ACL_MEMCPY_DEVICE_TO_DEVICE : ACL_MEMCPY_DEVICE_TO_HOST;
  return dst.on_device ? ACL_MEMCPY_HOST_TO_DEVICE : ACL_MEMCPY_HOST_TO_HOST;
}

}  // namespace

void StreamWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeStream",
                                   {
                                       InstanceAccessor<&StreamWrap::IsClosed>("isClosed"),
                                       InstanceAccessor<&StreamWrap::TraceId>("traceId"),
                                       InstanceMethod<&StreamWrap::Copy>("copy"),
                                       InstanceMethod<&StreamWrap::Fill>("fill"),
                                       InstanceMethod<&StreamWrap::Record>("record"),
                                       InstanceMethod<&StreamWrap::Wait>("wait"),
                                       InstanceMethod<&StreamWrap::Execute>("execute"),
                                       InstanceMethod<&StreamWrap::HostFunc>("hostFunc"),
                                       InstanceMethod<&StreamWrap::HostFuncDone>("hostFuncDone"),
                                       InstanceMethod<&StreamWrap::Query>("query"),
                                       InstanceMethod<&StreamWrap::Synchronize>("synchronize"),
                                       InstanceMethod<&StreamWrap::SynchronizeSync>("synchronizeSync"),
                                       InstanceMethod<&StreamWrap::Close>("close"),
                                   });
  Data(env).stream_class = Napi::Persistent(cls);
  exports.Set("NativeStream", cls);
}

Napi::Object StreamWrap::New(Napi::Env env, std::shared_ptr<StreamCore> core) {
  return NewWrapped(Data(env).stream_class, std::move(core));
}

StreamWrap::StreamWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<StreamWrap>(info) {
  core_ = CoreFromConstructor<StreamCore>(info, "Stream");
  Tag(info.This().As<Napi::Object>(), tags::kStream);
}

StreamWrap::~StreamWrap() {
  // GC backstop: same as close(), which never blocks (queued work finishes on a device thread).
  if (core_ != nullptr && !core_->closed()) core_->Close(Env());
  NoteWrapperFinalized(Env());
}

StreamCore &StreamWrap::Open(Napi::Env env) const {
  if (core_->closed()) ThrowClosed(env, "Stream");
  core_->device().Enter(env, "Stream");
  return *core_;
}

Napi::Value StreamWrap::IsClosed(const Napi::CallbackInfo &info) {
  return Napi::Boolean::New(info.Env(), core_->closed());
}

Napi::Value StreamWrap::TraceId(const Napi::CallbackInfo &info) {
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(core_->handle())));
}

Napi::Value StreamWrap::Copy(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  StreamCore &stream = Open(env);
  Operand dst = Resolve(env, info[0], "dst", stream.device(), "aclrtMemcpyAsync", true);
  Operand src = Resolve(env, info[1], "src", stream.device(), "aclrtMemcpyAsync", true);
  uint64_t bytes = info[2].IsUndefined() ? src.size : ToUint(info, 2, "bytes");
  if (bytes > src.size) ThrowRangeError(env, "bytes exceeds src");
  if (bytes > dst.size) ThrowRangeError(env, "bytes exceeds dst");
  if (bytes == 0) return env.Undefined();
  stream.device().Check(env,
                        Acl().aclrtMemcpyAsync(dst.ptr, dst.size, src.ptr, bytes, KindOf(dst, src), stream.handle()),
                        "aclrtMemcpyAsync");
  stream.Enqueued(std::move(dst.pin), std::move(src.pin));
  if (dst.keep_value) stream.KeepUntilComplete(info[0]);
  if (src.keep_value) stream.KeepUntilComplete(info[1]);
  return env.Undefined();
}

Napi::Value StreamWrap::Fill(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  StreamCore &stream = Open(env);
  Operand dst = Resolve(env, info[0], "dst", stream.device(), "aclrtMemsetAsync", false);
  uint64_t value = ToUint(info, 1, "byte");
  if (value > 255) ThrowRangeError(env, "expected an integer from 0 to 255 for byte");
  uint64_t bytes = info[2].IsUndefined() ? dst.size : ToUint(info, 2, "bytes");
  if (bytes > dst.size) ThrowRangeError(env, "bytes exceeds dst");
  if (bytes == 0) return env.Undefined();
  stream.device().Check(env,
                        Acl().aclrtMemsetAsync(dst.ptr, dst.size, static_cast<int32_t>(value), bytes, stream.handle()),
                        "aclrtMemsetAsync");
  stream.Enqueued(std::move(dst.pin));
  return env.Undefined();
}

Napi::Value StreamWrap::Record(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  StreamCore &stream = Open(env);
  EventWrap *event = EventWrap::From(env, info[0]);
  if (event == nullptr) ThrowTypeError(env, "expected an Event for event");
  if (event->core()->closed()) ThrowClosed(env, "Event");
  stream.device().Check(env, Acl().aclrtRecordEvent(event->core()->handle(), stream.handle()), "aclrtRecordEvent");
  stream.Enqueued();
  event->core()->Recorded(core_, stream.enqueued(), stream.host_funcs_launched());
  return env.Undefined();
}

Napi::Value StreamWrap::Wait(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  StreamCore &stream = Open(env);
  EventWrap *event = EventWrap::From(env, info[0]);
  if (event == nullptr) ThrowTypeError(env, "expected an Event for event");
  if (event->core()->closed()) ThrowClosed(env, "Event");
  int64_t timeout = info[1].IsUndefined() ? -1 : ToTimeout(info, 1);
  if (timeout < 0) {
    stream.device().Check(env, Acl().aclrtStreamWaitEvent(stream.handle(), event->core()->handle()),
                          "aclrtStreamWaitEvent");
  } else {
    if (Acl().aclrtStreamWaitEventWithTimeout == nullptr) {
      ThrowAclError(env, BindingFailure(acl::ACL_ERROR_API_NOT_SUPPORT, "aclrtStreamWaitEventWithTimeout",
                                        stream.device().id(),
                                        "aclrtStreamWaitEventWithTimeout is not available in this runtime (" +
                                            ProcessRuntime::Instance().library_path() +
                                            "); wait without timeoutMs, or use a newer CANN"));
    }
    stream.device().Check(env,
                          Acl().aclrtStreamWaitEventWithTimeout(stream.handle(), event->core()->handle(),
                                                                static_cast<int32_t>(timeout)),
                          "aclrtStreamWaitEventWithTimeout");
  }
  stream.Enqueued();
  return env.Undefined();
}

Napi::Value StreamWrap::Execute(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  StreamCore &stream = Open(env);
  ModelWrap *model_wrap = ModelWrap::From(env, info[0]);
  if (model_wrap == nullptr) ThrowTypeError(env, "expected a Model for model");
  const std::shared_ptr<ModelCore> &model = model_wrap->core();
  if (model->closed()) ThrowClosed(env, "Model");
  DeviceCore &device = stream.device();
  if (&model->device() != &device) {
    ThrowAclError(env, BindingFailure(acl::ACL_ERROR_RT_STREAM_CONTEXT, "aclmdlExecuteAsync", device.id(),
                                      "the model is loaded on device " + std::to_string(model->device().id()) +
                                          ", the stream is on device " + std::to_string(device.id())));
  }
  if (!info[1].IsArray() || !info[2].IsArray()) ThrowTypeError(env, "expected arrays of inputs and outputs");
  Napi::Array inputs = info[1].As<Napi::Array>();
  Napi::Array outputs = info[2].As<Napi::Array>();
  uint64_t batch = info[3].IsNumber() ? info[3].As<Napi::Number>().Int64Value() : 0;

  std::vector<std::shared_ptr<Pinnable>> holds{model};
  auto datasets = std::make_shared<DatasetHold>(device.context());
  datasets->in = Acl().aclmdlCreateDataset();
  datasets->out = Acl().aclmdlCreateDataset();
  auto add = [&](aclmdlDataset *dataset, Napi::Value value, const char *what) {
    Operand operand = Resolve(env, value, what, device, "aclmdlExecuteAsync", false);
    if (!operand.on_device) ThrowTypeError(env, std::string("expected a DeviceBuffer for ") + what);
    holds.push_back(operand.pin);
    if (!datasets->Add(dataset, operand.ptr, operand.size)) device.Check(env, acl::ACL_ERROR_BAD_ALLOC, "aclmdlAddDatasetBuffer");
  };
  uint32_t next = 0;
  for (size_t i = 0; i < model->inputs().size(); ++i) {
    if (static_cast<int>(i) == model->hidden_input()) {
      // Each execution gets its own batch value: earlier queued executions still read theirs.
      auto value = DeviceMemory::Allocate(env, stream.device_ptr(), 8);
      holds.push_back(value);
      if (!datasets->Add(datasets->in, value->ptr(), 8)) device.Check(env, acl::ACL_ERROR_BAD_ALLOC, "aclmdlAddDatasetBuffer");
      continue;
    }
    if (next >= inputs.Length()) ThrowRangeError(env, "too few inputs");
    add(datasets->in, inputs.Get(next++), "an input");
  }
  for (uint32_t j = 0; j < outputs.Length(); ++j) add(datasets->out, outputs.Get(j), "an output");
  if (model->hidden_input() >= 0) {
    device.Check(env, Acl().aclmdlSetDynamicBatchSize(model->id(), datasets->in, model->hidden_input(), batch),
                 "aclmdlSetDynamicBatchSize");
  }
  AclFailure failure;
  if (model->OrderBefore(stream.handle(), &failure) != 0) ThrowAclError(env, failure);
  device.Check(env, Acl().aclmdlExecuteAsync(model->id(), datasets->in, datasets->out, stream.handle()),
               "aclmdlExecuteAsync");
  holds.push_back(datasets);
  stream.Enqueued(std::move(holds));
  if (model->RecordAfter(core_, &failure) != 0) ThrowAclError(env, failure);
  return env.Undefined();
}

Napi::Value StreamWrap::HostFunc(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  StreamCore &stream = Open(env);
  if (!info[0].IsFunction()) ThrowTypeError(env, "expected a function for fn");
  stream.LaunchHostFunc(env, info[0].As<Napi::Function>(), info.This().As<Napi::Object>());
  return env.Undefined();
}

Napi::Value StreamWrap::HostFuncDone(const Napi::CallbackInfo &info) {
  core_->HostFuncDone(info.Env(), ToUint(info, 0, "id"), info[1]);
  return info.Env().Undefined();
}

Napi::Value StreamWrap::Query(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  StreamCore &stream = Open(env);
  uint64_t queued = stream.enqueued();
  aclrtStreamStatus status = ACL_STREAM_STATUS_NOT_READY;
  stream.device().Check(env, Acl().aclrtStreamQuery(stream.handle(), &status), "aclrtStreamQuery");
  bool complete = status == ACL_STREAM_STATUS_COMPLETE;
  if (complete) stream.ObserveCompleted(queued);
  return Napi::Boolean::New(env, complete);
}

Napi::Value StreamWrap::Synchronize(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int64_t timeout = ToTimeout(info, 0);
  CancelFlag cancel = CancelTokenWrap::FlagOf(env, info[1]);
  if (core_->closed()) ThrowClosed(env, "Stream");
  core_->device().CheckUsable(env, "Stream");
  std::shared_ptr<StreamCore> core = core_;
  aclrtStream handle = core_->handle();
  uint64_t queued = core_->enqueued();
  int device_id = core_->device().id();
  return PromiseWait::Start(
      env, core_->device_ptr(), info.This().As<Napi::Object>(), "Stream", cancel,
      [handle, timeout, device_id](const std::atomic<bool> &stopping, const CancelFlag &cancel_flag) {
        WaitSpec spec{"aclrtSynchronizeStreamWithTimeout", "stream", acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, timeout,
                      device_id};
        spec.stopping = &stopping;
        spec.cancel = &cancel_flag;
        return WaitForStream(handle, spec);
      },
      [core, queued](Napi::Env env) {
        core->ObserveCompleted(queued);
        return core->TakeHostError(env);
      });
}

Napi::Value StreamWrap::SynchronizeSync(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int64_t timeout = ToTimeout(info, 0);
  StreamCore &stream = Open(env);
  if (stream.pending_host_funcs() > 0) {
    ThrowAclError(env, BindingFailure(acl::ACL_ERROR_RT_PARAM_INVALID, "stream.synchronizeSync", stream.device().id(),
                                      "a host function is queued on this stream and needs the JavaScript thread that "
                                      "synchronizeSync would block; use await stream.synchronize()"));
  }
  uint64_t queued = stream.enqueued();
  WaitSpec spec{"aclrtSynchronizeStreamWithTimeout", "stream", acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, timeout,
                stream.device().id()};
  WaitResult result = WaitForStream(stream.handle(), spec);
  if (result.outcome == WaitOutcome::kFailed) {
    stream.device().NoteFailure(result.failure);
    ThrowAclError(env, result.failure);
  }
  stream.ObserveCompleted(queued);
  Napi::Value error = stream.TakeHostError(env);
  if (!error.IsUndefined()) throw Napi::Error(env, error);
  return env.Undefined();
}

Napi::Value StreamWrap::Close(const Napi::CallbackInfo &info) {
  core_->Close(info.Env());
  return info.Env().Undefined();
}

}  // namespace ascendcl
