#include "model_wrap.h"

#include <string>
#include <utility>
#include <vector>

#include "acl/acl_errors.h"
#include "addon_data.h"
#include "cancel_token_wrap.h"
#include "context_binding.h"
#include "device_buffer_wrap.h"
#include "event_core.h"
#include "heap_trim.h"
#include "process_runtime.h"
#include "wrap_util.h"

namespace ascendcl {
namespace {

// An execution prepared on the JS thread: the plan, and what must stay alive until it ran.
struct Prepared {
  ExecPlan plan;
  std::vector<std::shared_ptr<Pinnable>> pins;
  std::vector<Napi::Reference<Napi::Value>> views;  // host feeds read on a device thread
};

std::vector<int64_t> DimsFrom(Napi::Env env, Napi::Value value) {
  std::vector<int64_t> dims;
  if (!value.IsArray()) return dims;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) dims.push_back(array.Get(i).As<Napi::Number>().Int64Value());
  return dims;
}

Napi::Array DimsTo(Napi::Env env, const std::vector<int64_t> &dims) {
  Napi::Array out = Napi::Array::New(env, dims.size());
  for (size_t i = 0; i < dims.size(); ++i) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, double(dims[i])));
  return out;
}

Napi::Object IoTo(Napi::Env env, const IoDesc &io) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("name", io.name);
  out.Set("dims", DimsTo(env, io.dims));
  out.Set("dataType", DataTypeName(io.data_type));
  out.Set("format", FormatName(io.format));
  out.Set("byteSize", Napi::Number::New(env, double(io.byte_size)));
  return out;
}

// A DeviceBuffer argument: its region, pinned for the execution.
void DeviceOperand(Napi::Env env, Napi::Value value, const char *what, const ModelCore &model, void **ptr,
                   size_t *size, Prepared *prepared) {
  DeviceBufferWrap *buffer = DeviceBufferWrap::From(env, value);
  if (buffer == nullptr) ThrowTypeError(env, std::string("expected a DeviceBuffer for ") + what);
  if (buffer->closed()) ThrowClosed(env, "DeviceBuffer");
  if (&buffer->memory()->device() != &model.device()) {
    ThrowAclError(env, BindingFailure(acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "aclmdlExecute", model.device().id(),
                                      std::string(what) + " is memory of device " +
                                          std::to_string(buffer->memory()->device().id()) + ", the model is on device " +
                                          std::to_string(model.device().id())));
  }
  *ptr = buffer->data();
  *size = buffer->length();
  prepared->pins.push_back(buffer->memory());
}

// execute(inputs: NativeDeviceBuffer[], outputs: NativeDeviceBuffer[], batch) or
// run(feeds: [data, dims | null][], outputs: ('cpu' | 'device' | 'none')[], batch).
void Prepare(const Napi::CallbackInfo &info, bool run, const ModelCore &model, Prepared *prepared) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray() || !info[1].IsArray()) ThrowTypeError(env, "expected arrays of inputs and outputs");
  Napi::Array inputs = info[0].As<Napi::Array>();
  Napi::Array outputs = info[1].As<Napi::Array>();
  size_t visible = model.inputs().size() - (model.hidden_input() >= 0 ? 1 : 0);
  if (inputs.Length() != visible || outputs.Length() != model.outputs().size()) {
    ThrowRangeError(env, "expected " + std::to_string(visible) + " inputs and " + std::to_string(model.outputs().size()) +
                             " outputs");
  }
  prepared->plan.batch = info[2].IsNumber() ? info[2].As<Napi::Number>().Int64Value() : 0;
  for (uint32_t i = 0; i < inputs.Length(); ++i) {
    ExecInput input;
    Napi::Value item = inputs.Get(i);
    if (run) {
      Napi::Array pair = item.As<Napi::Array>();
      Napi::Value data = pair.Get(0u);
      input.dims = DimsFrom(env, pair.Get(1u));
      void *bytes = nullptr;
      if (HostBytes(env, data, &bytes, &input.host_size)) {
        input.host = bytes;
        prepared->views.push_back(Napi::Persistent(data));
      } else {
        DeviceOperand(env, data, "a feed", model, &input.device, &input.device_size, prepared);
      }
    } else {
      DeviceOperand(env, item, "an input", model, &input.device, &input.device_size, prepared);
    }
    prepared->plan.inputs.push_back(std::move(input));
  }
  for (uint32_t j = 0; j < outputs.Length(); ++j) {
    ExecOutput output;
    if (run) {
      std::string where = outputs.Get(j).ToString().Utf8Value();
      output.to_host = where == "cpu";
      output.keep_on_device = where == "device";
    } else {
      DeviceOperand(env, outputs.Get(j), "an output", model, &output.device, &output.device_size, prepared);
    }
    prepared->plan.outputs.push_back(output);
  }
}

// Results of run(): [dims, ArrayBuffer | NativeDeviceBuffer | null][].
Napi::Value ResultsTo(Napi::Env env, const std::shared_ptr<DeviceCore> &device, std::vector<ExecResult> &results) {
  Napi::Array out = Napi::Array::New(env, results.size());
  for (size_t j = 0; j < results.size(); ++j) {
    ExecResult &result = results[j];
    Napi::Value data = env.Null();
    if (result.host != nullptr) {
      // Hand the downloaded bytes to JS without copying them again.
      auto *hold = new std::shared_ptr<uint8_t>(result.host);
      data = Napi::ArrayBuffer::New(
          env, result.host.get(), result.bytes,
          [](Napi::Env, void *, std::shared_ptr<uint8_t> *holder) { delete holder; }, hold);
    } else if (result.device != nullptr) {
      auto memory = std::make_shared<DeviceMemory>(device, result.device, result.bytes, result.pooled);
      result.device = nullptr;
      data = DeviceBufferWrap::New(env, MemorySpan<DeviceMemory>::Whole(std::move(memory)));
    }
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, DimsTo(env, result.dims));
    pair.Set(1u, data);
    out.Set(static_cast<uint32_t>(j), pair);
  }
  return out;
}

// A host-side execution must not overlap a stream-ordered one of the same model. On a device
// thread the wait is sliced so that closing the device ends it (`stopping`): the stream work may
// be held by a host function that only the JS thread can run. Returns 0, a runtime code (with
// *failure), or -1 when stopped.
int WaitForStreamExecutions(aclrtEvent pending, int device_id, const std::atomic<bool> *stopping,
                            AclFailure *failure) {
  if (pending == nullptr) return 0;
  WaitSpec spec{"aclrtSynchronizeEventWithTimeout", "event", acl::ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, -1, device_id};
  spec.stopping = stopping;
  WaitResult result = WaitForEvent(pending, spec);
  if (result.outcome == WaitOutcome::kStopped || result.outcome == WaitOutcome::kCancelled) return -1;
  if (result.outcome == WaitOutcome::kFailed) {
    *failure = result.failure;
    return failure->code;
  }
  return 0;
}

class ExecuteJob : public WaitJob {
 public:
  ExecuteJob(Napi::Env env, std::shared_ptr<ModelCore> model, Prepared prepared, Napi::Object self, bool run)
      : deferred_(Napi::Promise::Deferred::New(env)),
        model_(std::move(model)),
        device_(model_->device_ptr()),
        prepared_(std::move(prepared)),
        self_(Napi::Persistent(self)),
        run_(run),
        pending_(model_->pending_stream_execution()) {
    for (auto &pin : prepared_.pins) pin->Pin();
    model_->Pin();
  }
  Napi::Promise promise() const { return deferred_.Promise(); }

  void Run(const std::atomic<bool> &stopping) override {
    if (stopping.load()) return Abandon();
    rc_ = WaitForStreamExecutions(pending_, device_->id(), &stopping, &failure_);
    if (rc_ < 0) return Abandon();
    if (rc_ == 0) rc_ = model_->Execute(prepared_.plan, &results_, &failure_);
  }
  void Abandon() override { abandoned_ = true; }

  void Deliver(Napi::Env env) override {
    for (auto &pin : prepared_.pins) pin->Unpin();
    model_->Unpin();
    device_->EndAsync();
    if (env == nullptr) {
      self_.SuppressDestruct();
      for (auto &view : prepared_.views) view.SuppressDestruct();
      if (ProcessRuntime::Instance().loaded()) {
        for (ExecResult &result : results_) {
          if (result.device != nullptr) Acl().aclrtFree(result.device);
        }
      }
      return;
    }
    if (abandoned_) return deferred_.Reject(ClosedErrorValue(env, "Model"));
    if (rc_ != 0) {
      device_->NoteFailure(failure_);
      return deferred_.Reject(AclErrorValue(env, failure_));
    }
    deferred_.Resolve(run_ ? ResultsTo(env, device_, results_) : env.Undefined());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<ModelCore> model_;
  std::shared_ptr<DeviceCore> device_;
  Prepared prepared_;
  Napi::ObjectReference self_;
  bool run_;
  aclrtEvent pending_;
  bool abandoned_ = false;
  int rc_ = 0;
  AclFailure failure_;
  std::vector<ExecResult> results_;
};

class LoadJob : public WaitJob {
 public:
  LoadJob(Napi::Env env, std::shared_ptr<DeviceCore> device, ModelSource source, bool simulator, std::string origin)
      : deferred_(Napi::Promise::Deferred::New(env)),
        device_(std::move(device)),
        source_(std::move(source)),
        simulator_(simulator),
        origin_(std::move(origin)) {}
  Napi::Promise promise() const { return deferred_.Promise(); }

  void Run(const std::atomic<bool> &stopping) override {
    if (stopping.load()) return Abandon();
    rc_ = LoadModelHere(source_, simulator_, &loaded_, &failure_);
  }
  void Abandon() override { abandoned_ = true; }

  void Deliver(Napi::Env env) override {
    device_->EndAsync();
    bool loaded = !abandoned_ && rc_ == 0;
    if (env == nullptr || (loaded && device_->state() == DeviceCore::State::kClosed)) {
      // Loaded for a device that closed meanwhile: unload at once.
      if (loaded) {
        BindContext(device_->context());
        Acl().aclmdlUnload(loaded_.id);
        Acl().aclmdlDestroyDesc(loaded_.desc);
      }
      if (env != nullptr) deferred_.Reject(ClosedErrorValue(env, "Device"));
      return;
    }
    if (abandoned_) return deferred_.Reject(ClosedErrorValue(env, "Device"));
    if (rc_ != 0) {
      device_->NoteFailure(failure_);
      return deferred_.Reject(AclErrorValue(env, failure_));
    }
    auto core = std::make_shared<ModelCore>(device_, std::move(loaded_), origin_);
    deferred_.Resolve(ModelWrap::New(env, std::move(core)));
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<DeviceCore> device_;
  ModelSource source_;
  bool simulator_;
  std::string origin_;
  bool abandoned_ = false;
  int rc_ = 0;
  AclFailure failure_;
  LoadedModel loaded_;
};

std::vector<std::pair<std::string, std::string>> PairsFrom(Napi::Value value) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!value.IsArray()) return out;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Array pair = array.Get(i).As<Napi::Array>();
    out.emplace_back(pair.Get(0u).ToString().Utf8Value(), pair.Get(1u).ToString().Utf8Value());
  }
  return out;
}

}  // namespace

void ModelWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeModel",
                                   {
                                       InstanceMethod<&ModelWrap::Info>("info"),
                                       InstanceAccessor<&ModelWrap::IsClosed>("isClosed"),
                                       InstanceMethod<&ModelWrap::Execute>("execute"),
                                       InstanceMethod<&ModelWrap::ExecuteSync>("executeSync"),
                                       InstanceMethod<&ModelWrap::Run>("run"),
                                       InstanceMethod<&ModelWrap::RunSync>("runSync"),
                                       InstanceMethod<&ModelWrap::Close>("close"),
                                   });
  Data(env).model_class = Napi::Persistent(cls);
  exports.Set("NativeModel", cls);
}

Napi::Object ModelWrap::New(Napi::Env env, std::shared_ptr<ModelCore> core) {
  return NewWrapped(Data(env).model_class, std::move(core));
}

ModelWrap *ModelWrap::From(Napi::Env env, Napi::Value value) {
  if (!HasTag(env, value, tags::kModel)) return nullptr;
  return Unwrap(value.As<Napi::Object>());
}

Napi::Value ModelWrap::Load(const Napi::CallbackInfo &info, const std::shared_ptr<DeviceCore> &device, bool sync) {
  Napi::Env env = info.Env();
  ModelSource source;
  std::string origin;
  if (info[0].IsString()) {
    source.path = info[0].As<Napi::String>().Utf8Value();
    origin = source.path;
  } else {
    void *bytes = nullptr;
    size_t size = 0;
    if (!HostBytes(env, info[0], &bytes, &size)) ThrowTypeError(env, "expected a path or a Uint8Array for model");
    // Copied: an asynchronous load must not depend on the caller keeping the array unchanged.
    source.bytes.assign(static_cast<uint8_t *>(bytes), static_cast<uint8_t *>(bytes) + size);
    origin = "memory (" + std::to_string(size) + " bytes)";
  }
  if (info[1].IsArray()) {
    Napi::Array gears = info[1].As<Napi::Array>();
    for (uint32_t i = 0; i < gears.Length(); ++i) source.gears.push_back(gears.Get(i).As<Napi::Number>().Int64Value());
  }
  source.input_types = PairsFrom(info[2]);
  source.output_types = PairsFrom(info[3]);
  bool simulator = device->runtime().info().backend == "sim";
  if (sync) {
    device->Enter(env, "Device");
    LoadedModel loaded;
    AclFailure failure;
    if (LoadModelHere(source, simulator, &loaded, &failure) != 0) {
      device->NoteFailure(failure);
      ThrowAclError(env, failure);
    }
    return New(env, std::make_shared<ModelCore>(device, std::move(loaded), origin));
  }
  device->CheckUsable(env, "Device");
  auto *job = new LoadJob(env, device, std::move(source), simulator, origin);
  Napi::Promise promise = job->promise();
  device->BeginAsync();
  device->Post(job);
  return promise;
}

ModelWrap::ModelWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<ModelWrap>(info) {
  core_ = CoreFromConstructor<ModelCore>(info, "Model");
  Tag(info.This().As<Napi::Object>(), tags::kModel);
}

ModelWrap::~ModelWrap() {
  if (core_ != nullptr) core_->Close();  // GC backstop; deferred while stream executions are queued
  NoteWrapperFinalized(Env());
}

Napi::Value ModelWrap::Info(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  Napi::Array inputs = Napi::Array::New(env);
  uint32_t count = 0;
  for (size_t i = 0; i < core_->inputs().size(); ++i) {
    if (static_cast<int>(i) == core_->hidden_input()) continue;
    inputs.Set(count++, IoTo(env, core_->inputs()[i]));
  }
  Napi::Array outputs = Napi::Array::New(env, core_->outputs().size());
  for (size_t j = 0; j < core_->outputs().size(); ++j) outputs.Set(static_cast<uint32_t>(j), IoTo(env, core_->outputs()[j]));
  out.Set("inputs", inputs);
  out.Set("outputs", outputs);
  if (core_->gears().empty()) {
    out.Set("dynamicBatch", env.Null());
  } else {
    Napi::Array gears = Napi::Array::New(env, core_->gears().size());
    for (size_t i = 0; i < core_->gears().size(); ++i) gears.Set(static_cast<uint32_t>(i), double(core_->gears()[i]));
    out.Set("dynamicBatch", gears);
  }
  return out;
}

Napi::Value ModelWrap::IsClosed(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), core_->closed()); }

Napi::Value ModelWrap::Start(const Napi::CallbackInfo &info, bool run, bool sync) {
  Napi::Env env = info.Env();
  if (core_->closed()) ThrowClosed(env, "Model");
  DeviceCore &device = core_->device();
  if (sync) {
    device.Enter(env, "Model");
  } else {
    device.CheckUsable(env, "Model");
  }
  Prepared prepared;
  Prepare(info, run, *core_, &prepared);
  if (sync) {
    if (core_->LatestStreamExecutionWaitsOnHostFunc()) {
      const char *api = run ? "model.runSync" : "model.executeSync";
      ThrowAclError(env, BindingFailure(acl::ACL_ERROR_RT_PARAM_INVALID, api, device.id(),
                                        std::string("the model's latest stream execution waits for a host function "
                                                    "that needs the JavaScript thread ") +
                                            (run ? "runSync" : "executeSync") + " would block; use await model." +
                                            (run ? "run()" : "execute()")));
    }
    AclFailure failure;
    std::vector<ExecResult> results;
    int rc = WaitForStreamExecutions(core_->pending_stream_execution(), device.id(), nullptr, &failure);
    if (rc == 0) rc = core_->Execute(prepared.plan, &results, &failure);
    if (rc != 0) {
      device.NoteFailure(failure);
      ThrowAclError(env, failure);
    }
    return run ? ResultsTo(env, core_->device_ptr(), results) : env.Undefined();
  }
  auto *job = new ExecuteJob(env, core_, std::move(prepared), info.This().As<Napi::Object>(), run);
  Napi::Promise promise = job->promise();
  device.BeginAsync();
  device.Post(job);
  return promise;
}

Napi::Value ModelWrap::Execute(const Napi::CallbackInfo &info) { return Start(info, false, false); }
Napi::Value ModelWrap::ExecuteSync(const Napi::CallbackInfo &info) { return Start(info, false, true); }
Napi::Value ModelWrap::Run(const Napi::CallbackInfo &info) { return Start(info, true, false); }
Napi::Value ModelWrap::RunSync(const Napi::CallbackInfo &info) { return Start(info, true, true); }

Napi::Value ModelWrap::Close(const Napi::CallbackInfo &info) {
  core_->Close();
  return info.Env().Undefined();
}

}  // namespace ascendcl
